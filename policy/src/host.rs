//! Host names and IP literals, as whitelist entries and request URLs write them.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest host name accepted (DNS allows 253 characters).
const MAX_NAME: usize = 253;
/// Longest label of a host name.
const MAX_LABEL: usize = 63;

/// A request host: a domain name, an IPv4 address or an IPv6 address.
///
/// Two hosts are equal when they name the same thing: names compare in lower case, and IPv6
/// addresses compare as addresses (`[::1]` is `[0:0:0:0:0:0:0:1]`).
#[derive(Debug, Clone, Eq)]
pub enum Host {
    /// A DNS name in lower-case ASCII (internationalized names in their `xn--` form). Only a
    /// URL's host may end with a dot (`example.com.`); such a name matches no entry.
    Domain(String),
    /// A dotted-quad IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address (written in brackets).
    Ipv6 {
        /// The address.
        address: Ipv6Addr,
        /// As written, in lower case, without the brackets (what [`Host`]'s `Display` shows:
        /// printing it anew would cost the shim's wasm an IPv6 formatter).
        written: String,
    },
}

impl PartialEq for Host {
    fn eq(&self, other: &Host) -> bool {
        match (self, other) {
            (Host::Domain(a), Host::Domain(b)) => a == b,
            (Host::Ipv4(a), Host::Ipv4(b)) => a == b,
            (Host::Ipv6 { address: a, .. }, Host::Ipv6 { address: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// Why a host cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostError {
    /// Nothing where the host should be.
    Empty,
    /// Longer than 253 characters, or a label over 63.
    TooLong,
    /// Characters outside ASCII: browsers send the `xn--` form, so write that.
    NotAscii,
    /// `%`-escapes, spaces or other characters a host name cannot hold.
    BadCharacter,
    /// An empty label (`a..b`, `.a`).
    EmptyLabel,
    /// A name that ends with a dot (entries only).
    TrailingDot,
    /// Numeric, but not a dotted quad (`127.1`, `0x7f.0.0.1`, `010.0.0.1`): browsers read
    /// these as another address than the text shows.
    NonCanonicalIpv4,
    /// `[...]` that is not an IPv6 address, or an IPv6 address without brackets.
    BadIpv6,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostError::Empty => "the host is empty",
            HostError::TooLong => "the host is longer than 253 characters or has a label over 63",
            HostError::NotAscii => {
                "the host is not ASCII: write an internationalized name in its xn-- form"
            }
            HostError::BadCharacter => {
                "the host has a character a host name cannot hold (letters, digits, '-', '_' and '.' only)"
            }
            HostError::EmptyLabel => "the host has an empty label (two dots in a row, or a leading dot)",
            HostError::TrailingDot => "the host ends with a dot: write the name without it",
            HostError::NonCanonicalIpv4 => {
                "the host is numeric but not a dotted-quad IPv4 address like 127.0.0.1"
            }
            HostError::BadIpv6 => "the host is not an IPv6 address in brackets like [::1]",
        })
    }
}

impl Host {
    /// Reads a host as a whitelist entry writes it: a name, a dotted-quad IPv4 address or an
    /// IPv6 address in brackets; case-insensitive; no trailing dot.
    pub fn parse(text: &str) -> Result<Host, HostError> {
        Host::read(text, false)
    }

    /// Reads a host as a request URL writes it: as [`Host::parse`], and a name may end with a
    /// dot (it is kept, and matches no entry).
    pub fn parse_in_url(text: &str) -> Result<Host, HostError> {
        Host::read(text, true)
    }

    fn read(text: &str, trailing_dot_ok: bool) -> Result<Host, HostError> {
        if text.is_empty() {
            return Err(HostError::Empty);
        }
        if !text.is_ascii() {
            return Err(HostError::NotAscii);
        }
        if let Some(inner) = text.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or(HostError::BadIpv6)?;
            return parse_ipv6(inner)
                .map(|segments| Host::Ipv6 {
                    address: Ipv6Addr::from(segments),
                    written: inner.to_ascii_lowercase(),
                })
                .ok_or(HostError::BadIpv6);
        }
        if text.contains(':') {
            return Err(HostError::BadIpv6);
        }
        let name = text.to_ascii_lowercase();
        let (body, dotted) = match name.strip_suffix('.') {
            Some(body) if trailing_dot_ok => (body, true),
            Some(_) => return Err(HostError::TrailingDot),
            None => (name.as_str(), false),
        };
        if body.len() > MAX_NAME {
            return Err(HostError::TooLong);
        }
        let mut last = "";
        for label in body.split('.') {
            if label.is_empty() {
                return Err(HostError::EmptyLabel);
            }
            if label.len() > MAX_LABEL {
                return Err(HostError::TooLong);
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(HostError::BadCharacter);
            }
            last = label;
        }
        // As browsers do (the URL standard's "ends in a number"): a name whose last label is
        // numeric is an IPv4 address, and only the dotted quad says plainly which one.
        let numeric = last.bytes().all(|b| b.is_ascii_digit())
            || (last.starts_with("0x") && last[2..].bytes().all(|b| b.is_ascii_hexdigit()));
        if numeric {
            if dotted {
                return Err(HostError::NonCanonicalIpv4);
            }
            return parse_dotted_quad(body)
                .map(|octets| Host::Ipv4(Ipv4Addr::from(octets)))
                .ok_or(HostError::NonCanonicalIpv4);
        }
        Ok(Host::Domain(name))
    }

    /// `localhost`, a name under `.localhost`, `127.0.0.0/8` or `[::1]`: this machine.
    pub fn is_loopback(&self) -> bool {
        match self {
            Host::Domain(name) => {
                let name = name.strip_suffix('.').unwrap_or(name);
                name == "localhost" || name.ends_with(".localhost")
            }
            Host::Ipv4(ip) => ip.is_loopback(),
            Host::Ipv6 { address, .. } => address.is_loopback(),
        }
    }
}

impl fmt::Display for Host {
    /// The host as URLs write it: the name, the dotted quad, or the IPv6 address in brackets
    /// as written (lower case).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(name) => f.write_str(name),
            Host::Ipv4(ip) => {
                let [a, b, c, d] = ip.octets();
                write!(f, "{a}.{b}.{c}.{d}")
            }
            Host::Ipv6 { written, .. } => write!(f, "[{written}]"),
        }
    }
}

// The address parsers and printer are written here rather than taken from `std::net`, whose
// general ones would add several KB to the shim's wasm for what these few lines do.

/// `a.b.c.d`, each 0..=255 in decimal without leading zeros: the only IPv4 spelling accepted.
fn parse_dotted_quad(text: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        let plain = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'));
        *octet = if plain {
            part.parse().ok()?
        } else {
            return None;
        };
    }
    parts.next().is_none().then_some(octets)
}

/// The eight groups of an IPv6 address: up to 8 groups of 1 to 4 hex digits, one `::` for a
/// run of zero groups, and an IPv4 address in place of the last two groups.
fn parse_ipv6(text: &str) -> Option<[u16; 8]> {
    fn groups(text: &str, ipv4_last: bool) -> Option<Vec<u16>> {
        let mut out = Vec::new();
        if text.is_empty() {
            return Some(out);
        }
        let parts: Vec<&str> = text.split(':').collect();
        for (i, part) in parts.iter().enumerate() {
            if ipv4_last && i + 1 == parts.len() && part.contains('.') {
                let [a, b, c, d] = parse_dotted_quad(part)?;
                out.push(u16::from_be_bytes([a, b]));
                out.push(u16::from_be_bytes([c, d]));
            } else if (1..=4).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.push(u16::from_str_radix(part, 16).ok()?);
            } else {
                return None;
            }
        }
        Some(out)
    }
    let mut segments = [0u16; 8];
    match text.split_once("::") {
        None => {
            let all = groups(text, true)?;
            (all.len() == 8).then(|| segments.copy_from_slice(&all))?;
        }
        Some((head, tail)) => {
            let head = groups(head, false)?;
            let tail = groups(tail, true)?;
            if head.len() + tail.len() > 7 {
                return None;
            }
            segments[..head.len()].copy_from_slice(&head);
            segments[8 - tail.len()..].copy_from_slice(&tail);
        }
    }
    Some(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_addresses_case_insensitively() {
        let cases: &[(&str, &str)] = &[
            ("API.Example.COM", "api.example.com"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("my_host-1.local", "my_host-1.local"),
            ("127.0.0.1", "127.0.0.1"),
            ("[::1]", "[::1]"),
            ("[0:0:0:0:0:0:0:1]", "[0:0:0:0:0:0:0:1]"),
            ("[2001:DB8::1]", "[2001:db8::1]"),
            ("localhost", "localhost"),
        ];
        for (text, shown) in cases {
            let host = Host::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(host.to_string(), *shown, "{text}");
        }
        assert_eq!(Host::parse("[::1]"), Host::parse("[0::1]"));
    }

    #[test]
    fn refuses_what_could_mean_another_host_naming_the_problem() {
        let cases: &[(&str, HostError)] = &[
            ("", HostError::Empty),
            ("bücher.example", HostError::NotAscii),
            ("exa%6Dple.com", HostError::BadCharacter),
            ("a b", HostError::BadCharacter),
            ("a..b", HostError::EmptyLabel),
            (".a", HostError::EmptyLabel),
            ("example.com.", HostError::TrailingDot),
            ("127.1", HostError::NonCanonicalIpv4),
            ("0x7f.0.0.1", HostError::NonCanonicalIpv4),
            ("010.0.0.1", HostError::NonCanonicalIpv4),
            ("256.0.0.1", HostError::NonCanonicalIpv4),
            ("1.2.3.4.5", HostError::NonCanonicalIpv4),
            ("example.123", HostError::NonCanonicalIpv4),
            ("::1", HostError::BadIpv6),
            ("[::1", HostError::BadIpv6),
            ("[nope]", HostError::BadIpv6),
        ];
        for (text, problem) in cases {
            assert_eq!(Host::parse(text), Err(*problem), "{text}");
        }
        let long = format!("{}.com", "a".repeat(64));
        assert_eq!(Host::parse(&long), Err(HostError::TooLong));
        let longer = ["abcdefghij"; 26].join(".");
        assert_eq!(Host::parse(&longer), Err(HostError::TooLong));
    }

    #[test]
    fn ipv6_reads_as_std_does() {
        for text in [
            "::",
            "::1",
            "1::",
            "2001:db8::1",
            "2001:DB8:0:0:0:0:0:1",
            "1:2:3:4:5:6:7:8",
            "1:0:0:2:0:0:0:3",
            "0:0:1:0:0:1:0:0",
            "::ffff:127.0.0.1",
            "fe80::1:2",
            "1::2:3:4:5:6:7",
        ] {
            let ours = parse_ipv6(text).map(Ipv6Addr::from);
            assert_eq!(ours, text.parse::<Ipv6Addr>().ok(), "{text}");
        }
        for bad in [
            "",
            ":",
            ":::",
            "1:::2",
            "1::2::3",
            "12345::",
            "g::",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7::8",
            "::1.2.3",
            "1.2.3.4::",
            "::01.2.3.4",
            ":1::",
            "1::2:",
        ] {
            assert_eq!(parse_ipv6(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_url_host_may_end_with_a_dot_and_keeps_it() {
        assert_eq!(
            Host::parse_in_url("Example.com."),
            Ok(Host::Domain("example.com.".into()))
        );
        assert_eq!(
            Host::parse_in_url("127.0.0.1."),
            Err(HostError::NonCanonicalIpv4)
        );
    }

    #[test]
    fn loopback_is_localhost_127_slash_8_and_ipv6_one() {
        for (text, loopback) in [
            ("localhost", true),
            ("app.localhost", true),
            ("127.0.0.1", true),
            ("127.1.2.3", true),
            ("[::1]", true),
            ("localhost.example", false),
            ("127.0.0.1.evil.example", false),
            ("10.0.0.1", false),
            ("[::2]", false),
        ] {
            let host = Host::parse(text).expect(text);
            assert_eq!(host.is_loopback(), loopback, "{text}");
        }
    }
}
