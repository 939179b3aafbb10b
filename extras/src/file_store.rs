//! The simulator's store of downloaded files, behind `apFilePath`-style paths
//! (`https://resource/apml<32 hex>.<ext>`, the form a device gives): what `my.downloadFile`
//! returns and `my.uploadFile` reads. Kept in the page's memory, bounded in count and bytes;
//! DESIGN.md "Files over the network" says why it is not the IndexedDB store.

use crate::error::ApiError;

/// At most this many files at once.
pub const MAX_FILES: usize = 64;
/// At most this many bytes in all (the page's memory holds them).
pub const MAX_TOTAL_BYTES: usize = 32 * 1024 * 1024;
/// The prefix of every path this store gives.
pub const PATH_PREFIX: &str = "https://resource/apml";

/// One stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Its `apFilePath`.
    pub path: String,
    /// Its content type as the server gave it (without parameters), or `""`.
    pub mime: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The files of one page, oldest first.
#[derive(Debug, Default)]
pub struct FileStore {
    files: Vec<StoredFile>,
    total: usize,
}

impl FileStore {
    /// Stores `bytes` under a new path made from `id` (32 hex digits the glue draws at random)
    /// and an extension from `mime` or the URL; fails with error 12 naming the limit when the
    /// store is full.
    pub fn put(
        &mut self,
        id: &str,
        mime: &str,
        url: &str,
        bytes: Vec<u8>,
    ) -> Result<String, ApiError> {
        if self.files.len() >= MAX_FILES {
            return Err(full(format!("it holds {MAX_FILES} files, its limit")));
        }
        let total = self.total.saturating_add(bytes.len());
        if total > MAX_TOTAL_BYTES {
            return Err(full(format!(
                "{} more bytes would bring it over its {MAX_TOTAL_BYTES} bytes (32 MiB)",
                bytes.len()
            )));
        }
        let mime = mime
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let path = format!("{PATH_PREFIX}{id}.{}", extension(&mime, url));
        self.total = total;
        self.files.push(StoredFile {
            path: path.clone(),
            mime,
            bytes,
        });
        Ok(path)
    }

    /// The file at `path`.
    pub fn get(&self, path: &str) -> Option<&StoredFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Bytes held.
    pub fn total_bytes(&self) -> usize {
        self.total
    }
}

fn full(why: String) -> ApiError {
    ApiError::Limit {
        code: 12,
        message: format!(
            "downloadFile:fail the simulator's file store is full: {why}; reload the page to empty it"
        ),
    }
}

/// The file extension for `mime` (lower case, no parameters), else the URL path's own
/// (1–8 alphanumerics), else `other` (what a device names a file type it does not know).
pub fn extension(mime: &str, url: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("image/png", "png"),
        ("image/jpeg", "jpg"),
        ("image/gif", "gif"),
        ("image/webp", "webp"),
        ("image/svg+xml", "svg"),
        ("image/bmp", "bmp"),
        ("video/mp4", "mp4"),
        ("audio/mpeg", "mp3"),
        ("audio/aac", "aac"),
        ("application/pdf", "pdf"),
        ("application/json", "json"),
        ("text/plain", "txt"),
        ("text/html", "html"),
        ("text/csv", "csv"),
    ];
    if let Some((_, ext)) = KNOWN.iter().find(|(m, _)| *m == mime) {
        return (*ext).to_owned();
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    match last.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=8).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            ext.to_ascii_lowercase()
        }
        _ => "other".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn paths_take_the_extension_of_the_type_then_of_the_url() {
        let cases = [
            ("image/png", "http://a/x", "png"),
            ("Image/JPEG; q=1", "http://a/x.png", "jpg"),
            (
                "application/octet-stream",
                "http://a/files/report.PDF?x=1#y",
                "pdf",
            ),
            ("", "http://a/archive.tar.gz", "gz"),
            ("", "http://a/noext", "other"),
            ("", "http://a/.hidden", "other"),
            ("", "http://a/x.this-is-long", "other"),
        ];
        for (mime, url, ext) in cases {
            let mut store = FileStore::default();
            let path = store.put(ID, mime, url, vec![1]).expect("stored");
            assert_eq!(path, format!("{PATH_PREFIX}{ID}.{ext}"), "{mime} {url}");
            assert_eq!(store.get(&path).map(|f| f.bytes.clone()), Some(vec![1]));
        }
    }

    #[test]
    fn the_store_is_bounded_in_files_and_bytes() {
        let mut store = FileStore::default();
        for i in 0..MAX_FILES {
            store
                .put(&format!("{i:032x}"), "", "http://a/b", vec![])
                .expect("room");
        }
        let err = store.put(ID, "", "http://a/b", vec![]).unwrap_err();
        assert_eq!(err.code(), 12);
        assert!(err.to_string().contains("64 files"), "{err}");

        let mut store = FileStore::default();
        store
            .put(ID, "", "http://a/b", vec![0; MAX_TOTAL_BYTES - 1])
            .expect("room");
        assert_eq!(store.total_bytes(), MAX_TOTAL_BYTES - 1);
        let err = store.put(ID, "", "http://a/b", vec![0; 2]).unwrap_err();
        assert!(err.to_string().contains("33554432"), "{err}");
        assert_eq!(store.total_bytes(), MAX_TOTAL_BYTES - 1);
    }

    #[test]
    fn unknown_paths_are_absent() {
        let store = FileStore::default();
        assert!(store.get("https://resource/apmlnothing.png").is_none());
    }
}
