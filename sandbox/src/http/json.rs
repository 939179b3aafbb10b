//! Request bodies of the browser-facing endpoints.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::HttpError;

/// A JSON request body that must be an object (else a 400).
pub fn body_object(body: &[u8]) -> Result<Map<String, Value>, HttpError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(HttpError::bad_request("body must be a JSON object")),
    }
}

/// A JSON request body that must be an object (else the same 400 as [`body_object`]), read
/// into the typed body `T`, whose fields are lenient ([`Text`], [`Embedder`]) so that every
/// rule and message stays the handler's.
pub fn typed_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    let object = body_object(body)?;
    serde_json::from_value(Value::Object(object))
        .map_err(|e| HttpError::bad_request(format!("body: {e}")))
}

/// A string field: `Some` only when the value is a string; missing, `null` or another type is
/// absent (the handler then names the field in its own message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub Option<String>);

impl Text {
    /// The string, if the field was one.
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        Ok(Text(match Value::deserialize(d)? {
            Value::String(s) => Some(s),
            _ => None,
        }))
    }
}

/// The `embedder` of a page's call: absent or `null`, an origin, or a value of another type
/// (refused by [`Embedder::origin`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Embedder {
    #[default]
    Absent,
    Origin(String),
    Invalid,
}

impl Embedder {
    /// The embedding page's origin, if named; a 400 when `embedder` is not a string.
    pub fn origin(&self) -> Result<Option<&str>, HttpError> {
        match self {
            Embedder::Absent => Ok(None),
            Embedder::Origin(e) => Ok(Some(e)),
            Embedder::Invalid => Err(HttpError::bad_request(
                "embedder: a string, the embedding page's origin",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Embedder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Embedder, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Embedder::Absent,
            Value::String(s) => Embedder::Origin(s),
            _ => Embedder::Invalid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default)]
        name: Text,
        #[serde(default)]
        embedder: Embedder,
    }

    #[test]
    fn lenient_fields_read_as_the_handlers_did() {
        let b: Body = typed_body(br#"{"name": 7, "embedder": null}"#).unwrap();
        assert_eq!((b.name, b.embedder), (Text(None), Embedder::Absent));
        let b: Body = typed_body(br#"{"name": "n", "embedder": "https://a"}"#).unwrap();
        assert_eq!(b.name.as_deref(), Some("n"));
        assert_eq!(b.embedder.origin().unwrap(), Some("https://a"));
        let b: Body = typed_body(br#"{"embedder": 1}"#).unwrap();
        assert!(b.embedder.origin().is_err());
        // An array is not an object, though serde would read a struct from it.
        assert!(typed_body::<Body>(b"[\"n\"]").is_err());
        assert!(typed_body::<Body>(b"nope").is_err());
    }
}
