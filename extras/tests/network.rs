//! Browser tests of `my.downloadFile` and `my.uploadFile` (the extras module) against the
//! loopback echo server (`tests/server/echo-server.mjs`: files, a multipart reader, a minimal
//! relay), started by `tests/run-browser-tests`. Their first call through the start module's
//! `my` (the lazy load) is in `tests/socket.rs`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise, JSON};
use miniprogram_shim_extras::{configure, create_my};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

#[path = "../../tests/common/mod.rs"]
mod common;
use common::{js, pick, show};

wasm_bindgen_test_configure!(run_in_browser);

const SERVER: &str = match option_env!("ECHO_SERVER_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8791",
};

#[wasm_bindgen(module = "/tests/fixtures/network.js")]
extern "C" {
    #[wasm_bindgen(js_name = recordTransfer)]
    fn record_transfer(my: &JsValue, api: &str, options: &JsValue, abort_after_ms: i32) -> Promise;
    #[wasm_bindgen(js_name = fileSum)]
    fn file_sum(n: u32) -> f64;
}

fn my() -> JsValue {
    create_my().into()
}

fn host() -> &'static str {
    SERVER.trim_start_matches("http://")
}

/// The configuration the start module hands over (DESIGN.md "Loading on first use").
fn setup(transport: &str) {
    configure(js(&format!(
        r#"{{"appId":"net-app","whitelist":["{}"],"transport":"{transport}","relayUrl":"{SERVER}/relay","logger":null,"networkFaults":{{"offline":false}}}}"#,
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

fn assert_ok(out: &JsValue) {
    assert_eq!(text(out, "state"), "fulfilled", "{}", show(out));
    assert_eq!(
        text(out, "names"),
        r#"["success","complete"]"#,
        "{}",
        show(out)
    );
    assert_eq!(pick(out, "sameObject"), JsValue::TRUE, "{}", show(out));
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

/// The last progress event, and that the removed listener never ran.
fn last_progress(out: &JsValue) -> JsValue {
    let progress = Array::from(&pick(out, "progress"));
    assert!(progress.length() > 0, "no progress events: {}", show(out));
    assert!(
        progress.iter().all(|p| p.is_object()),
        "a removed listener ran: {}",
        show(out)
    );
    progress.get(progress.length() - 1)
}

async fn download_then_upload(transport: &str) {
    setup(transport);
    let size = 200_000;
    let out = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/file?size={size}&type=image/png","header":{{"x-id":7}}}}"#),
        -1,
    )
    .await;
    assert_ok(&out);
    let path = text(&out, "value.apFilePath");
    assert!(
        path.starts_with("https://resource/apml") && path.ends_with(".image"),
        "{path}"
    );
    assert_eq!(text(&out, "value.tempFilePath"), path);
    assert_eq!(text(&out, "value.headers.content-type"), "image/png");
    assert_eq!(text(&out, "value.header.content-type"), "image/png");
    let last = last_progress(&out);
    assert_eq!(num(&last, "progress"), 100.0, "{}", show(&last));
    assert_eq!(num(&last, "totalBytesWritten"), f64::from(size));
    assert_eq!(num(&last, "totalBytesExpectedToWrite"), f64::from(size));

    let out = transfer(
        "uploadFile",
        &format!(
            r#"{{"url":"{SERVER}/upload","filePath":"{path}","name":"photo","fileType":"image","formData":{{"orderId":7,"note":"a \"b\""}},"header":{{"x-id":"9"}}}}"#
        ),
        -1,
    )
    .await;
    assert_ok(&out);
    assert_eq!(num(&out, "value.statusCode"), 200.0);
    let echoed = JSON::parse(&text(&out, "value.data")).expect("the server's JSON");
    assert_eq!(text(&echoed, "fields.orderId"), "7");
    assert_eq!(text(&echoed, "fields.note"), r#"a "b""#);
    assert_eq!(text(&echoed, "files.0.name"), "photo");
    assert_eq!(
        text(&echoed, "files.0.filename"),
        path.trim_start_matches("https://resource/")
    );
    assert_eq!(text(&echoed, "files.0.contentType"), "image/png");
    assert_eq!(num(&echoed, "files.0.size"), f64::from(size));
    assert_eq!(num(&echoed, "files.0.sum"), file_sum(size), "bytes changed");
    assert!(text(&echoed, "contentType").starts_with("multipart/form-data; boundary="));
    let last = last_progress(&out);
    assert_eq!(num(&last, "progress"), 100.0, "{}", show(&last));
    let expected = num(&last, "totalBytesExpectedToWrite");
    assert!(expected > f64::from(size), "the multipart body: {expected}");
    assert_eq!(num(&last, "totalBytesWritten"), expected);
}

#[wasm_bindgen_test]
async fn download_then_upload_directly_with_progress() {
    download_then_upload("direct").await;
}

#[wasm_bindgen_test]
async fn download_then_upload_through_the_relay_with_progress() {
    download_then_upload("relay").await;
}

#[wasm_bindgen_test]
async fn headers_arrive_before_the_body_in_direct_transport() {
    setup("direct");
    let out = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/file?size=10&type=text/plain"}}"#),
        -1,
    )
    .await;
    assert_ok(&out);
    assert!(text(&out, "value.apFilePath").ends_with(".file"));
    assert_eq!(text(&out, "headers.0.headers.content-type"), "text/plain");
}

#[wasm_bindgen_test]
async fn bad_options_fail_with_error_2_naming_the_option() {
    setup("direct");
    let stored = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/file?size=3"}}"#),
        -1,
    )
    .await;
    let path = text(&stored, "value.apFilePath");
    let upload = |extra: &str| {
        format!(
            r#"{{"url":"{SERVER}/upload","filePath":"{path}","name":"f","fileType":"image"{extra}}}"#
        )
    };
    let cases = [
        ("downloadFile", "{}".to_owned(), "`url`"),
        ("downloadFile", r#"{"url":"ftp://x/"}"#.to_owned(), "`url`"),
        (
            "downloadFile",
            format!(r#"{{"url":"{SERVER}/x","header":{{"a":{{}}}}}}"#),
            "`header.a`",
        ),
        (
            "uploadFile",
            format!(r#"{{"url":"{SERVER}/upload","name":"f","fileType":"image"}}"#),
            "`filePath`",
        ),
        ("uploadFile", upload(r#","name":null"#), "`name`"),
        ("uploadFile", upload(r#","fileType":"pdf""#), "`fileType`"),
        (
            "uploadFile",
            upload(r#","formData":{"a\nb":"1"}"#),
            "`formData.a\nb`",
        ),
        (
            "uploadFile",
            format!(
                r#"{{"url":"{SERVER}/upload","filePath":"https://resource/apmlnope.png","name":"f","fileType":"image"}}"#
            ),
            "`filePath`",
        ),
    ];
    for (api, options, names) in cases {
        let out = transfer(api, &options, -1).await;
        assert_fail(&out, 2, names);
    }
    // Not whitelisted: error 4 naming the domain, nothing sent.
    let out = transfer("downloadFile", r#"{"url":"http://127.0.0.1:9/x"}"#, -1).await;
    assert_fail(&out, 4, "127.0.0.1:9");
    let out = transfer("uploadFile", &upload("").replace(host(), "127.0.0.1:9"), -1).await;
    assert_fail(&out, 4, "127.0.0.1:9");
}

#[wasm_bindgen_test]
async fn abort_fails_the_transfer_with_error_9() {
    for transport in ["direct", "relay"] {
        setup(transport);
        let out = transfer(
            "downloadFile",
            &format!(r#"{{"url":"{SERVER}/slow?ms=3000"}}"#),
            50,
        )
        .await;
        assert_fail(&out, 9, "abort");
    }
}

#[wasm_bindgen_test]
async fn offline_fails_with_error_12() {
    setup("direct");
    configure(js(r#"{"networkFaults":{"offline":true}}"#)).expect("offline");
    let out = transfer("downloadFile", &format!(r#"{{"url":"{SERVER}/file"}}"#), -1).await;
    assert_fail(&out, 12, "offline");
    setup("direct");
}

#[wasm_bindgen_test]
async fn attack_an_endless_download_is_cut_at_the_cap() {
    setup("direct");
    let out = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/endless"}}"#),
        -1,
    )
    .await;
    assert_fail(&out, 12, "10485760 bytes");
    // Through the relay a file one byte over the cap is refused too, and nothing is stored.
    setup("relay");
    let out = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/file?size=10485761"}}"#),
        -1,
    )
    .await;
    assert_fail(&out, 12, "10485760 bytes");
}

#[wasm_bindgen_test]
async fn attack_an_upload_over_the_cap_is_refused_before_sending() {
    setup("direct");
    let out = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/file?size=1048576"}}"#),
        -1,
    )
    .await;
    assert_ok(&out);
    let path = text(&out, "value.apFilePath");
    let out = transfer(
        "uploadFile",
        &format!(
            r#"{{"url":"{SERVER}/upload","filePath":"{path}","name":"f","fileType":"video"}}"#
        ),
        -1,
    )
    .await;
    assert_fail(&out, 2, "at most 1048576 bytes");
    assert_eq!(
        Array::from(&pick(&out, "progress")).length(),
        0,
        "nothing was sent"
    );
}

/// Downloads land in the per-app file store: the app's other file APIs see them (saveFile), an
/// upload sends a saved file, and another app can upload none of them (error 2 on `filePath`,
/// the answer a guessed path gets).
#[wasm_bindgen_test]
async fn downloads_are_the_apps_files_and_no_other_app_uploads_them() {
    setup("direct");
    let out = transfer(
        "downloadFile",
        &format!(r#"{{"url":"{SERVER}/file?size=1000&type=application/octet-stream"}}"#),
        -1,
    )
    .await;
    assert_ok(&out);
    let temp = text(&out, "value.apFilePath");
    let saved = settle(record_transfer(
        &my(),
        "saveFile",
        &js(&format!(r#"{{"apFilePath":"{temp}"}}"#)),
        -1,
    ))
    .await;
    assert_ok(&saved);
    let saved = text(&saved, "value.apFilePath");
    assert!(
        saved.starts_with("https://resource/apml") && saved != temp,
        "{saved}"
    );
    let upload = |path: &str| {
        format!(r#"{{"url":"{SERVER}/upload","filePath":"{path}","name":"f","fileType":"image"}}"#)
    };
    let out = transfer("uploadFile", &upload(&saved), -1).await;
    assert_ok(&out);
    let echoed = JSON::parse(&text(&out, "value.data")).expect("the server's JSON");
    assert_eq!(num(&echoed, "files.0.size"), 1000.0);

    configure(js(r#"{"appId":"net-other-app"}"#)).expect("config");
    for path in [
        temp.as_str(),
        saved.as_str(),
        "https://resource/apml00000000000000000000000000000000.file",
    ] {
        let out = transfer("uploadFile", &upload(path), -1).await;
        assert_fail(&out, 2, "`filePath`");
        assert_fail(&out, 2, "no file of this mini program");
    }
    setup("direct");
}
