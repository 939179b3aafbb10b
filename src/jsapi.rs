//! The answer for every `my.<name>`, implemented or not (DESIGN.md "Every name gets an answer").
//!
//! `my` answers any property name that looks like an API (`is_api_name`): an implemented API is
//! itself; any other name is a function that fails the way its calling *shape* expects, so a
//! mini program written for a real super app never meets a `TypeError`:
//! - [`Shape::Async`]: `fail` and `complete` get `{ error: 1, errorMessage: "<name> is not
//!   supported by this simulator" }` and the returned Promise rejects with it;
//! - [`Shape::Sync`]: the same object is *returned* (never thrown), as the Sync storage APIs
//!   return their fail object;
//! - [`Shape::Listener`] (`onX`/`offX`): returns `undefined`; the callback is never called
//!   (the simulator never produces that event).
//!
//! The shape follows `@mini-types/my`: [`SYNC_RETURNING`] lists its APIs that return a value
//! without a `Sync` suffix; `tests/jsapi/coverage.test.mjs` checks the list against the
//! package and `www/my.js`'s copy.

use crate::error::ApiError;

/// How an API is called, hence how "not supported" reaches the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `success`/`fail`/`complete` and a Promise.
    Async,
    /// Returns its result at once.
    Sync,
    /// `onX(callback)` / `offX(callback?)`.
    Listener,
}

/// The `@mini-types/my` APIs that return a value synchronously although their name does not
/// end in `Sync` (generated from the package; kept equal by `tests/jsapi/coverage.test.mjs`).
pub const SYNC_RETURNING: &[&str] = &[
    "arrayBufferToBase64",
    "base64ToArrayBuffer",
    "createAnimation",
    "createCanvasContext",
    "createCloudContext",
    "createInnerAudioContext",
    "createIntersectionObserver",
    "createLottieContext",
    "createMapContext",
    "createOffscreenCanvas",
    "createRewardedAd",
    "createSelectorQuery",
    "createVideoContext",
    "createWebViewContext",
    "createWorker",
    "getAccessibilityManager",
    "getAppAuthorizeSetting",
    "getAppBaseInfo",
    "getBackgroundAudioManager",
    "getFileSystemManager",
    "getGeocoder",
    "getLeftButtonsBoundingClientRect",
    "getMenuButtonBoundingClientRect",
    "getParentAppId",
    "getRecorderManager",
    "getSystemSetting",
    "getUpdateManager",
    "getWindowInfo",
];

/// The calling shape of `name` (any name, known or not).
pub fn shape(name: &str) -> Shape {
    let event = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_uppercase())
    };
    if event("on") || event("off") {
        Shape::Listener
    } else if name.ends_with("Sync") || SYNC_RETURNING.contains(&name) {
        Shape::Sync
    } else {
        Shape::Async
    }
}

/// Whether `my[name]` should answer as an API: a lower camel case identifier (every
/// `@mini-types/my` name is one), except the names JavaScript itself probes objects for —
/// `then` (so `await my` and `Promise.resolve(my)` see no thenable) and `toJSON`.
pub fn is_api_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && !matches!(name, "then" | "toJSON")
}

/// The fail of an API this simulator does not implement.
pub fn unsupported(name: &str) -> ApiError {
    ApiError::Unsupported {
        name: name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_follow_the_typings_conventions() {
        let cases = [
            ("getNetworkType", Shape::Async),
            ("chooseImage", Shape::Async),
            ("someFutureApi", Shape::Async),
            ("clearStorageSync", Shape::Sync),
            ("getExtConfigSync", Shape::Sync),
            ("madeUpSync", Shape::Sync),
            ("createSelectorQuery", Shape::Sync),
            ("getWindowInfo", Shape::Sync),
            ("onAppShow", Shape::Listener),
            ("offBLECharacteristicValueChange", Shape::Listener),
            ("onion", Shape::Async),
            ("offset", Shape::Async),
            ("on", Shape::Async),
        ];
        for (name, expected) in cases {
            assert_eq!(shape(name), expected, "{name}");
        }
    }

    #[test]
    fn only_identifiers_that_look_like_apis_answer() {
        for name in ["getNetworkType", "a", "getBLEMTU", "arrayBufferToBase64"] {
            assert!(is_api_name(name), "{name}");
        }
        for name in [
            "then",
            "toJSON",
            "",
            "Foo",
            "_private",
            "$$typeof",
            "@@iterator",
            "get-thing",
            "über",
        ] {
            assert!(!is_api_name(name), "{name}");
        }
    }

    #[test]
    fn the_unsupported_fail_names_the_api() {
        let e = unsupported("scan");
        assert_eq!(e.code(), 1);
        assert_eq!(e.to_string(), "scan is not supported by this simulator");
    }
}
