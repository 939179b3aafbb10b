//! The request-domain whitelist: what an entry may say, and which URLs it lets through.
//!
//! ```text
//! entry    = "*" | [scheme "://"] pattern [":" port] ["/"]
//! scheme   = "http" | "https"                 (any case)
//! pattern  = host | "*." name                 (host: name, 1.2.3.4 or [v6]; any case)
//! port     = 1..65535, digits only, no leading zero
//! ```
//!
//! - no port: the scheme's default port only (80 for http, 443 for https), as WeChat's
//!   request domains and the sandbox relay have it; `host:port`: that port only;
//! - a scheme restricts the entry to it; without one, http and https both match;
//! - `*.example.com`: every name under `example.com` (any depth), not `example.com` itself;
//! - `*`: every URL (the "do not check domains" switch of the platforms' developer tools);
//! - hosts compare case-insensitively, IPv6 addresses as addresses; no trailing dot, no
//!   path, query or credentials in an entry.

use std::fmt;

use crate::host::{Host, HostError};
use crate::text::Quoted;

/// Longest entry accepted.
const MAX_ENTRY: usize = 512;

/// The scheme of a request URL or of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `http:`.
    Http,
    /// `https:`.
    Https,
}

impl Scheme {
    /// `http` or `https` in any case.
    pub fn parse(text: &str) -> Option<Scheme> {
        if text.eq_ignore_ascii_case("https") {
            Some(Scheme::Https)
        } else if text.eq_ignore_ascii_case("http") {
            Some(Scheme::Http)
        } else {
            None
        }
    }

    /// 80 or 443.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// Where a request goes: what the whitelist decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// The host.
    pub host: Host,
    /// The port as written, if the URL writes one.
    pub port: Option<u16>,
}

/// Why a request URL cannot be read (the shim's error 2 on `url`, the relay's `bad_request`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlError {
    /// No `scheme://`.
    NotAbsolute,
    /// A scheme other than http or https.
    Scheme,
    /// `user@host`: fetch refuses it, and the relay forwards none.
    Credentials,
    /// A port that is not 1 to 5 digits up to 65535, or is zero-padded.
    Port,
    /// The host cannot be read.
    Host(HostError),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::NotAbsolute => f.write_str("must be an absolute http(s) URL"),
            UrlError::Scheme => f.write_str("only http and https URLs are supported"),
            UrlError::Credentials => f.write_str("must not carry credentials (user@host)"),
            UrlError::Port => f.write_str(
                "has a port that is not one number from 0 to 65535 without leading zeros",
            ),
            UrlError::Host(e) => e.fmt(f),
        }
    }
}

/// Reads `digits` as a port: 1 to 5 digits, no leading zero (except `0` itself).
fn read_port(digits: &str) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.bytes().try_fold(0u16, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u16::from(digit))
    })
}

/// Splits `host[:port]` (IPv6 in brackets) into its host text and port text.
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        if let Some(end) = authority.find(']') {
            let (host, rest) = authority.split_at(end + 1);
            return match rest.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None if rest.is_empty() => (host, None),
                // `[::1]x`: the host check refuses the whole text.
                None => (authority, None),
            };
        }
        return (authority, None);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

impl Origin {
    /// Reads the scheme, host and port of an absolute `http(s)` URL (surrounding whitespace
    /// ignored). What follows the authority (path, query, fragment) is not looked at.
    pub fn parse_url(url: &str) -> Result<Origin, UrlError> {
        let url = url.trim();
        let (scheme, rest) = url.split_once("://").ok_or(UrlError::NotAbsolute)?;
        let scheme = Scheme::parse(scheme).ok_or(if scheme.contains(['/', '?', '#']) {
            UrlError::NotAbsolute
        } else {
            UrlError::Scheme
        })?;
        let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(UrlError::Credentials);
        }
        let (host, port) = split_host_port(authority);
        let port = match port {
            None | Some("") => None, // `host:` is the default port, as browsers read it
            Some(digits) => Some(read_port(digits).ok_or(UrlError::Port)?),
        };
        let host = Host::parse_in_url(host).map_err(UrlError::Host)?;
        Ok(Origin { scheme, host, port })
    }

    /// An origin from parts another URL parser already split (the relay's `reqwest::Url`):
    /// `scheme`, `host` as that parser serializes it (IPv6 in brackets), the explicit port.
    pub fn from_parts(scheme: &str, host: &str, port: Option<u16>) -> Result<Origin, UrlError> {
        Ok(Origin {
            scheme: Scheme::parse(scheme).ok_or(UrlError::Scheme)?,
            host: Host::parse_in_url(host).map_err(UrlError::Host)?,
            port,
        })
    }

    /// The port the request really uses (the one written, or the scheme's default).
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(self.scheme.default_port())
    }

    /// `host[:port]`, the port only when the URL writes one: how refusals name the domain.
    pub fn domain(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.to_string(),
        }
    }
}

/// Which hosts an entry covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// `*`: every host, port and scheme.
    Any,
    /// One host.
    Exact(Host),
    /// `*.name`: every name under `name` (lower case, without the `*.`).
    Subdomains(String),
}

/// One parsed whitelist entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhitelistEntry {
    /// The scheme the entry is limited to (`None`: both).
    pub scheme: Option<Scheme>,
    /// The hosts.
    pub hosts: HostPattern,
    /// The port (`None`: the scheme's default port).
    pub port: Option<u16>,
}

/// What is wrong with a whitelist entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProblem {
    /// Empty (or only spaces).
    Empty,
    /// Over 512 characters.
    TooLong,
    /// `ftp://`, `wss://`, ...
    Scheme,
    /// A path, query or fragment after the domain (`example.com/api`).
    Path,
    /// `user@host`.
    Credentials,
    /// `host:` with no number, a zero-padded port, or one over 65535.
    Port,
    /// `*` combined with a scheme or port, `*` inside a name, or `*.` before an address or a
    /// single label.
    Wildcard,
    /// The host cannot be read.
    Host(HostError),
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryProblem::Empty => f.write_str("it is empty"),
            EntryProblem::TooLong => f.write_str("it is longer than 512 characters"),
            EntryProblem::Scheme => f.write_str("the scheme can only be http:// or https://"),
            EntryProblem::Path => {
                f.write_str("an entry is a domain: no path, query or fragment after it")
            }
            EntryProblem::Credentials => f.write_str("it carries credentials (user@host)"),
            EntryProblem::Port => f.write_str("the port is not a number from 1 to 65535 without leading zeros"),
            EntryProblem::Wildcard => f.write_str(
                "a wildcard is either `*` alone or `*.` before a name with at least two labels (`*.example.com`)",
            ),
            EntryProblem::Host(e) => e.fmt(f),
        }
    }
}

/// A whitelist entry that cannot be read: names the entry and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// The entry as given.
    pub entry: String,
    /// What is wrong.
    pub problem: EntryProblem,
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "whitelist entry {} is not [http(s)://]host[:port]: {}",
            Quoted(&self.entry),
            self.problem
        )
    }
}

impl std::error::Error for EntryError {}

impl WhitelistEntry {
    /// Reads one entry (grammar in the module docs); surrounding whitespace is ignored.
    pub fn parse(entry: &str) -> Result<WhitelistEntry, EntryError> {
        WhitelistEntry::read(entry).map_err(|problem| EntryError {
            entry: entry.to_owned(),
            problem,
        })
    }

    fn read(entry: &str) -> Result<WhitelistEntry, EntryProblem> {
        let text = entry.trim();
        if text.is_empty() {
            return Err(EntryProblem::Empty);
        }
        if text.len() > MAX_ENTRY {
            return Err(EntryProblem::TooLong);
        }
        if text == "*" {
            return Ok(WhitelistEntry {
                scheme: None,
                hosts: HostPattern::Any,
                port: None,
            });
        }
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => (
                Some(Scheme::parse(scheme).ok_or(EntryProblem::Scheme)?),
                rest,
            ),
            None => (None, text),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#', '\\']) {
            return Err(EntryProblem::Path);
        }
        if authority.contains('@') {
            return Err(EntryProblem::Credentials);
        }
        let (host, port) = split_host_port(authority);
        let port = match port {
            None => None,
            Some(digits) => Some(
                read_port(digits)
                    .filter(|p| *p != 0)
                    .ok_or(EntryProblem::Port)?,
            ),
        };
        let hosts = match host.strip_prefix("*.") {
            _ if host == "*" => return Err(EntryProblem::Wildcard),
            Some(name) if !name.contains('*') => match Host::parse(name) {
                Ok(Host::Domain(name)) if name.contains('.') => HostPattern::Subdomains(name),
                Ok(_) => return Err(EntryProblem::Wildcard),
                Err(e) => return Err(EntryProblem::Host(e)),
            },
            _ if host.contains('*') => return Err(EntryProblem::Wildcard),
            _ => HostPattern::Exact(Host::parse(host).map_err(EntryProblem::Host)?),
        };
        Ok(WhitelistEntry {
            scheme,
            hosts,
            port,
        })
    }

    /// Whether a request to `origin` is let through by this entry.
    pub fn matches(&self, origin: &Origin) -> bool {
        let host_ok = match &self.hosts {
            HostPattern::Any => return true,
            HostPattern::Exact(host) => *host == origin.host,
            HostPattern::Subdomains(parent) => match &origin.host {
                Host::Domain(name) => name
                    .strip_suffix(parent.as_str())
                    .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
                _ => false,
            },
        };
        let scheme_ok = self.scheme.is_none_or(|s| s == origin.scheme);
        let port_ok = origin.effective_port() == self.port.unwrap_or(origin.scheme.default_port());
        host_ok && scheme_ok && port_ok
    }
}

impl fmt::Display for WhitelistEntry {
    /// The canonical spelling: lower case, no surrounding spaces, no trailing `/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(scheme) = self.scheme {
            write!(f, "{}://", scheme.as_str())?;
        }
        match &self.hosts {
            HostPattern::Any => f.write_str("*")?,
            HostPattern::Exact(host) => write!(f, "{host}")?,
            HostPattern::Subdomains(name) => write!(f, "*.{name}")?,
        }
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// A mini program's whitelist. **Empty allows nothing**, as on a device where the super app
/// has no domain registered for the app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Whitelist {
    entries: Vec<WhitelistEntry>,
}

impl Whitelist {
    /// Reads every entry; the first that cannot be read is the error.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Whitelist, EntryError> {
        entries
            .iter()
            .map(|e| WhitelistEntry::parse(e.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(|entries| Whitelist { entries })
    }

    /// The entries that can be read, skipping the others: for a list stored under older
    /// rules, where an unreadable entry must let nothing through rather than fail the lookup.
    pub fn parse_readable<S: AsRef<str>>(entries: &[S]) -> Whitelist {
        Whitelist {
            entries: entries
                .iter()
                .filter_map(|e| WhitelistEntry::parse(e.as_ref()).ok())
                .collect(),
        }
    }

    /// The parsed entries, in order.
    pub fn entries(&self) -> &[WhitelistEntry] {
        &self.entries
    }

    /// Whether some entry lets a request to `origin` through.
    pub fn allows(&self, origin: &Origin) -> bool {
        self.entries.iter().any(|e| e.matches(origin))
    }

    /// Whether the absolute URL `url` may be requested; `Err` when it cannot be read.
    pub fn allows_url(&self, url: &str) -> Result<bool, UrlError> {
        Origin::parse_url(url).map(|origin| self.allows(&origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_from_parts_read_hosts_as_urls_do() {
        let origin = Origin::from_parts("http", "[::1]", Some(8791)).expect("origin");
        assert_eq!(origin.domain(), "[::1]:8791");
        assert_eq!(
            Origin::from_parts("ws", "a.example", None),
            Err(UrlError::Scheme)
        );
        assert_eq!(
            Origin::from_parts("https", "", None),
            Err(UrlError::Host(HostError::Empty))
        );
    }

    #[test]
    fn a_stored_list_lets_its_readable_entries_through_and_nothing_else() {
        let list = Whitelist::parse_readable(&["example.com/old", "127.0.0.1:8791", "*.com"]);
        assert_eq!(list.entries().len(), 1);
        assert_eq!(list.allows_url("http://127.0.0.1:8791/"), Ok(true));
        assert_eq!(list.allows_url("https://example.com/"), Ok(false));
    }
}
