//! The relay's origin mapping (`--map-origin https://api.example.com=http://127.0.0.1:8001`): a
//! mini program whose code names its production HTTPS API runs unchanged against a local
//! server, as a developer otherwise arranges with a hosts file or a proxy. The mapping is the
//! super app's setting (a flag or the environment, read once at start), never the page's or
//! the request's: the relay checks the URL the mini program wrote against its whitelist, then
//! forwards a request to a mapped origin to the target, keeping path and query. Only that exact
//! origin (scheme, host, port) is mapped; the target is not whitelisted by being a target.

use reqwest::Url;

/// One `from=to` pair: both origins, written `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginMapping {
    /// The origin the mini program names (`https`, host, port).
    pub from: Origin,
    /// Where the relay sends it (`http`: the relay speaks no TLS).
    pub to: Origin,
}

/// A scheme, a canonical host and a port (the scheme's default when the text had none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// The origin of `url` (`None` for a URL with no host or port).
    pub fn of(url: &Url) -> Option<Origin> {
        Some(Origin {
            scheme: url.scheme().to_string(),
            host: url.host_str()?.to_string(),
            port: url.port_or_known_default()?,
        })
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let default = match self.scheme.as_str() {
            "https" => 443,
            _ => 80,
        };
        if self.port == default {
            write!(f, "{}://{}", self.scheme, self.host)
        } else {
            write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

impl std::fmt::Display for OriginMapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.from, self.to)
    }
}

/// One side of a mapping: an `http(s)` origin and nothing else (no user, path, query or
/// fragment), its host written as it is meant (lowercase, no trailing dot).
fn parse_origin(side: &str, text: &str) -> Result<Origin, String> {
    let url = Url::parse(text).map_err(|e| {
        format!("{side} {text:?} is not an origin like https://api.example.com: {e}")
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("{side} {text:?}: the scheme must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{side} {text:?}: no user:password@"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{side} {text:?}: an origin only (scheme://host[:port]), no path, query or fragment"
        ));
    }
    let origin = Origin::of(&url).ok_or_else(|| format!("{side} {text:?}: no host"))?;
    if origin.host.ends_with('.') {
        return Err(format!("{side} {text:?}: the host ends with a dot"));
    }
    let written = text.trim_end_matches('/');
    let head = written.split_once("://").map_or("", |(_, rest)| rest);
    let host_written = match head.strip_prefix('[') {
        Some(_) => head.split_once(']').map_or(head, |(h, _)| h).to_string() + "]",
        None => head.split(':').next().unwrap_or_default().to_string(),
    };
    if host_written.to_ascii_lowercase() != origin.host {
        return Err(format!(
            "{side} {text:?}: write the host as {:?} (what it means)",
            origin.host
        ));
    }
    Ok(origin)
}

/// `from=to`: `from` an `http(s)` origin the mini program names, `to` an `http` origin (the
/// relay has no TLS). The same origin on both sides is refused (nothing to map).
pub fn parse_origin_mapping(s: &str) -> Result<OriginMapping, String> {
    let (from, to) = s.trim().split_once('=').ok_or_else(|| {
        format!("{s:?} is not a mapping like https://api.example.com=http://127.0.0.1:8001")
    })?;
    let from = parse_origin("the mapped origin", from.trim())?;
    let to = parse_origin("the target", to.trim())?;
    if to.scheme != "http" {
        return Err(format!(
            "the target {to}: must be http:// (the relay speaks no TLS to the target)"
        ));
    }
    if from == to {
        return Err(format!("{from} is mapped to itself"));
    }
    Ok(OriginMapping { from, to })
}

/// Every `--map-origin`: one target per mapped origin (the last one given wins a repeat).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginMap(Vec<OriginMapping>);

impl OriginMap {
    pub fn new(list: &[OriginMapping]) -> OriginMap {
        let mut map: Vec<OriginMapping> = Vec::new();
        for m in list {
            map.retain(|old| old.from != m.from);
            map.push(m.clone());
        }
        OriginMap(map)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn mappings(&self) -> &[OriginMapping] {
        &self.0
    }

    /// Where the relay sends `url`: the target with `url`'s path and query when `url`'s origin
    /// is mapped, else `None` (sent as written).
    pub fn target(&self, url: &Url) -> Option<Url> {
        let origin = Origin::of(url)?;
        let m = self.0.iter().find(|m| m.from == origin)?;
        let mut out = Url::parse(&format!("{}/", m.to)).ok()?;
        out.set_path(url.path());
        out.set_query(url.query());
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("a URL")
    }

    fn map(list: &[&str]) -> OriginMap {
        let list: Vec<OriginMapping> = list
            .iter()
            .map(|s| parse_origin_mapping(s).expect("a mapping"))
            .collect();
        OriginMap::new(&list)
    }

    #[test]
    fn parses_origins_and_refuses_anything_else() {
        let m = parse_origin_mapping("https://api.example.com=http://127.0.0.1:8001").unwrap();
        assert_eq!(
            m.to_string(),
            "https://api.example.com=http://127.0.0.1:8001"
        );
        assert_eq!(m.from.port, 443);
        let m =
            parse_origin_mapping(" https://api.example.com:8443/ = http://localhost:80/ ").unwrap();
        assert_eq!(
            m.to_string(),
            "https://api.example.com:8443=http://localhost"
        );
        // Host names are case-insensitive: the same origin.
        let m = parse_origin_mapping("https://API.Example.com=http://127.0.0.1:1").unwrap();
        assert_eq!(m.from.host, "api.example.com");
        for (bad, names) in [
            ("https://api.example.com", "not a mapping"),
            ("api.example.com=http://127.0.0.1:1", "the mapped origin"),
            ("https://api.example.com/v1=http://127.0.0.1:1", "no path"),
            ("https://api.example.com?x=1=http://127.0.0.1:1", "no path"),
            ("https://u:p@api.example.com=http://127.0.0.1:1", "user"),
            ("https://api.example.com.=http://127.0.0.1:1", "dot"),
            ("ftp://api.example.com=http://127.0.0.1:1", "scheme"),
            (
                "https://api.example.com=https://127.0.0.1:1",
                "must be http://",
            ),
            ("https://api.example.com=http://127.0.0.1:1/api", "no path"),
            ("https://api.example.com=http://0x7f.1:1", "write the host"),
            ("http://127.0.0.1:1=http://127.0.0.1:1", "itself"),
        ] {
            let e = parse_origin_mapping(bad).unwrap_err();
            assert!(e.contains(names), "{bad}: {e}");
        }
    }

    #[test]
    fn only_the_exact_origin_is_mapped_keeping_path_and_query() {
        let m = map(&["https://api.example.com=http://127.0.0.1:8001"]);
        assert_eq!(
            m.target(&url("https://api.example.com/api/x?a=1&b=%20#f"))
                .map(String::from),
            Some("http://127.0.0.1:8001/api/x?a=1&b=%20".to_string())
        );
        assert_eq!(
            m.target(&url("https://api.example.com:443/"))
                .map(String::from),
            Some("http://127.0.0.1:8001/".to_string())
        );
        for other in [
            "http://api.example.com/",
            "https://api.example.com:8443/",
            "https://x.api.example.com/",
            "https://api.example.com.evil/",
            "https://example.com/",
            "http://127.0.0.1:8001/",
        ] {
            assert_eq!(m.target(&url(other)), None, "{other}");
        }
    }

    #[test]
    fn a_repeated_origin_takes_the_last_target() {
        let m = map(&[
            "https://a.example=http://127.0.0.1:1",
            "https://b.example=http://127.0.0.1:2",
            "https://a.example=http://127.0.0.1:3",
        ]);
        assert_eq!(m.mappings().len(), 2);
        assert_eq!(
            m.target(&url("https://a.example/x")).map(String::from),
            Some("http://127.0.0.1:3/x".to_string())
        );
        assert!(OriginMap::default().is_empty());
    }
}
