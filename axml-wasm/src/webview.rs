//! Which `src` a `<web-view>` may load (DESIGN.md "Native mini programs: swiper, picker-view,
//! rich-text, web-view"): the rule of the app's domain whitelist (`miniprogram-policy`, the one
//! definition `my.request` and the relay use, docs/protocol.md §3), HTTPS or a loopback host, and
//! never the native page's own origin, whose page holds the logic layer's Worker.

use miniprogram_policy::{Origin, Scheme, Whitelist};

/// The origin (`scheme://host:port`, the port always written) a web-view may load `src` from,
/// or why not, in words naming the domain.
pub fn check_src(src: &str, whitelist: &[String], page_origin: &str) -> Result<String, String> {
    let src = src.trim();
    if src.is_empty() {
        return Err("the web-view has no src".into());
    }
    let origin =
        Origin::parse_url(src).map_err(|e| format!("the web-view src {src:?} is refused: {e}"))?;
    let domain = origin.domain();
    if !Whitelist::parse_readable(whitelist).allows(&origin) {
        return Err(format!(
            "the web-view src's domain {domain} is not in the app's whitelist (docs/protocol.md §3)"
        ));
    }
    if origin.scheme == Scheme::Http && !origin.host.is_loopback() {
        return Err(format!(
            "the web-view src {domain} must be https (plain http only for loopback hosts)"
        ));
    }
    let written = origin_text(&origin);
    if let Ok(page) = Origin::parse_url(page_origin) {
        if origin_text(&page) == written {
            return Err(format!(
                "the web-view src {domain} is the mini program's own origin: an H5 page there could reach the page that runs the app's logic"
            ));
        }
    }
    Ok(written)
}

fn origin_text(origin: &Origin) -> String {
    format!(
        "{}://{}:{}",
        origin.scheme.as_str(),
        origin.host,
        origin.effective_port()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "http://127.0.0.1:8701";

    fn list(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_whitelisted_src_gives_its_origin() {
        assert_eq!(
            check_src(
                "http://127.0.0.1:8703/h5/a.html?x=1",
                &list(&["127.0.0.1:8703"]),
                PAGE
            ),
            Ok("http://127.0.0.1:8703".into())
        );
        assert_eq!(
            check_src("https://h5.example.com/", &list(&["*.example.com"]), PAGE),
            Ok("https://h5.example.com:443".into())
        );
    }

    #[test]
    fn the_whitelist_decides_and_empty_allows_nothing() {
        let err =
            check_src("http://127.0.0.1:8704/", &list(&["127.0.0.1:8703"]), PAGE).unwrap_err();
        assert!(
            err.contains("127.0.0.1:8704") && err.contains("whitelist"),
            "{err}"
        );
        assert!(check_src("https://h5.example.com/", &[], PAGE).is_err());
    }

    #[test]
    fn other_schemes_credentials_and_plain_http_to_the_internet_are_refused() {
        let all = list(&["*"]);
        for (src, why) in [
            ("javascript:alert(1)", "absolute"),
            ("data:text/html,<script>alert(1)</script>", "absolute"),
            ("blob:http://127.0.0.1:8701/x", "only http and https"),
            ("file:///etc/passwd", "only http and https"),
            ("http://user:pw@127.0.0.1:8703/", "credentials"),
            ("http://h5.example.com/", "https"),
            ("/pages/local.html", "absolute"),
            ("", "no src"),
        ] {
            let err = check_src(src, &all, PAGE).unwrap_err();
            assert!(err.contains(why), "{src}: {err}");
        }
    }

    #[test]
    fn the_native_pages_own_origin_is_refused_even_when_whitelisted() {
        let err = check_src("http://127.0.0.1:8701/native/x/", &list(&["*"]), PAGE).unwrap_err();
        assert!(err.contains("own origin"), "{err}");
        // `localhost` is another origin for the browser: allowed when whitelisted.
        assert!(check_src(
            "http://localhost:8701/h5.html",
            &list(&["localhost:8701"]),
            PAGE
        )
        .is_ok());
    }
}
