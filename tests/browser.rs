//! Browser tests of the glue: every docs/protocol.md §2/§3 behaviour of `my.request`, `my.alert` and
//! `my.canIUse`, against the loopback echo server (`tests/server/echo-server.mjs`, started
//! by `tests/run-browser-tests`; URL from `ECHO_SERVER_URL` at compile time).
//!
//! Calls go through `tests/fixtures/mini_program.js`, which calls `my.*` exactly as a mini
//! program does and records callback order, arguments and the Promise's outcome.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect};
use miniprogram_shim::{configure, create_my};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod common;
use common::{js, pick, record, settle, show, type_at, Outcome};

wasm_bindgen_test_configure!(run_in_browser);

const SERVER: &str = match option_env!("ECHO_SERVER_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8791",
};

#[wasm_bindgen(module = "/tests/fixtures/mini_program.js")]
extern "C" {
    #[wasm_bindgen(js_name = throwingCallbacks)]
    fn throwing_callbacks(my: &JsValue, options: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = unhandledRejections)]
    fn unhandled_rejections(my: &JsValue, options: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = alertAndClose)]
    fn alert_and_close(my: &JsValue, options: &JsValue, how: &str) -> Promise;
    #[wasm_bindgen(js_name = bytesOf)]
    fn bytes_of(value: &JsValue) -> Vec<u8>;
    fn pattern(n: u32) -> JsValue;
    #[wasm_bindgen(js_name = settleOrder)]
    fn settle_order(my: &JsValue, calls: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = abortAfterSettle)]
    fn abort_after_settle(my: &JsValue, options: &JsValue) -> Promise;
}

fn host() -> &'static str {
    SERVER.trim_start_matches("http://").trim_end_matches('/')
}

/// Baseline configuration (echo server whitelisted, direct transport, no 19 switch), plus
/// `extra` keys. Every test sets it: tests share one page.
fn setup(extra: &str) {
    let base = format!(
        r#"{{"appId":"test-app","whitelist":["{}"],"transport":"direct","relayUrl":"{SERVER}/relay","httpErrorAsFail":false,"logger":null}}"#,
        host()
    );
    configure(js(&base)).expect("base config");
    if !extra.is_empty() {
        configure(js(extra)).expect("extra config");
    }
}

impl Outcome {
    /// failure → fail + complete, same object, Promise rejected with it, `error` = code.
    fn assert_fail(&self, code: u32) -> &Self {
        self.assert_fail_code(code);
        assert_eq!(
            type_at(&self.0, "value.errorMessage"),
            "string",
            "{}",
            self.debug()
        );
        self
    }
    fn message(&self) -> String {
        self.text("value.errorMessage")
    }
}

/// `my[api](options)` with recording callbacks; `abort_after_ms`: -1 never, 0 at once.
async fn call_abort(api: &str, options: &JsValue, abort_after_ms: i32) -> Outcome {
    Outcome(settle(record(&create_my().into(), api, options, abort_after_ms)).await)
}

async fn call(api: &str, options_json: &str) -> Outcome {
    call_abort(api, &js(options_json), -1).await
}

async fn request(options_json: &str) -> Outcome {
    call("request", options_json).await
}

fn url(path: &str) -> String {
    format!("{SERVER}{path}")
}

// ---- docs/protocol.md §2: calling convention --------------------------------------------------------

#[wasm_bindgen_test]
async fn success_runs_success_then_complete_and_resolves_the_promise() {
    setup("");
    let o = request(&format!(r#"{{"url":"{}"}}"#, url("/echo/ok"))).await;
    o.assert_success();
    assert_eq!(o.get("value.status").as_f64(), Some(200.0));
    assert_eq!(o.text("value.data.method"), "GET");
}

#[wasm_bindgen_test]
async fn failure_runs_fail_then_complete_and_rejects_the_promise() {
    setup("");
    let o = request(r#"{"method":"GET"}"#).await;
    o.assert_fail(2);
    assert!(o.message().contains("url"), "{}", o.message());
}

#[wasm_bindgen_test]
async fn await_without_callbacks_resolves_or_rejects_with_the_fail_object() {
    setup("");
    let ok = request(&format!(
        r#"{{"__noCallbacks":true,"url":"{}"}}"#,
        url("/echo")
    ))
    .await;
    assert_eq!(ok.events(), Vec::<String>::new());
    assert_eq!(ok.text("state"), "fulfilled");
    assert_eq!(ok.get("value.statusCode").as_f64(), Some(200.0));
    let bad = request(r#"{"__noCallbacks":true,"url":"nope"}"#).await;
    assert_eq!(bad.text("state"), "rejected", "{}", bad.debug());
    assert_eq!(bad.get("value.error").as_f64(), Some(2.0));
    assert!(bad.message().contains("url"), "{}", bad.message());
}

#[wasm_bindgen_test]
async fn no_unhandled_rejection_when_fail_or_complete_is_given() {
    setup("");
    let my: JsValue = create_my().into();
    let noop = Function::new_no_args("");
    for key in ["fail", "complete"] {
        let options = js(r#"{"url":"bad url"}"#);
        Reflect::set(&options, &key.into(), &noop).expect("set");
        let count = settle(unhandled_rejections(&my, &options)).await;
        assert_eq!(count.as_f64(), Some(0.0), "with {key}");
    }
    // Without callbacks the rejection is the caller's: the listener does see it.
    let count = settle(unhandled_rejections(&my, &js(r#"{"url":"bad url"}"#))).await;
    assert_eq!(count.as_f64(), Some(1.0), "without callbacks");
}

#[wasm_bindgen_test]
async fn throwing_callbacks_are_reported_and_do_not_stop_complete_or_the_promise() {
    setup("");
    let my: JsValue = create_my().into();
    let ok = Outcome(
        settle(throwing_callbacks(
            &my,
            &js(&format!(r#"{{"url":"{}"}}"#, url("/echo"))),
        ))
        .await,
    );
    let events: Vec<String> = Array::from(&ok.get("events"))
        .iter()
        .filter_map(|e| e.as_string())
        .collect();
    assert_eq!(events, ["success", "complete"]);
    assert_eq!(ok.text("state"), "fulfilled");
    let errors = ok.text("errors");
    assert!(
        errors.contains("success callback threw") && errors.contains("boom in success"),
        "{errors}"
    );
    assert!(errors.contains("complete callback threw"), "{errors}");

    let bad = Outcome(settle(throwing_callbacks(&my, &js(r#"{"url":"bad"}"#))).await);
    let events: Vec<String> = Array::from(&bad.get("events"))
        .iter()
        .filter_map(|e| e.as_string())
        .collect();
    assert_eq!(events, ["fail", "complete"]);
    assert_eq!(bad.text("state"), "rejected");
    assert!(bad.text("errors").contains("fail callback threw"));

    // The shim still works afterwards.
    request(&format!(r#"{{"url":"{}"}}"#, url("/echo")))
        .await
        .assert_success();
}

#[wasm_bindgen_test]
fn can_i_use_answers_exactly_for_what_is_implemented() {
    let my: JsValue = create_my().into();
    let can_i_use: Function = Reflect::get(&my, &"canIUse".into())
        .expect("canIUse")
        .into();
    let cases = [
        ("request", true),
        ("request.object.dataType", true),
        ("request.return.abort", true),
        ("alert", true),
        ("alert.object.buttonText", true),
        ("canIUse", true),
        ("request.object.bogus", false),
        ("tradePay", true),
        ("tradePay.object.paymentUrl", true),
        ("startBeaconDiscovery", false),
    ];
    for (schema, expected) in cases {
        let got = can_i_use.call1(&my, &schema.into()).expect("call");
        assert_eq!(got.as_bool(), Some(expected), "{schema}");
    }
    assert_eq!(
        can_i_use
            .call1(&my, &JsValue::from(42))
            .expect("call")
            .as_bool(),
        Some(false)
    );
}

#[wasm_bindgen_test]
fn create_my_returns_one_object_with_the_apis() {
    let a: JsValue = create_my().into();
    let b: JsValue = create_my().into();
    assert_eq!(a, b);
    for name in ["request", "alert", "canIUse"] {
        let f = Reflect::get(&a, &name.into()).expect("get");
        assert!(f.is_function(), "{name}");
    }
}

#[wasm_bindgen_test]
async fn the_logger_gets_one_entry_per_call() {
    let entries = Array::new();
    let sink = entries.clone();
    let logger = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
        sink.push(&e);
    });
    setup("");
    let config = js("{}");
    Reflect::set(&config, &"logger".into(), logger.as_ref()).expect("set");
    configure(config).expect("configure");
    request(&format!(r#"{{"url":"{}"}}"#, url("/echo"))).await;
    request(r#"{"url":"bad"}"#).await;
    setup(""); // removes the logger
    request(&format!(r#"{{"url":"{}"}}"#, url("/echo"))).await;
    assert_eq!(entries.length(), 2);
    let first = entries.get(0);
    assert_eq!(pick(&first, "api").as_string().as_deref(), Some("request"));
    assert_eq!(pick(&first, "ok"), JsValue::TRUE);
    assert_eq!(pick(&first, "result.status").as_f64(), Some(200.0));
    assert_eq!(type_at(&first, "durationMs"), "number");
    assert_eq!(pick(&entries.get(1), "ok"), JsValue::FALSE);
    assert_eq!(pick(&entries.get(1), "result.error").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn configure_rejects_bad_values() {
    setup("");
    assert!(configure(js(r#"{"whitelist":["not a host"]}"#)).is_err());
    assert!(configure(js(r#"{"transport":"pigeon"}"#)).is_err());
    assert!(configure(js(r#"{"whitelist":"127.0.0.1"}"#)).is_err());
}

// ---- docs/protocol.md §3: my.request ----------------------------------------------------------------

#[wasm_bindgen_test]
async fn get_object_data_is_encoded_into_the_query() {
    setup("");
    let o = request(&format!(
        r#"{{"url":"{}","data":{{"q":"coffee & tea","n":2,"ok":true,"é":"支付","nested":{{"a":1}}}}}}"#,
        url("/echo?x=0")
    ))
    .await;
    o.assert_success();
    assert_eq!(
        o.text("value.data.query"),
        "x=0&q=coffee%20%26%20tea&n=2&ok=true&%C3%A9=%E6%94%AF%E4%BB%98&nested=%7B%22a%22%3A1%7D"
    );
    assert_eq!(o.text("value.data.bodyBase64"), "");
}

#[wasm_bindgen_test]
async fn post_object_is_sent_as_json_with_the_default_content_type() {
    setup("");
    let o = request(&format!(
        r#"{{"url":"{}","method":"POST","data":{{"item":"latte","qty":2,"tags":["hot"]}}}}"#,
        url("/echo")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data.method"), "POST");
    assert_eq!(
        o.text("value.data.headers.content-type"),
        "application/json"
    );
    assert_eq!(
        o.text("value.data.bodyText"),
        r#"{"item":"latte","qty":2,"tags":["hot"]}"#
    );
}

#[wasm_bindgen_test]
async fn form_content_type_sends_the_object_urlencoded() {
    setup("");
    let o = request(&format!(
        r#"{{"url":"{}","method":"PUT","headers":{{"Content-Type":"application/x-www-form-urlencoded"}},"data":{{"a":"1 2","b":"é&=","c":null}}}}"#,
        url("/echo")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data.method"), "PUT");
    assert_eq!(o.text("value.data.bodyText"), "a=1%202&b=%C3%A9%26%3D&c=");
    assert_eq!(
        o.text("value.data.headers.content-type"),
        "application/x-www-form-urlencoded"
    );
}

#[wasm_bindgen_test]
async fn string_and_arraybuffer_data_are_sent_as_is() {
    setup("");
    let o = request(&format!(
        r#"{{"url":"{}","method":"POST","headers":{{"content-type":"text/plain"}},"data":"raw {{not json}} é"}}"#,
        url("/echo")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data.bodyText"), "raw {not json} é");

    let options = js(&format!(
        r#"{{"url":"{}","method":"POST","headers":{{"content-type":"application/octet-stream"}}}}"#,
        url("/echo")
    ));
    Reflect::set(&options, &"data".into(), &pattern(300)).expect("set");
    let o = call_abort("request", &options, -1).await;
    o.assert_success();
    let expected: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(bytes_of(&o.get("value.data.bodyBase64")), expected);
}

#[wasm_bindgen_test]
async fn every_fetchable_method_reaches_the_server() {
    setup("");
    for method in ["GET", "POST", "PUT", "DELETE", "OPTIONS", "get", "delete"] {
        let o = request(&format!(
            r#"{{"url":"{}","method":"{method}"}}"#,
            url("/echo")
        ))
        .await;
        o.assert_success();
        assert_eq!(
            o.text("value.data.method"),
            method.to_ascii_uppercase(),
            "{method}"
        );
    }
    let head = request(&format!(r#"{{"url":"{}","method":"HEAD"}}"#, url("/echo"))).await;
    head.assert_success();
    assert_eq!(head.get("value.status").as_f64(), Some(200.0));
    assert_eq!(head.get("value.data").as_string().as_deref(), Some(""));
    assert_eq!(head.text("value.headers.content-type"), "application/json");
}

#[wasm_bindgen_test]
async fn trace_and_connect_fail_with_12_in_direct_transport() {
    setup("");
    for method in ["TRACE", "CONNECT"] {
        let o = request(&format!(
            r#"{{"url":"{}","method":"{method}"}}"#,
            url("/echo")
        ))
        .await;
        o.assert_fail(12);
        assert!(o.message().contains("relay"), "{}", o.message());
    }
}

#[wasm_bindgen_test]
async fn headers_and_the_header_alias_are_sent() {
    setup("");
    let o = request(&format!(
        r#"{{"url":"{}","headers":{{"X-Trace-Id":"abc","x-count":5}}}}"#,
        url("/echo")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data.headers.x-trace-id"), "abc");
    assert_eq!(o.text("value.data.headers.x-count"), "5");
    let o = request(&format!(
        r#"{{"url":"{}","header":{{"x-alias":"yes"}}}}"#,
        url("/echo")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data.headers.x-alias"), "yes");
    let o = request(&format!(
        r#"{{"url":"{}","headers":{{"x-a":"from headers"}},"header":{{"x-a":"from header"}}}}"#,
        url("/echo")
    ))
    .await;
    assert_eq!(o.text("value.data.headers.x-a"), "from headers");
}

#[wasm_bindgen_test]
async fn data_types_decode_the_body() {
    setup("");
    let o = request(&format!(r#"{{"url":"{}"}}"#, url("/json1k"))).await;
    o.assert_success();
    assert_eq!(type_at(&o.0, "value.data.items"), "object");
    let o = request(&format!(
        r#"{{"url":"{}","dataType":"text"}}"#,
        url("/text")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data"), "héllo 支付");
    let o = request(&format!(
        r#"{{"url":"{}","dataType":"text"}}"#,
        url("/json1k")
    ))
    .await;
    assert_eq!(type_at(&o.0, "value.data"), "string");
    assert!(o.text("value.data").starts_with(r#"{"items":"#));
    let o = request(&format!(
        r#"{{"url":"{}","dataType":"base64"}}"#,
        url("/text")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data"), "aMOpbGxvIOaUr+S7mA==");
    let o = request(&format!(
        r#"{{"url":"{}","dataType":"arraybuffer"}}"#,
        url("/binary?size=102400")
    ))
    .await;
    o.assert_success();
    assert_eq!(type_at(&o.0, "value.data"), "arraybuffer");
    let expected: Vec<u8> = (0..102_400u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(bytes_of(&o.get("value.data")), expected);
    let o = request(&format!(
        r#"{{"url":"{}","dataType":"base64"}}"#,
        url("/binary?size=1000")
    ))
    .await;
    assert_eq!(bytes_of(&o.get("value.data")), expected[..1000].to_vec());
}

#[wasm_bindgen_test]
async fn invalid_json_fails_with_14_and_an_empty_body_is_an_empty_string() {
    setup("");
    let o = request(&format!(r#"{{"url":"{}"}}"#, url("/invalid-json"))).await;
    o.assert_fail(14);
    assert_eq!(o.message(), "JSON parse data error");
    let o = request(&format!(
        r#"{{"url":"{}","dataType":"text"}}"#,
        url("/invalid-json")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data"), r#"{"not": json"#);
    let o = request(&format!(r#"{{"url":"{}"}}"#, url("/empty"))).await;
    o.assert_success();
    assert_eq!(o.get("value.data").as_string().as_deref(), Some(""));
}

#[wasm_bindgen_test]
async fn http_errors_succeed_with_status_headers_and_body_kept() {
    setup("");
    for code in [400u32, 404, 500, 503] {
        let o = request(&format!(
            r#"{{"url":"{}","method":"POST","data":{{}}}}"#,
            url(&format!("/status/{code}"))
        ))
        .await;
        o.assert_success();
        assert_eq!(o.get("value.status").as_f64(), Some(f64::from(code)));
        assert_eq!(o.get("value.statusCode").as_f64(), Some(f64::from(code)));
        assert_eq!(o.get("value.data.status").as_f64(), Some(f64::from(code)));
        assert_eq!(o.text("value.headers.x-custom"), format!("status-{code}"));
        assert_eq!(o.text("value.header.x-custom"), format!("status-{code}"));
    }
    let o = request(&format!(r#"{{"url":"{}"}}"#, url("/status/204"))).await;
    o.assert_success();
    assert_eq!(o.get("value.status").as_f64(), Some(204.0));
}

#[wasm_bindgen_test]
async fn http_error_as_fail_maps_4xx_5xx_to_19_per_call_or_by_config() {
    setup("");
    let o = request(&format!(
        r#"{{"url":"{}","httpErrorAsFail":true}}"#,
        url("/status/404")
    ))
    .await;
    o.assert_fail(19);
    assert_eq!(o.message(), "http status error");
    assert_eq!(o.get("value.status").as_f64(), Some(404.0));
    assert_eq!(
        o.get("value.data.message").as_string().as_deref(),
        Some("Not Found")
    );
    assert_eq!(o.text("value.headers.x-custom"), "status-404");
    // Below 400 stays a success even with the switch on.
    request(&format!(
        r#"{{"url":"{}","httpErrorAsFail":true}}"#,
        url("/status/302")
    ))
    .await
    .assert_success();

    setup(r#"{"httpErrorAsFail":true}"#);
    request(&format!(r#"{{"url":"{}"}}"#, url("/status/500")))
        .await
        .assert_fail(19);
    request(&format!(
        r#"{{"url":"{}","httpErrorAsFail":false}}"#,
        url("/status/500")
    ))
    .await
    .assert_success();
    setup("");
}

#[wasm_bindgen_test]
async fn response_headers_are_kept_exactly() {
    setup("");
    let o = request(&format!(r#"{{"url":"{}"}}"#, url("/multi-header"))).await;
    o.assert_success();
    assert_eq!(o.text("value.headers.x-multi"), "a, b");
    assert_eq!(o.text("value.headers.content-type"), "application/json");
}

#[wasm_bindgen_test]
async fn timeout_fails_with_13_in_time() {
    setup("");
    let started = js_sys::Date::now();
    let o = request(&format!(
        r#"{{"url":"{}","timeout":300}}"#,
        url("/slow?ms=3000")
    ))
    .await;
    o.assert_fail(13);
    let elapsed = js_sys::Date::now() - started;
    assert!((250.0..2500.0).contains(&elapsed), "took {elapsed} ms");
    // Also while the body is still arriving.
    let o = request(&format!(
        r#"{{"url":"{}","timeout":300,"dataType":"text"}}"#,
        url("/slow-body?ms=3000")
    ))
    .await;
    o.assert_fail(13);
    // A response within the timeout is a success.
    request(&format!(
        r#"{{"url":"{}","timeout":2000}}"#,
        url("/slow?ms=50")
    ))
    .await
    .assert_success();
}

#[wasm_bindgen_test]
async fn abort_fails_with_9_at_once_or_in_flight() {
    setup("");
    let options = js(&format!(r#"{{"url":"{}"}}"#, url("/slow?ms=3000")));
    let o = call_abort("request", &options, 0).await;
    o.assert_fail(9);
    assert_eq!(o.message(), "request:fail abort");
    assert_eq!(o.get("hasAbort"), JsValue::TRUE);
    let started = js_sys::Date::now();
    let o = call_abort("request", &options, 100).await;
    o.assert_fail(9);
    assert!(js_sys::Date::now() - started < 2500.0);
    // Abort while the body streams in.
    let slow_body = js(&format!(
        r#"{{"url":"{}","dataType":"text"}}"#,
        url("/slow-body?ms=3000")
    ));
    call_abort("request", &slow_body, 200).await.assert_fail(9);
}

/// Every call's timeout is an entry on one shared timer (src/glue/hot.js): a call started later
/// with an earlier deadline still times out at its own (the timer is brought forward), while
/// the call with the later deadline is not cut short; a toast's duration is on the same timer.
#[wasm_bindgen_test]
async fn timeouts_in_flight_each_end_at_their_own_deadline() {
    setup("");
    let my: JsValue = create_my().into();
    let calls = js(&format!(
        r#"[["long","request",{{"url":"{}","timeout":20000}}],
            ["short","request",{{"url":"{}","timeout":200}}]]"#,
        url("/slow?ms=1500"),
        url("/slow?ms=3000")
    ));
    let order = JsFuture::from(settle_order(&my, &calls))
        .await
        .expect("settleOrder");
    assert_eq!(show(&order), r#"["short:13","long:success"]"#);
    // A short timeout after the long one settled, and a toast's duration beside a request's.
    let calls = js(&format!(
        r#"[["request","request",{{"url":"{}","timeout":20000}}],
            ["toast","showToast",{{"content":"t","duration":100}}],
            ["short","request",{{"url":"{}","timeout":500,"dataType":"text"}}]]"#,
        url("/slow?ms=1500"),
        url("/slow-body?ms=3000")
    ));
    let order = JsFuture::from(settle_order(&my, &calls))
        .await
        .expect("settleOrder");
    assert_eq!(
        show(&order),
        r#"["toast:success","short:13","request:success"]"#
    );
}

/// `abort()` once the call has settled changes nothing: no second outcome, no throw.
#[wasm_bindgen_test]
async fn abort_after_the_call_settled_does_nothing() {
    setup("");
    let my: JsValue = create_my().into();
    let r = JsFuture::from(abort_after_settle(
        &my,
        &js(&format!(r#"{{"url":"{}"}}"#, url("/json1k"))),
    ))
    .await
    .expect("abortAfterSettle");
    assert_eq!(
        pick(&r, "value.status").as_f64(),
        Some(200.0),
        "{}",
        show(&r)
    );
    assert_eq!(pick(&r, "outcomes").as_f64(), Some(1.0));
    assert_eq!(pick(&r, "hasAbort"), JsValue::TRUE);
}

/// The simulator's network faults on the direct transport (sent from JS after the latency):
/// the same outcomes as before anything is sent, in the same order (latency, offline,
/// the simulated timeout, what `fetch` cannot send); `abort()` and the call's timeout end a wait.
#[wasm_bindgen_test]
async fn simulated_network_faults_apply_to_direct_requests() {
    let json1k = format!(r#"{{"url":"{}"}}"#, url("/json1k"));
    // Some latency: still a success.
    setup(r#"{"networkFaults":{"latencyMs":30}}"#);
    request(&json1k).await.assert_success();
    // The call's timeout or abort() during a long latency: 13 or 9.
    setup(r#"{"networkFaults":{"latencyMs":60000}}"#);
    request(&format!(r#"{{"url":"{}","timeout":100}}"#, url("/json1k")))
        .await
        .assert_fail(13);
    call_abort("request", &js(&json1k), 50).await.assert_fail(9);
    // Offline, with and without latency: 12 naming it.
    for faults in [r#"{"latencyMs":20,"offline":true}"#, r#"{"offline":true}"#] {
        setup(&format!(r#"{{"networkFaults":{faults}}}"#));
        let o = request(&json1k).await;
        o.assert_fail(12);
        assert!(o.message().contains("offline"), "{}", o.message());
    }
    // Offline wins over the simulated timeout, as before a request is sent.
    setup(r#"{"networkFaults":{"offline":true,"timeout":true}}"#);
    request(&json1k).await.assert_fail(12);
    // After a latency, a method fetch cannot send fails as it does without one.
    setup(r#"{"networkFaults":{"latencyMs":20}}"#);
    let o = request(&format!(r#"{{"url":"{}","method":"TRACE"}}"#, url("/echo"))).await;
    o.assert_fail(12);
    assert!(o.message().contains("relay"), "{}", o.message());
    // Every request timing out: never sent; its timeout (13) or abort() (9) ends it.
    setup(r#"{"networkFaults":{"timeout":true}}"#);
    request(&format!(r#"{{"url":"{}","timeout":100}}"#, url("/json1k")))
        .await
        .assert_fail(13);
    call_abort("request", &js(&json1k), 50).await.assert_fail(9);
    setup(r#"{"networkFaults":{"latencyMs":0,"offline":false,"timeout":false}}"#);
    request(&json1k).await.assert_success();
}

#[wasm_bindgen_test]
async fn network_failures_fail_with_12() {
    setup(&format!(
        r#"{{"whitelist":["{}","127.0.0.1:8797"]}}"#,
        host()
    ));
    let o = request(&format!(r#"{{"url":"{}"}}"#, url("/close"))).await;
    o.assert_fail(12);
    let o = request(r#"{"url":"http://127.0.0.1:8797/nothing-listens-here"}"#).await;
    o.assert_fail(12);
    setup("");
}

#[wasm_bindgen_test]
async fn domains_outside_the_whitelist_fail_with_4_naming_the_domain() {
    setup("");
    let o = request(r#"{"url":"https://evil.example:8443/steal"}"#).await;
    o.assert_fail(4);
    assert!(o.message().contains("evil.example:8443"), "{}", o.message());
    let o = request(r#"{"url":"http://127.0.0.1:8792/echo"}"#).await;
    o.assert_fail(4);
    assert!(o.message().contains("127.0.0.1:8792"), "{}", o.message());

    setup(r#"{"whitelist":[]}"#);
    request(&format!(r#"{{"url":"{}"}}"#, url("/echo")))
        .await
        .assert_fail(4);

    setup(r#"{"whitelist":["*"]}"#);
    let o = request(r#"{"url":"http://example.com/plain-http"}"#).await;
    o.assert_fail(4);
    assert!(o.message().contains("https"), "{}", o.message());
    setup("");
}

#[wasm_bindgen_test]
async fn invalid_parameters_fail_with_2_naming_the_parameter() {
    setup("");
    let echo = url("/echo");
    let cases = [
        (r#"{}"#.to_owned(), "url"),
        (r#"{"url":42}"#.to_owned(), "url"),
        (r#"{"url":"/relative"}"#.to_owned(), "url"),
        (r#"{"url":"https://"}"#.to_owned(), "url"),
        (format!(r#"{{"url":"{echo}","method":"PATCH"}}"#), "method"),
        (format!(r#"{{"url":"{echo}","method":7}}"#), "method"),
        (format!(r#"{{"url":"{echo}","timeout":0}}"#), "timeout"),
        (format!(r#"{{"url":"{echo}","timeout":60001}}"#), "timeout"),
        (format!(r#"{{"url":"{echo}","timeout":"fast"}}"#), "timeout"),
        (
            format!(r#"{{"url":"{echo}","dataType":"xml"}}"#),
            "dataType",
        ),
        (
            format!(r#"{{"url":"{echo}","headers":{{"x-obj":{{}}}}}}"#),
            "headers.x-obj",
        ),
        (format!(r#"{{"url":"{echo}","headers":"x"}}"#), "headers"),
        (
            format!(r#"{{"url":"{echo}","headers":{{"bad name":"v"}}}}"#),
            "headers.bad name",
        ),
    ];
    for (options, param) in cases {
        let o = request(&options).await;
        o.assert_fail(2);
        assert!(
            o.message().contains(&format!("`{param}`")),
            "{options}: {}",
            o.message()
        );
    }
    // An ArrayBuffer cannot go into a GET query.
    let options = js(&format!(r#"{{"url":"{echo}"}}"#));
    Reflect::set(&options, &"data".into(), &pattern(4)).expect("set");
    let o = call_abort("request", &options, -1).await;
    o.assert_fail(2);
    assert!(o.message().contains("`data`"), "{}", o.message());
    // Not an object at all: a rejecting Promise, no throw.
    let rejected = JsFuture::from(miniprogram_shim::request(JsValue::from_str("https://x"))).await;
    let err = rejected.expect_err("rejects");
    assert_eq!(pick(&err, "error").as_f64(), Some(2.0));
}

// ---- relay transport (DESIGN.md) --------------------------------------------------------

#[wasm_bindgen_test]
async fn relay_transport_keeps_status_headers_and_body() {
    setup(r#"{"transport":"relay"}"#);
    let o = request(&format!(
        r#"{{"url":"{}","method":"POST","data":{{"via":"relay"}},"headers":{{"x-id":"7"}}}}"#,
        url("/echo")
    ))
    .await;
    o.assert_success();
    assert_eq!(o.text("value.data.bodyText"), r#"{"via":"relay"}"#);
    assert_eq!(o.text("value.data.headers.x-id"), "7");
    let o = request(&format!(r#"{{"url":"{}"}}"#, url("/status/404"))).await;
    o.assert_success();
    assert_eq!(o.get("value.status").as_f64(), Some(404.0));
    assert_eq!(o.text("value.headers.x-custom"), "status-404");
    let o = request(&format!(
        r#"{{"url":"{}","dataType":"arraybuffer"}}"#,
        url("/binary?size=5000")
    ))
    .await;
    let expected: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(bytes_of(&o.get("value.data")), expected);
    let o = request(&format!(
        r#"{{"url":"{}","dataType":"text"}}"#,
        url("/text")
    ))
    .await;
    assert_eq!(o.text("value.data"), "héllo 支付");
    request(&format!(r#"{{"url":"{}"}}"#, url("/invalid-json")))
        .await
        .assert_fail(14);
    setup("");
}

#[wasm_bindgen_test]
async fn relay_errors_map_to_codes() {
    setup(&format!(
        r#"{{"transport":"relay","whitelist":["{}","blocked.localhost","origin.localhost","busy.localhost"]}}"#,
        host()
    ));
    let o = request(r#"{"url":"http://blocked.localhost/x"}"#).await;
    o.assert_fail(4);
    assert!(o.message().contains("blocked.localhost"), "{}", o.message());
    // The relay serves only the app's registered origin: no permission, saying why.
    let o = request(r#"{"url":"http://origin.localhost/x"}"#).await;
    o.assert_fail(4);
    assert!(o.message().contains("registered origin"), "{}", o.message());
    // Every relay slot in use: a network error the app may retry, saying so.
    let o = request(r#"{"url":"http://busy.localhost/x"}"#).await;
    o.assert_fail(12);
    assert!(o.message().contains("busy"), "{}", o.message());
    request(&format!(
        r#"{{"url":"{}","timeout":300}}"#,
        url("/slow?ms=3000")
    ))
    .await
    .assert_fail(13);
    let options = js(&format!(r#"{{"url":"{}"}}"#, url("/slow?ms=3000")));
    call_abort("request", &options, 100).await.assert_fail(9);
    // The shim's own whitelist still applies before anything is relayed.
    request(r#"{"url":"https://evil.example/"}"#)
        .await
        .assert_fail(4);
    setup(&format!(
        r#"{{"transport":"relay","relayUrl":"http://127.0.0.1:8797/relay","whitelist":["{}"]}}"#,
        host()
    ));
    request(&format!(r#"{{"url":"{}"}}"#, url("/echo")))
        .await
        .assert_fail(12);
    setup("");
}

// ---- my.alert ---------------------------------------------------------------------------

async fn alert(options: &str, how: &str) -> Outcome {
    let my: JsValue = create_my().into();
    Outcome(settle(alert_and_close(&my, &js(options), how)).await)
}

#[wasm_bindgen_test]
async fn alert_shows_a_modal_and_succeeds_after_the_button_is_tapped() {
    let o = alert(
        r#"{"title":"Paid","content":"Thanks <b>!</b>","buttonText":"Done"}"#,
        "click",
    )
    .await;
    assert_eq!(o.get("open"), JsValue::TRUE, "{}", o.debug());
    assert_eq!(o.text("title"), "Paid");
    assert_eq!(o.text("content"), "Thanks <b>!</b>"); // text, never HTML
    assert_eq!(o.text("button"), "Done");
    assert_eq!(o.text("modal"), "true");
    assert_eq!(o.get("buttonFocused"), JsValue::TRUE);
    assert_eq!(o.get("settledBeforeClose"), JsValue::FALSE);
    // success ran after the overlay was removed (0 overlays left), then complete.
    assert_eq!(show(&o.get("events")), r#"[["success",0],["complete"]]"#);
    assert_eq!(o.get("removed"), JsValue::TRUE);
    assert_eq!(o.get("focusRestored"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn alert_closes_with_enter_or_escape_and_defaults_the_button_to_ok() {
    for key in ["Enter", "Escape"] {
        let o = alert(r#"{"content":"Hi"}"#, key).await;
        assert_eq!(o.text("button"), "OK", "{key}");
        assert_eq!(
            show(&o.get("events")),
            r#"[["success",0],["complete"]]"#,
            "{key}"
        );
        assert_eq!(o.get("removed"), JsValue::TRUE, "{key}");
    }
}

#[wasm_bindgen_test]
async fn alert_with_a_bad_option_fails_with_2() {
    let o = call("alert", r#"{"title":{"not":"text"}}"#).await;
    o.assert_fail(2);
    assert!(o.message().contains("`title`"), "{}", o.message());
}
