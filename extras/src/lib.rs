//! `miniprogram-shim-extras`: the shim's rarely used JSAPIs, in a second wasm module
//! (`pkg/extras/`) that the start module (the root crate, `pkg/`) loads on the first call of
//! one of them, so the wasm every mini program downloads at start stays small (DESIGN.md
//! "Size of the start wasm"; the names are `shim_core::extras::NAMES`).
//!
//! - core, plain Rust tested with `cargo test`: [`pickers`] (action sheet, prompt, modal,
//!   date/option/multi-level/city pickers), [`media`] (image options, type, size and EXIF
//!   orientation), [`location`] (`my.chooseLocation`'s choices), [`regions`] (`my.regionPicker`'s
//!   divisions and `mergeOptions`), [`contacts`] (`my.chooseContact`'s options and result), [`qr`] (`my.scan` reading a QR code from an image); the
//!   phone's inputs are `shim_core::inputs`, the file store's rules `shim_core::files`;
//!   [`network`] (`uploadFile`, `downloadFile`, over `shim_core::file_store`); [`socket`]
//!   (`connectSocket`, `sendSocketMessage`, `closeSocket`, the SocketTask: URL and whitelist,
//!   close codes, the queue before open); [`phone`] (`my.vibrate*`, `my.makePhoneCall`, the
//!   screen's brightness and keep-on);
//! - `glue` (wasm only): the sheets and the input APIs, and the exports the start module
//!   calls: `configure` (the same configuration objects the start module accepted), `call`
//!   (one API by name) and `createMy` (the APIs as an object, for tests).

pub mod audio;
pub mod contacts;
pub mod location;
pub mod media;
pub mod network;
pub mod phone;
pub mod pickers;
pub mod qr;
pub mod regions;
pub mod socket;

mod glue;

pub use glue::*;
// Shared with the start module (`shim-core/`), under the paths the moved files use.
pub use shim_core::{config, encoding, error, files, inputs, url};
