//! `my.getServerTime`: the super app's clock (docs/protocol.md §5e). On a device the wallet
//! answers it from Alipay's servers; here the simulator's shell reads the sandbox's clock
//! (`GET /sandbox/time` on the super app's origin) and answers. The answer is accepted only
//! from the shell window, at the super app origin, for this call. A page outside the simulator
//! has no such host: the call fails with error 3 saying so.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::adapter::run_api;
use super::host::{self, message_field};
use super::options::{check_object, get};
use super::runtime;
use crate::error::ApiError;

const REQUEST: &str = "miniprogram-shim:server-time";
const RESULT: &str = "miniprogram-shim:server-time-result";

/// The shell's `time`: Unix milliseconds, a whole number, not before 1970 nor past year 275760
/// (the range of a JS `Date`). Anything else is the shell's mistake, said so.
fn checked_time(value: &JsValue) -> Result<f64, ApiError> {
    match value.as_f64() {
        Some(t) if t.is_finite() && t.fract() == 0.0 && (0.0..=8.64e15).contains(&t) => Ok(t),
        _ => Err(ApiError::Unknown(
            "getServerTime:fail the super app answered no time (Unix milliseconds)".into(),
        )),
    }
}

/// `my.getServerTime()` → `{ time }`, Unix milliseconds of the sandbox's clock.
pub(crate) fn get_server_time(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getServerTime", options, async move {
        checked?;
        let Some(origin) = runtime::with_config(|c| c.shell_origin().map(str::to_owned)) else {
            return Err(ApiError::Device {
                code: 3,
                message: "getServerTime:fail the time is the super app's: open this mini program \
                          in the simulator (its shell answers getServerTime)"
                    .into(),
            }
            .into());
        };
        let time = host::ask_shell(&origin, "time", REQUEST, &[], |data| {
            (message_field(data, "type").as_deref() == Some(RESULT)).then(|| {
                match message_field(data, "failure") {
                    Some(f) => Err(ApiError::Unknown(format!("getServerTime:fail {f}"))),
                    None => checked_time(&get(data, "time")),
                }
            })
        })
        .await?;
        let result = Object::new();
        let _ = Reflect::set(
            &result,
            &JsValue::from_str("time"),
            &JsValue::from_f64(time),
        );
        Ok(result.into())
    })
}

/// The `my.*` methods of this file, for `createMy()` (`glue::MY`).
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![(
        "getServerTime",
        Closure::new(|o: JsValue| JsValue::from(get_server_time(&o))),
    )]
}

/// `my.getServerTime(options)`: the super app's clock.
#[wasm_bindgen(js_name = getServerTime, unchecked_return_type = "Promise<ServerTimeSuccess>")]
pub fn get_server_time_export(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<ServerTimeSuccess> | undefined")]
    options: JsValue,
) -> Promise {
    get_server_time(&options)
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** `my.getServerTime`: the super app's clock, Unix milliseconds (docs/protocol.md §5e). */
export interface ServerTimeSuccess { time: number }
export interface My {
  getServerTime(options?: AsyncCallbacks<ServerTimeSuccess>): Promise<ServerTimeSuccess>;
}
"#;
