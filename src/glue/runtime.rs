//! The page's one runtime: the configuration `configure()` fills and the call-log hook.
//!
//! `thread_local` because a wasm page is single-threaded; borrows never cross an `await`
//! or a call into user code (a callback may call `my.*` again).

use std::cell::RefCell;

use js_sys::Function;

use crate::config::{Config, ConfigPatch};

#[derive(Default)]
struct Runtime {
    config: Config,
    logger: Option<Function>,
}

thread_local! {
    static RUNTIME: RefCell<Runtime> = RefCell::new(Runtime::default());
}

/// Runs `f` with the current configuration.
pub(crate) fn with_config<R>(f: impl FnOnce(&Config) -> R) -> R {
    RUNTIME.with(|rt| f(&rt.borrow().config))
}

/// Merges `patch` into the configuration.
pub(crate) fn apply(patch: ConfigPatch) -> Result<(), String> {
    RUNTIME.with(|rt| rt.borrow_mut().config.apply(patch))
}

/// Sets (or clears) the function that receives one entry per `my.*` call.
pub(crate) fn set_logger(logger: Option<Function>) {
    RUNTIME.with(|rt| rt.borrow_mut().logger = logger);
}

/// The call-log hook, if the host set one.
pub(crate) fn logger() -> Option<Function> {
    RUNTIME.with(|rt| rt.borrow().logger.clone())
}
