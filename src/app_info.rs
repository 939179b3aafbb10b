//! The synchronous facts a mini program asks for at start: `my.getWindowInfo`,
//! `my.getAppBaseInfo`, `my.getAccountInfoSync`, `my.getAppIdSync`, `my.getLaunchOptionsSync`
//! and `my.getEnterOptionsSync` (`my.getSystemInfoSync` is `crate::system_info`). Fields as
//! `@mini-types/my` declares them (camelCase there; the glue, `glue::app_info`, reads the
//! browser and builds the JS objects field by field: serde derives cost wasm size).

use crate::system_info::BrowserFacts;

/// The shim's version: `version` and `SDKVersion` (the super app and its base library are
/// both this crate).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The launch scene the simulator reports: 1000, Alipay's "opened from the home screen /
/// app list", the ordinary launch.
pub const LAUNCH_SCENE: u32 = 1000;

/// The safe area of the window (no notch in the simulator: the whole window).
#[derive(Debug, Clone, PartialEq)]
pub struct SafeArea {
    /// 0.
    pub left: f64,
    /// The window width.
    pub right: f64,
    /// 0.
    pub top: f64,
    /// The window height.
    pub bottom: f64,
    /// The window width.
    pub width: f64,
    /// The window height.
    pub height: f64,
}

/// `my.getWindowInfo()`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowInfo {
    /// `devicePixelRatio`.
    pub pixel_ratio: f64,
    /// `screen.width`.
    pub screen_width: f64,
    /// `screen.height`.
    pub screen_height: f64,
    /// `innerWidth`.
    pub window_width: f64,
    /// `innerHeight`.
    pub window_height: f64,
    /// 0: the page has no native status bar.
    pub status_bar_height: f64,
    /// The whole window.
    pub safe_area: SafeArea,
}

impl WindowInfo {
    /// From what the browser tells.
    pub fn new(facts: &BrowserFacts) -> Self {
        WindowInfo {
            pixel_ratio: facts.device_pixel_ratio,
            screen_width: facts.screen_width,
            screen_height: facts.screen_height,
            window_width: facts.inner_width,
            window_height: facts.inner_height,
            status_bar_height: 0.0,
            safe_area: SafeArea {
                left: 0.0,
                right: facts.inner_width,
                top: 0.0,
                bottom: facts.inner_height,
                width: facts.inner_width,
                height: facts.inner_height,
            },
        }
    }
}

/// `my.getAppBaseInfo()`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppBaseInfo {
    /// The base library version: this crate's.
    pub sdk_version: String,
    /// `navigator.language`.
    pub language: String,
    /// The super app's version: this crate's.
    pub version: String,
}

impl AppBaseInfo {
    /// With the browser's language.
    pub fn new(language: &str) -> Self {
        AppBaseInfo {
            sdk_version: VERSION.into(),
            language: language.into(),
            version: VERSION.into(),
        }
    }
}

/// `miniProgram` of `my.getAccountInfoSync()`.
#[derive(Debug, Clone, PartialEq)]
pub struct MiniProgramAccount {
    /// The configured appId (`""` when none was given).
    pub app_id: String,
    /// `develop`: a simulator runs development builds.
    pub env_version: &'static str,
    /// `""`: a development build has no released version.
    pub version: String,
}

/// `my.getAccountInfoSync()`.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountInfo {
    /// The mini program.
    pub mini_program: MiniProgramAccount,
}

impl AccountInfo {
    /// For the configured appId.
    pub fn new(app_id: &str) -> Self {
        AccountInfo {
            mini_program: MiniProgramAccount {
                app_id: app_id.into(),
                env_version: "develop",
                version: String::new(),
            },
        }
    }
}

/// The query parameters the simulator adds to a mini program's URL for itself; they are not
/// the app's launch query.
pub const INTERNAL_QUERY_KEYS: &[&str] = &["__superapp", "__appId"];

/// `my.getLaunchOptionsSync()` / `my.getEnterOptionsSync()`: the page the mini program was
/// opened at and its query (the simulator's own parameters removed).
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchOptions {
    /// The page path without the leading `/` (`pages/index/index.html`).
    pub path: String,
    /// The URL query as `{ name: value }` (the last value of a repeated name), in URL order.
    pub query: Vec<(String, String)>,
    /// [`LAUNCH_SCENE`].
    pub scene: u32,
    /// `default`.
    pub api_category: &'static str,
}

/// `(name, value)` pairs with one entry per name, holding its last value (no map type: a
/// `BTreeMap` costs kilobytes of wasm for a handful of entries).
fn last_values(pairs: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        match out.iter_mut().find(|(name, _)| *name == k) {
            Some(entry) => entry.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

impl LaunchOptions {
    /// From the page's `pathname` and its decoded query pairs, in order.
    pub fn new(pathname: &str, pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        LaunchOptions {
            path: pathname.trim_start_matches('/').into(),
            query: last_values(
                pairs
                    .into_iter()
                    .filter(|(k, _)| !INTERNAL_QUERY_KEYS.contains(&k.as_str())),
            ),
            scene: LAUNCH_SCENE,
            api_category: "default",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_info_has_the_whole_window_as_safe_area() {
        let facts = BrowserFacts {
            inner_width: 375.0,
            inner_height: 667.0,
            device_pixel_ratio: 2.0,
            screen_width: 400.0,
            screen_height: 800.0,
            ..BrowserFacts::default()
        };
        let w = WindowInfo::new(&facts);
        assert_eq!(
            (w.window_width, w.window_height, w.pixel_ratio),
            (375.0, 667.0, 2.0)
        );
        assert_eq!((w.screen_width, w.screen_height), (400.0, 800.0));
        assert_eq!(
            w.safe_area,
            SafeArea {
                left: 0.0,
                right: 375.0,
                top: 0.0,
                bottom: 667.0,
                width: 375.0,
                height: 667.0
            }
        );
    }

    #[test]
    fn account_and_base_info_say_who_and_which_version() {
        let a = AccountInfo::new("2102020000000001");
        assert_eq!(a.mini_program.app_id, "2102020000000001");
        assert_eq!(a.mini_program.env_version, "develop");
        let b = AppBaseInfo::new("en-US");
        assert_eq!(
            (b.language.as_str(), b.version.as_str()),
            ("en-US", VERSION)
        );
        assert_eq!(b.sdk_version, VERSION);
    }

    #[test]
    fn launch_options_drop_the_simulators_own_parameters() {
        let pairs = [
            ("__superapp", "http://127.0.0.1:8700"),
            ("id", "1"),
            ("__appId", "2102020000000001"),
            ("id", "2"),
            ("q", "a b"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let o = LaunchOptions::new("/pages/index.html", pairs);
        assert_eq!(o.path, "pages/index.html");
        let query = [("id", "2"), ("q", "a b")].map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(o.query, query);
        assert_eq!((o.scene, o.api_category), (1000, "default"));
    }
}
