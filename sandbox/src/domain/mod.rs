//! The rules of the wallet as plain data and functions: amounts, the payment state machine and
//! its magic amounts, notification bodies and retry schedules, identity (scopes, codes, user
//! info), the automation switches, time and ids. Depends on nothing else in the crate
//! (DESIGN.md "Layers").

pub mod amount;
pub mod auth_setting;
pub mod automation;
pub mod clock;
pub mod host;
pub mod identity;
pub mod ids;
pub mod notification;
pub mod origin_map;
pub mod payment;
pub mod profile;
pub mod trade;
