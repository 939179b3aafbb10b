//! The one table of whitelist cases. Every side runs all of it: this crate's tests, the
//! shim's `my.request` URL check (native test), and the sandbox's relay over real HTTP
//! (`sandbox/tests/api/whitelist_table.rs`), so the two cannot mean different things again.
//!
//! The allowed URLs in [`MATCH_CASES`] are `https`, or `http` to a loopback host: what both
//! transports carry (after the whitelist, the shim refuses plain http to other hosts; the
//! relay has no TLS, so it answers an allowed `https` URL with a network error).

/// What a side must answer for a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The whitelist lets it through.
    Allow,
    /// Refused by the whitelist: the shim's error 4 naming the domain, the relay's
    /// `whitelist` error.
    Deny,
    /// Not a URL either side sends: the shim's error 2 on `url`, the relay's `bad_request`.
    InvalidUrl,
}

/// One row: a whitelist, a request URL and the answer.
#[derive(Debug, Clone, Copy)]
pub struct MatchCase {
    /// The mini program's whitelist (every entry valid).
    pub whitelist: &'static [&'static str],
    /// The request URL.
    pub url: &'static str,
    /// The answer.
    pub expect: Expect,
    /// The rule the row shows.
    pub why: &'static str,
}

const fn row(
    whitelist: &'static [&'static str],
    url: &'static str,
    expect: Expect,
    why: &'static str,
) -> MatchCase {
    MatchCase {
        whitelist,
        url,
        expect,
        why,
    }
}

use Expect::{Allow, Deny, InvalidUrl};

/// Whitelist × URL → answer.
#[rustfmt::skip]
pub const MATCH_CASES: &[MatchCase] = &[
    // A bare host: the scheme's default port only.
    row(&["api.example.com"], "https://api.example.com/pay", Allow, "bare host, default port"),
    row(&["api.example.com"], "https://api.example.com:443/pay", Allow, "the default port written out is the same URL"),
    row(&["api.example.com"], "https://api.example.com:8443/pay", Deny, "bare host: other ports are refused"),
    row(&["localhost"], "http://localhost/x", Allow, "bare host over http: port 80"),
    row(&["localhost"], "http://localhost:8791/x", Deny, "bare host: a dev server's port must be listed"),
    row(&["127.0.0.1"], "http://127.0.0.1:8791/x", Deny, "bare address: port 80 only"),
    // host:port: that port only.
    row(&["127.0.0.1:8791"], "http://127.0.0.1:8791/echo", Allow, "host:port"),
    row(&["127.0.0.1:8791"], "http://127.0.0.1:8792/echo", Deny, "host:port: another port"),
    row(&["127.0.0.1:8791"], "http://127.0.0.1/echo", Deny, "host:port: the default port"),
    row(&["127.0.0.1:8791"], "http://localhost:8791/echo", Deny, "names are not resolved: localhost is not 127.0.0.1"),
    row(&["api.example.com:8443"], "https://api.example.com:8443/", Allow, "host:port over https"),
    row(&["api.example.com:8443"], "https://api.example.com/", Deny, "host:port: not the default port"),
    // Schemes.
    row(&["https://api.example.com"], "https://api.example.com/", Allow, "scheme prefix"),
    row(&["https://api.example.com/"], "https://api.example.com/v1/x", Allow, "one trailing slash is allowed"),
    row(&["http://localhost:8791"], "http://localhost:8791/", Allow, "http prefix"),
    row(&["https://localhost:8791"], "http://localhost:8791/", Deny, "the prefix limits the scheme"),
    row(&["localhost:8791"], "https://localhost:8791/", Allow, "no prefix: both schemes"),
    row(&["HTTPS://API.Example.com"], "https://api.example.com/", Allow, "the prefix in any case"),
    // Case.
    row(&["API.EXAMPLE.COM"], "https://api.example.com/", Allow, "entries in any case"),
    row(&["api.example.com"], "https://API.Example.COM/", Allow, "URLs in any case"),
    // Wildcards.
    row(&["*.example.com"], "https://img.example.com/a.png", Allow, "*.name: a subdomain"),
    row(&["*.example.com"], "https://a.b.example.com/", Allow, "*.name: any depth"),
    row(&["*.example.com"], "https://example.com/", Deny, "*.name: not the name itself"),
    row(&["*.example.com"], "https://badexample.com/", Deny, "*.name: label boundary"),
    row(&["*.example.com"], "https://img.example.com:8443/", Deny, "*.name: default port only"),
    row(&["*.example.com:8443"], "https://img.example.com:8443/", Allow, "*.name:port"),
    row(&["https://*.example.com"], "https://img.example.com/", Allow, "scheme and wildcard"),
    row(&["*"], "https://anything.example/", Allow, "* alone: every host"),
    row(&["*"], "http://127.0.0.1:8791/", Allow, "* alone: every port"),
    // Not the host it looks like.
    row(&["api.example.com"], "https://api.example.com.evil.example/", Deny, "a suffix is another host"),
    row(&["api.example.com"], "https://evil.example/?api.example.com", Deny, "the query is not the host"),
    row(&["api.example.com"], "https://api.example.com./", Deny, "a trailing dot in the URL matches no entry"),
    row(&["127.0.0.1:8791"], "http://127.0.0.1.evil.example:8791/", Deny, "an address as a label"),
    row(&[], "https://api.example.com/", Deny, "an empty whitelist allows nothing"),
    // IPv6.
    row(&["[::1]:8791"], "http://[::1]:8791/", Allow, "IPv6 in brackets"),
    row(&["[0:0:0:0:0:0:0:1]:8791"], "http://[::1]:8791/", Allow, "IPv6 entries compare as addresses"),
    row(&["[::1]:8791"], "http://127.0.0.1:8791/", Deny, "::1 is not 127.0.0.1"),
    // Several entries: any one.
    row(&["api.example.com", "127.0.0.1:8791"], "http://127.0.0.1:8791/", Allow, "any entry"),
    // URLs neither side sends.
    row(&["127.0.0.1:8791"], "http://user:pw@127.0.0.1:8791/", InvalidUrl, "credentials"),
    row(&["127.0.0.1"], "http://127.1/", InvalidUrl, "numeric shorthand for 127.0.0.1"),
    row(&["127.0.0.1"], "http://0x7f.0.0.1/", InvalidUrl, "hex address"),
    row(&["*"], "https://exa%6Dple.com/", InvalidUrl, "percent-encoded host"),
    row(&["*"], "https://bücher.example/", InvalidUrl, "non-ASCII host (write xn--)"),
    row(&["127.0.0.1:8791"], "http://127.0.0.1:08791/", InvalidUrl, "zero-padded port"),
    row(&["*"], "http://127.0.0.1:99999/", InvalidUrl, "port over 65535"),
    row(&["*"], "ftp://127.0.0.1/", InvalidUrl, "not http(s)"),
    row(&["*"], "http://[::1/", InvalidUrl, "unclosed IPv6"),
];

/// Entry → its canonical spelling (`Ok`), or a word of the error that must name the
/// problem (`Err`). The registry refuses the `Err` rows with a 400 naming the entry.
#[rustfmt::skip]
pub const ENTRY_CASES: &[(&str, Result<&str, &str>)] = &[
    ("api.example.com", Ok("api.example.com")),
    ("  API.Example.com  ", Ok("api.example.com")),
    ("127.0.0.1:8791", Ok("127.0.0.1:8791")),
    ("localhost", Ok("localhost")),
    ("[::1]:8080", Ok("[::1]:8080")),
    ("[0:0::1]", Ok("[0:0::1]")),
    (
        "https://pay.example.com:8443/",
        Ok("https://pay.example.com:8443"),
    ),
    ("HTTP://localhost:3000", Ok("http://localhost:3000")),
    ("*.cdn.example.com", Ok("*.cdn.example.com")),
    ("*", Ok("*")),
    ("xn--bcher-kva.example", Ok("xn--bcher-kva.example")),
    ("", Err("empty")),
    ("   ", Err("empty")),
    ("ftp://example.com", Err("scheme")),
    ("wss://example.com", Err("scheme")),
    ("example.com/api", Err("path")),
    ("https://example.com/api/", Err("path")),
    ("example.com?x=1", Err("path")),
    ("user@example.com", Err("credentials")),
    ("example.com:", Err("port")),
    ("example.com:0", Err("port")),
    ("example.com:080", Err("port")),
    ("example.com:65536", Err("port")),
    ("example.com:http", Err("port")),
    ("*:8080", Err("wildcard")),
    ("https://*", Err("wildcard")),
    ("*example.com", Err("wildcard")),
    ("api.*.example.com", Err("wildcard")),
    ("*.com", Err("wildcard")),
    ("*.127.0.0.1", Err("wildcard")),
    ("example.com.", Err("dot")),
    ("127.1", Err("dotted-quad")),
    ("bücher.example", Err("xn--")),
    ("a b", Err("character")),
    ("exa%6Dple.com", Err("character")),
    ("::1", Err("IPv6")),
    ("[::1", Err("IPv6")),
];
