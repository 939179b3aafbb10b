//! The benchmark examples' command line: `--name value` pairs and bare switches, each number
//! clamped to a range the machine can run (a bad number keeps the default, with a note).

use std::str::FromStr;

/// The command line after the program name: the bare `switches` it holds, and the
/// `--name value` pairs that remain.
pub fn command_line(switches: &[&str]) -> (Vec<String>, Vec<(String, String)>) {
    let (found, rest): (Vec<String>, Vec<String>) = std::env::args()
        .skip(1)
        .partition(|a| switches.contains(&a.as_str()));
    let pairs = rest
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or_default()))
        .collect();
    (found, pairs)
}

/// `value` as a number within `lo..=hi`, or `current` when it is not a number.
pub fn number<T: FromStr + Ord>(value: &str, current: T, lo: T, hi: T) -> T {
    value.parse().unwrap_or(current).clamp(lo, hi)
}
