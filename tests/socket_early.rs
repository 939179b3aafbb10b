//! A page whose first calls are the socket APIs (its own test binary: the extras module loads
//! once per page): `my.connectSocket({ multiple: true })` answers with its SocketTask at once,
//! with its `socketTaskID`, while the extras module (where the connections are) loads; the
//! calls made on the task meanwhile are replayed on the real one in call order, at most 128 of
//! them wait (the next fails with error 12 naming the limit), and a global listener registered
//! before the load hears the global socket. Against the loopback echo server's WebSocket
//! (`tests/server/echo-server.mjs`, started by `tests/run-browser-tests`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise};
use miniprogram_shim::{configure, create_my};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod common;
use common::{js, pick, settle, show};

wasm_bindgen_test_configure!(run_in_browser);

const SERVER: &str = match option_env!("ECHO_SERVER_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8791",
};

#[wasm_bindgen(module = "/tests/fixtures/socket.js")]
extern "C" {
    #[wasm_bindgen(js_name = earlyTasks)]
    fn early_tasks(my: &JsValue, url: &str) -> Promise;
}

fn text(v: &JsValue, path: &str) -> String {
    let x = pick(v, path);
    x.as_string().unwrap_or_else(|| show(&x))
}

#[wasm_bindgen_test]
async fn socket_task_calls_made_before_the_extras_module_loads_replay_in_order_and_are_bounded() {
    let host = SERVER.trim_start_matches("http://");
    configure(js(&format!(
        r#"{{"appId":"net-app","whitelist":["{host}"],"transport":"direct","extrasUrl":"/pkg/extras/miniprogram_shim_extras.js"}}"#
    )))
    .expect("config");
    let my: JsValue = create_my().into();
    let out = settle(early_tasks(&my, &format!("ws://{host}/ws"))).await;
    let all = show(&out);
    let id = text(&out, "id");
    assert!(
        !id.is_empty() && id != "undefined",
        "no socketTaskID at once: {all}"
    );

    let seen: Vec<String> = Array::from(&pick(&out, "seen"))
        .iter()
        .map(|e| show(&e))
        .collect();
    let of = |prefix: &str| -> Vec<String> {
        seen.iter()
            .filter(|e| e.starts_with(&format!("[\"{prefix}")))
            .cloned()
            .collect()
    };
    assert_eq!(of("global open").len(), 1, "{all}");
    assert!(
        of("a dropped listener").is_empty(),
        "the offMessage replayed out of order: {all}"
    );
    assert!(of("timeout").is_empty(), "{all}");
    // In call order, with the id the task had at once.
    assert_eq!(
        of("a message"),
        ["one", "two", "three"].map(|m| format!(r#"["a message","{m}","{id}"]"#)),
        "{all}"
    );
    assert_eq!(of("a open"), [format!(r#"["a open","{id}"]"#)], "{all}");
    assert_eq!(of("a close"), [r#"["a close",4000,"early"]"#], "{all}");
    assert_eq!(
        of("a connected"),
        [format!(r#"["a connected",{{"socketTaskID":"{id}"}}]"#)],
        "{all}"
    );
    assert_eq!(show(&pick(&out, "sent")), r#"["one","two","three"]"#);

    // Task b: 129 sends while the module loads. 128 wait and replay: the socket queues 64
    // before it opens and refuses the rest (its own limit); the 129th is refused at once.
    let outcomes = Array::from(&pick(&out, "outcomes"));
    assert_eq!(outcomes.length(), 129, "{all}");
    for (i, o) in outcomes.iter().enumerate() {
        let (code, has) = match i {
            0..=63 => {
                assert_eq!(
                    o.as_string().as_deref(),
                    Some("ok"),
                    "send {i}: {}",
                    show(&o)
                );
                continue;
            }
            64..=127 => (12.0, "64 messages"),
            _ => (12.0, "128 calls already wait on this SocketTask"),
        };
        assert_eq!(
            pick(&o, "error").as_f64(),
            Some(code),
            "send {i}: {}",
            show(&o)
        );
        assert!(
            text(&o, "errorMessage").contains(has),
            "send {i}: {}",
            show(&o)
        );
    }
}
