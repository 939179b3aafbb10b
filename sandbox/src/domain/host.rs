//! Host names as the command line and the `Host` header give them: `host[:port]`, lower case,
//! IPv6 in brackets. Used by the configuration (`--allowed-host`), the perimeter and the relay.

/// The loopback names a local listener always answers to (with its own port).
pub const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// A host name the sandbox answers to: `--allowed-host` or a built-in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedHost {
    /// `*`: any `Host` (no DNS rebinding protection; for a proxy that rewrites `Host`).
    Any,
    /// A host name or IP literal (lower case, IPv6 in brackets), on one port or any port.
    Name {
        /// `example.lan`, `10.0.0.5`, `[::1]`.
        host: String,
        /// `None`: any port.
        port: Option<u16>,
    },
}

impl AllowedHost {
    /// Whether `host` on `port` is this name.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        match self {
            AllowedHost::Any => true,
            AllowedHost::Name { host: h, port: p } => h == host && p.is_none_or(|p| p == port),
        }
    }
}

impl std::fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AllowedHost::Any => f.write_str("*"),
            AllowedHost::Name { host, port: None } => write!(f, "{host}"),
            AllowedHost::Name {
                host,
                port: Some(p),
            } => write!(f, "{host}:{p}"),
        }
    }
}

/// Parses an `--allowed-host` value: `*`, `host` (any port) or `host:port`.
pub fn parse_allowed_host(s: &str) -> Result<AllowedHost, String> {
    let s = s.trim();
    if s == "*" {
        return Ok(AllowedHost::Any);
    }
    split_authority(s)
        .map(|(host, port)| AllowedHost::Name { host, port })
        .ok_or_else(|| {
            format!("{s:?} is not a host name like sandbox.lan, sandbox.lan:8700, 10.0.0.5 or [::1]:8700")
        })
}

/// Splits `host[:port]` into a lower-case host and a port. `None` for anything else: userinfo,
/// paths, empty hosts, characters no host name has, a bad port.
pub fn split_authority(s: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']')?;
        let inner = &rest[..end];
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return None;
        }
        (
            format!("[{}]", inner.to_ascii_lowercase()),
            &rest[end + 1..],
        )
    } else {
        let (host, port) = match s.find(':') {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        };
        let name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_';
        if host.is_empty() || !host.bytes().all(name_byte) {
            return None;
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        "" => None,
        p => {
            let digits = p.strip_prefix(':')?;
            if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            Some(digits.parse::<u16>().ok()?)
        }
    };
    Some((host, port))
}
