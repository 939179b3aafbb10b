//! `miniprogram-shim`: the `my` JSAPIs of an Alipay+-style mini program runtime, in Rust
//! compiled to WebAssembly, so a mini program runs in a plain browser.
//!
//! Layout (pure core, thin glue — see `CONTRIBUTING.md`):
//! - core, plain Rust tested with `cargo test`: [`error`] (fail codes), [`request`]
//!   (`my.request` validation and encoding), [`url`] (URL split and the domain whitelist),
//!   [`encoding`] (`encodeURIComponent`, base64), [`config`] (runtime configuration),
//!   [`can_i_use`], [`alert`], [`ui`] (confirm/toast/loading options), [`storage`] (keys,
//!   limits), [`system_info`], [`bridge`] (the `AlipayJSBridge` name table), [`jsapi`] (the
//!   answer for unimplemented names), [`app_info`] (the Sync info APIs), [`device`] (network,
//!   battery, screen), [`pickers`] (action sheet, prompt, modal, date/option/multi-level/city
//!   pickers), [`inputs`] (position, scan code, address book), [`network`] and
//!   [`file_store`] (`uploadFile`/`downloadFile`), [`socket`] (the WebSocket APIs);
//! - `glue` (wasm only): the `#[wasm_bindgen]` exports `configure`, `request`, `alert`,
//!   `canIUse`, `createMy`, the single callback/Promise adapter, `fetch`, the relay, the DOM.

pub mod alert;
pub mod app_info;
pub mod auth;
pub mod bridge;
pub mod can_i_use;
pub mod config;
pub mod device;
pub mod encoding;
pub mod error;
pub mod file_store;
pub mod inputs;
pub mod jsapi;
pub mod network;
pub mod pickers;
pub mod request;
pub mod socket;
pub mod storage;
pub mod system_info;
pub mod trade_pay;
pub mod ui;
pub mod url;

mod glue;

pub use glue::*;
