//! ACSS → CSS.
