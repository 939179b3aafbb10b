//! `my.vibrate*`, `my.makePhoneCall`, `my.setKeepScreenOn`, `my.get/setScreenBrightness`
//! (rules in `crate::phone`). The brightness and keep-on state live here, for the page's
//! lifetime; the simulator reads the calls from the devtools log.

use std::cell::Cell;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::{run_api, set, Failure};
use super::options::{check_object, get, number, text};
use crate::error::ApiError;
use crate::phone;

thread_local! {
    /// Screen brightness, 0–1 (the simulator's screen starts at 0.5).
    static BRIGHTNESS: Cell<f64> = const { Cell::new(0.5) };
    /// `my.setKeepScreenOn` state.
    static KEEP_SCREEN_ON: Cell<bool> = const { Cell::new(false) };
}

fn done() -> Result<JsValue, Failure> {
    Ok(Object::new().into())
}

/// `my.vibrate()`, `my.vibrateShort()`, `my.vibrateLong()`: `navigator.vibrate` where the
/// browser has it; the simulator shakes the phone frame when it sees the call in the log.
fn vibrate(api: &'static str, options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api(api, options, async move {
        checked?;
        if let Some(navigator) =
            web_sys::window().and_then(|w| Reflect::get(&w, &"navigator".into()).ok())
        {
            if let Ok(f) =
                Reflect::get(&navigator, &"vibrate".into()).and_then(|f| f.dyn_into::<Function>())
            {
                let _ = f.call1(&navigator, &JsValue::from(phone::vibration_ms(api)));
            }
        }
        done()
    })
}

/// `my.makePhoneCall({ number })`: never dials; the call is logged and the simulator shows it
/// in the phone frame.
fn make_phone_call(options: &JsValue) -> Promise {
    let checked = check_object(options)
        .and_then(|()| phone::phone_number(text(options, "number")?.as_deref()));
    run_api("makePhoneCall", options, async move {
        checked?;
        done()
    })
}

/// `my.setKeepScreenOn({ keepScreenOn })`.
fn set_keep_screen_on(options: &JsValue) -> Promise {
    let checked = check_object(options).and_then(|()| {
        get(options, "keepScreenOn").as_bool().ok_or_else(|| {
            ApiError::invalid("keepScreenOn", "is required and must be true or false")
        })
    });
    run_api("setKeepScreenOn", options, async move {
        let on = checked?;
        KEEP_SCREEN_ON.with(|k| k.set(on));
        done()
    })
}

/// `my.getScreenBrightness()` → `{ brightness }` (0–1).
fn get_screen_brightness(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getScreenBrightness", options, async move {
        checked?;
        let obj = Object::new();
        let b = BRIGHTNESS.with(Cell::get);
        set(&obj, "brightness", &JsValue::from(b));
        Ok(obj.into())
    })
}

/// `my.setScreenBrightness({ brightness })` (0–1); the simulator dims the phone screen.
fn set_screen_brightness(options: &JsValue) -> Promise {
    let checked = check_object(options).and_then(|()| {
        let (value, given) = number(options, "brightness");
        phone::brightness(value, given)
    });
    run_api("setScreenBrightness", options, async move {
        let b = checked?;
        BRIGHTNESS.with(|c| c.set(b));
        done()
    })
}

pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "vibrate",
            Closure::new(|o: JsValue| JsValue::from(vibrate("vibrate", &o))),
        ),
        (
            "vibrateShort",
            Closure::new(|o: JsValue| JsValue::from(vibrate("vibrateShort", &o))),
        ),
        (
            "vibrateLong",
            Closure::new(|o: JsValue| JsValue::from(vibrate("vibrateLong", &o))),
        ),
        (
            "makePhoneCall",
            Closure::new(|o: JsValue| JsValue::from(make_phone_call(&o))),
        ),
        (
            "setKeepScreenOn",
            Closure::new(|o: JsValue| JsValue::from(set_keep_screen_on(&o))),
        ),
        (
            "getScreenBrightness",
            Closure::new(|o: JsValue| JsValue::from(get_screen_brightness(&o))),
        ),
        (
            "setScreenBrightness",
            Closure::new(|o: JsValue| JsValue::from(set_screen_brightness(&o))),
        ),
    ]
}

#[wasm_bindgen(typescript_custom_section)]
const PHONE_TYPES: &'static str = r#"
/** `my.makePhoneCall` options: digits, spaces and `+ - ( ) * # ,` (≤ 32). Never dials. */
export interface MakePhoneCallOptions extends AsyncCallbacks<{}> {
  number: string;
}
/** `my.setKeepScreenOn` options. */
export interface SetKeepScreenOnOptions extends AsyncCallbacks<{}> {
  keepScreenOn: boolean;
}
/** `my.setScreenBrightness` options: 0–1. */
export interface SetScreenBrightnessOptions extends AsyncCallbacks<{}> {
  brightness: number;
}
export interface My {
  vibrate(options?: AsyncCallbacks<{}>): Promise<{}>;
  vibrateShort(options?: AsyncCallbacks<{}>): Promise<{}>;
  vibrateLong(options?: AsyncCallbacks<{}>): Promise<{}>;
  makePhoneCall(options: MakePhoneCallOptions): Promise<{}>;
  setKeepScreenOn(options: SetKeepScreenOnOptions): Promise<{}>;
  getScreenBrightness(options?: AsyncCallbacks<{ brightness: number }>): Promise<{ brightness: number }>;
  setScreenBrightness(options: SetScreenBrightnessOptions): Promise<{}>;
}
"#;
