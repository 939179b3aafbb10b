//! `AlipayJSBridge.call('openInBrowser', { url })` without the browser: which URLs it opens.
//! An H5-only API (the typings have no `my.openInBrowser`); `glue::browser` opens the tab.

use crate::error::ApiError;
use crate::url::RequestUrl;

/// `openInBrowser`'s `url`: an absolute `http(s)` URL (error 2 naming `url` otherwise: no
/// `javascript:`, `data:` or relative URL). Not whitelisted: it leaves the super app.
pub fn browser_url(url: Option<String>) -> Result<String, ApiError> {
    match url.as_deref() {
        None | Some("") => Err(ApiError::invalid("url", "is required")),
        Some(u) => Ok(RequestUrl::parse(u)?.href),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_in_browser_takes_absolute_http_urls_only() {
        assert_eq!(
            browser_url(Some(" https://example.com/a?b=1 ".into())),
            Ok("https://example.com/a?b=1".into())
        );
        for bad in [
            None,
            Some(""),
            Some("javascript:alert(1)"),
            Some("data:text/html,x"),
            Some("/relative"),
        ] {
            let err = browser_url(bad.map(str::to_owned)).unwrap_err();
            assert!(
                matches!(err, ApiError::InvalidParameter { ref param, .. } if param == "url"),
                "{bad:?}"
            );
        }
    }
}
