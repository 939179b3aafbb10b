//! Money: balance arithmetic bounds, and who may be named as the buyer.

#[allow(unused_imports)]
use super::common;
