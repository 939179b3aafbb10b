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
//!   battery, screen), [`inputs`] (position, scan code, address book; shared with the extras
//!   module, `shim-core/`);
//! - the pickers and the phone's input APIs are in the extras module (`extras/`, a second wasm
//!   loaded on their first call; DESIGN.md "Size of the start wasm");
//! - [`browser`] (H5's `openInBrowser`); the sockets' global listeners (`my.onSocket*`) are
//!   here, their connections, `uploadFile` and `downloadFile` are in the extras module;
//! - `glue` (wasm only): the `#[wasm_bindgen]` exports `configure`, `request`, `alert`,
//!   `canIUse`, `createMy`, the single callback/Promise adapter, `fetch`, the relay, the DOM.

pub mod alert;
pub mod app_info;
pub mod auth;
pub mod bridge;
pub mod browser;
pub mod can_i_use;
pub mod device;
pub mod jsapi;
pub mod request;
pub mod storage;
pub mod system_info;
pub mod trade_pay;
pub mod ui;

mod glue;

// Shared with the extras module (`shim-core/`), under the paths they had here.
pub use shim_core::{config, encoding, error, inputs, url};

pub use glue::*;
