//! `setData` keys: `'a.b[2].c'` parsed into segments and applied to the page's data, as the
//! Alipay docs describe (missing objects on the way are created; an index past an array's end
//! grows it with `null`s). The worker side has the same rules in `www/native/core.mjs`.

use serde_json::{Map, Value};

/// The longest `setData` key accepted, and the largest array index a key may name (a typo such
/// as `list[99999999]` would otherwise allocate gigabytes of `null`s).
pub const MAX_KEY_LEN: usize = 1024;
/// The largest index a key may write (`list[100000]` is refused).
pub const MAX_INDEX: usize = 100_000;

/// One step of a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// `.name` (or the first name).
    Field(String),
    /// `[3]`.
    Index(usize),
}

/// Why a `setData` key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The key is empty or only `.`.
    #[error("setData key is empty")]
    Empty,
    /// Longer than [`MAX_KEY_LEN`].
    #[error("setData key is longer than {MAX_KEY_LEN} characters")]
    TooLong,
    /// Something other than a name, `.name` or `[digits]` at this byte offset.
    #[error("setData key {key:?}: {what} at character {at}")]
    Syntax {
        /// The key.
        key: String,
        /// What was wrong.
        what: &'static str,
        /// Where (in characters, from 0).
        at: usize,
    },
    /// An index over [`MAX_INDEX`].
    #[error("setData key {key:?}: index {index} is over {MAX_INDEX}")]
    IndexTooLarge {
        /// The key.
        key: String,
        /// The index.
        index: usize,
    },
}

/// Parses `a.b[2].c` into `[Field a, Field b, Index 2, Field c]`.
pub fn parse(key: &str) -> Result<Vec<Segment>, PathError> {
    if key.len() > MAX_KEY_LEN {
        return Err(PathError::TooLong);
    }
    let syntax = |what, at| PathError::Syntax {
        key: key.to_string(),
        what,
        at,
    };
    let chars: Vec<char> = key.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut name = String::new();
    let mut expect_name = true; // at the start or after '.'
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if expect_name {
                    return Err(syntax("a name is missing before '.'", i));
                }
                if !name.is_empty() {
                    out.push(Segment::Field(std::mem::take(&mut name)));
                }
                expect_name = true;
                i += 1;
            }
            '[' => {
                if !name.is_empty() {
                    out.push(Segment::Field(std::mem::take(&mut name)));
                } else if expect_name && !out.is_empty() {
                    return Err(syntax("'[' right after '.'", i));
                } else if out.is_empty() {
                    return Err(syntax("a key starts with a name, not '['", i));
                }
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                if j == start {
                    return Err(syntax("an index must be digits", start));
                }
                if chars.get(j) != Some(&']') {
                    return Err(syntax("']' expected", j));
                }
                let digits: String = chars[start..j].iter().collect();
                let index = digits.parse::<usize>().unwrap_or(usize::MAX);
                if index > MAX_INDEX {
                    return Err(PathError::IndexTooLarge {
                        key: key.to_string(),
                        index,
                    });
                }
                out.push(Segment::Index(index));
                expect_name = false;
                i = j + 1;
                if i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    return Err(syntax("'.' or '[' expected after ']'", i));
                }
            }
            ']' => return Err(syntax("']' without '['", i)),
            c => {
                name.push(c);
                expect_name = false;
                i += 1;
            }
        }
    }
    if expect_name && !out.is_empty() {
        return Err(syntax("a name is missing after '.'", chars.len()));
    }
    if !name.is_empty() {
        out.push(Segment::Field(name));
    }
    if out.is_empty() {
        return Err(PathError::Empty);
    }
    Ok(out)
}

/// Sets `key` in `data` (an object; anything else is replaced by one) to `value`.
pub fn apply(data: &mut Value, key: &str, value: Value) -> Result<(), PathError> {
    let segments = parse(key)?;
    let mut at = data;
    for (n, segment) in segments.iter().enumerate() {
        let last = n + 1 == segments.len();
        let next_is_index = matches!(segments.get(n + 1), Some(Segment::Index(_)));
        at = match segment {
            Segment::Field(name) => {
                if !at.is_object() {
                    *at = Value::Object(Map::new());
                }
                let Value::Object(map) = at else {
                    unreachable!("made an object above")
                };
                map.entry(name.clone())
                    .or_insert_with(|| empty_for(next_is_index))
            }
            Segment::Index(index) => {
                if !at.is_array() {
                    // The docs' rule for a missing parent: an object ({"0": …}) would surprise
                    // a template reading `list[0]` just as well; an array is what the key says.
                    *at = Value::Array(Vec::new());
                }
                let Value::Array(items) = at else {
                    unreachable!("made an array above")
                };
                if items.len() <= *index {
                    items.resize(*index + 1, Value::Null);
                }
                let slot = &mut items[*index];
                if slot.is_null() && !last {
                    *slot = empty_for(next_is_index);
                }
                slot
            }
        };
        if last {
            *at = value;
            return Ok(());
        }
    }
    Ok(())
}

fn empty_for(index_next: bool) -> Value {
    if index_next {
        Value::Array(Vec::new())
    } else {
        Value::Object(Map::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_names_dots_and_indexes() {
        use Segment::*;
        let cases: &[(&str, Vec<Segment>)] = &[
            ("a", vec![Field("a".into())]),
            ("a.b", vec![Field("a".into()), Field("b".into())]),
            (
                "a.b[2].c",
                vec![
                    Field("a".into()),
                    Field("b".into()),
                    Index(2),
                    Field("c".into()),
                ],
            ),
            ("list[0][1]", vec![Field("list".into()), Index(0), Index(1)]),
            ("user-name", vec![Field("user-name".into())]),
        ];
        for (key, want) in cases {
            assert_eq!(&parse(key).unwrap(), want, "{key}");
        }
    }

    #[test]
    fn rejects_malformed_keys_naming_the_place() {
        for key in [
            "", ".", "a.", ".a", "a..b", "[0]", "a[", "a[x]", "a[1", "a]", "a[1]b", "a.[1]",
        ] {
            assert!(parse(key).is_err(), "{key:?} should be refused");
        }
        let err = parse("list[x]").unwrap_err().to_string();
        assert!(err.contains("list[x]") && err.contains("digits"), "{err}");
        assert!(matches!(
            parse("a[100001]"),
            Err(PathError::IndexTooLarge { .. })
        ));
        assert!(matches!(
            parse(&"a".repeat(MAX_KEY_LEN + 1)),
            Err(PathError::TooLong)
        ));
    }

    #[test]
    fn applies_into_existing_and_missing_parents() {
        let mut data = json!({ "a": { "b": [1, 2, { "c": 0 }] }, "keep": true });
        apply(&mut data, "a.b[2].c", json!("x")).unwrap();
        assert_eq!(data["a"]["b"][2]["c"], "x");
        apply(&mut data, "n.m[1].k", json!(5)).unwrap();
        assert_eq!(data["n"], json!({ "m": [null, { "k": 5 }] }));
        apply(&mut data, "a.b[4]", json!(9)).unwrap();
        assert_eq!(data["a"]["b"], json!([1, 2, { "c": "x" }, null, 9]));
        apply(&mut data, "keep", json!(false)).unwrap();
        assert_eq!(data["keep"], false);
        // A scalar on the way becomes what the key says.
        apply(&mut data, "keep.deep", json!(1)).unwrap();
        assert_eq!(data["keep"], json!({ "deep": 1 }));
    }
}
