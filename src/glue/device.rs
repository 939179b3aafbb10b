//! The phone's state and events (`crate::device`): `my.getNetworkType`,
//! `my.on/offNetworkStatusChange`, `my.on/offAppShow`, `my.on/offAppHide`, `my.on/offError`,
//! `my.on/offUnhandledRejection`, `my.getBatteryInfo(Sync)`, and `setDeviceState`, through which
//! the simulator's devtools set the state (DESIGN.md "The phone's state").
//!
//! Sources of events: `setDeviceState` (network type, battery, foreground), `configure` (the
//! devtools' offline switch, `networkFaults.offline`), and the browser — `online`/`offline`,
//! `visibilitychange` (standalone app show/hide), `error` and `unhandledrejection` on `window`.
//! Listeners are called with no borrow held (a listener may call `my.*` again).

use std::cell::{Cell, RefCell};

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::{log_sync, run_api, set, Failure};
use super::app_info::{launch_options, sync, ToJs};
use super::options::{check_object, get};
use super::runtime;
use crate::device::{self, BatteryInfo, DeviceState, NetworkStatus};
use crate::error::ApiError;

/// The events a mini program can listen to here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Event {
    NetworkStatusChange,
    AppShow,
    AppHide,
    Error,
    UnhandledRejection,
    UserCaptureScreen,
}

const EVENTS: usize = 6;

#[derive(Default)]
struct State {
    device: DeviceState,
    listeners: [Vec<Function>; EVENTS],
    /// The status last reported, to call the listeners only on a change.
    network: Option<NetworkStatus>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    static FOREGROUND: Cell<bool> = const { Cell::new(true) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    /// `!navigator.onLine` as of the browser's last `online`/`offline` event. Not read at start:
    /// a machine with no network route at all (a test sandbox) starts "offline" while loopback
    /// works, and the simulator's own switch is the state that matters there.
    static BROWSER_OFFLINE: Cell<bool> = const { Cell::new(false) };
}

fn listeners(event: Event) -> Vec<Function> {
    STATE.with(|s| s.borrow().listeners[event as usize].clone())
}

fn emit(event: Event, args: &[JsValue]) {
    for f in listeners(event) {
        let called = match args {
            [] => f.call0(&JsValue::UNDEFINED),
            [a] => f.call1(&JsValue::UNDEFINED, a),
            [a, b, ..] => f.call2(&JsValue::UNDEFINED, a, b),
        };
        if let Err(thrown) = called {
            web_sys::console::error_2(&"miniprogram-shim: an event listener threw".into(), &thrown);
        }
    }
}

/// `onX(callback)`: adds the callback (once); a non-function is logged as error 2 naming
/// `callback` and ignored (the typings return `void`, so nothing can carry a fail).
fn listen(api: &'static str, event: Event, callback: &JsValue) -> JsValue {
    watch_browser();
    let Some(f) = callback.dyn_ref::<Function>() else {
        let e = Failure::from(ApiError::invalid("callback", "must be a function")).into_js();
        web_sys::console::error_2(&format!("my.{api}").into(), &e);
        log_sync(api, callback, false, &e);
        return JsValue::UNDEFINED;
    };
    STATE.with(|s| {
        let list = &mut s.borrow_mut().listeners[event as usize];
        if !list.iter().any(|g| Object::is(g, f)) {
            list.push(f.clone());
        }
    });
    if event == Event::NetworkStatusChange {
        // The baseline against which the next change is reported.
        let now = current_network();
        STATE.with(|s| s.borrow_mut().network.get_or_insert(now).clone());
    }
    JsValue::UNDEFINED
}

/// `offX(callback?)`: removes that callback, or every one when none is given.
fn unlisten(event: Event, callback: &JsValue) -> JsValue {
    STATE.with(|s| {
        let list = &mut s.borrow_mut().listeners[event as usize];
        match callback.dyn_ref::<Function>() {
            Some(f) => list.retain(|g| !Object::is(g, f)),
            None => list.clear(),
        }
    });
    JsValue::UNDEFINED
}

fn browser_offline() -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"navigator".into()).ok())
        .and_then(|n| Reflect::get(&n, &"onLine".into()).ok())
        .and_then(|v| v.as_bool())
        .is_some_and(|online| !online)
}

fn current_network() -> NetworkStatus {
    watch_browser();
    let offline =
        runtime::with_config(|c| c.network_faults.offline) || BROWSER_OFFLINE.with(Cell::get);
    STATE.with(|s| s.borrow().device.network(offline))
}

/// Reports a network change to the `onNetworkStatusChange` listeners (called after every
/// `configure`, `setDeviceState` and browser `online`/`offline` event).
pub(crate) fn network_changed() {
    let now = current_network();
    let changed = STATE.with(|s| {
        let mut s = s.borrow_mut();
        let changed = s.network.as_ref().is_some_and(|before| *before != now);
        s.network = Some(now.clone());
        changed
    });
    if changed {
        let event = now.to_js();
        log_sync("onNetworkStatusChange", &JsValue::UNDEFINED, true, &event);
        emit(Event::NetworkStatusChange, &[event]);
    }
}

fn set_foreground(foreground: bool) {
    if FOREGROUND.with(|f| f.replace(foreground)) == foreground {
        return;
    }
    if foreground {
        let options = launch_options()
            .ok()
            .map(|o| o.to_js())
            .unwrap_or(JsValue::UNDEFINED);
        log_sync("onAppShow", &JsValue::UNDEFINED, true, &options);
        emit(Event::AppShow, &[options]);
    } else {
        log_sync("onAppHide", &JsValue::UNDEFINED, true, &JsValue::UNDEFINED);
        emit(Event::AppHide, &[]);
    }
}

/// Listens to the browser once (page lifetime: the closures are forgotten on purpose).
fn watch_browser() {
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let add = |target: &web_sys::EventTarget, name: &str, f: Closure<dyn Fn(JsValue)>| {
        if target
            .add_event_listener_with_callback(name, f.as_ref().unchecked_ref())
            .is_ok()
        {
            // Page lifetime: these events matter as long as the page lives.
            f.forget();
        }
    };
    let on_line = |_| {
        BROWSER_OFFLINE.with(|o| o.set(browser_offline()));
        network_changed();
    };
    add(&window, "online", Closure::new(on_line));
    add(&window, "offline", Closure::new(on_line));
    add(
        &window,
        "error",
        Closure::new(|e: JsValue| {
            let message = get(&e, "message");
            let stack = get(&get(&e, "error"), "stack");
            let stack = if stack.is_undefined() {
                JsValue::from_str("")
            } else {
                stack
            };
            emit(Event::Error, &[message, stack]);
        }),
    );
    add(
        &window,
        "unhandledrejection",
        Closure::new(|e: JsValue| {
            let arg = Object::new();
            set(&arg, "reason", &get(&e, "reason"));
            set(&arg, "promise", &get(&e, "promise"));
            emit(Event::UnhandledRejection, &[arg.into()]);
        }),
    );
    if let Some(document) = window.document() {
        let doc = document.clone();
        add(
            &document,
            "visibilitychange",
            Closure::new(move |_| {
                let hidden = Reflect::get(&doc, &"hidden".into())
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                set_foreground(!hidden);
            }),
        );
    }
}

/// The user took a screenshot (the simulator's **Take a screenshot** button; a browser has no
/// such event): calls the `my.onUserCaptureScreen` listeners, and logs the event.
#[wasm_bindgen(js_name = userCaptureScreen)]
pub fn user_capture_screen() {
    log_sync(
        "onUserCaptureScreen",
        &JsValue::UNDEFINED,
        true,
        &JsValue::UNDEFINED,
    );
    emit(Event::UserCaptureScreen, &[]);
}

/// Applies the phone state the simulator's devtools (or a test) set: `{ networkType?,
/// batteryLevel?, charging?, foreground? }`. Every key is checked before any applies; a bad
/// value throws an `Error` naming the key and its allowed values.
#[wasm_bindgen(js_name = setDeviceState)]
pub fn set_device_state(
    #[wasm_bindgen(unchecked_param_type = "DeviceStatePatch")] patch: JsValue,
) -> Result<(), JsError> {
    let bad = |m: String| JsError::new(&format!("miniprogram-shim setDeviceState: {m}"));
    if !patch.is_object() {
        return Err(bad("the state must be an object".into()));
    }
    let network_type = match get(&patch, "networkType").as_string() {
        Some(t) => Some(device::network_type(&t).map_err(bad)?),
        None if get(&patch, "networkType").is_undefined() => None,
        None => return Err(bad("`networkType` must be a string".into())),
    };
    let battery = match get(&patch, "batteryLevel") {
        v if v.is_undefined() => None,
        v => Some(device::battery_level(v.as_f64().unwrap_or(f64::NAN)).map_err(bad)?),
    };
    let flag = |key: &str| -> Result<Option<bool>, JsError> {
        let v = get(&patch, key);
        if v.is_undefined() {
            return Ok(None);
        }
        v.as_bool()
            .map(Some)
            .ok_or_else(|| bad(format!("`{key}` must be true or false")))
    };
    let charging = flag("charging")?;
    let foreground = flag("foreground")?;
    STATE.with(|s| {
        let device = &mut s.borrow_mut().device;
        if let Some(t) = network_type {
            device.network_type = t;
        }
        if let Some(level) = battery {
            device.battery_level = level;
        }
        if let Some(c) = charging {
            device.charging = c;
        }
    });
    network_changed();
    if let Some(f) = foreground {
        set_foreground(f);
    }
    Ok(())
}

/// `my.getNetworkType()` → `{ networkAvailable, networkType }` (also `isConnected`).
pub(crate) fn get_network_type(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getNetworkType", options, async move {
        checked?;
        Ok(current_network().to_js())
    })
}

fn battery() -> Result<JsValue, ApiError> {
    Ok(STATE
        .with(|s| BatteryInfo::from(&s.borrow().device))
        .to_js())
}

/// `my.getBatteryInfo()` → `{ level, isCharging }`.
pub(crate) fn get_battery_info(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getBatteryInfo", options, async move {
        checked?;
        Ok(battery()?)
    })
}

/// `my.getBatteryInfoSync()` → `{ level, isCharging }`.
pub(crate) fn get_battery_info_sync() -> JsValue {
    sync(battery())
}

/// `my.onX(callback)` / `my.offX(callback?)` of the events here; `None` for another name.
pub(crate) fn listener(name: &str, callback: &JsValue) -> Option<JsValue> {
    let (on, event) = match name {
        "onNetworkStatusChange" => ("onNetworkStatusChange", Event::NetworkStatusChange),
        "onAppShow" => ("onAppShow", Event::AppShow),
        "onAppHide" => ("onAppHide", Event::AppHide),
        "onError" => ("onError", Event::Error),
        "onUnhandledRejection" => ("onUnhandledRejection", Event::UnhandledRejection),
        "onUserCaptureScreen" => ("onUserCaptureScreen", Event::UserCaptureScreen),
        "offNetworkStatusChange" => return Some(unlisten(Event::NetworkStatusChange, callback)),
        "offAppShow" => return Some(unlisten(Event::AppShow, callback)),
        "offAppHide" => return Some(unlisten(Event::AppHide, callback)),
        "offError" => return Some(unlisten(Event::Error, callback)),
        "offUnhandledRejection" => return Some(unlisten(Event::UnhandledRejection, callback)),
        "offUserCaptureScreen" => return Some(unlisten(Event::UserCaptureScreen, callback)),
        _ => return None,
    };
    Some(listen(on, event, callback))
}
