//! The start module's part of the WebSocket APIs: `my.onSocketOpen` … `my.offSocketClose`, the
//! global socket's listeners. Listeners register at once (before anything is loaded), so they
//! stay here; their lists are kept by the extras loader (`src/glue/extras.js`), which hands
//! them to the extras module when it loads. The connections themselves (`connectSocket`,
//! `sendSocketMessage`, `closeSocket`, the SocketTask) are the extras module's
//! (`extras/src/glue/socket.rs`; DESIGN.md "Sockets").

use wasm_bindgen::prelude::*;

use super::adapter::{log_sync, Failure};
use crate::error::ApiError;

#[wasm_bindgen(module = "/src/glue/extras.js")]
extern "C" {
    /// Adds (`on…`) or removes (`off…`, all without a callback) a global socket listener;
    /// false when `on…` was not given a function.
    #[wasm_bindgen(js_name = socketListener)]
    fn socket_listener(name: &str, callback: &JsValue) -> bool;
}

/// The listener APIs this file adds to `my`.
pub(crate) const NAMES: &[&str] = &[
    "onSocketOpen",
    "offSocketOpen",
    "onSocketMessage",
    "offSocketMessage",
    "onSocketError",
    "offSocketError",
    "onSocketClose",
    "offSocketClose",
];

/// `onSocketOpen(cb)` … `offSocketClose(cb?)`; `None` for another name.
pub(crate) fn call(name: &str, callback: &JsValue) -> Option<JsValue> {
    if !NAMES.contains(&name) {
        return None;
    }
    if !socket_listener(name, callback) {
        let e = Failure::from(ApiError::invalid("callback", "must be a function")).into_js();
        web_sys::console::error_2(&format!("my.{name}").into(), &e);
        log_sync(name, callback, false, &e);
    }
    Some(JsValue::UNDEFINED)
}

#[wasm_bindgen(typescript_custom_section)]
const SOCKET_LISTENER_TYPES: &'static str = r#"
export interface My {
  onSocketOpen(callback: (event: {}) => void): void;
  offSocketOpen(callback?: (event: {}) => void): void;
  onSocketMessage(callback: (event: { data: string | ArrayBuffer; isBuffer: boolean }) => void): void;
  offSocketMessage(callback?: (event: { data: string | ArrayBuffer; isBuffer: boolean }) => void): void;
  onSocketError(callback: (event: { error: number; errorMessage: string }) => void): void;
  offSocketError(callback?: (event: { error: number; errorMessage: string }) => void): void;
  onSocketClose(callback: (event: { code: number; reason: string }) => void): void;
  offSocketClose(callback?: (event: { code: number; reason: string }) => void): void;
}
"#;
