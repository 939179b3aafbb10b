//! The call-log hook (`configure({ logger })`): one per wasm module, since each module has its
//! own memory; the start module hands its logger to the extras module when that loads.
//!
//! `thread_local` because a wasm page is single-threaded.

use std::cell::RefCell;

use js_sys::Function;

thread_local! {
    static LOGGER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Sets (or clears) the function that receives one entry per `my.*` call.
pub fn set_logger(logger: Option<Function>) {
    LOGGER.with(|l| *l.borrow_mut() = logger);
}

/// The call-log hook, if the host set one.
pub fn logger() -> Option<Function> {
    LOGGER.with(|l| l.borrow().clone())
}
