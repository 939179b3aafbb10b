//! `my.getAuthCode` in the browser: asks the super app for an auth code, through the same
//! hosts as `tradePay` (`super::host`): the simulator shell, or the super app's consent page
//! in an iframe over this document (invisible for silent scopes). The answer is accepted only
//! from that window, at the super app origin, for this request.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, KeyboardEvent};

use super::adapter::{run_api, set, Failure};
use super::host::{self, message_field, Listener, Overlay, Settle};
use super::runtime;
use crate::auth::{AuthAnswer, Scopes};
use crate::config::TradePayHost;
use crate::encoding::encode_uri_component;
use crate::error::ApiError;

const SHELL_REQUEST: &str = "miniprogram-shim:auth";
const SHELL_RESULT: &str = "miniprogram-shim:auth-result";
const CONSENT_RESULT: &str = "miniprogram-shim:consent-result";
/// How long an invisible consent page may take before the call fails (the sandbox is down).
const SILENT_TIMEOUT_MS: u32 = 15_000;

/// `my.getAuthCode(options)`.
pub(crate) fn get_auth_code(options: &JsValue) -> Promise {
    let scopes = read_scopes(options);
    run_api("getAuthCode", options, async move {
        let scopes = scopes?;
        let (host_kind, super_app_origin, app_id) = runtime::with_config(|c| {
            (
                c.trade_pay_host,
                c.super_app_origin.clone(),
                c.app_id.clone(),
            )
        });
        if app_id.is_empty() {
            return Err(ApiError::NoAppId { api: "getAuthCode" }.into());
        }
        let origin = super_app_origin.ok_or_else(|| {
            ApiError::Unknown("getAuthCode: no super app origin is configured".into())
        })?;
        let answer = match host_kind {
            TradePayHost::Shell => via_shell(&scopes, &origin).await?,
            TradePayHost::Overlay => via_consent_page(&scopes, &origin, &app_id).await?,
        };
        match answer.into_grant(&scopes) {
            Ok(grant) => {
                let result = Object::new();
                set(&result, "authCode", &JsValue::from_str(&grant.auth_code));
                set(
                    &result,
                    "authSuccessScopes",
                    &string_array(&grant.success_scopes),
                );
                if !grant.error_scopes.is_empty() {
                    set(
                        &result,
                        "authErrorScopes",
                        &scope_errors(&grant.error_scopes),
                    );
                }
                Ok(result.into())
            }
            Err((error, errors)) => Err(Failure {
                error,
                extra: vec![("authErrorScopes", scope_errors(&errors))],
            }),
        }
    })
}

/// `scopes`: absent, a string, or an array of strings (error 2 otherwise).
fn read_scopes(options: &JsValue) -> Result<Scopes, ApiError> {
    if options.is_undefined() || options.is_null() {
        return Scopes::parse(None);
    }
    if !options.is_object() {
        return Err(ApiError::invalid("options", "must be an object"));
    }
    let value = Reflect::get(options, &JsValue::from_str("scopes")).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Scopes::parse(None);
    }
    if let Some(one) = value.as_string() {
        return Scopes::parse(Some(vec![one]));
    }
    let Some(array) = value.dyn_ref::<Array>() else {
        return Err(ApiError::invalid(
            "scopes",
            "must be a string or an array of strings",
        ));
    };
    let mut names = Vec::with_capacity(array.length() as usize);
    for (i, item) in array.iter().enumerate() {
        names.push(
            item.as_string()
                .ok_or_else(|| ApiError::invalid(format!("scopes[{i}]"), "must be a string"))?,
        );
    }
    Scopes::parse(Some(names))
}

fn string_array(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

fn scope_errors(errors: &[(String, String)]) -> JsValue {
    let obj = Object::new();
    for (scope, code) in errors {
        set(&obj, scope, &JsValue::from_str(code));
    }
    obj.into()
}

/// Reads `{ authCode?, authSuccessScopes?, authErrorScopes? }` from a super app message.
fn read_answer(data: &JsValue) -> AuthAnswer {
    let strings = |key: &str| -> Vec<String> {
        Reflect::get(data, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.dyn_into::<Array>().ok())
            .map(|a| a.iter().filter_map(|s| s.as_string()).collect())
            .unwrap_or_default()
    };
    let error_scopes = Reflect::get(data, &JsValue::from_str("authErrorScopes"))
        .ok()
        .filter(JsValue::is_object)
        .map(|obj| {
            Object::entries(obj.unchecked_ref())
                .iter()
                .filter_map(|entry| {
                    let entry: Array = entry.unchecked_into();
                    Some((entry.get(0).as_string()?, entry.get(1).as_string()?))
                })
                .collect()
        })
        .unwrap_or_default();
    AuthAnswer {
        auth_code: message_field(data, "authCode"),
        success_scopes: strings("authSuccessScopes"),
        error_scopes,
    }
}

/// Inside the simulator: the shell mints the code or asks the user in its own UI. A shell that
/// knows no appId for this page answers `{ failure: "no-app-id" }` (error 4, not a refusal).
async fn via_shell(scopes: &Scopes, shell_origin: &str) -> Result<AuthAnswer, ApiError> {
    host::ask_shell(
        shell_origin,
        "auth",
        SHELL_REQUEST,
        &[("scopes", string_array(scopes.names()))],
        |data| {
            (message_field(data, "type").as_deref() == Some(SHELL_RESULT)).then(|| {
                match message_field(data, "failure").as_deref() {
                    Some("no-app-id") => Err(ApiError::NoAppId { api: "getAuthCode" }),
                    _ => Ok(read_answer(data)),
                }
            })
        },
    )
    .await
}

/// Without a shell: the super app's consent page in an iframe over this page.
async fn via_consent_page(
    scopes: &Scopes,
    origin: &str,
    app_id: &str,
) -> Result<AuthAnswer, ApiError> {
    let window = host::window()?;
    let own_origin = window
        .location()
        .origin()
        .map_err(|_| ApiError::Unknown("cannot read this page's origin".into()))?;
    let request_id = host::next_call_id("consent");
    let src = format!(
        "{origin}/consent/?appId={}&scopes={}&requestId={}&embedder={}",
        encode_uri_component(app_id),
        encode_uri_component(&scopes.joined()),
        encode_uri_component(&request_id),
        encode_uri_component(&own_origin),
    );
    let (settle, filled) = Settle::<Result<AuthAnswer, ApiError>>::new()?;
    let overlay = if scopes.is_silent() {
        Overlay::hidden(&window, &src, "Authorization")?
    } else {
        Overlay::sheet(&window, &src, "Authorization")?
    };
    overlay.add_class("miniprogram-shim-consent");

    let _on_message = {
        let settle = settle.clone();
        Listener::messages_from(
            &window,
            overlay.frame_window(),
            origin.to_owned(),
            move |data| {
                if message_field(&data, "type").as_deref() == Some(CONSENT_RESULT)
                    && message_field(&data, "requestId").as_deref() == Some(request_id.as_str())
                {
                    settle.set(Ok(read_answer(&data)));
                }
            },
        )
    };
    let _on_close = overlay.close.as_ref().map(|close| {
        let settle = settle.clone();
        Listener::new(close.as_ref(), "click", move |_| {
            settle.set(Ok(AuthAnswer::default()))
        })
    });
    let _on_escape = overlay.close.as_ref().and_then(|_| {
        let settle = settle.clone();
        let document = window.document()?;
        Some(Listener::new(
            document.as_ref(),
            "keydown",
            move |event: Event| {
                if event
                    .dyn_ref::<KeyboardEvent>()
                    .is_some_and(|k| k.key() == "Escape")
                {
                    settle.set(Ok(AuthAnswer::default()));
                }
            },
        ))
    });
    let _silent_timeout = scopes.is_silent().then(|| {
        let settle = settle.clone();
        gloo_timers::callback::Timeout::new(SILENT_TIMEOUT_MS, move || {
            settle.set(Err(ApiError::Unknown(
                "getAuthCode: the super app did not answer".into(),
            )));
        })
    });
    settle.wait(filled).await?
}
