//! `miniprogram-shim-core`: what the shim's two wasm modules share (DESIGN.md "Size of the start
//! wasm"). The start module (the root crate, `pkg/`) and the extras module (`extras/`,
//! `pkg/extras/`, loaded on the first call of one of its APIs) each link their own copy of the
//! parts they use:
//! - pure, tested with `cargo test`: [`error`] (fail codes), [`encoding`]
//!   (`encodeURIComponent`, base64), [`inputs`] (the phone's position, scan code, address book),
//!   [`extras`] (which APIs live in the extras module), [`files`] (the file store's paths,
//!   quotas and digests);
//! - browser glue: [`adapter`] (the one callback/Promise adapter, `run_api`), [`options`]
//!   (liberal option readers), [`logger`] (the devtools' call log hook), [`host`] (DOM and
//!   shell helpers), [`device_inputs`] (reading `configure({ device })`), [`device_images`]
//!   (the chooser images of `configure({ device: { images } })`), [`file_store`] (the per-app
//!   file store in IndexedDB: `store_temp_file`, `read_file`).

pub mod adapter;
pub mod config;
pub mod configure;
pub mod device_images;
pub mod device_inputs;
pub mod encoding;
pub mod error;
pub mod extras;
pub mod file_store;
pub mod files;
pub mod host;
pub mod inputs;
pub mod logger;
pub mod options;
pub mod runtime;
pub mod url;
