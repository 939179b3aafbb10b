//! The attack suite (`make attack`, and part of `make test`): the sandbox attacked as a hostile
//! web page, a hostile merchant server and a flood would attack it. Each test is an attack that
//! succeeded before its fix; docs/security.md names the property each one guards.

#[path = "../common/mod.rs"]
mod common;

mod automation;
mod money;
mod notifications;
mod perimeter;
mod relay;
mod signing;
