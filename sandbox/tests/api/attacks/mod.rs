//! The attack suite (`make attack` runs `cargo test -p superapp-sandbox --test api attacks::`; part of `make test`): the sandbox attacked as a hostile
//! web page, a hostile merchant server and a flood would attack it. Each test is an attack that
//! succeeded before its fix; docs/security.md names the property each one guards.

mod automation;
mod money;
mod notifications;
mod perimeter;
mod relay;
mod settings;
mod signing;
mod trades;
