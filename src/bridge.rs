//! `AlipayJSBridge.call(name, params, callback)` for H5 pages: which `my.*` API each H5 name
//! runs, and how H5's parameter and result names map onto it. This table is the one place
//! that says so; `glue::bridge` only applies it.
//!
//! H5 convention (Alipay JSAPI docs): one callback, given the result object, or on failure
//! an object with `error` (`1` the API does not exist, `2` invalid parameter, `3` unknown,
//! `4` no permission) and `errorMessage`.

use crate::encoding::Quoted;
use crate::error::ApiError;

/// How an H5 call's params become the `my.*` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Params {
    /// Copied; each `(h5, my)` pair renamed when the `my` name is not already present.
    Rename(&'static [(&'static str, &'static str)]),
    /// `setAPDataStorage`-style `{ type, business, key, value }`: stored under the key that
    /// [`ap_data_key`] builds, `value` as the data.
    ApData,
}

/// One H5 name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BridgeApi {
    /// The name H5 pages pass to `AlipayJSBridge.call`.
    pub h5: &'static str,
    /// The `my` method that implements it.
    pub api: &'static str,
    /// How params map.
    pub params: Params,
    /// `(my, h5)` result fields copied under their H5 name too (the `my` name stays).
    pub results: &'static [(&'static str, &'static str)],
}

const SAME: Params = Params::Rename(&[]);

const fn same(h5: &'static str, api: &'static str) -> BridgeApi {
    BridgeApi {
        h5,
        api,
        params: SAME,
        results: &[],
    }
}

/// Every H5 name the bridge answers. To add one: a line here (and the `my` method).
pub const BRIDGE_APIS: &[BridgeApi] = &[
    same("tradePay", "tradePay"),
    BridgeApi {
        h5: "getAuthCode",
        api: "getAuthCode",
        params: Params::Rename(&[("scopeNicks", "scopes")]),
        results: &[],
    },
    BridgeApi {
        h5: "alert",
        api: "alert",
        params: Params::Rename(&[("message", "content"), ("button", "buttonText")]),
        results: &[],
    },
    BridgeApi {
        h5: "confirm",
        api: "confirm",
        params: Params::Rename(&[
            ("message", "content"),
            ("okButton", "confirmButtonText"),
            ("cancelButton", "cancelButtonText"),
        ]),
        results: &[("confirm", "ok")],
    },
    same("toast", "showToast"),
    same("showToast", "showToast"),
    same("hideToast", "hideToast"),
    BridgeApi {
        h5: "showLoading",
        api: "showLoading",
        params: Params::Rename(&[("text", "content")]),
        results: &[],
    },
    same("hideLoading", "hideLoading"),
    same("setClipboard", "setClipboard"),
    same("getClipboard", "getClipboard"),
    same("getSystemInfo", "getSystemInfo"),
    same("setStorage", "setStorage"),
    same("getStorage", "getStorage"),
    same("removeStorage", "removeStorage"),
    BridgeApi {
        h5: "setAPDataStorage",
        api: "setStorage",
        params: Params::ApData,
        results: &[],
    },
    BridgeApi {
        h5: "getAPDataStorage",
        api: "getStorage",
        params: Params::ApData,
        results: &[],
    },
    BridgeApi {
        h5: "removeAPDataStorage",
        api: "removeStorage",
        params: Params::ApData,
        results: &[],
    },
    same("request", "request"),
    BridgeApi {
        h5: "httpRequest",
        api: "request",
        params: Params::Rename(&[("header", "headers")]),
        results: &[],
    },
    // ---- pickers (src/pickers.rs) ----
    BridgeApi {
        h5: "actionSheet",
        api: "showActionSheet",
        params: Params::Rename(&[("btns", "items"), ("cancelBtn", "cancelButtonText")]),
        results: &[],
    },
    same("showActionSheet", "showActionSheet"),
    BridgeApi {
        h5: "prompt",
        api: "prompt",
        params: Params::Rename(&[
            ("okButton", "okButtonText"),
            ("cancelButton", "cancelButtonText"),
        ]),
        results: &[("inputValue", "inputContent")],
    },
    same("datePicker", "datePicker"),
    same("hideKeyboard", "hideKeyboard"),
    // ---- device inputs (src/device.rs) ----
    same("getLocation", "getLocation"),
    same("scan", "scan"),
    same("contact", "choosePhoneContact"),
    same("choosePhoneContact", "choosePhoneContact"),
    same("addPhoneContact", "addPhoneContact"),
    same("openLocation", "openLocation"),
    // ---- images (extras/src/media.rs) ----
    same("chooseImage", "chooseImage"),
    same("getImageInfo", "getImageInfo"),
    BridgeApi {
        h5: "saveImage",
        api: "saveImage",
        params: Params::Rename(&[("src", "url")]),
        results: &[],
    },
    // ---- files over the network, sockets, the browser (extras/src/network.rs, extras/src/socket.rs) ----
    same("downloadFile", "downloadFile"),
    same("uploadFile", "uploadFile"),
    same("connectSocket", "connectSocket"),
    same("sendSocketMessage", "sendSocketMessage"),
    same("closeSocket", "closeSocket"),
    // H5 only (no `my.openInBrowser` in the typings): `glue::bridge` runs it itself.
    same("openInBrowser", OPEN_IN_BROWSER),
];

/// The `api` of `openInBrowser`: an H5-only API, not a `my` method.
pub const OPEN_IN_BROWSER: &str = "openInBrowser";

/// The entry for an H5 name (exact, case-sensitive, as the native bridge is).
pub fn lookup(name: &str) -> Option<&'static BridgeApi> {
    BRIDGE_APIS.iter().find(|api| api.h5 == name)
}

/// The fail object of a name no entry answers: error 1 (H5 convention "API does not exist").
pub fn unknown_api_message(name: &str) -> String {
    format!("{name} is not supported by this super app")
}

/// The storage key of an `*APDataStorage` item: `APDataStorage/<type>/<business>/<key>`
/// (`type` defaults to `common`, `business` to empty), so H5 data never collides with a
/// mini program's own `my.setStorage` keys.
pub fn ap_data_key(
    kind: Option<&str>,
    business: Option<&str>,
    key: Option<&str>,
) -> Result<String, ApiError> {
    let key = key
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::invalid("key", "is required and must be a non-empty string"))?;
    let kind = match kind.unwrap_or("common") {
        "" | "common" => "common",
        "user" => "user",
        other => {
            return Err(ApiError::invalid(
                "type",
                format!("must be common or user (got {})", Quoted(other)),
            ))
        }
    };
    Ok(format!(
        "APDataStorage/{kind}/{}/{key}",
        business.unwrap_or_default()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h5_names_map_onto_my_apis() {
        let cases = [
            ("toast", Some("showToast")),
            ("alert", Some("alert")),
            ("confirm", Some("confirm")),
            ("tradePay", Some("tradePay")),
            ("showLoading", Some("showLoading")),
            ("hideLoading", Some("hideLoading")),
            ("hideToast", Some("hideToast")),
            ("setClipboard", Some("setClipboard")),
            ("getClipboard", Some("getClipboard")),
            ("getSystemInfo", Some("getSystemInfo")),
            ("setStorage", Some("setStorage")),
            ("getAPDataStorage", Some("getStorage")),
            ("httpRequest", Some("request")),
            ("request", Some("request")),
            ("Toast", None),
            ("getAuthCode", Some("getAuthCode")),
            ("downloadFile", Some("downloadFile")),
            ("openInBrowser", Some("openInBrowser")),
            ("", None),
        ];
        for (h5, api) in cases {
            assert_eq!(lookup(h5).map(|a| a.api), api, "{h5}");
        }
    }

    #[test]
    fn every_h5_name_is_listed_once_and_maps_to_a_can_i_use_api() {
        for (i, entry) in BRIDGE_APIS.iter().enumerate() {
            assert!(
                BRIDGE_APIS[..i].iter().all(|e| e.h5 != entry.h5),
                "{} twice",
                entry.h5
            );
            assert!(
                crate::can_i_use::can_i_use(entry.api) || entry.api == OPEN_IN_BROWSER,
                "{} not implemented",
                entry.api
            );
        }
    }

    #[test]
    fn h5_picker_names_map_onto_the_pickers() {
        let sheet = lookup("actionSheet").unwrap();
        assert_eq!(sheet.api, "showActionSheet");
        let Params::Rename(pairs) = sheet.params else {
            panic!("actionSheet renames")
        };
        assert!(pairs.contains(&("btns", "items")));
        assert_eq!(
            lookup("prompt").unwrap().results,
            &[("inputValue", "inputContent")]
        );
        assert_eq!(lookup("datePicker").unwrap().api, "datePicker");
    }

    #[test]
    fn h5_parameter_names_become_my_option_names() {
        let Params::Rename(pairs) = lookup("confirm").unwrap().params else {
            panic!("confirm renames")
        };
        assert!(pairs.contains(&("okButton", "confirmButtonText")));
        assert_eq!(lookup("confirm").unwrap().results, &[("confirm", "ok")]);
        assert_eq!(lookup("setAPDataStorage").unwrap().params, Params::ApData);
    }

    #[test]
    fn ap_data_keys_are_namespaced_and_validated() {
        /// `(type, business, key)` → the storage key, or a part of the error message.
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Result<&'a str, &'a str>,
        );
        let cases: &[Case] = &[
            (
                None,
                Some("biz"),
                Some("k"),
                Ok("APDataStorage/common/biz/k"),
            ),
            (Some("user"), None, Some("k"), Ok("APDataStorage/user//k")),
            (Some("common"), Some("b"), None, Err("`key`")),
            (Some("common"), Some("b"), Some(""), Err("`key`")),
            (Some("session"), Some("b"), Some("k"), Err("`type`")),
        ];
        for (kind, business, key, expected) in cases {
            match (ap_data_key(*kind, *business, *key), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want),
                (Err(e), Err(part)) => {
                    assert_eq!(e.code(), 2);
                    assert!(e.to_string().contains(part), "{e}");
                }
                (got, _) => panic!("{kind:?} {business:?} {key:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn unknown_names_get_a_message_naming_them() {
        assert_eq!(
            unknown_api_message("scan"),
            "scan is not supported by this super app"
        );
    }
}
