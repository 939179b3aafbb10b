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

/// The configuration with `patch` merged, not applied yet (see [`replace`]).
pub fn applied(patch: ConfigPatch) -> Result<Config, String> {
    RUNTIME.with(|rt| {
        let mut next = rt.borrow().config.clone();
        next.apply(patch).map(|()| next)
    })
}

/// Makes `config` the configuration.
pub fn replace(config: Config) {
    RUNTIME.with(|rt| rt.borrow_mut().config = config);
}
