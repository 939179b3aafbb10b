//! The extras module failing to load (here: its file is missing): every call made while it
//! loads, and every later one, fails with error 3 naming the reason, through `fail`,
//! `complete` and the Promise; none stays pending. A SocketTask made meanwhile too. Its own test binary: a page tries the
//! load once.
#![cfg(target_arch = "wasm32")]

use js_sys::Promise;
use miniprogram_shim::{configure, create_my, load_extras};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod common;
use common::{js, pick, settle, show};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/extras.js")]
extern "C" {
    #[wasm_bindgen(js_name = callsWhileTheLoadFails)]
    fn calls_while_the_load_fails(my: &JsValue) -> Promise;
}

#[wasm_bindgen_test]
async fn every_call_fails_with_3_naming_the_reason_when_the_module_is_missing() {
    configure(js(
        r#"{"appId":"test-app","extrasUrl":"/pkg/extras/no-such-module.js"}"#,
    ))
    .expect("config");
    let my: JsValue = create_my().into();
    let r = settle(calls_while_the_load_fails(&my)).await;
    let text = show(&r);
    for i in 0..3 {
        assert_eq!(
            show(&pick(&r, &format!("before.{i}.0"))),
            r#""rejected""#,
            "{text}"
        );
        assert_eq!(
            pick(&r, &format!("before.{i}.1")).as_f64(),
            Some(3.0),
            "{text}"
        );
        let message = pick(&r, &format!("before.{i}.2"))
            .as_string()
            .unwrap_or_default();
        assert!(
            message.contains("the extras module did not load from")
                && message.contains("/pkg/extras/no-such-module.js"),
            "{message}"
        );
    }
    assert_eq!(show(&pick(&r, "after.0")), r#""rejected""#, "{text}");
    // loadExtras() says why too.
    let reason = JsFuture::from(load_extras()).await.expect_err("no module");
    let reason = String::from(js_sys::Error::from(reason).message());
    assert!(reason.contains("/pkg/extras/no-such-module.js"), "{reason}");
    assert_eq!(pick(&r, "after.1").as_f64(), Some(3.0), "{text}");
    // fail then complete, once each, for every call that gave them, in call order.
    let events: Vec<String> = js_sys::Array::from(&pick(&r, "events"))
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                show(&pick(&e, "0")),
                show(&pick(&e, "1")),
                show(&pick(&e, "2"))
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            r#""a" "fail" 3"#,
            r#""a" "complete" 3"#,
            r#""b" "fail" 3"#,
            r#""b" "complete" 3"#,
            r#""c" "fail" 3"#,
            r#""c" "complete" 3"#,
        ],
        "{text}"
    );
    // A SocketTask made while the module loaded: it had its id at once; connectSocket and the
    // send waiting on it failed with 3 naming the reason, and a later close fails too.
    assert!(
        pick(&r, "socket.id")
            .as_string()
            .is_some_and(|id| !id.is_empty()),
        "{text}"
    );
    for outcome in ["socket.sent", "socket.closed"] {
        assert_eq!(
            show(&pick(&r, &format!("{outcome}.0"))),
            r#""rejected""#,
            "{text}"
        );
        assert_eq!(
            pick(&r, &format!("{outcome}.1")).as_f64(),
            Some(3.0),
            "{text}"
        );
    }
    let events: Vec<String> = js_sys::Array::from(&pick(&r, "socket.events"))
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                show(&pick(&e, "0")),
                show(&pick(&e, "1")),
                show(&pick(&e, "2"))
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            r#""connect" "fail" 3"#,
            r#""connect" "complete" 3"#,
            r#""send" "fail" 3"#,
            r#""send" "complete" 3"#,
        ],
        "{text}"
    );
    let message = pick(&r, "socket.events.0.3")
        .as_string()
        .unwrap_or_default();
    assert!(
        message.contains("/pkg/extras/no-such-module.js"),
        "{message}"
    );
}
