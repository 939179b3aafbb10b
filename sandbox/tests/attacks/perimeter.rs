//! The HTTP perimeter: Host header, connections, methods, query strings, header sizes, unauthenticated floods.

#[allow(unused_imports)]
use super::common;
