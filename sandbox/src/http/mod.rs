//! The routers of the two origins (DESIGN.md "Parts, origins and ports").
//!
//! Super app origin: open API `/v1/*`, `/ams/*`, `/aps/*` (no CORS), browser-facing JSON `/sandbox/*`,
//! `/cashier/api/*` and `/relay` (CORS echoing the caller's origin), pages `www/simulator/` at
//! `/`, `www/cashier/` at `/cashier/`, `www/consent/` at `/consent/`, `www/my.js` at `/my.js`, `pkg/` at `/pkg/`.
//! Mini program origin: `www/demo/` at `/`, plus `/pkg/` and `/my.js`.
//! Pages and runtime files are static files (`static_files`): `Cache-Control: no-cache` with a
//! content `ETag` (the browser revalidates every use, so edits show at once, and an unchanged
//! file costs a bodiless 304), compressed with brotli (quality 11, made once per content) or
//! gzip when the browser accepts it. The
//! super app's pages also carry `Content-Security-Policy: frame-ancestors` saying who may frame
//! them ([`embedder`]).

use std::path::Path;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum::Router;
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::State;

mod brotli_cache;
pub mod cashier;
pub mod control;
pub mod embedder;
pub mod error;
pub mod gateway;
pub mod identity;
pub mod json;
pub mod open_api;
pub mod perimeter;
pub mod relay;
pub mod serve;
pub mod views;

use open_api as api;

/// The super app origin.
pub fn superapp_router(state: State) -> Router {
    let www = state.config.www_dir.clone();
    let pkg = state.config.pkg_dir.clone();

    let open_api = Router::new()
        .route("/v1/{*rest}", any(api::open_api))
        .route("/ams/{*rest}", any(api::open_api))
        .route("/aps/{*rest}", any(api::open_api))
        // The Alipay open platform's gateway (docs/protocol.md §5d).
        .route("/gateway.do", any(gateway::gateway))
        .layer(DefaultBodyLimit::max(api::MAX_BODY));

    // What a mini program's page may call across origins: its runtime config, the relay of its
    // own `my.request`s, and public files. CORS answers any origin here.
    let public_api = Router::new()
        .route("/sandbox/health", get(control::health))
        .route("/sandbox/time", get(control::time))
        .route(
            "/sandbox/wallet-public-key.pem",
            get(control::wallet_public_key),
        )
        .route(
            "/sandbox/mini-programs/{app_id}/runtime",
            get(control::mini_program_runtime),
        )
        .route("/sandbox/avatars/{file}", get(identity::avatar))
        // The relay reads its envelope itself, to answer one over the limit in JSON.
        .route("/relay", post(relay::relay))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(cors());

    // The super app's own pages (simulator, cashier, consent) and tools without `Origin`:
    // a mini program's page must not confirm its own payment, complete it by the control
    // call, widen its whitelist, read the merchant's key or mint auth codes.
    let super_app_api = Router::new()
        .route(
            "/sandbox/merchants",
            get(control::merchants).post(control::register_merchant),
        )
        .route("/sandbox/merchants/default", get(control::default_merchant))
        .route("/sandbox/mini-programs", get(control::mini_programs))
        .route(
            "/sandbox/mini-programs/{app_id}",
            get(control::mini_program).put(control::put_mini_program),
        )
        .route(
            "/sandbox/settings",
            get(control::settings).put(control::put_settings),
        )
        .route("/sandbox/payments", get(control::payments))
        .route("/sandbox/payments/{payment_id}", get(control::payment))
        .route(
            "/sandbox/payments/{payment_id}/complete",
            post(control::complete),
        )
        .route("/sandbox/notifications", get(control::notifications))
        .route("/sandbox/notifications/{id}/resend", post(control::resend))
        .route(
            "/sandbox/users",
            get(identity::users).post(identity::create_user),
        )
        .route(
            "/sandbox/users/{user_id}/balances",
            put(identity::put_balances),
        )
        .route(
            "/sandbox/session",
            get(identity::session).put(identity::put_session),
        )
        .route("/sandbox/auth/authorize", post(identity::authorize))
        .route("/sandbox/auth/grants", get(identity::grants))
        .route("/sandbox/auth/user-info", get(identity::auth_user_info))
        .route(
            "/sandbox/auth/settings",
            get(identity::auth_settings).put(identity::put_auth_settings),
        )
        .route(
            "/cashier/api/payments/{payment_id}",
            get(cashier::get_payment),
        )
        .route(
            "/cashier/api/trades/{trade_no}",
            post(cashier::trade_payment_url),
        )
        .route(
            "/cashier/api/payments/{payment_id}/confirm",
            post(cashier::confirm),
        )
        .route(
            "/cashier/api/payments/{payment_id}/cancel",
            post(cashier::cancel),
        )
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            super_app_only,
        ));

    // The super app's pages say who may frame them (`frame-ancestors`, per request); the
    // runtime files, imported by mini programs, do not.
    let pages = static_files(
        Router::new()
            .nest_service("/cashier", ServeDir::new(www.join("cashier")))
            .nest_service("/consent", ServeDir::new(www.join("consent")))
            .fallback_service(ServeDir::new(www.join("simulator")))
            .layer(middleware::from_fn_with_state(state.clone(), frame_policy))
            .merge(runtime_routes(&www, &pkg)),
    );

    Router::new()
        .merge(open_api)
        .merge(public_api)
        .merge(super_app_api)
        .merge(pages)
        .with_state(state)
}

/// The mini program origin: the demo mini program and the runtime files.
pub fn mini_program_router(state: &State) -> Router {
    let www = &state.config.www_dir;
    static_files(
        Router::new()
            .merge(runtime_routes(www, &state.config.pkg_dir))
            .merge(crate::native_app::router(&state.config.native, www))
            .fallback_service(ServeDir::new(www.join("demo"))),
    )
}

fn runtime_routes<S: Clone + Send + Sync + 'static>(www: &Path, pkg: &Path) -> Router<S> {
    Router::new()
        .route_service("/my.js", ServeFile::new(www.join("my.js")))
        .nest_service("/pkg", ServeDir::new(pkg))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}

/// Static files: revalidated on every use (`no-cache` + `ETag`), compressed (brotli or gzip, by
/// the request's `Accept-Encoding`; the `ETag` is of the uncompressed file, hence weak). Brotli
/// is at quality 11 once a background task has made it for the file's content
/// (`brotli_cache`), per request before that.
fn static_files<S: Clone + Send + Sync + 'static>(files: Router<S>) -> Router<S> {
    files
        .layer(middleware::from_fn(etag))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(CompressionLayer::new().gzip(true).br(true))
}

/// The largest static file `etag` reads to hash (the dev build's wasm is a few MB).
const MAX_STATIC_FILE: usize = 64 * 1024 * 1024;

/// Tags a `200` GET with `ETag: W/"<SHA-256 of the body, 128 bits>"` and answers `304 Not
/// Modified` without the body when the request's `If-None-Match` holds that tag. The tag is of
/// the content, not the modification time, so an edit within the same second still shows.
async fn etag(mut request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let if_none_match = request.headers_mut().remove(header::IF_NONE_MATCH);
    let wants_br = brotli_cache::accepts_br(request.headers());
    if if_none_match.is_some() {
        // RFC 9110 §13.1.3: If-None-Match wins; ServeDir would answer 304 by the (second-grained)
        // modification time alone.
        request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    }
    let response = next.run(request).await;
    // An event stream (a native app's live reload) never ends: nothing to hash.
    let streaming = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if response.status() != StatusCode::OK || streaming {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_STATIC_FILE).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "static file unreadable or over {MAX_STATIC_FILE} bytes");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let tag = format!("W/\"{hex}\"");
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    if if_none_match.is_some_and(|v| tag_matches(&v, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        strip_representation(&mut parts.headers);
        return Response::from_parts(parts, Body::empty());
    }
    // Brotli at its best quality, made once per content (`brotli_cache`); until it is made,
    // and for a client that does not take brotli, `CompressionLayer` compresses per request.
    let compressible = brotli_cache::compressible(
        parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    );
    if wants_br
        && compressible
        && !parts.headers.contains_key(header::CONTENT_ENCODING)
        && (brotli_cache::MIN_CONTENT..=brotli_cache::MAX_CONTENT).contains(&bytes.len())
    {
        if let Some(packed) = brotli_cache::get_or_start(digest.into(), &bytes) {
            parts
                .headers
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            parts
                .headers
                .append(header::VARY, HeaderValue::from_static("accept-encoding"));
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.remove(header::ACCEPT_RANGES);
            return Response::from_parts(parts, Body::from(packed));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `If-None-Match` (`*` or a list of tags) against our tag, by weak comparison.
fn tag_matches(if_none_match: &HeaderValue, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(tag);
    if_none_match.to_str().is_ok_and(|list| {
        list.split(',')
            .any(|t| t.trim() == "*" || opaque(t) == ours)
    })
}

/// A 304 carries no body, so none of the headers that describe one.
fn strip_representation(headers: &mut HeaderMap) {
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::ACCEPT_RANGES);
}

/// Refuses a browser request from any origin but the super app's own (403 `FORBIDDEN_ORIGIN`);
/// a request without `Origin` (a tool, a test, a same-origin GET) passes.
async fn super_app_only(
    AxumState(state): AxumState<State>,
    request: Request,
    next: Next,
) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("?"));
    if crate::domain::identity::origin_allowed(origin, &state.super_app_origins) {
        return next.run(request).await;
    }
    tracing::warn!(origin = ?origin, path = %request.uri().path(), "refused: not the super app origin");
    error::json_error(
        StatusCode::FORBIDDEN,
        "FORBIDDEN_ORIGIN",
        format!(
            "{} answers only the super app's own pages ({}), not {}",
            request.uri().path(),
            state.public_base,
            origin.unwrap_or("?")
        ),
    )
}

/// Adds `Content-Security-Policy: frame-ancestors …` to a super app page: the cashier and
/// consent pages may be framed only by the super app and the registered origin of their mini
/// program ([`embedder`]); every other page only by the super app.
async fn frame_policy(
    AxumState(state): AxumState<State>,
    request: Request,
    next: Next,
) -> Response {
    let embedders = match embedder::page_embedders(&state, request.uri()) {
        Ok(e) => e,
        Err(e) => return error::HttpError::from(e).into_response(),
    };
    let mut response = next.run(request).await;
    match HeaderValue::from_str(&embedders.frame_ancestors()) {
        Ok(policy) => {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        // Origins are ASCII serializations, so this cannot happen; refuse rather than serve
        // the page without a policy.
        Err(_) => {
            return error::HttpError::storage("frame-ancestors is not a header value")
                .into_response()
        }
    }
    response
}

fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([relay::BODY_LENGTH])
        .max_age(Duration::from_secs(600))
}
