//! The phone's state that a browser does not have — network type, battery, screen brightness,
//! keep-screen-on, foreground/background — and the rules of the APIs that read or change it
//! (`my.getNetworkType`, `my.getBatteryInfo(Sync)`, `my.get/setScreenBrightness`,
//! `my.setKeepScreenOn`, `my.vibrate*`, `my.makePhoneCall`). The simulator's devtools (or its
//! URL parameters) set it; standalone the browser's `navigator.onLine` drives availability.
//! The glue (`glue::device`) keeps one [`DeviceState`] per page and calls the listeners.

use crate::encoding::Quoted;
use crate::error::ApiError;

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
    /// Screen brightness, 0–1.
    pub brightness: f64,
    /// `my.setKeepScreenOn` state.
    pub keep_screen_on: bool,
}

impl Default for DeviceState {
    fn default() -> Self {
        DeviceState {
            network_type: "WIFI",
            battery_level: 100,
            charging: false,
            brightness: 0.5,
            keep_screen_on: false,
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

/// `my.setScreenBrightness({ brightness })`: a number from 0 to 1 (error 2 otherwise).
pub fn brightness(value: Option<f64>, given: bool) -> Result<f64, ApiError> {
    match value {
        Some(b) if (0.0..=1.0).contains(&b) => Ok(b),
        Some(_) => Err(ApiError::invalid(
            "brightness",
            "must be a number from 0 to 1",
        )),
        None if given => Err(ApiError::invalid(
            "brightness",
            "must be a number from 0 to 1",
        )),
        None => Err(ApiError::invalid("brightness", "is required")),
    }
}

/// `my.makePhoneCall({ number })`: digits, spaces and `+ - ( ) * # ,` only, at most 32
/// characters after trimming (error 2 naming `number` otherwise).
pub fn phone_number(value: Option<&str>) -> Result<String, ApiError> {
    let number = value
        .map(str::trim)
        .ok_or_else(|| ApiError::invalid("number", "is required"))?;
    if number.is_empty() || !number.chars().any(|c| c.is_ascii_digit()) {
        return Err(ApiError::invalid("number", "must contain digits"));
    }
    if number.chars().count() > 32 {
        return Err(ApiError::invalid("number", "is longer than 32 characters"));
    }
    if let Some(c) = number
        .chars()
        .find(|c| !(c.is_ascii_digit() || " +-()*#,".contains(*c)))
    {
        return Err(ApiError::invalid(
            "number",
            format!("may hold digits, spaces and + - ( ) * # , only, not '{c}'"),
        ));
    }
    Ok(number.to_owned())
}

/// How long `my.vibrate*` shakes the phone frame: `vibrateShort` 15 ms (as documented),
/// `vibrate` and `vibrateLong` 400 ms.
pub fn vibration_ms(api: &str) -> u32 {
    if api == "vibrateShort" {
        15
    } else {
        400
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

    #[test]
    fn brightness_and_phone_numbers_are_checked() {
        assert_eq!(brightness(Some(0.3), true), Ok(0.3));
        for (v, given) in [
            (Some(1.5), true),
            (Some(-0.1), true),
            (None, true),
            (None, false),
        ] {
            let e = brightness(v, given).unwrap_err();
            assert_eq!(e.code(), 2);
            assert!(e.to_string().contains("`brightness`"));
        }
        assert_eq!(
            phone_number(Some(" +1 (555) 010-0000 ")).unwrap(),
            "+1 (555) 010-0000"
        );
        for bad in [
            None,
            Some(""),
            Some("abc"),
            Some("123;rm"),
            Some("1234567890123456789012345678901234"),
        ] {
            let e = phone_number(bad).unwrap_err();
            assert!(e.to_string().contains("`number`"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn vibration_lengths() {
        assert_eq!(vibration_ms("vibrateShort"), 15);
        assert_eq!(vibration_ms("vibrateLong"), 400);
        assert_eq!(vibration_ms("vibrate"), 400);
    }
}
