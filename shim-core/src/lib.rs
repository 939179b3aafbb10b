//! `miniprogram-shim-core`: what the shim's two wasm modules share (DESIGN.md "Size of the start
//! wasm"). The start module (the root crate, `pkg/`) and the extras module (`extras/`,
//! `pkg/extras/`, loaded on the first call of one of its APIs) each link their own copy of the
//! parts they use:
//! - pure, tested with `cargo test`: [`error`] (fail codes), [`encoding`]
//!   (`encodeURIComponent`, base64), [`inputs`] (the phone's position, scan code, address book),
//!   [`extras`] (which APIs live in the extras module), [`config`] (the runtime configuration)
//!   and [`url`] (URL split and the domain whitelist), which the file transfers of the extras
//!   module check as `my.request` does;
//! - browser glue: [`adapter`] (the one callback/Promise adapter, `run_api`), [`options`]
//!   (liberal option readers), [`logger`] (the devtools' call log hook), [`host`] (DOM and
//!   shell helpers), [`device_inputs`] (reading `configure({ device })`), [`configure`]
//!   (reading a `configure()` patch) and [`runtime`] (the module's configuration).

pub mod adapter;
pub mod config;
pub mod configure;
pub mod device_inputs;
pub mod encoding;
pub mod error;
pub mod extras;
pub mod host;
pub mod inputs;
pub mod logger;
pub mod options;
pub mod runtime;
pub mod url;
