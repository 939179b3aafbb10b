//! Browser tests of the socket APIs against the loopback echo server's real WebSocket echo
//! (`tests/server/echo-server.mjs`), started by `tests/run-browser-tests`; and the start
//! module's side of the files: `my.downloadFile`'s first call loads the extras module with its
//! task methods working meanwhile, and the H5 bridge names (with `openInBrowser`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise};
use miniprogram_shim::{bridge_call, can_i_use, configure, create_my};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod common;
use common::{js, pick, show};

wasm_bindgen_test_configure!(run_in_browser);

const SERVER: &str = match option_env!("ECHO_SERVER_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8791",
};

#[wasm_bindgen(module = "/tests/fixtures/socket.js")]
extern "C" {
    #[wasm_bindgen(js_name = globalSocket)]
    fn global_socket(my: &JsValue, url: &str) -> Promise;
    #[wasm_bindgen(js_name = serverCloses)]
    fn server_closes(my: &JsValue, url: &str) -> Promise;
    #[wasm_bindgen(js_name = twoTasks)]
    fn two_tasks(my: &JsValue, url: &str) -> Promise;
    fn flood(my: &JsValue, url: &str, count: u32, size: u32) -> Promise;
    #[wasm_bindgen(js_name = bigMessage)]
    fn big_message(my: &JsValue, url: &str, size: u32) -> Promise;
}

#[wasm_bindgen(module = "/extras/tests/fixtures/network.js")]
extern "C" {
    #[wasm_bindgen(js_name = recordTransfer)]
    fn record_transfer(my: &JsValue, api: &str, options: &JsValue, abort_after_ms: i32) -> Promise;
}

fn my() -> JsValue {
    create_my().into()
}

fn host() -> &'static str {
    SERVER.trim_start_matches("http://")
}

fn setup(transport: &str) {
    configure(js(&format!(
        r#"{{"appId":"net-app","whitelist":["{}"],"transport":"{transport}","relayUrl":"{SERVER}/relay","logger":null,"networkFaults":{{"offline":false}},"extrasUrl":"/pkg/extras/miniprogram_shim_extras.js"}}"#,
        host()
    )))
    .expect("config");
}

async fn settle(p: Promise) -> JsValue {
    JsFuture::from(p).await.expect("fixture promise")
}

async fn transfer(api: &str, options: &str, abort_after_ms: i32) -> JsValue {
    settle(record_transfer(&my(), api, &js(options), abort_after_ms)).await
}

fn text(v: &JsValue, path: &str) -> String {
    let x = pick(v, path);
    x.as_string().unwrap_or_else(|| show(&x))
}

fn num(v: &JsValue, path: &str) -> f64 {
    pick(v, path).as_f64().unwrap_or(f64::NAN)
}

fn assert_fail(out: &JsValue, code: u32, message_has: &str) {
    assert_eq!(text(out, "state"), "rejected", "{}", show(out));
    assert_eq!(
        text(out, "names"),
        r#"["fail","complete"]"#,
        "{}",
        show(out)
    );
    assert_eq!(num(out, "value.error"), f64::from(code), "{}", show(out));
    let message = text(out, "value.errorMessage");
    assert!(
        message.contains(message_has),
        "{message:?} lacks {message_has:?}"
    );
}

#[wasm_bindgen_test]
async fn download_file_through_the_start_module_loads_the_extras_with_its_task_methods_working() {
    setup("direct");
    // recordTransfer registers onProgressUpdate (and removes one listener) on the returned
    // Promise at once: before the extras module has loaded.
    let out = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/file?size=70000&type=image/png"}}"#),
        -1,
    )
    .await;
    assert_eq!(text(&out, "state"), "fulfilled", "{}", show(&out));
    assert!(text(&out, "value.apFilePath").ends_with(".image"));
    let progress = Array::from(&pick(&out, "progress"));
    assert!(
        progress.length() > 0 && progress.iter().all(|p| p.is_object()),
        "{}",
        show(&out)
    );
    assert_eq!(num(&progress.get(progress.length() - 1), "progress"), 100.0);
    // The start module's configuration reached the module: the whitelist holds there too.
    let out = transfer("downloadFile", r#"{"url":"http://127.0.0.1:9/x"}"#, -1).await;
    assert_fail(&out, 4, "127.0.0.1:9");
    // abort() made at once on a later call works as well.
    let out = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/slow?ms=3000"}}"#),
        0,
    )
    .await;
    assert_fail(&out, 9, "abort");
}

fn ws_url() -> String {
    format!("ws://{}/ws", host())
}

fn events(seen: &JsValue) -> Vec<String> {
    Array::from(seen)
        .iter()
        .map(|e| Array::from(&e).get(0).as_string().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn the_global_socket_queues_until_open_echoes_and_closes() {
    setup("direct");
    let seen = settle(global_socket(&my(), &ws_url())).await;
    assert_eq!(
        events(&seen),
        [
            "connected",
            "sent",
            "open",
            "message",
            "message",
            "message",
            "message",
            "closed",
            "close"
        ],
        "{}",
        show(&seen)
    );
    assert_eq!(text(&seen, "3.1.data"), "hello");
    assert_eq!(pick(&seen, "3.1.isBuffer"), JsValue::FALSE);
    assert_eq!(text(&seen, "4.1.data"), "query:?room=a%20b");
    // A binary frame is base64 with isBuffer, as Alipay documents.
    assert_eq!(text(&seen, "5.1.data"), "AQID");
    assert_eq!(pick(&seen, "5.1.isBuffer"), JsValue::TRUE);
    assert_eq!(text(&seen, "6.1.data"), "pushed");
    assert_eq!(pick(&seen, "1.1.success"), JsValue::TRUE);
    assert_eq!(num(&seen, "8.1.code"), 1000.0);
    assert_eq!(text(&seen, "8.1.reason"), "done");
}

#[wasm_bindgen_test]
async fn a_server_close_reaches_on_socket_close_and_later_sends_fail() {
    setup("direct");
    let seen = settle(server_closes(&my(), &ws_url())).await;
    assert_eq!(events(&seen), ["close", "late fail"], "{}", show(&seen));
    assert_eq!(num(&seen, "0.1.code"), 4001.0);
    assert_eq!(text(&seen, "0.1.reason"), "bye");
    assert_eq!(num(&seen, "1.1.error"), 12.0);
    assert!(text(&seen, "1.1.errorMessage").contains("not connected"));
}

#[wasm_bindgen_test]
async fn socket_tasks_are_independent() {
    setup("direct");
    let seen = settle(two_tasks(&my(), &ws_url())).await;
    let names = events(&seen);
    assert!(
        !names.iter().any(|n| n.contains("error") || n == "timeout"),
        "{}",
        show(&seen)
    );
    let ids = pick(&seen, "0.1");
    let (a, b) = (text(&ids, "0"), text(&ids, "1"));
    assert_ne!(a, b);
    for (name, id, protocol) in [("a", &a, "chat"), ("bb", &b, "")] {
        let mine: Vec<JsValue> = Array::from(&seen)
            .iter()
            .filter(|e| {
                Array::from(e)
                    .get(0)
                    .as_string()
                    .is_some_and(|n| n.starts_with(&format!("{name} ")))
            })
            .map(|e| Array::from(&e).get(1))
            .collect();
        assert_eq!(
            mine.len(),
            5,
            "{name}: open, 3 messages, close: {}",
            show(&seen)
        );
        for event in &mine {
            assert_eq!(&text(event, "data.socketTaskID"), id);
        }
        assert_eq!(text(&mine[1], "data.data"), name, "{}", show(&seen));
        assert_eq!(pick(&mine[2], "data.isBuffer"), JsValue::TRUE);
        let bytes = js_sys::Uint8Array::new(&pick(&mine[2], "data.data")).to_vec();
        assert_eq!(
            bytes,
            vec![name.len() as u8, 9],
            "a task gets the ArrayBuffer"
        );
        assert_eq!(text(&mine[3], "data.data"), format!("protocol:{protocol}"));
        assert_eq!(num(&mine[4], "data.code"), 4000.0);
        assert_eq!(text(&mine[4], "data.reason"), name);
    }
}

#[wasm_bindgen_test]
async fn socket_bad_options_and_refusals() {
    setup("direct");
    let cases = [
        ("connectSocket", "{}".to_owned(), 2, "`url`"),
        (
            "connectSocket",
            format!(r#"{{"url":"{SERVER}/ws"}}"#),
            2,
            "ws:// or wss://",
        ),
        (
            "connectSocket",
            r#"{"url":"ws://127.0.0.1:9/ws"}"#.to_owned(),
            4,
            "127.0.0.1:9",
        ),
        (
            "connectSocket",
            format!(r#"{{"url":"{}","protocols":["a b"]}}"#, ws_url()),
            2,
            "`protocols[0]`",
        ),
        (
            "sendSocketMessage",
            r#"{"data":"x"}"#.to_owned(),
            12,
            "not connected",
        ),
        ("sendSocketMessage", "{}".to_owned(), 2, "`data`"),
        (
            "sendSocketMessage",
            r#"{"data":"!!","isBuffer":true}"#.to_owned(),
            2,
            "`data`",
        ),
        ("closeSocket", r#"{"code":1001}"#.to_owned(), 2, "`code`"),
        ("closeSocket", "{}".to_owned(), 12, "not connected"),
    ];
    for (api, options, code, has) in cases {
        let out = transfer_plain(api, &options).await;
        assert_fail(&out, code, has);
    }
    assert!(can_i_use(JsValue::from_str(
        "connectSocket.return.onMessage"
    )));
    assert!(can_i_use(JsValue::from_str(
        "downloadFile.success.apFilePath"
    )));
    assert!(!can_i_use(JsValue::from_str("connectSocket.object.header")));
}

/// A call with recording callbacks.
async fn transfer_plain(api: &str, options: &str) -> JsValue {
    transfer(api, options, -1).await
}

#[wasm_bindgen_test]
async fn attack_messages_queued_before_open_are_bounded() {
    setup("direct");
    let outcomes = Array::from(&settle(flood(&my(), &ws_url(), 65, 10)).await);
    assert_eq!(outcomes.length(), 65);
    assert!(outcomes
        .iter()
        .take(64)
        .all(|o| o.as_string().as_deref() == Some("ok")));
    let refused = outcomes.get(64);
    assert_eq!(num(&refused, "error"), 12.0, "{}", show(&refused));
    assert!(text(&refused, "errorMessage").contains("64 messages"));
    // Bytes too: 1 MiB in all.
    let outcomes = Array::from(&settle(flood(&my(), &ws_url(), 3, 400 * 1024)).await);
    assert_eq!(outcomes.get(1).as_string().as_deref(), Some("ok"));
    assert!(text(&outcomes.get(2), "errorMessage").contains("1048576"));
    // And once open, one message over the cap.
    let seen = settle(big_message(&my(), &ws_url(), 1024 * 1024 + 1)).await;
    assert_eq!(events(&seen), ["fail"], "{}", show(&seen));
    assert!(text(&seen, "0.1.errorMessage").contains("1048576"));
}

/// `AlipayJSBridge.call(name, params, callback)`: the callback's argument.
async fn bridge(name: &str, params: &str) -> JsValue {
    let params = js(params);
    let promise = Promise::new(&mut |resolve, _| {
        bridge_call(name.into(), params.clone(), resolve.into());
    });
    settle(promise).await
}

#[wasm_bindgen_test]
async fn h5_pages_reach_the_same_apis_through_the_bridge() {
    setup("direct");
    let res = bridge(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/file?size=4&type=image/gif"}}"#),
    )
    .await;
    assert!(
        text(&res, "apFilePath").ends_with(".image"),
        "{}",
        show(&res)
    );
    let res = bridge("downloadFile", r#"{"url":"http://127.0.0.1:9/x"}"#).await;
    assert_eq!(num(&res, "error"), 4.0, "{}", show(&res));
    // openInBrowser takes absolute http(s) URLs only (opening one is tested end to end).
    for url in ["javascript:alert(1)", "data:text/html,hi", "/relative", ""] {
        let res = bridge("openInBrowser", &format!(r#"{{"url":"{url}"}}"#)).await;
        assert_eq!(num(&res, "error"), 2.0, "{url}: {}", show(&res));
        assert!(
            text(&res, "errorMessage").contains("`url`"),
            "{}",
            show(&res)
        );
    }
}
