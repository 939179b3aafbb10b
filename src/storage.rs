//! `my.setStorage` / `my.getStorage` / `my.removeStorage` (and their `Sync` forms): the rules,
//! without the browser. The glue (`glue::storage`) serialises `data` with `JSON.stringify` and
//! keeps it in the page's `localStorage`; this module says under which name, and whether it
//! may be stored at all.
//!
//! - Scope: every key of a mini program lives under `miniprogram-shim/<appId>/` (the appId
//!   percent-encoded, so no app's prefix is a prefix of another's), as Alipay isolates storage
//!   per mini program.
//! - Limits (Alipay): one key's data, as JSON text, at most 200 × 1024 characters; all keys of
//!   one mini program (key and data lengths) at most 10 MB (10 × 1024 × 1024 characters).
//! - Failures are error 2 naming the parameter; nothing already stored changes.
//! - The app's total is kept running (`Usage`), so a write costs the same whatever is stored;
//!   the glue rebuilds it from `localStorage` only when it may have changed behind our back.

use crate::encoding::encode_uri_component;
use crate::error::ApiError;

/// Every `localStorage` key the shim writes starts with this.
pub const KEY_PREFIX: &str = "miniprogram-shim/";

/// Maximum length of one key's data as JSON text (Alipay: 200 × 1024).
pub const MAX_DATA_CHARS: usize = 200 * 1024;

/// Maximum total of one mini program's keys and data (Alipay: 10 MB).
pub const MAX_TOTAL_CHARS: usize = 10 * 1024 * 1024;

/// What a mini program calls "key", scoped to its appId: the name in `localStorage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedKey {
    /// The key as the mini program wrote it.
    pub key: String,
    /// `miniprogram-shim/<appId>/<key>`.
    pub storage_key: String,
}

/// The `localStorage` prefix of one mini program: `miniprogram-shim/<encoded appId>/`.
/// An empty appId (not configured) gets `miniprogram-shim//`.
pub fn app_prefix(app_id: &str) -> String {
    format!("{KEY_PREFIX}{}/", encode_uri_component(app_id))
}

impl ScopedKey {
    /// Validates the mini program's `key` (`None`: missing or not a string) and scopes it.
    pub fn new(app_id: &str, key: Option<&str>) -> Result<Self, ApiError> {
        let key =
            key.ok_or_else(|| ApiError::invalid("key", "is required and must be a string"))?;
        check_key(Some(js_len(key)))?;
        Ok(ScopedKey {
            key: key.to_owned(),
            storage_key: format!("{}{key}", app_prefix(app_id)),
        })
    }
}

/// Checks the mini program's `key` by its length in UTF-16 code units (`None`: missing or not a
/// string); the glue checks a JS string this way without copying it out of JavaScript.
pub fn check_key(len: Option<usize>) -> Result<usize, ApiError> {
    match len {
        None => Err(ApiError::invalid("key", "is required and must be a string")),
        Some(0) => Err(ApiError::invalid("key", "must not be an empty string")),
        Some(len) => Ok(len),
    }
}

/// Length in UTF-16 code units, as JavaScript's `String.length` (what the limits count).
pub fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Checks that data whose JSON text is `json_len` characters long (`None` when
/// `JSON.stringify` gave nothing: data missing, `undefined` or a function) may be stored under
/// a key of `key_len` characters (`js_len`), given `others_total`: the characters the app's
/// *other* keys already use (key + data).
pub fn check_write(
    key_len: usize,
    json_len: Option<usize>,
    others_total: usize,
) -> Result<(), ApiError> {
    let len = json_len
        .ok_or_else(|| ApiError::invalid("data", "is required and must be serialisable to JSON"))?;
    if len > MAX_DATA_CHARS {
        return Err(ApiError::invalid(
            "data",
            format!("is {len} characters as JSON; one key holds at most {MAX_DATA_CHARS}"),
        ));
    }
    let total = others_total + key_len + len;
    if total > MAX_TOTAL_CHARS {
        return Err(ApiError::invalid(
            "data",
            format!(
                "would bring this mini program's storage to {total} characters; the limit is {MAX_TOTAL_CHARS} (10 MB)"
            ),
        ));
    }
    Ok(())
}

/// The characters one stored entry counts for (its key without the prefix, plus its data of
/// `value_len` characters).
pub fn entry_size(storage_key: &str, prefix: &str, value_len: usize) -> usize {
    js_len(storage_key.strip_prefix(prefix).unwrap_or(storage_key)) + value_len
}

/// The characters one mini program's keys and data use, kept running: a write or removal
/// adjusts it by the one entry it changes instead of summing every key again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    total: usize,
}

impl Usage {
    /// The usage summed from every entry (`entry_size` of each of the app's keys).
    pub fn new(total: usize) -> Self {
        Usage { total }
    }

    /// Characters in use.
    pub fn total(self) -> usize {
        self.total
    }

    /// Checks a write of `json_len` characters under a key of `key_len` characters (`js_len`),
    /// whose current value is `old_len` characters (`None`: absent), against the limits
    /// (`check_write`); the usage after it.
    pub fn write(
        self,
        key_len: usize,
        json_len: Option<usize>,
        old_len: Option<usize>,
    ) -> Result<Usage, ApiError> {
        let others = self.without(key_len, old_len);
        check_write(key_len, json_len, others)?;
        // check_write bounded the sum by MAX_TOTAL_CHARS.
        Ok(Usage {
            total: others + key_len + json_len.unwrap_or(0),
        })
    }

    /// The usage after removing a key of `key_len` characters whose value was `old_len`
    /// characters (`None`: absent).
    pub fn remove(self, key_len: usize, old_len: Option<usize>) -> Usage {
        Usage {
            total: self.without(key_len, old_len),
        }
    }

    fn without(self, key_len: usize, old_len: Option<usize>) -> usize {
        match old_len {
            Some(len) => self.total.saturating_sub(key_len + len),
            None => self.total,
        }
    }
}

/// `my.getStorageInfo` limit: one mini program may store 10 MB, reported in KB (10240).
pub const LIMIT_SIZE_KB: usize = MAX_TOTAL_CHARS / 1024;

/// The `my.getStorageInfo(Sync)` result, as Alipay documents it: the app's keys, and the
/// sizes in KB (a character counts as a byte; a partly used KB counts as one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageInfo {
    /// The mini program's keys as it wrote them (without the scope prefix).
    pub keys: Vec<String>,
    /// KB in use: keys plus data, rounded up.
    pub current_size: usize,
    /// KB allowed: 10240.
    pub limit_size: usize,
}

impl StorageInfo {
    /// The info for the app whose keys (without prefix) are `keys` and whose usage is `usage`.
    pub fn new(keys: Vec<String>, usage: Usage) -> Self {
        StorageInfo {
            keys,
            current_size: usage.total().div_ceil(1024),
            limit_size: LIMIT_SIZE_KB,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_scoped_per_app_and_validated() {
        let cases: &[(&str, Option<&str>, Result<&str, &str>)] = &[
            (
                "2102020000000001",
                Some("cart"),
                Ok("miniprogram-shim/2102020000000001/cart"),
            ),
            ("app", Some("a/b c"), Ok("miniprogram-shim/app/a/b c")),
            ("a/b", Some("k"), Ok("miniprogram-shim/a%2Fb/k")),
            ("", Some("k"), Ok("miniprogram-shim//k")),
            (
                "app",
                Some(""),
                Err("invalid parameter `key`: must not be an empty string"),
            ),
            (
                "app",
                None,
                Err("invalid parameter `key`: is required and must be a string"),
            ),
        ];
        for (app, key, expected) in cases {
            let got = ScopedKey::new(app, *key);
            match expected {
                Ok(storage_key) => assert_eq!(got.unwrap().storage_key, *storage_key),
                Err(message) => {
                    let err = got.unwrap_err();
                    assert_eq!((err.code(), err.to_string().as_str()), (2, *message));
                }
            }
        }
    }

    #[test]
    fn a_key_is_checked_by_its_javascript_length() {
        // The glue passes `String.length` of a JS string (`None` for anything else).
        assert_eq!(check_key(Some(js_len("😀"))).ok(), Some(2));
        assert_eq!(check_key(Some(3)).ok(), Some(3));
        for (len, message) in [
            (
                None,
                "invalid parameter `key`: is required and must be a string",
            ),
            (
                Some(0),
                "invalid parameter `key`: must not be an empty string",
            ),
        ] {
            let err = check_key(len).unwrap_err();
            assert_eq!((err.code(), err.to_string().as_str()), (2, message));
        }
    }

    #[test]
    fn one_app_prefix_is_never_a_prefix_of_another() {
        assert!(!app_prefix("a/b").starts_with(&app_prefix("a")));
        assert!(!app_prefix("ab").starts_with(&app_prefix("a")));
    }

    #[test]
    fn writes_respect_the_per_key_and_per_app_limits() {
        let key = js_len("k");
        let exactly = "x".repeat(MAX_DATA_CHARS);
        let over = "x".repeat(MAX_DATA_CHARS + 1);
        let cases: &[(Option<&str>, usize, Option<&str>)] = &[
            (Some("\"v\""), 0, None),
            (Some(&exactly), 0, None),
            (Some(&over), 0, Some("one key holds at most 204800")),
            (None, 0, Some("is required")),
            (Some("1"), MAX_TOTAL_CHARS - 2, None), // key "k" + "1" = 2
            (
                Some("1"),
                MAX_TOTAL_CHARS - 1,
                Some("the limit is 10485760"),
            ),
        ];
        for (json, others, err) in cases {
            let got = check_write(key, json.map(js_len), *others);
            match err {
                None => assert!(got.is_ok(), "{json:?} {others}: {got:?}"),
                Some(part) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.code(), 2);
                    assert!(e.to_string().contains("`data`"), "{e}");
                    assert!(e.to_string().contains(part), "{e}");
                }
            }
        }
    }

    #[test]
    fn sizes_count_utf16_units_like_javascript() {
        assert_eq!(js_len("abc"), 3);
        assert_eq!(js_len("é"), 1);
        assert_eq!(js_len("😀"), 2);
        assert_eq!(
            entry_size("miniprogram-shim/app/key", "miniprogram-shim/app/", 3),
            6
        );
    }

    #[test]
    fn the_running_usage_matches_a_fresh_sum_through_writes_and_removals() {
        let k = js_len;
        // "a" (1) holding 10, "bb" (2) holding 20: 33.
        let usage = Usage::new(33);
        // key, new JSON length (None: a removal), old length, expected total or error.
        type Case<'a> = (
            &'a str,
            Option<usize>,
            Option<usize>,
            Result<usize, &'a str>,
        );
        let cases: &[Case] = &[
            ("a", Some(5), Some(10), Ok(28)), // overwrite: replaces its own entry
            ("c", Some(7), None, Ok(41)),     // a new key adds key + data
            ("bb", None, Some(20), Ok(11)),   // removal takes key + data away
            ("zz", None, None, Ok(33)),       // removing an absent key changes nothing
            (
                "c",
                Some(MAX_DATA_CHARS + 1),
                None,
                Err("one key holds at most"),
            ),
        ];
        for (name, new_len, old_len, expected) in cases {
            let got = match new_len {
                Some(len) => usage.write(k(name), Some(*len), *old_len),
                None => Ok(usage.remove(k(name), *old_len)),
            };
            match expected {
                Ok(total) => assert_eq!(got.unwrap().total(), *total, "{name}"),
                Err(part) => {
                    let e = got.unwrap_err();
                    assert!(e.to_string().contains(part), "{name}: {e}");
                }
            }
        }
        // At the 10 MB limit: a new key fits exactly or fails; an overwrite counts only the
        // difference from its old value.
        let full = Usage::new(MAX_TOTAL_CHARS - 5);
        assert_eq!(
            full.write(k("a"), Some(4), None).unwrap().total(),
            MAX_TOTAL_CHARS
        );
        let over = full.write(k("a"), Some(5), None).unwrap_err();
        assert!(
            over.to_string().contains("storage to 10485761 characters"),
            "{over}"
        );
        let grown = full.write(k("a"), Some(14), Some(10)).unwrap();
        assert_eq!(grown.total(), MAX_TOTAL_CHARS - 1);
        // A failed write leaves the usage as it was (it is a value; the caller keeps it).
        assert_eq!(usage.total(), 33);
    }

    #[test]
    fn storage_info_reports_kilobytes_rounded_up() {
        let cases = [
            (0, 0),
            (1, 1),
            (1024, 1),
            (1025, 2),
            (MAX_TOTAL_CHARS, 10240),
        ];
        for (chars, kb) in cases {
            let info = StorageInfo::new(vec!["a".into()], Usage::new(chars));
            assert_eq!(info.current_size, kb, "{chars}");
            assert_eq!(info.limit_size, 10240);
            assert_eq!(info.keys, ["a"]);
        }
    }
}
