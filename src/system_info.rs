//! `my.getSystemInfo`: the success result, built from what the browser tells (`glue::
//! system_info` reads `window`, `screen`, `navigator`) plus the super app's fixed fields.
//!
//! Fields are Alipay's, spelled and typed as its docs list them: `model`, `pixelRatio`,
//! `windowWidth`, `windowHeight`, `language`, `version`, `storage`, `currentBattery`,
//! `system`, `platform`, `titleBarHeight`, `statusBarHeight`, `screenWidth`, `screenHeight`,
//! `brand`, `fontSizeSetting`, `app`.

use serde::Serialize;

/// The super app's name in `app`.
pub const APP_NAME: &str = "superapp-sandbox";

/// What the glue reads from the browser.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BrowserFacts {
    /// `window.innerWidth`.
    pub inner_width: f64,
    /// `window.innerHeight`.
    pub inner_height: f64,
    /// `window.devicePixelRatio`.
    pub device_pixel_ratio: f64,
    /// `screen.width`.
    pub screen_width: f64,
    /// `screen.height`.
    pub screen_height: f64,
    /// `navigator.language` (`en-US`).
    pub language: String,
    /// `navigator.userAgent`.
    pub user_agent: String,
}

/// The `my.getSystemInfo` success result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemInfo {
    /// Device model: always `Simulator`.
    pub model: String,
    /// `devicePixelRatio`.
    pub pixel_ratio: f64,
    /// Usable window width in CSS px.
    pub window_width: f64,
    /// Usable window height in CSS px.
    pub window_height: f64,
    /// The browser's language (`navigator.language`).
    pub language: String,
    /// The super app's version (this crate's).
    pub version: String,
    /// Storage capacity for this mini program: `10 MB` (see `storage`).
    pub storage: String,
    /// Battery level: always `100%` (browsers rarely expose it).
    pub current_battery: String,
    /// Operating system and version parsed from the user agent (`Android 14`, `iOS 17.4`,
    /// `Windows 10.0`, `macOS 10.15.7`, `Linux`), else `Unknown`.
    pub system: String,
    /// One of Alipay's values: `iOS` on Apple systems, `Android` otherwise (the simulator
    /// behaves as the Android super app; `system` tells the real OS).
    pub platform: String,
    /// Title bar height: 0 (the page has no native title bar).
    pub title_bar_height: f64,
    /// Status bar height: 0.
    pub status_bar_height: f64,
    /// `screen.width`.
    pub screen_width: f64,
    /// `screen.height`.
    pub screen_height: f64,
    /// Device brand: always `Simulator`.
    pub brand: String,
    /// The user's font size: 16 (the browser default, px).
    pub font_size_setting: f64,
    /// The super app: `superapp-sandbox`.
    pub app: String,
}

/// The OS name and version from a user agent string.
pub fn system_from_user_agent(ua: &str) -> String {
    fn version_after<'a>(ua: &'a str, marker: &str) -> Option<&'a str> {
        let start = ua.find(marker)? + marker.len();
        let rest = &ua[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        Some(&rest[..end]).filter(|v| !v.is_empty())
    }
    let dotted = |v: &str| v.replace('_', ".");
    if let Some(v) = version_after(ua, "Android ") {
        return format!("Android {v}");
    }
    if ua.contains("Android") {
        return "Android".into();
    }
    if let Some(v) = version_after(ua, "iPhone OS ").or_else(|| version_after(ua, "CPU OS ")) {
        return format!("iOS {}", dotted(v));
    }
    if let Some(v) = version_after(ua, "Windows NT ") {
        return format!("Windows {v}");
    }
    if let Some(v) = version_after(ua, "Mac OS X ") {
        return format!("macOS {}", dotted(v));
    }
    if ua.contains("Linux") || ua.contains("X11") {
        return "Linux".into();
    }
    "Unknown".into()
}

/// `iOS` or `Android` (Alipay's `platform` values) for a `system` string.
pub fn platform_for(system: &str) -> &'static str {
    if system.starts_with("iOS") || system.starts_with("macOS") {
        "iOS"
    } else {
        "Android"
    }
}

impl SystemInfo {
    /// The result for these browser facts.
    pub fn new(facts: &BrowserFacts) -> Self {
        let system = system_from_user_agent(&facts.user_agent);
        let positive = |v: f64, fallback: f64| {
            if v.is_finite() && v > 0.0 {
                v
            } else {
                fallback
            }
        };
        SystemInfo {
            model: "Simulator".into(),
            pixel_ratio: positive(facts.device_pixel_ratio, 1.0),
            window_width: positive(facts.inner_width, 0.0),
            window_height: positive(facts.inner_height, 0.0),
            language: if facts.language.is_empty() {
                "en-US".into()
            } else {
                facts.language.clone()
            },
            version: env!("CARGO_PKG_VERSION").into(),
            storage: "10 MB".into(),
            current_battery: "100%".into(),
            platform: platform_for(&system).into(),
            system,
            title_bar_height: 0.0,
            status_bar_height: 0.0,
            screen_width: positive(facts.screen_width, 0.0),
            screen_height: positive(facts.screen_height, 0.0),
            brand: "Simulator".into(),
            font_size_setting: 16.0,
            app: APP_NAME.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_and_platform_come_from_the_user_agent() {
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36",
                "Android 14",
                "Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit",
                "iOS 17.4",
                "iOS",
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 16_1 like Mac OS X)",
                "iOS 16.1",
                "iOS",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
                "Windows 10.0",
                "Android",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
                "macOS 10.15.7",
                "iOS",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156",
                "Linux",
                "Android",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Linux",
                "Android",
            ),
            ("", "Unknown", "Android"),
        ];
        for (ua, system, platform) in cases {
            assert_eq!(system_from_user_agent(ua), system, "{ua}");
            assert_eq!(platform_for(system), platform, "{ua}");
        }
    }

    #[test]
    fn result_takes_the_browser_values_and_the_fixed_super_app_fields() {
        let info = SystemInfo::new(&BrowserFacts {
            inner_width: 375.0,
            inner_height: 667.0,
            device_pixel_ratio: 2.0,
            screen_width: 390.0,
            screen_height: 844.0,
            language: "de-DE".into(),
            user_agent: "Mozilla/5.0 (Linux; Android 13)".into(),
        });
        assert_eq!(
            (info.window_width, info.window_height, info.pixel_ratio),
            (375.0, 667.0, 2.0)
        );
        assert_eq!(
            (info.language.as_str(), info.system.as_str()),
            ("de-DE", "Android 13")
        );
        assert_eq!(
            (info.app.as_str(), info.model.as_str()),
            ("superapp-sandbox", "Simulator")
        );
    }

    #[test]
    fn missing_browser_values_get_sane_defaults() {
        let info = SystemInfo::new(&BrowserFacts {
            device_pixel_ratio: f64::NAN,
            ..Default::default()
        });
        assert_eq!((info.pixel_ratio, info.language.as_str()), (1.0, "en-US"));
    }
}
