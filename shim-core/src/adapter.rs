//! The one adapter from an `async` API implementation to the JSAPI calling convention
//! (docs/protocol.md §2): `success`/`fail`/`complete` callbacks *and* a returned Promise.
//!
//! - `complete` runs last, once, after `success` or `fail`, with the same object.
//! - A throwing callback is reported with `console.error` and does not stop the others,
//!   nor the Promise.
//! - When the caller passed `fail` or `complete`, the Promise's rejection is marked handled
//!   (no `unhandledrejection` noise for callback-style callers); without callbacks the caller
//!   gets a plainly rejecting Promise.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::ApiError;
use crate::logger as runtime;

/// A failed call: the core error plus extra fields for the fail object (error 19 carries
/// `status`, `data`, `headers`; tradePay's fail routing will carry `resultCode`).
pub struct Failure {
    /// The error code and message.
    pub error: ApiError,
    /// Extra `(key, value)` fields of the fail object.
    pub extra: Vec<(&'static str, JsValue)>,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure {
            error,
            extra: Vec::new(),
        }
    }
}

impl Failure {
    /// The JS fail object `{ error, errorMessage, ...extra }`.
    pub fn into_js(self) -> JsValue {
        let obj = Object::new();
        set(&obj, "error", &JsValue::from(self.error.code()));
        set(&obj, "errorMessage", &JsValue::from(self.error.to_string()));
        for (key, value) in self.extra {
            set(&obj, key, &value);
        }
        obj.into()
    }
}

/// `obj[key] = value` on an object the shim created (cannot throw).
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// The relay's `[[name, value], …]` header pairs as the success object's `headers`: names in
/// lower case, a repeated name's values joined with `", "` (as `fetch`'s `Headers` does); a pair
/// that is not two strings is skipped.
pub fn headers_from_pairs(pairs: &JsValue) -> Object {
    let headers = Object::new();
    let Some(pairs) = pairs.dyn_ref::<js_sys::Array>() else {
        return headers;
    };
    for pair in pairs.iter() {
        let Some(pair) = pair.dyn_ref::<js_sys::Array>() else {
            continue;
        };
        let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
            continue;
        };
        let name = name.to_ascii_lowercase();
        let combined = match Reflect::get(&headers, &JsValue::from_str(&name))
            .ok()
            .and_then(|v| v.as_string())
        {
            Some(previous) => format!("{previous}, {value}"),
            None => value,
        };
        set(&headers, &name, &JsValue::from_str(&combined));
    }
    headers
}

#[wasm_bindgen]
extern "C" {
    /// Duck-typed view of any options object: the three callbacks.
    pub type CallbackOptions;
    #[wasm_bindgen(method, getter, structural)]
    fn success(this: &CallbackOptions) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn fail(this: &CallbackOptions) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn complete(this: &CallbackOptions) -> JsValue;
}

struct Callbacks {
    api: Cow<'static, str>,
    success: Option<Function>,
    fail: Option<Function>,
    complete: Option<Function>,
}

impl Callbacks {
    fn read(api: Cow<'static, str>, options: &JsValue) -> Self {
        if !options.is_object() {
            return Callbacks {
                api,
                success: None,
                fail: None,
                complete: None,
            };
        }
        let opts: &CallbackOptions = options.unchecked_ref();
        Callbacks {
            api,
            success: opts.success().dyn_into().ok(),
            fail: opts.fail().dyn_into().ok(),
            complete: opts.complete().dyn_into().ok(),
        }
    }

    /// Calls one callback; a throw is reported, never propagated.
    fn call(&self, which: &str, f: &Option<Function>, arg: &JsValue) {
        if let Some(f) = f {
            if let Err(thrown) = f.call1(&JsValue::UNDEFINED, arg) {
                web_sys::console::error_2(
                    &JsValue::from_str(&format!("my.{}: the {which} callback threw", self.api)),
                    &thrown,
                );
            }
        }
    }
}

thread_local! {
    /// `() => {}` used to mark rejections handled. Lives as long as the page (thread_local),
    /// so it is created once, not leaked per call.
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_| {});
}

/// Runs one JSAPI call: awaits `fut`, calls the callbacks found in `options`, and returns
/// the Promise settled with the same result. Every async `my.*` goes through here.
pub fn run_api<F>(api: &'static str, options: &JsValue, fut: F) -> Promise
where
    F: Future<Output = Result<JsValue, Failure>> + 'static,
{
    // Boxed so the adapter below exists once in the wasm, not once per API (size budget).
    run_boxed(Cow::Borrowed(api), options, Box::pin(fut))
}

/// [`run_api`] for a name known only at run time (an API this simulator does not implement,
/// `crate::jsapi`).
pub fn run_api_named<F>(api: String, options: &JsValue, fut: F) -> Promise
where
    F: Future<Output = Result<JsValue, Failure>> + 'static,
{
    run_boxed(Cow::Owned(api), options, Box::pin(fut))
}

type ApiFuture = Pin<Box<dyn Future<Output = Result<JsValue, Failure>>>>;

fn run_boxed(api: Cow<'static, str>, options: &JsValue, fut: ApiFuture) -> Promise {
    let (promise, call) = begin(api, options);
    wasm_bindgen_futures::spawn_local(async move { call.settle(fut.await) });
    promise
}

/// One JSAPI call in flight: its callbacks, its log entry's start, and its Promise's
/// settling functions. `settle` ends it as `run_api` does; a caller that needs no `Future`
/// (the direct `my.request`, which settles from a JS continuation) uses it as is.
pub struct Call {
    callbacks: Callbacks,
    log: Option<(Function, JsValue, f64)>,
    /// `resolve` and `reject` (always there: a Promise's executor runs at once).
    settle: Option<(Function, Function)>,
}

/// Starts a call: reads its callbacks and returns its Promise (the rejection marked handled
/// when the caller passed `fail` or `complete`).
pub fn begin(api: Cow<'static, str>, options: &JsValue) -> (Promise, Call) {
    let callbacks = Callbacks::read(api, options);
    let handled = callbacks.fail.is_some() || callbacks.complete.is_some();
    let log = runtime::logger().map(|logger| (logger, options.clone(), js_sys::Date::now()));
    // The executor runs at once; it only takes the settling functions (a closure on the stack,
    // nothing to own or finalise per call).
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    if handled {
        // The derived Promise is dropped; the returned one keeps rejecting for `await`ers.
        IGNORE.with(|ignore| {
            let _ = promise.catch(ignore);
        });
    }
    let call = Call {
        callbacks,
        log,
        settle,
    };
    (promise, call)
}

impl Call {
    /// Gives the logger its entry, calls the callbacks (`success` or `fail`, then `complete`)
    /// and settles the Promise with the same object. The entry goes first: an app that leaves
    /// the page in its callback (`location.href = …` after tradePay's `success`) must not take
    /// the call's devtools log entry with it, and `durationMs` is the API's, not the app's.
    pub fn settle(self, outcome: Result<JsValue, Failure>) {
        let Call {
            callbacks,
            log,
            settle,
        } = self;
        let (ok, value) = match outcome {
            Ok(result) => (true, result),
            Err(failure) => (false, failure.into_js()),
        };
        if let Some((logger, options, started)) = log {
            write_log(&logger, &callbacks.api, &options, ok, &value, started);
        }
        if ok {
            callbacks.call("success", &callbacks.success, &value);
        } else {
            callbacks.call("fail", &callbacks.fail, &value);
        }
        callbacks.call("complete", &callbacks.complete, &value);
        if let Some((resolve, reject)) = settle {
            let settle = if ok { resolve } else { reject };
            let _ = settle.call1(&JsValue::UNDEFINED, &value);
        }
    }
}

/// Gives the host's call logger one entry `{ api, options, ok, result, durationMs }`.
fn write_log(
    logger: &Function,
    api: &str,
    options: &JsValue,
    ok: bool,
    value: &JsValue,
    started: f64,
) {
    let entry = Object::new();
    set(&entry, "api", &JsValue::from_str(api));
    set(&entry, "options", options);
    set(&entry, "ok", &JsValue::from_bool(ok));
    set(&entry, "result", value);
    set(
        &entry,
        "durationMs",
        &JsValue::from(js_sys::Date::now() - started),
    );
    if let Err(thrown) = logger.call1(&JsValue::UNDEFINED, &entry) {
        web_sys::console::error_2(&"miniprogram-shim: the call logger threw".into(), &thrown);
    }
}

/// Logs a synchronous call (an unsupported Sync or listener API, a device event) as
/// `run_api` logs an async one, when the host set a logger.
pub fn log_sync(api: &str, options: &JsValue, ok: bool, value: &JsValue) {
    if let Some(logger) = runtime::logger() {
        write_log(&logger, api, options, ok, value, js_sys::Date::now());
    }
}
