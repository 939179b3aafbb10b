//! The one error of the browser-facing endpoints (`/sandbox/*`, `/cashier/api/*`, `/relay`'s
//! refusals aside): [`HttpError`], an early answer that implements `IntoResponse`, and the
//! [`Result`] handlers return. A storage failure becomes its 500 here, in one place
//! (`From<StoreError>`, `From<TransitionError>`, `From<SettingsError>`), so no handler matches
//! one by hand. The signed open API answers with its own envelope (`open_api::envelope::ApiError`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::app::identity::SettingsError;
use crate::store::{StoreError, TransitionError};

/// A handler's result: its answer, or the error answer it stopped at.
pub type Result<T = Response, E = HttpError> = std::result::Result<T, E>;

/// An early answer of a browser-facing handler: `{error, message}` with a status, or an answer
/// already built (a conflict that carries the payment's state). Boxed: a `Response` is large.
#[derive(Debug)]
pub struct HttpError(Box<Response>);

impl HttpError {
    /// `{error, message}` with `status`.
    pub fn new(status: StatusCode, error: &str, message: impl Into<String>) -> HttpError {
        HttpError(Box::new(json_error(status, error, message)))
    }

    /// A 400 `BAD_REQUEST` saying what was wrong with the request.
    pub fn bad_request(message: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// A 404 `NOT_FOUND`.
    pub fn not_found(message: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    /// A 500 for a storage failure, logged; the body says no more than `storage error`.
    pub fn storage(e: impl std::fmt::Display) -> HttpError {
        tracing::error!(error = %e, "storage error");
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "STORAGE",
            "storage error",
        )
    }
}

impl From<Response> for HttpError {
    fn from(r: Response) -> Self {
        HttpError(Box::new(r))
    }
}

impl From<StoreError> for HttpError {
    fn from(e: StoreError) -> Self {
        HttpError::storage(e)
    }
}

/// A transition error the handler did not answer itself (it answers not-found and conflicts,
/// whose words differ by page): a storage failure, or a case that cannot happen on its path.
impl From<TransitionError> for HttpError {
    fn from(e: TransitionError) -> Self {
        HttpError::storage(e)
    }
}

/// A refused settings change is the request's fault (400, the field named); storage is a 500.
impl From<SettingsError> for HttpError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::Store(e) => HttpError::from(e),
            other => HttpError::bad_request(other.to_string()),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// A JSON error of the browser-facing endpoints: `{ error, message }` with `status`.
pub fn json_error(status: StatusCode, error: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": error, "message": message.into()})),
    )
        .into_response()
}

/// A 400 `BAD_REQUEST` saying what was wrong with the request.
pub fn bad_request(message: impl Into<String>) -> Response {
    json_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}
