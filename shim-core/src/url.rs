//! Just enough URL parsing for `my.request`: scheme, authority and the domain whitelist.
//!
//! The `url` crate would cost tens of KB of IDNA tables in the wasm; the browser's `fetch`
//! does the full parsing later, the shim only needs to know *where* a request goes. How a
//! URL's scheme, host and port are read, and what a whitelist entry lets through, are
//! `miniprogram-policy`'s (the sandbox's relay uses the same crate): docs/protocol.md §3
//! "The domain whitelist".

use miniprogram_policy::Origin;
pub use miniprogram_policy::{Host, Scheme};

use crate::encoding::Quoted;
use crate::error::ApiError;

/// An absolute `http(s)` URL split where the whitelist needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUrl {
    /// Scheme, host (lower case; IPv6 as an address) and the port as written.
    pub origin: Origin,
    /// The URL as given (trimmed), for `fetch`.
    pub href: String,
}

impl RequestUrl {
    /// Parses an absolute `http://` or `https://` URL; anything else is error 2 on `url`.
    pub fn parse(input: &str) -> Result<Self, ApiError> {
        let href = input.trim();
        let origin = Origin::parse_url(href)
            .map_err(|reason| ApiError::invalid("url", format!("{reason}: {}", Quoted(href))))?;
        Ok(RequestUrl {
            origin,
            href: href.to_owned(),
        })
    }

    /// `host[:port]` as the whitelist and error messages show it.
    pub fn domain(&self) -> String {
        self.origin.domain()
    }

    /// The port the request really uses (explicit, or the scheme's default).
    pub fn effective_port(&self) -> u16 {
        self.origin.effective_port()
    }

    /// `localhost`, `*.localhost`, `127.0.0.0/8` or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        self.origin.host.is_loopback()
    }

    /// The URL with `query` appended (`?` or `&` as needed), keeping any `#fragment` last.
    pub fn with_query(&self, query: &str) -> String {
        if query.is_empty() {
            return self.href.clone();
        }
        let (base, fragment) = match self.href.find('#') {
            Some(i) => self.href.split_at(i),
            None => (self.href.as_str(), ""),
        };
        let sep = match base.find('?') {
            None => "?",
            Some(i) if i + 1 == base.len() || base.ends_with('&') => "",
            Some(_) => "&",
        };
        format!("{base}{sep}{query}{fragment}")
    }
}

/// The domains a mini program may request, as configured by the super app: the entries of
/// docs/protocol.md §3 (`host` on the scheme's default port, `host:port`, `*.example.com`,
/// `*`, optionally `http://` or `https://` first). An **empty whitelist allows nothing**, as
/// on a device where the super app has no domains registered for the app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Whitelist(miniprogram_policy::Whitelist);

impl Whitelist {
    /// Builds a whitelist from configured entries; an entry that cannot be read is an error
    /// naming it and what is wrong with it.
    pub fn new<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        miniprogram_policy::Whitelist::parse(entries)
            .map(Whitelist)
            .map_err(|e| e.to_string())
    }

    /// Whether `url` may be requested: its domain is whitelisted, and it is `https` or a
    /// loopback host (error 4 naming the domain otherwise).
    pub fn check(&self, url: &RequestUrl) -> Result<(), ApiError> {
        if !self.0.allows(&url.origin) {
            return Err(ApiError::DomainNotWhitelisted {
                domain: url.domain(),
            });
        }
        if url.origin.scheme == Scheme::Http && !url.is_loopback() {
            return Err(ApiError::InsecureScheme {
                domain: url.domain(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_absolute_http_urls_into_scheme_host_port() {
        let cases: &[(&str, Scheme, &str, Option<u16>)] = &[
            (
                "https://api.example.com/x?y=1",
                Scheme::Https,
                "api.example.com",
                None,
            ),
            (
                "HTTP://127.0.0.1:8791/echo",
                Scheme::Http,
                "127.0.0.1",
                Some(8791),
            ),
            (
                "http://LOCALHOST:3000",
                Scheme::Http,
                "localhost",
                Some(3000),
            ),
            ("http://[::1]:8080/", Scheme::Http, "[::1]", Some(8080)),
            (
                "https://[2001:DB8::1]/",
                Scheme::Https,
                "[2001:db8::1]",
                None,
            ),
            ("  https://a.b#frag ", Scheme::Https, "a.b", None),
            ("https://a.b:/", Scheme::Https, "a.b", None),
        ];
        for (input, scheme, host, port) in cases {
            let url = RequestUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (
                    url.origin.scheme,
                    url.origin.host.to_string().as_str(),
                    url.origin.port
                ),
                (*scheme, *host, *port),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_unparseable_urls_as_invalid_url_parameter() {
        for input in [
            "",
            "/relative/path",
            "example.com/x",
            "ftp://example.com/",
            "javascript:alert(1)",
            "https://",
            "https://host:99999/",
            "https://host:12ab/",
            "https://[::1/",
            "https://a b/",
            "http://user:pw@localhost:3000/",
            "http://127.1/",
            "https://bücher.example/",
        ] {
            match RequestUrl::parse(input) {
                Err(ApiError::InvalidParameter { param, .. }) => {
                    assert_eq!(param, "url", "{input}")
                }
                other => panic!("{input:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn appends_query_before_fragment_with_the_right_separator() {
        let cases = [
            ("http://h/p", "a=1", "http://h/p?a=1"),
            ("http://h/p?x=0", "a=1", "http://h/p?x=0&a=1"),
            ("http://h/p?", "a=1", "http://h/p?a=1"),
            ("http://h/p?x=0&", "a=1", "http://h/p?x=0&a=1"),
            ("http://h/p#top", "a=1", "http://h/p?a=1#top"),
            ("http://h/p?x#top", "a=1", "http://h/p?x&a=1#top"),
            ("http://h/p", "", "http://h/p"),
        ];
        for (href, query, expected) in cases {
            let url = RequestUrl::parse(href).expect(href);
            assert_eq!(url.with_query(query), expected, "{href} + {query}");
        }
    }

    #[test]
    fn plain_http_is_refused_for_non_loopback_hosts_even_when_listed() {
        let list = Whitelist::new(&["*"]).expect("star");
        let cases = [
            ("http://example.com/", false),
            ("https://example.com/", true),
            ("http://127.0.0.1:1/", true),
            ("http://127.1.2.3/", true),
            ("http://127.0.0.1.evil.com/", false),
            ("http://[::1]:9/", true),
            ("http://app.localhost/", true),
        ];
        for (input, allowed) in cases {
            let url = RequestUrl::parse(input).expect(input);
            let result = list.check(&url);
            assert_eq!(result.is_ok(), allowed, "{input}: {result:?}");
            if let Err(e) = result {
                assert!(
                    matches!(e, ApiError::InsecureScheme { .. }),
                    "{input}: {e:?}"
                );
                assert_eq!(e.code(), 4);
            }
        }
    }

    #[test]
    fn empty_whitelist_allows_nothing() {
        let list = Whitelist::new::<&str>(&[]).expect("empty");
        let url = RequestUrl::parse("http://127.0.0.1:8791/").expect("url");
        assert_eq!(
            list.check(&url),
            Err(ApiError::DomainNotWhitelisted {
                domain: "127.0.0.1:8791".into()
            })
        );
    }

    #[test]
    fn unreadable_whitelist_entries_are_named() {
        for bad in ["", "a b", "host:port", "example.com/api", "*.com"] {
            let err = Whitelist::new(&[bad]).expect_err(bad);
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }
}
