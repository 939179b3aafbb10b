//! Who may embed the super app's cashier and consent pages.
//!
//! The cashier of a payment may be framed by the super app itself (the simulator's sheet) and
//! by the registered origin of a mini program bound to the payment's merchant (the shim's
//! overlay in that mini program's page); the consent page of an `appId` by the super app and
//! that app's registered origin (the origin of its registry `url`). Nobody else.
//!
//! Enforced by the server, not by page script: the pages are served with
//! `Content-Security-Policy: frame-ancestors 'self' <those origins>`, so the browser refuses to
//! show them in any other page (no automation, no clickjacking), and every JSON call that names
//! an `embedder` (the cashier's payment, confirm and cancel, `authorize`) is refused with 403
//! `FORBIDDEN_EMBEDDER` when it is not one of them.

use crate::app::State;
use crate::domain::identity::origin_of;
use crate::domain::ids::secrets_match;
use crate::http::error::{json_error, HttpError};
use crate::store::{MiniProgramRow, PaymentRow, StoreResult};
use axum::extract::Query;
use axum::http::{StatusCode, Uri};

/// The origins allowed to embed one cashier or consent page (the super app's first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedders {
    origins: Vec<String>,
    /// What they embed, for error messages: "this payment's merchant", "app 2102…".
    whose: String,
}

impl Embedders {
    /// Only the super app (`public_base`'s origin): pages nobody registered may embed.
    pub fn super_app_only(public_base: &str) -> Embedders {
        Embedders {
            origins: origin_of(public_base).into_iter().collect(),
            whose: "the super app".into(),
        }
    }

    /// The super app and the registered origins of `apps`.
    fn with_apps(public_base: &str, apps: &[MiniProgramRow], whose: String) -> Embedders {
        let mut e = Embedders::super_app_only(public_base);
        for origin in apps.iter().filter_map(MiniProgramRow::origin) {
            if !e.origins.contains(&origin) {
                e.origins.push(origin);
            }
        }
        e.whose = whose;
        e
    }

    /// For a payment's cashier: the super app and the mini programs of the payment's merchant.
    pub fn for_payment(state: &State, p: &PaymentRow) -> StoreResult<Embedders> {
        let apps = state.store.mini_programs_of(&p.client_id)?;
        Ok(Embedders::with_apps(
            &state.public_base,
            &apps,
            "a mini program of this payment's merchant".into(),
        ))
    }

    /// For an app's consent page: the super app and that app.
    pub fn for_app(public_base: &str, app: &MiniProgramRow) -> Embedders {
        Embedders::with_apps(
            public_base,
            std::slice::from_ref(app),
            format!("mini program {}", app.app_id),
        )
    }

    /// True when `embedder` (a URL or an origin) is one of the allowed origins.
    pub fn allows(&self, embedder: &str) -> bool {
        origin_of(embedder).is_some_and(|o| self.origins.contains(&o))
    }

    /// Refuses a named `embedder` that may not embed the page: 403 `FORBIDDEN_EMBEDDER`.
    pub fn check(&self, embedder: Option<&str>) -> Result<(), HttpError> {
        match embedder {
            None => Ok(()),
            Some(e) if self.allows(e) => Ok(()),
            Some(e) => {
                tracing::warn!(embedder = %e, allowed = ?self.origins, "refused: foreign embedder");
                Err(HttpError::from(json_error(
                    StatusCode::FORBIDDEN,
                    "FORBIDDEN_EMBEDDER",
                    format!(
                        "embedder: {e:?} may not embed this page; only the super app or the \
                         registered origin of {} may ({})",
                        self.whose,
                        self.origins.join(", ")
                    ),
                )))
            }
        }
    }

    /// The `Content-Security-Policy` value: `frame-ancestors 'self' <origins>`.
    pub fn frame_ancestors(&self) -> String {
        let mut policy = String::from("frame-ancestors 'self'");
        for o in &self.origins {
            policy.push(' ');
            policy.push_str(o);
        }
        policy
    }
}

/// The one value of `key` in a query; None when absent or given more than once (an ambiguous
/// link widens nothing: the page script and the server could read different values).
fn single<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    let mut found = pairs.iter().filter(|(k, _)| k == key);
    match (found.next(), found.next()) {
        (Some((_, v)), None) => Some(v),
        _ => None,
    }
}

/// Who may embed the page at `uri`: for `/cashier/…?paymentId=…&token=…` (the right token)
/// the payment's embedders, for `/consent/…?appId=…` the app's, else only the super app.
pub fn page_embedders(state: &State, uri: &Uri) -> StoreResult<Embedders> {
    let pairs: Vec<(String, String)> = Query::try_from_uri(uri).map(|q| q.0).unwrap_or_default();
    let path = uri.path();
    if path == "/cashier" || path.starts_with("/cashier/") {
        if let (Some(id), Some(token)) = (single(&pairs, "paymentId"), single(&pairs, "token")) {
            if let Some(p) = crate::app::payments::payment(&state.store, id, state.clock.now_ms())?
            {
                if secrets_match(&p.token, token) {
                    return Embedders::for_payment(state, &p);
                }
            }
        }
    } else if path == "/consent" || path.starts_with("/consent/") {
        if let Some(app) = single(&pairs, "appId") {
            if let Some(app) = state.store.mini_program(app)? {
                return Ok(Embedders::for_app(&state.public_base, &app));
            }
        }
    }
    Ok(Embedders::super_app_only(&state.public_base))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(url: &str) -> MiniProgramRow {
        MiniProgramRow {
            app_id: "2102020000000001".into(),
            name: "Demo".into(),
            merchant_client_id: "M".into(),
            whitelist: vec![],
            trade_pay_fail_routing: false,
            http_error_as_fail: false,
            url: url.into(),
        }
    }

    #[test]
    fn only_the_super_app_and_the_registered_origin_may_embed() {
        let e = Embedders::for_app("http://127.0.0.1:8700", &app("http://127.0.0.1:8701/shop/"));
        for ok in [
            "http://127.0.0.1:8700",
            "http://127.0.0.1:8701",
            "http://127.0.0.1:8701/other/page?x=1",
            "HTTP://127.0.0.1:8701",
        ] {
            assert!(e.allows(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:8702",
            "https://127.0.0.1:8701",
            "http://localhost:8701",
            "null",
            "",
            "javascript:alert(1)",
            "http://127.0.0.1:8701.evil.test",
        ] {
            assert!(!e.allows(bad), "{bad}");
        }
        assert_eq!(
            e.frame_ancestors(),
            "frame-ancestors 'self' http://127.0.0.1:8700 http://127.0.0.1:8701"
        );
        let err = e.check(Some("http://evil.test")).unwrap_err();
        assert_eq!(
            axum::response::IntoResponse::into_response(err).status(),
            StatusCode::FORBIDDEN
        );
        assert!(e.check(None).is_ok());
    }

    #[test]
    fn an_app_without_url_adds_nothing() {
        let e = Embedders::for_app("http://127.0.0.1:8700/", &app(""));
        assert_eq!(
            e.frame_ancestors(),
            "frame-ancestors 'self' http://127.0.0.1:8700"
        );
    }

    #[test]
    fn a_repeated_query_key_names_nothing() {
        let pairs = |q: &str| -> Vec<(String, String)> {
            Query::try_from_uri(&format!("/cashier/?{q}").parse::<Uri>().unwrap())
                .unwrap()
                .0
        };
        assert_eq!(
            single(&pairs("paymentId=A&token=t"), "paymentId"),
            Some("A")
        );
        assert_eq!(single(&pairs("paymentId=A&paymentId=B"), "paymentId"), None);
        assert_eq!(single(&pairs("token=t"), "paymentId"), None);
    }
}
