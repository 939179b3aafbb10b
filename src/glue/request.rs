//! `my.request` in the browser: reads the options, runs the core validation, sends the
//! request (`fetch` directly, or through the super app's relay) and shapes the result.

use std::borrow::Cow;
use std::cell::RefCell;

use js_sys::{ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestInit, Response};

use super::adapter::{begin, headers_from_pairs, run_api, set, Call, Failure};
use super::options::opt_string;
use super::runtime;
use crate::config::{NetworkFaults, Transport};
use crate::encoding::{base64_decode, base64_encode, encode_form};
use crate::error::ApiError;
use crate::request::{is_http_error, DataKind, DataType, Encoding, RequestInput, ValidRequest};

#[wasm_bindgen]
extern "C" {
    /// Duck-typed view of the `my.request` options object.
    type RequestOptionsJs;
    #[wasm_bindgen(method, getter, structural)]
    fn url(this: &RequestOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn method(this: &RequestOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn headers(this: &RequestOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn header(this: &RequestOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn data(this: &RequestOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn timeout(this: &RequestOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural, js_name = dataType)]
    fn data_type(this: &RequestOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural, js_name = enableCookie)]
    fn enable_cookie(this: &RequestOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural, js_name = httpErrorAsFail)]
    fn http_error_as_fail(this: &RequestOptionsJs) -> JsValue;

    /// The global `fetch` (window or worker).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Promise;

    /// The global `String(value)`.
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;

    /// `JSON.parse` on a JS string, without copying it through wasm memory.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(module = "/src/glue/hot.js")]
extern "C" {
    #[wasm_bindgen(js_name = armCallTimeout)]
    fn arm_timeout(controller: &AbortController, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = disarmTimeout)]
    fn disarm_timeout(handle: &JsValue);
    #[wasm_bindgen(js_name = attachAbort)]
    fn attach_abort(promise: &Promise, controller: &AbortController);
    #[wasm_bindgen(js_name = timedOut)]
    fn timed_out(signal: &AbortSignal) -> bool;
    #[wasm_bindgen(js_name = successObject)]
    fn success_object(data: &JsValue, status: u16, headers: &JsValue) -> JsValue;
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = sendDirect)]
    fn send_direct_js(
        promise: &Promise,
        url: Option<&JsValue>,
        method: u32,
        headers: &JsValue,
        add_content_type: bool,
        body: Option<JsValue>,
        include_credentials: bool,
        as_bytes: bool,
        as_json: bool,
        delay_ms: u32,
        hang: bool,
        timeout_ms: u32,
        token: u32,
        replied: &Function,
    );
}

/// The call's timeout timer; dropping it (when the call settles) cancels it.
struct TimeoutGuard(JsValue);

impl Drop for TimeoutGuard {
    fn drop(&mut self) {
        disarm_timeout(&self.0);
    }
}

/// What `read_options` takes from the options object.
struct ReadOptions {
    input: RequestInput,
    /// The `url` as given (a JS string): handed back to `fetch` when it is the URL to request,
    /// so the string is not copied out of wasm memory again.
    url: JsValue,
    data: JsValue,
    /// The `headers` (or `header`) object as given, passed to `fetch` as is once validated.
    headers: JsValue,
}

/// What a call will do, decided when `my.request` is called (options read, validated against
/// the configuration of that moment).
struct Planned {
    valid: ValidRequest,
    /// The `url` option as given, when it is exactly `valid.url.href` (nothing trimmed).
    given_url: Option<JsValue>,
    data: JsValue,
    headers: JsValue,
    transport: Transport,
    relay_url: Option<String>,
    app_id: String,
    faults: NetworkFaults,
}

fn plan(read: Result<ReadOptions, Failure>) -> Result<Planned, Failure> {
    let ReadOptions {
        input,
        url,
        data,
        headers,
    } = read?;
    let given_len = input.url.as_ref().map(String::len);
    Ok(runtime::with_config(|config| {
        let valid = input.validate_for(config)?;
        // `href` is the given URL trimmed: the same string when no length was trimmed off.
        let given_url = (given_len == Some(valid.url.href.len())).then_some(url);
        Ok::<_, ApiError>(Planned {
            valid,
            given_url,
            data,
            headers,
            transport: config.transport,
            // Only the relay needs these (no allocation per direct call).
            relay_url: match config.transport {
                Transport::Relay => config.effective_relay_url(),
                Transport::Direct => None,
            },
            app_id: match config.transport {
                Transport::Relay => config.app_id.clone(),
                Transport::Direct => String::new(),
            },
            faults: config.network_faults,
        })
    })?)
}

/// `my.request(options)`: the Promise (also a RequestTask with `abort()`).
///
/// The direct transport runs without a Rust future: one call into JS (`sendDirect`) makes the
/// Promise a RequestTask, arms the timeout and sends the request (after the simulator's
/// latency, if any); the fetch's own continuation settles it (`replied`), with no per-call
/// closure. The relay and the failures found before anything is sent (bad options, not
/// whitelisted) run through the adapter's future.
pub(crate) fn request(options: &JsValue) -> Promise {
    match plan(read_options(options)) {
        Ok(p) if p.transport == Transport::Direct => send_direct(options, p),
        planned => in_future(options, planned),
    }
}

/// A direct request in flight: what its reply needs to be shaped and reported.
struct InFlight {
    call: Call,
    data_type: DataType,
    http_error_as_fail: bool,
    /// Reported once the simulated latency is over (offline, a method `fetch` cannot send, a
    /// body that cannot be encoded), unless the call was aborted or timed out first.
    failure: Option<Failure>,
}

thread_local! {
    /// Direct requests in flight, by the token their reply comes back with.
    static IN_FLIGHT: RefCell<Vec<Option<InFlight>>> = const { RefCell::new(Vec::new()) };
    /// The one function every direct reply calls (`sendDirect` in src/glue/hot.js); lives as
    /// long as the page. (The `my` methods' signature, so no other closure glue in the wasm.)
    static REPLIED: Closure<dyn Fn(JsValue) -> JsValue> = Closure::new(replied);
}

/// What a direct call does once the simulated latency is over.
enum Next {
    Send(String, Option<JsValue>),
    /// The simulator's "every request times out": never sent; the timeout or `abort()` ends it.
    Hang,
    Fail(Failure),
}

/// Sends a planned direct request (in the order the checks always had: the latency, then
/// offline (12), then the simulated timeout, then what `fetch` cannot send).
fn send_direct(options: &JsValue, planned: Planned) -> Promise {
    let Planned {
        valid,
        given_url,
        data,
        headers,
        faults,
        ..
    } = planned;
    let next = if faults.offline {
        Next::Fail(offline().into())
    } else if faults.timeout {
        Next::Hang
    } else if valid.method.forbidden_by_fetch() {
        Next::Fail(
            ApiError::Network(format!(
                "a browser cannot send {} with fetch; use transport \"relay\"",
                valid.method.as_str()
            ))
            .into(),
        )
    } else {
        match build_body(&valid, &data) {
            Ok((url, body)) => Next::Send(url, body),
            Err(e) => Next::Fail(e.into()),
        }
    };
    let (url, body, hang, failure) = match next {
        // Nothing to wait for: reported as any early failure is.
        Next::Fail(f) if faults.latency_ms == 0 => return in_future(options, Err(f)),
        Next::Fail(f) => (None, None, false, Some(f)),
        Next::Hang => (None, None, true, None),
        Next::Send(url, body) => {
            // The given string when that is what is requested (no query added), else a copy.
            let url = match given_url {
                Some(given) if url == valid.url.href => given,
                _ => JsValue::from_str(&url),
            };
            (Some(url), body, false, None)
        }
    };
    let (promise, call) = begin(Cow::Borrowed("request"), options);
    let in_flight = InFlight {
        call,
        data_type: valid.data_type,
        http_error_as_fail: valid.http_error_as_fail,
        failure,
    };
    let token = IN_FLIGHT.with(|slots| {
        let mut slots = slots.borrow_mut();
        match slots.iter().position(Option::is_none) {
            Some(free) => {
                slots[free] = Some(in_flight);
                free
            }
            None => {
                slots.push(Some(in_flight));
                slots.len() - 1
            }
        }
    }) as u32;
    let as_bytes = matches!(valid.data_type, DataType::Base64 | DataType::ArrayBuffer);
    REPLIED.with(|replied| {
        send_direct_js(
            &promise,
            url.as_ref(),
            valid.method as u32,
            &headers,
            !user_has_content_type(&headers),
            body,
            valid.enable_cookie,
            as_bytes,
            valid.data_type == DataType::Json,
            faults.latency_ms,
            hang,
            valid.timeout_ms,
            token,
            replied.as_ref().unchecked_ref(),
        )
    });
    promise
}

/// What `sendDirect` reports (`kind` in its reply; src/glue/hot.js).
const REPLY_BODY: u32 = 0;
const REPLY_JSON: u32 = 1;
// 2: the fetch (or the wait) failed: the last arms of `replied`.
const REPLY_ABORTED: u32 = 3;
const REPLY_TIMED_OUT: u32 = 4;

/// A direct request's reply `[token, kind, status, headers, data]` (`sendDirect` in
/// src/glue/hot.js): the status, headers and body (as read, or already parsed as JSON); else
/// why it ended (the fetch's or the wait's rejection in `data`, `abort()`, the timeout).
/// Settles the call (its callbacks, log entry and Promise).
fn replied(reply: JsValue) -> JsValue {
    let reply: js_sys::Array = reply.unchecked_into();
    let token = reply.get(0).as_f64().unwrap_or(-1.0) as usize;
    let kind = reply.get(1).as_f64().unwrap_or_default() as u32;
    let Some(in_flight) =
        IN_FLIGHT.with(|slots| slots.borrow_mut().get_mut(token).and_then(Option::take))
    else {
        return JsValue::UNDEFINED;
    };
    let outcome = match (kind, in_flight.failure) {
        (REPLY_BODY | REPLY_JSON, _) => {
            let status = reply.get(2).as_f64().unwrap_or_default() as u16;
            let headers = reply.get(3);
            let data = reply.get(4);
            if kind == REPLY_JSON {
                finish(
                    status,
                    headers,
                    data,
                    is_http_error(status, in_flight.http_error_as_fail),
                )
            } else {
                shape(
                    status,
                    headers,
                    data,
                    in_flight.data_type,
                    in_flight.http_error_as_fail,
                )
            }
        }
        (REPLY_ABORTED, _) => Err(ApiError::Aborted.into()),
        (REPLY_TIMED_OUT, _) => Err(ApiError::Timeout.into()),
        // 2: what Rust found before the wait, or the fetch's rejection.
        (_, Some(failure)) => Err(failure),
        (_, None) => Err(network_error(&reply.get(4)).into()),
    };
    in_flight.call.settle(outcome);
    JsValue::UNDEFINED
}

/// Runs the call through the adapter's future: the relay, and failures found before sending.
fn in_future(options: &JsValue, planned: Result<Planned, Failure>) -> Promise {
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(AbortController::signal);
    let timeout_controller = controller.clone();
    let promise = run_api("request", options, async move {
        let Planned {
            valid,
            data,
            relay_url,
            app_id,
            faults,
            ..
        } = planned?;
        // Owned by this future: dropping it (when the call settles) cancels the timer.
        let _timeout = timeout_controller.map(|c| TimeoutGuard(arm_timeout(&c, valid.timeout_ms)));
        let signal = signal.as_ref();
        inject_faults(faults, signal).await?;
        let relay_url = relay_url.ok_or_else(|| {
            ApiError::Unknown(
                "transport is relay but neither relayUrl nor superAppOrigin is configured".into(),
            )
        })?;
        send_relay(valid, data, signal, &relay_url, &app_id).await
    });
    if let Some(controller) = controller {
        // A JS arrow over the controller: no Rust closure to own or leak.
        attach_abort(&promise, &controller);
    }
    promise
}

/// Reads the options object now (as a device does), into the core input and the raw `data`.
fn read_options(options: &JsValue) -> Result<ReadOptions, Failure> {
    if !options.is_object() {
        return Err(ApiError::invalid("options", "must be an object with a url").into());
    }
    let opts: &RequestOptionsJs = options.unchecked_ref();
    let url_js = opts.url();
    let url = opt_string(url_js.clone(), "url")?;
    let method = opt_string(opts.method(), "method")?;
    let data_type = opt_string(opts.data_type(), "dataType")?;
    let (headers_value, headers_name) = match opts.headers() {
        h if h.is_undefined() || h.is_null() => (opts.header(), "header"),
        h => (h, "headers"),
    };
    let headers = read_headers(&headers_value, headers_name)?;
    let timeout = match opts.timeout() {
        t if t.is_undefined() || t.is_null() => None,
        t => Some(
            t.as_f64()
                .ok_or_else(|| ApiError::invalid("timeout", "must be a number of milliseconds"))?,
        ),
    };
    let http_error_as_fail = match opts.http_error_as_fail() {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(v.is_truthy()),
    };
    let data = opts.data();
    let kind = if data.is_undefined() || data.is_null() {
        DataKind::Absent
    } else if data.is_instance_of::<ArrayBuffer>() || ArrayBuffer::is_view(&data) {
        DataKind::Binary
    } else if data.is_object() {
        DataKind::Object
    } else {
        DataKind::Text // strings; numbers and booleans are sent as `String(data)`
    };
    let input = RequestInput {
        url,
        method,
        headers,
        data: Some(kind),
        timeout,
        data_type,
        enable_cookie: opts.enable_cookie().is_truthy(),
        http_error_as_fail,
    };
    Ok(ReadOptions {
        input,
        url: url_js,
        data,
        headers: without_empty_headers(headers_value),
    })
}

/// The headers object without its `null`/`undefined` values (a copy only when it has some):
/// the direct transport hands the object to `fetch`, which would send them as "null".
fn without_empty_headers(value: JsValue) -> JsValue {
    if !value.is_object() {
        return value;
    }
    let entries = Object::entries(value.unchecked_ref());
    let empty = |entry: &JsValue| {
        let v = entry.unchecked_ref::<js_sys::Array>().get(1);
        v.is_null() || v.is_undefined()
    };
    if !entries.iter().any(|e| empty(&e)) {
        return value;
    }
    let kept = Object::new();
    for entry in entries.iter().filter(|e| !empty(e)) {
        let pair: &js_sys::Array = entry.unchecked_ref();
        // Setting a plain own property of a new object does not fail.
        let _ = Reflect::set(&kept, &pair.get(0), &pair.get(1));
    }
    kept.into()
}

/// `headers`: a plain object of string (or number/boolean) values; a `null` or `undefined`
/// value leaves the header out (apps write `Authorization: my.getStorageSync(…).data`, `null`
/// before sign-in).
fn read_headers(value: &JsValue, name: &str) -> Result<Vec<(String, String)>, ApiError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_object() {
        return Err(ApiError::invalid(
            name,
            "must be an object of header names to strings",
        ));
    }
    let entries = Object::entries(value.unchecked_ref());
    let mut headers = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let v = entry.get(1);
        if v.is_null() || v.is_undefined() {
            continue;
        }
        let text = if let Some(s) = v.as_string() {
            s
        } else if v.as_f64().is_some() || v.as_bool().is_some() {
            js_string(&v)
        } else {
            return Err(ApiError::invalid(
                format!("{name}.{key}"),
                "must be a string",
            ));
        };
        headers.push((key, text));
    }
    Ok(headers)
}

/// `data` object as ordered `(key, String(value))` pairs; nested objects as JSON.
fn object_fields(data: &JsValue) -> Vec<(String, String)> {
    Object::entries(data.unchecked_ref())
        .iter()
        .map(|entry| {
            let entry: js_sys::Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            let v = entry.get(1);
            let text = if let Some(s) = v.as_string() {
                s
            } else if v.is_undefined() || v.is_null() {
                String::new()
            } else if v.is_object() {
                JSON::stringify(&v)
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default()
            } else {
                js_string(&v)
            };
            (key, text)
        })
        .collect()
}

/// The URL to request and the body to send, per the core's encoding decision.
fn build_body(valid: &ValidRequest, data: &JsValue) -> Result<(String, Option<JsValue>), ApiError> {
    Ok(match valid.encoding {
        Encoding::Nothing => (valid.url.href.clone(), None),
        Encoding::QueryFromObject => (
            valid.url.with_query(&encode_form(&object_fields(data))),
            None,
        ),
        Encoding::QueryAsIs => (valid.url.with_query(&js_string(data)), None),
        Encoding::JsonBody => {
            let json = JSON::stringify(data)
                .map_err(|_| ApiError::invalid("data", "cannot be serialized to JSON"))?;
            (valid.url.href.clone(), Some(json.into()))
        }
        Encoding::FormBody => (
            valid.url.href.clone(),
            Some(JsValue::from_str(&encode_form(&object_fields(data)))),
        ),
        Encoding::RawBody if data.as_string().is_some() || data.is_object() => {
            (valid.url.href.clone(), Some(data.clone()))
        }
        Encoding::RawBody => (
            valid.url.href.clone(),
            Some(JsValue::from_str(&js_string(data))),
        ),
    })
}

/// The simulator's network faults: added latency, offline (12), every request timing out (13).
/// `abort()` and the call's own timeout still end the wait.
fn offline() -> ApiError {
    ApiError::Network("the device is offline (simulated)".into())
}

async fn inject_faults(
    faults: NetworkFaults,
    signal: Option<&AbortSignal>,
) -> Result<(), ApiError> {
    if faults.latency_ms > 0 {
        wait_unless_aborted(signal, faults.latency_ms).await?;
    }
    if faults.offline {
        return Err(offline());
    }
    if faults.timeout {
        // Never sent: only the call's timeout timer (13) or `abort()` (9) ends it.
        wait_unless_aborted(signal, u32::MAX).await?;
    }
    Ok(())
}

/// Sleeps `ms` in short steps, returning early with the abort's error when the signal fires.
async fn wait_unless_aborted(signal: Option<&AbortSignal>, ms: u32) -> Result<(), ApiError> {
    const STEP_MS: u32 = 20;
    let mut left = ms;
    loop {
        if signal.is_some_and(AbortSignal::aborted) {
            return Err(classify_rejection(signal, &JsValue::UNDEFINED));
        }
        if left == 0 {
            return Ok(());
        }
        let step = left.min(STEP_MS);
        gloo_timers::future::TimeoutFuture::new(step).await;
        left -= step;
    }
}

/// Why a fetch (or body read) rejected: our timeout (13), `abort()` (9), or the network (12).
fn classify_rejection(signal: Option<&AbortSignal>, error: &JsValue) -> ApiError {
    if let Some(signal) = signal.filter(|s| s.aborted()) {
        return if timed_out(signal) {
            ApiError::Timeout
        } else {
            ApiError::Aborted
        };
    }
    network_error(error)
}

/// A network failure (12) with the rejection's message.
fn network_error(error: &JsValue) -> ApiError {
    let message = Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "request failed".into());
    ApiError::Network(message)
}

async fn await_promise(
    promise: Promise,
    signal: Option<&AbortSignal>,
) -> Result<JsValue, ApiError> {
    JsFuture::from(promise)
        .await
        .map_err(|e| classify_rejection(signal, &e))
}

/// The result of a direct request from its status, headers object and body (text or bytes).
fn shape(
    status: u16,
    headers: JsValue,
    raw: JsValue,
    data_type: DataType,
    http_error_as_fail: bool,
) -> Result<JsValue, Failure> {
    let http_error = is_http_error(status, http_error_as_fail);
    let data = match data_type {
        DataType::Text | DataType::ArrayBuffer => raw,
        DataType::Json => parse_json(raw, http_error)?,
        DataType::Base64 => JsValue::from_str(&base64_encode(&Uint8Array::new(&raw).to_vec())),
    };
    finish(status, headers, data, http_error)
}

/// Whether the mini program's own headers object sets a content type (any case).
fn user_has_content_type(headers: &JsValue) -> bool {
    headers.is_object()
        && Object::keys(headers.unchecked_ref::<Object>())
            .iter()
            .any(|k| {
                k.as_string()
                    .is_some_and(|k| k.eq_ignore_ascii_case("content-type"))
            })
}

/// `dataType: 'json'`: an empty body is `""`, an invalid one error 14 — except on an HTTP
/// error mapped to 19, where the raw text is kept so the fail object still shows the body.
fn parse_json(text: JsValue, http_error: bool) -> Result<JsValue, ApiError> {
    // Parse first: the body is only copied into wasm memory on the (rare) error path.
    match json_parse(&text) {
        Ok(v) => Ok(v),
        Err(_) if text.as_string().is_some_and(|t| t.trim().is_empty()) => {
            Ok(JsValue::from_str(""))
        }
        Err(_) if http_error => Ok(text),
        Err(_) => Err(ApiError::JsonDecode),
    }
}

/// The success object, or fail 19 carrying the same fields.
fn finish(
    status: u16,
    headers: JsValue,
    data: JsValue,
    http_error: bool,
) -> Result<JsValue, Failure> {
    let status_js = JsValue::from(status);
    if http_error {
        return Err(Failure {
            error: ApiError::HttpStatus { status },
            extra: vec![
                ("status", status_js.clone()),
                ("statusCode", status_js),
                ("data", data),
                ("headers", headers.clone()),
                ("header", headers),
            ],
        });
    }
    Ok(success_object(&data, status, &headers))
}

/// The body's bytes, for the relay envelope.
fn body_bytes(body: &JsValue) -> Vec<u8> {
    if let Some(text) = body.as_string() {
        return text.into_bytes();
    }
    if ArrayBuffer::is_view(body) {
        let buffer = Reflect::get(body, &"buffer".into()).unwrap_or(JsValue::UNDEFINED);
        let offset = Reflect::get(body, &"byteOffset".into())
            .ok()
            .and_then(|v| v.as_f64());
        let length = Reflect::get(body, &"byteLength".into())
            .ok()
            .and_then(|v| v.as_f64());
        if let (Some(offset), Some(length)) = (offset, length) {
            let buffer: ArrayBuffer = buffer.unchecked_into();
            return Uint8Array::new_with_byte_offset_and_length(
                &buffer,
                offset as u32,
                length as u32,
            )
            .to_vec();
        }
    }
    Uint8Array::new(body).to_vec()
}

#[wasm_bindgen]
extern "C" {
    /// Duck-typed view of the relay's reply (DESIGN.md "Relay envelope").
    type RelayReply;
    #[wasm_bindgen(method, getter, structural)]
    fn error(this: &RelayReply) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn message(this: &RelayReply) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn status(this: &RelayReply) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn headers(this: &RelayReply) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn body(this: &RelayReply) -> JsValue;
}

async fn send_relay(
    valid: ValidRequest,
    data: JsValue,
    signal: Option<&AbortSignal>,
    relay_url: &str,
    app_id: &str,
) -> Result<JsValue, Failure> {
    let (url, body) = build_body(&valid, &data)?;
    let envelope = Object::new();
    set(&envelope, "appId", &JsValue::from_str(app_id));
    set(&envelope, "url", &JsValue::from_str(&url));
    set(
        &envelope,
        "method",
        &JsValue::from_str(valid.method.as_str()),
    );
    let headers = Object::new();
    for (name, value) in &valid.headers {
        set(&headers, name, &JsValue::from_str(value));
    }
    set(&envelope, "headers", &headers);
    if let Some(body) = &body {
        set(
            &envelope,
            "body",
            &JsValue::from_str(&base64_encode(&body_bytes(body))),
        );
    }
    set(&envelope, "timeoutMs", &JsValue::from(valid.timeout_ms));
    let envelope = JSON::stringify(&envelope)
        .map_err(|_| ApiError::Unknown("cannot encode the relay envelope".into()))?;

    let relay_headers = Headers::new().map_err(|_| ApiError::Unknown("no Headers".into()))?;
    let _ = relay_headers.append("content-type", "application/json");
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&relay_headers);
    init.set_body(&envelope);
    init.set_signal(signal);
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(classify_rejection(signal, &JsValue::UNDEFINED).into());
    }
    let response: Response = await_promise(global_fetch(relay_url, &init), signal)
        .await?
        .unchecked_into();
    if response.status() != 200 {
        return Err(
            ApiError::Network(format!("the relay answered HTTP {}", response.status())).into(),
        );
    }
    let json = await_promise(
        response
            .json()
            .map_err(|_| ApiError::Unknown("relay body already read".into()))?,
        signal,
    )
    .await
    .map_err(|e| match e {
        ApiError::Network(_) => ApiError::Unknown("the relay's reply is not JSON".into()),
        other => other,
    })?;
    if !json.is_object() {
        return Err(ApiError::Unknown("the relay's reply is not an object".into()).into());
    }
    let reply: RelayReply = json.unchecked_into();
    if let Some(kind) = reply.error().as_string() {
        let message = reply.message().as_string().unwrap_or_default();
        return Err(match kind.as_str() {
            "whitelist" => ApiError::DomainNotWhitelisted {
                domain: valid.url.domain(),
            },
            "timeout" => ApiError::Timeout,
            "network" | "too_large" => ApiError::Network(message),
            "busy" => ApiError::Network(format!("the super app's relay is busy: {message}")),
            "origin" => ApiError::NotPermitted(message),
            "bad_request" => ApiError::invalid("request", message),
            _ => ApiError::Unknown(format!("relay error {kind}: {message}")),
        }
        .into());
    }
    let status = reply
        .status()
        .as_f64()
        .filter(|s| (100.0..=999.0).contains(s))
        .ok_or_else(|| ApiError::Unknown("the relay's reply has no status".into()))?
        as u16;
    let headers = headers_from_pairs(&reply.headers());
    let body_b64 = reply.body().as_string().unwrap_or_default();
    let http_error = is_http_error(status, valid.http_error_as_fail);
    let data = match valid.data_type {
        DataType::Base64 => JsValue::from_str(&body_b64),
        other => {
            let bytes = base64_decode(&body_b64)
                .ok_or_else(|| ApiError::Unknown("the relay's body is not base64".into()))?;
            match other {
                DataType::ArrayBuffer => Uint8Array::from(bytes.as_slice()).buffer().into(),
                DataType::Text => JsValue::from_str(&String::from_utf8_lossy(&bytes)),
                _ => parse_json(
                    JsValue::from_str(&String::from_utf8_lossy(&bytes)),
                    http_error,
                )?,
            }
        }
    };
    finish(status, headers.into(), data, http_error)
}
