//! Automation switches (autopay, autoconsent) and the embedder of the cashier and consent pages.

#[allow(unused_imports)]
use super::common;
