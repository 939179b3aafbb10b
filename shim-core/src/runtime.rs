//! The page's one runtime: the configuration `configure()` fills and the call-log hook.
//!
//! `thread_local` because a wasm page is single-threaded; borrows never cross an `await`
//! or a call into user code (a callback may call `my.*` again).

use std::cell::RefCell;

use crate::config::{Config, ConfigPatch};

// The call-log hook lives with the adapter (each wasm module has its own).
pub use crate::logger::set_logger;

#[derive(Default)]
struct Runtime {
    config: Config,
}

thread_local! {
    static RUNTIME: RefCell<Runtime> = RefCell::new(Runtime::default());
}

/// Runs `f` with the current configuration.
pub fn with_config<R>(f: impl FnOnce(&Config) -> R) -> R {
    RUNTIME.with(|rt| f(&rt.borrow().config))
}

/// Merges `patch` into the configuration.
pub fn apply(patch: ConfigPatch) -> Result<(), String> {
    RUNTIME.with(|rt| rt.borrow_mut().config.apply(patch))
}
