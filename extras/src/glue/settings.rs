//! `my.getSetting` and `my.openSetting`: the authorizations the super app keeps for this app
//! (docs/protocol.md §5c), and `my.getAuthUserInfo`: the nickname and avatar they let it read.
//! The page never reads them itself: it asks the simulator shell, which knows which app it
//! launched and which user is signed in, reads `/sandbox/auth/settings` on the
//! super app's origin, and (for `openSetting`) shows the settings sheet in its own document,
//! out of this page's reach. The answer is accepted only from the shell window, at the super
//! app origin, for this call. A page outside the simulator has no such host: each fails with
//! error 3 saying so.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::run_api;
use super::host::{self, message_field};
use super::options::{check_object, get};
use super::runtime;
use crate::error::ApiError;

const REQUEST: &str = "miniprogram-shim:auth-setting";
const RESULT: &str = "miniprogram-shim:auth-setting-result";
const USER_INFO_REQUEST: &str = "miniprogram-shim:auth-user-info";
const USER_INFO_RESULT: &str = "miniprogram-shim:auth-user-info-result";

/// The shell's origin, or error 3 saying that the simulator answers `api`.
fn shell_origin(api: &'static str) -> Result<String, ApiError> {
    runtime::with_config(|c| c.shell_origin().map(str::to_owned)).ok_or_else(|| ApiError::Device {
        code: 3,
        message: format!(
            "{api}:fail the authorizations are the super app's: open this mini program \
             in the simulator (its shell answers {api})"
        ),
    })
}

/// Asks the shell for this app's `authSetting`, after the settings sheet when `open`.
async fn from_shell(api: &'static str, open: bool) -> Result<JsValue, ApiError> {
    let origin = shell_origin(api)?;
    let setting = host::ask_shell(
        &origin,
        "setting",
        REQUEST,
        &[("open", JsValue::from_bool(open))],
        move |data| {
            (message_field(data, "type").as_deref() == Some(RESULT)).then(|| {
                match message_field(data, "failure") {
                    Some(f) if f == "no-app-id" => Err(ApiError::NoAppId { api }),
                    Some(f) => Err(ApiError::Unknown(format!("{api}:fail {f}"))),
                    None => Ok(auth_setting(data)),
                }
            })
        },
    )
    .await?;
    let result = Object::new();
    let _ = Reflect::set(&result, &JsValue::from_str("authSetting"), &setting);
    Ok(result.into())
}

/// `data.authSetting` copied as `{ <key>: boolean }` (anything else in the message is dropped).
fn auth_setting(data: &JsValue) -> JsValue {
    let out = Object::new();
    let given = get(data, "authSetting");
    if given.is_object() {
        for key in Object::keys(given.unchecked_ref::<Object>()).iter() {
            if let (Some(name), Some(value)) = (
                key.as_string(),
                Reflect::get(&given, &key).ok().and_then(|v| v.as_bool()),
            ) {
                let _ = Reflect::set(&out, &JsValue::from_str(&name), &JsValue::from_bool(value));
            }
        }
    }
    out.into()
}

/// `my.getSetting()` → `{ authSetting }`: what the signed-in user decided for this app.
pub(crate) fn get_setting(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getSetting", options, async move {
        checked?;
        Ok(from_shell("getSetting", false).await?)
    })
}

/// `my.openSetting()` → `{ authSetting }` after the user closes the settings sheet.
pub(crate) fn open_setting(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("openSetting", options, async move {
        checked?;
        Ok(from_shell("openSetting", true).await?)
    })
}

/// `my.getAuthUserInfo()` → `{ nickName, avatar }` of the signed-in user, once that user granted
/// `auth_user` to this app (`my.getAuthCode({ scopes: 'auth_user' })` and the consent sheet).
/// Not granted → error 11 naming that call; the shell reads the sandbox, for the app it launched.
pub(crate) fn get_auth_user_info(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getAuthUserInfo", options, async move {
        checked?;
        let origin = shell_origin("getAuthUserInfo")?;
        let info = host::ask_shell(&origin, "user-info", USER_INFO_REQUEST, &[], |data| {
            (message_field(data, "type").as_deref() == Some(USER_INFO_RESULT)).then(|| {
                match message_field(data, "failure").as_deref() {
                    Some("no-app-id") => Err(ApiError::NoAppId {
                        api: "getAuthUserInfo",
                    }),
                    Some("not-granted") => Err(ApiError::Device {
                        code: 11,
                        message: "getAuthUserInfo:fail the user has not authorized auth_user \
                                      for this mini program: call my.getAuthCode({ scopes: \
                                      'auth_user' }) first"
                            .into(),
                    }),
                    Some(f) => Err(ApiError::Unknown(format!("getAuthUserInfo:fail {f}"))),
                    None => user_info(data),
                }
            })
        })
        .await?;
        Ok(info)
    })
}

/// `{ nickName, avatar }` copied from the shell's answer, both strings (error 3 otherwise).
fn user_info(data: &JsValue) -> Result<JsValue, ApiError> {
    let out = Object::new();
    for key in ["nickName", "avatar"] {
        let Some(value) = get(data, key).as_string() else {
            return Err(ApiError::Unknown(format!(
                "getAuthUserInfo:fail the super app answered no {key}"
            )));
        };
        let _ = Reflect::set(&out, &JsValue::from_str(key), &JsValue::from_str(&value));
    }
    Ok(out.into())
}

/// The `my.*` methods of this file, for `createMy()` (`glue::MY`).
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "getSetting",
            Closure::new(|o: JsValue| JsValue::from(get_setting(&o))),
        ),
        (
            "openSetting",
            Closure::new(|o: JsValue| JsValue::from(open_setting(&o))),
        ),
        (
            "getAuthUserInfo",
            Closure::new(|o: JsValue| JsValue::from(get_auth_user_info(&o))),
        ),
    ]
}

/// `my.getSetting(options)`: this app's authorizations, from the super app.
#[wasm_bindgen(js_name = getSetting, unchecked_return_type = "Promise<SettingSuccess>")]
pub fn get_setting_export(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<SettingSuccess> | undefined")]
    options: JsValue,
) -> Promise {
    get_setting(&options)
}

/// `my.openSetting(options)`: the super app's settings sheet for this app.
#[wasm_bindgen(js_name = openSetting, unchecked_return_type = "Promise<SettingSuccess>")]
pub fn open_setting_export(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<SettingSuccess> | undefined")]
    options: JsValue,
) -> Promise {
    open_setting(&options)
}

/// `my.getAuthUserInfo(options)`: the user's nickname and avatar, after the `auth_user` consent.
#[wasm_bindgen(js_name = getAuthUserInfo, unchecked_return_type = "Promise<AuthUserInfo>")]
pub fn get_auth_user_info_export(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<AuthUserInfo> | undefined")]
    options: JsValue,
) -> Promise {
    get_auth_user_info(&options)
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** `my.getSetting` / `my.openSetting`: the scopes this app asked for, `true` granted, `false`
 *  declined or turned off. Alipay's keys (`userInfo` for `auth_user`, `phoneNumber` for
 *  `PLAINTEXT_MOBILE_PHONE`) and the scopes' own names (docs/protocol.md §5c). */
export interface AuthSetting {
  userInfo?: boolean;
  phoneNumber?: boolean;
  location?: boolean;
  album?: boolean;
  camera?: boolean;
  alipaysports?: boolean;
  aliaddress?: boolean;
  [scope: string]: boolean | undefined;
}
export interface SettingSuccess { authSetting: AuthSetting }
/** `my.getAuthUserInfo`: the signed-in user's nickname and avatar URL (after `auth_user`). */
export interface AuthUserInfo { nickName: string; avatar: string }
export interface My {
  getSetting(options?: AsyncCallbacks<SettingSuccess>): Promise<SettingSuccess>;
  openSetting(options?: AsyncCallbacks<SettingSuccess>): Promise<SettingSuccess>;
  getAuthUserInfo(options?: AsyncCallbacks<AuthUserInfo>): Promise<AuthUserInfo>;
}
"#;
