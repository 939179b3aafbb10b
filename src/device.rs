//! The phone's state that a browser does not have — network type, battery,
//! foreground/background — and the rules of the APIs that read it (`my.getNetworkType`,
//! `my.getBatteryInfo(Sync)`). The simulator's devtools (or its URL parameters) set it;
//! standalone the browser's `navigator.onLine` drives availability. The phone's actuators
//! (`my.vibrate*`, `my.makePhoneCall`, the screen's brightness and keep-on) are in the extras
//! module (`extras/src/phone.rs`).
//! The glue (`glue::device`) keeps one [`DeviceState`] per page and calls the listeners.

use crate::encoding::Quoted;

/// `networkType` values, as `@mini-types/my` spells them.
pub const NETWORK_TYPES: &[&str] = &["UNKNOWN", "NOTREACHABLE", "WIFI", "3G", "2G", "4G", "WWAN"];

/// Checks a `networkType` from the devtools or a URL parameter (one of [`NETWORK_TYPES`]).
pub fn network_type(value: &str) -> Result<&'static str, String> {
    NETWORK_TYPES
        .iter()
        .find(|t| **t == value)
        .copied()
        .ok_or_else(|| {
            format!(
                "`networkType` must be one of {}, got {}",
                NETWORK_TYPES.join(", "),
                Quoted(value)
            )
        })
}

/// Checks a battery level (0–100, whole percent).
pub fn battery_level(value: f64) -> Result<u8, String> {
    if value.is_finite() && (0.0..=100.0).contains(&value) && value.fract() == 0.0 {
        Ok(value as u8)
    } else {
        // The value is not printed: formatting an f64 costs kilobytes of wasm.
        Err("`batteryLevel` must be a whole number from 0 to 100".into())
    }
}

/// The phone's state.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceState {
    /// The radio's type when connected (`WIFI` by default); `NOTREACHABLE` means no network.
    pub network_type: &'static str,
    /// Battery level in percent.
    pub battery_level: u8,
    /// Whether the phone is charging.
    pub charging: bool,
}

impl Default for DeviceState {
    fn default() -> Self {
        DeviceState {
            network_type: "WIFI",
            battery_level: 100,
            charging: false,
        }
    }
}

/// `my.getNetworkType` success and the `onNetworkStatusChange` event, in one shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkStatus {
    /// Whether the network can be used.
    pub network_available: bool,
    /// The same, under the event's name (`isConnected`).
    pub is_connected: bool,
    /// `NOTREACHABLE` whenever unavailable.
    pub network_type: &'static str,
}

impl DeviceState {
    /// The network as the mini program sees it: unavailable when the devtools chose
    /// `NOTREACHABLE`, switched the network off (`offline`), or the browser is offline.
    pub fn network(&self, offline: bool) -> NetworkStatus {
        let available = !offline && self.network_type != "NOTREACHABLE";
        NetworkStatus {
            network_available: available,
            is_connected: available,
            network_type: if available {
                self.network_type
            } else {
                "NOTREACHABLE"
            },
        }
    }
}

/// `my.getBatteryInfo(Sync)` result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatteryInfo {
    /// Percent.
    pub level: u8,
    /// Charging.
    pub is_charging: bool,
}

impl From<&DeviceState> for BatteryInfo {
    fn from(s: &DeviceState) -> Self {
        BatteryInfo {
            level: s.battery_level,
            is_charging: s.charging,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_type_accepts_only_the_documented_values() {
        for t in NETWORK_TYPES {
            assert_eq!(network_type(t), Ok(*t));
        }
        for bad in ["wifi", "5G", "", "4G "] {
            let e = network_type(bad).unwrap_err();
            assert!(e.contains("networkType") && e.contains("WIFI"), "{e}");
        }
    }

    #[test]
    fn battery_level_is_a_whole_percent() {
        assert_eq!(battery_level(0.0), Ok(0));
        assert_eq!(battery_level(100.0), Ok(100));
        assert_eq!(battery_level(42.0), Ok(42));
        for bad in [-1.0, 101.0, 4.5, f64::NAN, f64::INFINITY] {
            assert!(
                battery_level(bad).unwrap_err().contains("batteryLevel"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_network_is_unavailable_when_offline_or_notreachable() {
        let mut s = DeviceState::default();
        assert_eq!(
            s.network(false),
            NetworkStatus {
                network_available: true,
                is_connected: true,
                network_type: "WIFI"
            }
        );
        let off = s.network(true);
        assert!(!off.network_available && !off.is_connected);
        assert_eq!(off.network_type, "NOTREACHABLE");
        s.network_type = "NOTREACHABLE";
        assert!(!s.network(false).network_available);
        s.network_type = "4G";
        assert_eq!(s.network(false).network_type, "4G");
    }
}
