//! Request bodies of the browser-facing endpoints.

use serde_json::{Map, Value};

use super::error::HttpError;

/// A JSON request body that must be an object (else a 400).
pub fn body_object(body: &[u8]) -> Result<Map<String, Value>, HttpError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(HttpError::bad_request("body must be a JSON object")),
    }
}

/// A string field of a request body (None when missing or not a string).
pub fn str_field<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}
