//! Text encodings the request path needs: `encodeURIComponent` and base64.
//!
//! Hand-written because they are a few lines each and the wasm size budget is tight.

/// Percent-encodes `input` exactly like JavaScript's `encodeURIComponent`: everything but
/// `A–Z a–z 0–9 - _ . ! ~ * ' ( )` becomes `%XX` of its UTF-8 bytes (upper-case hex).
pub fn encode_uri_component(input: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len());
    for &byte in input.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xF)] as char);
        }
    }
    out
}

/// `"text"` in error messages (defined in `miniprogram_policy`, which both sides share).
pub use miniprogram_policy::Quoted;

/// `k1=v1&k2=v2` with both sides passed through [`encode_uri_component`], in the given order.
pub fn encode_form<K: AsRef<str>, V: AsRef<str>>(fields: &[(K, V)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&encode_uri_component(key.as_ref()));
        out.push('=');
        out.push_str(&encode_uri_component(value.as_ref()));
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648 §4) with `=` padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(BASE64[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64; padding optional, ASCII whitespace ignored. `None` when invalid.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0;
    for &c in text.as_bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        if padding > 0 {
            return None; // data after padding
        }
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be zero padding of the last sextet (at most 4 bits).
    if bits >= 6 || padding > 2 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_uri_component_matches_javascript() {
        let cases = [
            ("", ""),
            ("abcXYZ019", "abcXYZ019"),
            ("-_.!~*'()", "-_.!~*'()"),
            ("a b", "a%20b"),
            ("a+b=c&d", "a%2Bb%3Dc%26d"),
            ("/?#[]@", "%2F%3F%23%5B%5D%40"),
            ("é", "%C3%A9"),
            ("支付", "%E6%94%AF%E4%BB%98"),
            ("😀", "%F0%9F%98%80"),
        ];
        for (input, expected) in cases {
            assert_eq!(encode_uri_component(input), expected, "{input:?}");
        }
    }

    #[test]
    fn encode_form_joins_encoded_pairs_in_order() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], ""),
            (&[("a", "1")], "a=1"),
            (&[("b", "2"), ("a", "1")], "b=2&a=1"),
            (&[("q", "x y"), ("n&m", "=")], "q=x%20y&n%26m=%3D"),
            (&[("empty", "")], "empty="),
        ];
        for (fields, expected) in cases {
            assert_eq!(encode_form(fields), *expected);
        }
    }

    #[test]
    fn base64_round_trips_rfc4648_vectors() {
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
            (&[0, 255, 254, 128], "AP/+gA=="),
        ];
        for (bytes, text) in cases {
            assert_eq!(base64_encode(bytes), *text);
            assert_eq!(base64_decode(text).as_deref(), Some(*bytes), "{text}");
        }
    }

    #[test]
    fn base64_decode_rejects_garbage_and_accepts_missing_padding() {
        assert_eq!(base64_decode("Zm9vYg").as_deref(), Some(&b"foob"[..]));
        assert_eq!(base64_decode("Zm9v\nYmFy").as_deref(), Some(&b"foobar"[..]));
        for bad in ["Zm9v!", "Z", "Zg==Zg", "Zg==="] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }
}
