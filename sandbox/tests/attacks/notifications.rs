//! The notification dispatcher against hostile merchant endpoints.

#[allow(unused_imports)]
use super::common;
