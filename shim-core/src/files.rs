//! The per-app file store's rules (DESIGN.md, "Files"): the `apFilePath` form Alipay gives
//! files (`https://resource/apml<32 hex>.<ext>`), which option names a file, the quotas, which
//! temporary files make room for a new one, and the digests of `my.getFileInfo`. Plain Rust;
//! the glue (`glue::files`) keeps the bytes in IndexedDB, under the app's id.
//!
//! A path names a file only inside the app that made it: the store's key is `(appId, id)`, so
//! another app's path (or a guessed one) finds nothing, and the answer is the same as for a
//! path that never existed.

use crate::encoding::Quoted;
use crate::error::ApiError;

/// What every `apFilePath` starts with (Alipay's local resource form).
pub const PATH_PREFIX: &str = "https://resource/apml";

/// The bytes an app's saved files may take (Alipay documents 10 MB for `my.saveFile`).
pub const SAVED_QUOTA: u64 = 10 * 1024 * 1024;

/// The bytes an app's temporary files (chosen images, downloads, compressed copies) may take;
/// the oldest are dropped to make room for a new one, as a phone's cache does.
pub const TEMP_QUOTA: u64 = 50 * 1024 * 1024;

/// The longest extension a path may carry.
const MAX_EXT: usize = 8;

/// A parsed `apFilePath`: the random id (32 lowercase hex digits) and the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApFilePath {
    /// 32 lowercase hex digits (128 random bits): the store's key within the app.
    pub id: String,
    /// `image`, `video`, `pdf`, … (lowercase letters and digits, ≤ 8).
    pub ext: String,
}

impl ApFilePath {
    /// A new path for 16 random bytes and a file of `mime` type named `name`.
    pub fn new(random: &[u8; 16], mime: &str, name: &str) -> Self {
        let id = random
            .iter()
            .flat_map(|b| [b >> 4, b & 15])
            .map(|n| char::from(b"0123456789abcdef"[usize::from(n)]))
            .collect();
        ApFilePath {
            id,
            ext: extension(mime, name),
        }
    }

    /// Reads the option `param` as a path this store gives out; error 2 naming `param`.
    pub fn parse(param: &str, text: &str) -> Result<Self, ApiError> {
        let bad = || {
            ApiError::invalid(
                param,
                format!(
                    "must be a file path this mini program got from the simulator \
                     ({PATH_PREFIX}<32 hex digits>.<extension>), got {}",
                    Quoted(text)
                ),
            )
        };
        let rest = text.strip_prefix(PATH_PREFIX).ok_or_else(bad)?;
        let (id, ext) = rest.split_once('.').ok_or_else(bad)?;
        let id_ok = id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let ext_ok = !ext.is_empty()
            && ext.len() <= MAX_EXT
            && ext
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !id_ok || !ext_ok {
            return Err(bad());
        }
        Ok(ApFilePath {
            id: id.to_owned(),
            ext: ext.to_owned(),
        })
    }

    /// The path as the mini program sees it.
    pub fn text(&self) -> String {
        format!("{PATH_PREFIX}{}.{}", self.id, self.ext)
    }
}

/// The extension a path gets: `image` and `video` by MIME type (as Alipay's chooseImage and
/// chooseVideo paths end), `pdf` for PDF, else the file name's own (if short and plain), else
/// `file`.
pub fn extension(mime: &str, name: &str) -> String {
    let mime = mime.to_ascii_lowercase();
    if mime.starts_with("image/") {
        return "image".into();
    }
    if mime.starts_with("video/") {
        return "video".into();
    }
    if mime == "application/pdf" {
        return "pdf".into();
    }
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && !ext.is_empty()
                && ext.len() <= MAX_EXT
                && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            ext.to_ascii_lowercase()
        }
        _ => "file".into(),
    }
}

/// Which of `apFilePath` and `filePath` names the file (the typings have both; `apFilePath`
/// wins), parsed; error 2 naming `apFilePath` when neither is given.
pub fn path_option(
    ap_file_path: Option<String>,
    file_path: Option<String>,
) -> Result<ApFilePath, ApiError> {
    match (ap_file_path, file_path) {
        (Some(p), _) => ApFilePath::parse("apFilePath", &p),
        (None, Some(p)) => ApFilePath::parse("filePath", &p),
        (None, None) => Err(ApiError::invalid(
            "apFilePath",
            "is required (the path of a file, e.g. from my.chooseImage or my.saveFile)",
        )),
    }
}

/// The answer for a path the app has no file at — the same whether it never existed, was
/// removed, or belongs to another app (no oracle for other apps' files).
pub fn not_found(param: &str, path: &ApFilePath) -> ApiError {
    ApiError::invalid(
        param,
        format!("no file of this mini program at {}", path.text()),
    )
}

/// One stored file, as the quota rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    /// Its id.
    pub id: String,
    /// Bytes.
    pub size: u64,
    /// When it was stored (ms since the epoch).
    pub created: f64,
    /// Saved (`my.saveFile`) or temporary.
    pub saved: bool,
}

/// Before storing `adding` bytes (`saved` or temporary) beside `existing` (the app's files):
/// the temporary files to drop first (oldest first), or the quota error. Saved files are never
/// dropped: over [`SAVED_QUOTA`] is an error (code 3) saying how much is used.
pub fn make_room(
    api: &str,
    existing: &[StoredFile],
    adding: u64,
    saved: bool,
) -> Result<Vec<String>, ApiError> {
    let used: u64 = existing
        .iter()
        .filter(|f| f.saved == saved)
        .map(|f| f.size)
        .fold(0u64, u64::saturating_add);
    let quota = if saved { SAVED_QUOTA } else { TEMP_QUOTA };
    if saved {
        if used.saturating_add(adding) > quota {
            return Err(quota_error(api, "saved files", used, adding, quota));
        }
        return Ok(Vec::new());
    }
    if adding > quota {
        return Err(quota_error(api, "temporary files", 0, adding, quota));
    }
    let mut temp: Vec<&StoredFile> = existing.iter().filter(|f| !f.saved).collect();
    temp.sort_by(|a, b| a.created.total_cmp(&b.created));
    let mut left = used;
    let mut dropped = Vec::new();
    for f in temp {
        if left.saturating_add(adding) <= quota {
            break;
        }
        left = left.saturating_sub(f.size);
        dropped.push(f.id.clone());
    }
    Ok(dropped)
}

fn quota_error(api: &str, what: &str, used: u64, adding: u64, quota: u64) -> ApiError {
    let mb = quota / (1024 * 1024);
    let hint = if what == "saved files" {
        "; remove some with my.removeSavedFile"
    } else {
        ""
    };
    ApiError::Device {
        code: 3,
        message: format!(
            "{api}:fail over quota: the {what} of this mini program may take {quota} bytes \
             ({mb} MB); {used} are used and this file has {adding}{hint}"
        ),
    }
}

/// `my.getFileInfo`'s `digestAlgorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// MD5 (the default).
    Md5,
    /// SHA-1.
    Sha1,
}

impl DigestAlgorithm {
    /// `md5` (default) or `sha1`, in any case; error 2 naming `digestAlgorithm`.
    pub fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        match value.map(str::to_ascii_lowercase).as_deref() {
            None | Some("md5") => Ok(DigestAlgorithm::Md5),
            Some("sha1") => Ok(DigestAlgorithm::Sha1),
            Some(other) => Err(ApiError::invalid(
                "digestAlgorithm",
                format!("must be md5 or sha1 (got {})", Quoted(other)),
            )),
        }
    }

    /// The digest of `bytes`, lowercase hex.
    pub fn hex(self, bytes: &[u8]) -> String {
        use md5::Digest as _;
        let raw: Vec<u8> = match self {
            DigestAlgorithm::Md5 => md5::Md5::digest(bytes).to_vec(),
            DigestAlgorithm::Sha1 => sha1::Sha1::digest(bytes).to_vec(),
        };
        raw.iter()
            .flat_map(|b| [b >> 4, b & 15])
            .map(|n| char::from(b"0123456789abcdef"[usize::from(n)]))
            .collect()
    }
}

/// `my.openDocument`'s `fileType`: only `pdf` is documented. A given type must be `pdf`; the
/// file itself must start as a PDF does (`%PDF-`).
pub fn check_document(file_type: Option<&str>, head: &[u8]) -> Result<(), ApiError> {
    if let Some(t) = file_type {
        if !t.eq_ignore_ascii_case("pdf") {
            return Err(ApiError::invalid(
                "fileType",
                format!(
                    "must be pdf, the one type my.openDocument opens (got {})",
                    Quoted(t)
                ),
            ));
        }
    }
    if !head.starts_with(b"%PDF-") {
        return Err(ApiError::invalid(
            "filePath",
            "is not a PDF document (my.openDocument opens PDF files)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_and_name_the_option_when_bad() {
        let p = ApFilePath::new(&[0xab; 16], "image/png", "photo.png");
        assert_eq!(
            p.text(),
            "https://resource/apmlabababababababababababababababab.image"
        );
        assert_eq!(ApFilePath::parse("apFilePath", &p.text()).unwrap(), p);
        for bad in [
            "",
            "https://resource/apml.image",
            "https://resource/apmlABABABABABABABABABABABABABABABAB.image",
            "https://resource/apmlabab.image",
            "https://resource/apmlabababababababababababababababab",
            "https://resource/apmlabababababababababababababababab.",
            "https://resource/apmlabababababababababababababababab.IMAGE",
            "https://resource/apmlabababababababababababababababab.image/../x",
            "https://evil.example/apmlabababababababababababababababab.image",
            "blob:http://127.0.0.1:8701/abc",
        ] {
            let err = ApFilePath::parse("filePath", bad).unwrap_err();
            assert_eq!(err.code(), 2);
            assert!(err.to_string().contains("`filePath`"), "{bad}: {err}");
        }
    }

    #[test]
    fn extensions_follow_the_type_then_the_name() {
        let cases = [
            ("image/jpeg", "a.jpg", "image"),
            ("video/mp4", "", "video"),
            ("application/pdf", "x", "pdf"),
            ("text/plain", "notes.TXT", "txt"),
            ("", "archive.tar.gz", "gz"),
            ("", ".hidden", "file"),
            ("", "no-extension", "file"),
            ("", "weird.ex/t", "file"),
            ("", "long.abcdefghi", "file"),
        ];
        for (mime, name, ext) in cases {
            assert_eq!(extension(mime, name), ext, "{mime} {name}");
        }
    }

    #[test]
    fn ap_file_path_wins_over_file_path_and_one_is_required() {
        let good = ApFilePath::new(&[1; 16], "", "a.pdf").text();
        assert!(path_option(Some(good.clone()), Some("junk".into())).is_ok());
        assert!(path_option(None, Some(good)).is_ok());
        let err = path_option(None, Some("junk".into())).unwrap_err();
        assert!(err.to_string().contains("`filePath`"), "{err}");
        let err = path_option(None, None).unwrap_err();
        assert!(err.to_string().contains("`apFilePath`"), "{err}");
    }

    fn file(id: &str, size: u64, created: f64, saved: bool) -> StoredFile {
        StoredFile {
            id: id.into(),
            size,
            created,
            saved,
        }
    }

    #[test]
    fn saved_files_stop_at_the_quota_with_a_clear_error() {
        let mb = 1024 * 1024;
        let existing = [file("a", 6 * mb, 1.0, true), file("t", 40 * mb, 0.0, false)];
        assert_eq!(
            make_room("saveFile", &existing, 4 * mb, true).unwrap(),
            Vec::<String>::new()
        );
        let err = make_room("saveFile", &existing, 4 * mb + 1, true).unwrap_err();
        assert_eq!(err.code(), 3);
        let text = err.to_string();
        assert!(text.starts_with("saveFile:fail over quota"), "{text}");
        assert!(text.contains("10485760 bytes (10 MB)"), "{text}");
        assert!(text.contains("6291456 are used"), "{text}");
        assert!(text.contains("my.removeSavedFile"), "{text}");
    }

    #[test]
    fn temporary_files_drop_the_oldest_to_make_room() {
        let mb = 1024 * 1024;
        let existing = [
            file("new", 20 * mb, 3.0, false),
            file("old", 20 * mb, 1.0, false),
            file("mid", 5 * mb, 2.0, false),
            file("kept", 9 * mb, 0.0, true),
        ];
        assert!(make_room("chooseImage", &existing, 5 * mb, false)
            .unwrap()
            .is_empty());
        assert_eq!(
            make_room("chooseImage", &existing, 6 * mb, false).unwrap(),
            ["old"]
        );
        assert_eq!(
            make_room("chooseImage", &existing, 26 * mb, false).unwrap(),
            ["old", "mid"]
        );
        let err = make_room("chooseImage", &existing, 50 * mb + 1, false).unwrap_err();
        assert!(err.to_string().contains("temporary files"), "{err}");
    }

    #[test]
    fn digests_are_md5_by_default_or_sha1() {
        let md5 = DigestAlgorithm::parse(None).unwrap();
        assert_eq!(md5.hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(md5.hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        let sha1 = DigestAlgorithm::parse(Some("SHA1")).unwrap();
        assert_eq!(sha1.hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        let err = DigestAlgorithm::parse(Some("sha256")).unwrap_err();
        assert!(err.to_string().contains("`digestAlgorithm`"), "{err}");
    }

    #[test]
    fn documents_must_be_pdf() {
        assert!(check_document(None, b"%PDF-1.4\n").is_ok());
        assert!(check_document(Some("PDF"), b"%PDF-1.7").is_ok());
        let err = check_document(Some("docx"), b"%PDF-1.7").unwrap_err();
        assert!(err.to_string().contains("`fileType`"), "{err}");
        let err = check_document(None, b"<html>").unwrap_err();
        assert!(err.to_string().contains("`filePath`"), "{err}");
    }
}
