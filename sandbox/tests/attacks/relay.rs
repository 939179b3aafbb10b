//! The relay: who may use it, the whitelist, memory under large answers.

#[allow(unused_imports)]
use super::common;
