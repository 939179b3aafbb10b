//! Static files at brotli's best quality (11), made once per file content and kept in memory.
//!
//! Brotli at quality 11 is ≈ 15 % smaller than the per-request compression (`CompressionLayer`,
//! brotli at its default quality or gzip) on the runtime's wasm and JS, which is what a cold
//! start on a slow network waits for (BENCHMARKS.md, issue 10), but it costs about a second of
//! CPU per few hundred KB: far too slow per request. So the first request for a content is
//! answered by the per-request compression while a blocking task compresses it at quality 11;
//! later requests for the same content get those bytes. The cache is keyed by the SHA-256 of
//! the uncompressed content (the one the `ETag` is made of), so a rebuilt `pkg/` or an edited
//! file is never answered with stale bytes, and nothing has to be made at build time.
//! DESIGN.md "Serving the runtime".

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::body::Bytes;
use axum::http::{header, HeaderMap};

/// Brotli's best (and slowest) quality.
const QUALITY: i32 = 11;
/// Brotli's largest standard window (4 MiB), what browsers decode.
const WINDOW_BITS: i32 = 22;
/// Files above this are left to the per-request compression: quality 11 takes seconds on the
/// multi-MB debug builds of the wasm (the release start wasm is ≈ 230 KB).
pub const MAX_CONTENT: usize = 1024 * 1024;
/// Below this, compression saves too little to be worth a cache entry.
pub const MIN_CONTENT: usize = 256;
/// The most compressed bytes kept; past it the cache starts again empty (old contents of
/// edited files are never asked for again; the live ones are made anew on their next request).
const MAX_CACHED: usize = 32 * 1024 * 1024;

/// The content's SHA-256.
pub type Digest = [u8; 32];

enum Entry {
    /// A blocking task is compressing it.
    Pending,
    Ready(Bytes),
}

#[derive(Default)]
struct Cache {
    entries: HashMap<Digest, Entry>,
    bytes: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// Whether `Accept-Encoding` lists `br` with a non-zero weight (RFC 9110 §12.5.3).
pub fn accepts_br(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            coding.eq_ignore_ascii_case("br") && parts.all(|p| !zero_weight(p))
        })
}

/// `q=0` (or `q=0.0`, `q=0.000`): "not acceptable".
fn zero_weight(param: &str) -> bool {
    let Some((name, value)) = param.split_once('=') else {
        return false;
    };
    name.trim().eq_ignore_ascii_case("q") && {
        let value = value.trim();
        value.starts_with('0') && value.chars().all(|c| c == '0' || c == '.')
    }
}

/// Whether a response of this `Content-Type` is worth compressing (images, audio, video and
/// archives are compressed already).
pub fn compressible(content_type: Option<&str>) -> bool {
    let t = content_type.unwrap_or("").trim().to_ascii_lowercase();
    !(t.starts_with("image/")
        || t.starts_with("audio/")
        || t.starts_with("video/")
        || t.starts_with("font/woff")
        || t.starts_with("application/zip")
        || t.starts_with("application/gzip")
        || t.starts_with("text/event-stream"))
        || t == "image/svg+xml"
}

/// The quality-11 brotli of `content` (whose SHA-256 is `digest`) if it has been made; if not,
/// starts making it on a blocking thread (once per content) and answers `None`: this request
/// is compressed per request instead.
pub fn get_or_start(digest: Digest, content: &Bytes) -> Option<Bytes> {
    {
        let mut cache = cache()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match cache.entries.get(&digest) {
            Some(Entry::Ready(bytes)) => return Some(bytes.clone()),
            Some(Entry::Pending) => return None,
            None => {
                cache.entries.insert(digest, Entry::Pending);
            }
        }
    }
    let content = content.clone();
    let task = tokio::task::spawn_blocking(move || {
        let made = compress(&content);
        let mut cache = cache()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match made {
            Ok(packed) => {
                if cache.bytes + packed.len() > MAX_CACHED {
                    cache.entries.retain(|_, e| matches!(e, Entry::Pending));
                    cache.bytes = 0;
                }
                cache.bytes += packed.len();
                cache
                    .entries
                    .insert(digest, Entry::Ready(Bytes::from(packed)));
            }
            Err(e) => {
                // Cannot happen in memory; the per-request compression keeps answering.
                tracing::warn!(error = %e, "brotli compression of a static file failed");
                cache.entries.remove(&digest);
            }
        }
    });
    drop(task); // detached: the request does not wait for it
    None
}

/// `content` compressed with brotli at [`QUALITY`].
pub fn compress(content: &[u8]) -> std::io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: QUALITY,
        lgwin: WINDOW_BITS,
        size_hint: content.len(),
        ..Default::default()
    };
    let mut packed = Vec::with_capacity(content.len() / 3);
    brotli::BrotliCompress(&mut &content[..], &mut packed, &params)?;
    Ok(packed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn br_is_accepted_only_when_listed_with_a_weight_above_zero() {
        assert!(accepts_br(&accept(&["gzip, deflate, br, zstd"])));
        assert!(accepts_br(&accept(&["BR"])));
        assert!(accepts_br(&accept(&["gzip;q=1.0, br;q=0.5"])));
        assert!(accepts_br(&accept(&["gzip", "br"])));
        assert!(accepts_br(&accept(&["br; q=0.001"])));
        assert!(!accepts_br(&accept(&[])));
        assert!(!accepts_br(&accept(&["gzip, deflate"])));
        assert!(!accepts_br(&accept(&["br;q=0, gzip"])));
        assert!(!accepts_br(&accept(&["br; Q=0.000"])));
        assert!(!accepts_br(&accept(&["brotli, xbr"])));
        assert!(!accepts_br(&accept(&["identity"])));
    }

    #[test]
    fn already_compressed_types_are_left_alone() {
        assert!(compressible(Some("application/wasm")));
        assert!(compressible(Some("text/javascript; charset=utf-8")));
        assert!(compressible(Some("image/svg+xml")));
        assert!(compressible(None));
        assert!(!compressible(Some("image/png")));
        assert!(!compressible(Some("text/event-stream")));
        assert!(!compressible(Some("font/woff2")));
    }

    #[test]
    fn compressed_bytes_decode_to_the_content() {
        let content: Vec<u8> = (0..100_000u32).map(|i| (i % 97) as u8).collect();
        let packed = compress(&content).unwrap();
        assert!(packed.len() < content.len() / 20, "{} bytes", packed.len());
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &packed[..], &mut plain).unwrap();
        assert_eq!(plain, content);
    }
}
