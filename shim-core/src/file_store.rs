//! The per-app file store (DESIGN.md, "Files"): the bytes in the page's IndexedDB
//! (`file_store.js`), keyed by the app's id and a random file id; the rules (paths, quotas,
//! digests) are [`crate::files`]. Both wasm modules may link it: the file JSAPIs (extras) use
//! all of it, and an API of the start module that makes or reads files uses
//! [`store_temp_file`] (a `Blob` of app X → its `apFilePath`) and [`read_file`] (app X's
//! `apFilePath` → its `Blob`).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::adapter::set;
use crate::error::ApiError;
use crate::files::{make_room, not_found, ApFilePath, StoredFile};
use crate::options::get;

#[wasm_bindgen(module = "/src/file_store.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = fsGet)]
    async fn fs_get(app: &str, id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = fsList)]
    pub async fn fs_list(app: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = fsPut)]
    async fn fs_put(
        record: &Object,
        decide: &Function,
        replaces: Option<String>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = fsDelete)]
    pub async fn fs_delete(app: &str, id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = randomBytes)]
    fn random_bytes() -> Vec<u8>;
    #[wasm_bindgen(catch, js_name = blobBytes)]
    pub async fn blob_bytes(blob: &JsValue, n: Option<u32>) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = objectUrl)]
    pub fn object_url(blob: &JsValue) -> String;
    #[wasm_bindgen(js_name = revokeUrl)]
    pub fn revoke_url(url: &str);
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
    /// The browser's `Blob` class (a `File` is one too).
    #[wasm_bindgen(js_name = Blob)]
    pub type JsBlob;
}

/// A failure of IndexedDB as an error 3 saying so.
pub fn store_failed(e: JsValue) -> ApiError {
    ApiError::Unknown(format!("the file store failed: {}", js_string(&e)))
}

/// One stored file, as IndexedDB gave it.
pub struct FileRecord(pub JsValue);

impl FileRecord {
    fn number(&self, key: &str) -> f64 {
        get(&self.0, key).as_f64().unwrap_or(0.0)
    }
    /// Bytes.
    pub fn size(&self) -> f64 {
        self.number("size")
    }
    /// Stored at (ms since the epoch).
    pub fn created(&self) -> f64 {
        self.number("created")
    }
    /// `my.saveFile`d (else temporary).
    pub fn saved(&self) -> bool {
        get(&self.0, "saved").as_bool().unwrap_or(false)
    }
    /// The bytes, as a `Blob`.
    pub fn blob(&self) -> JsValue {
        get(&self.0, "blob")
    }
    /// The MIME type (may be empty).
    pub fn mime(&self) -> String {
        get(&self.0, "type").as_string().unwrap_or_default()
    }
    /// The file's own name (may be empty).
    pub fn name(&self) -> String {
        get(&self.0, "name").as_string().unwrap_or_default()
    }
    /// Its `apFilePath`.
    pub fn path(&self) -> String {
        let id = get(&self.0, "id").as_string().unwrap_or_default();
        let ext = get(&self.0, "ext").as_string().unwrap_or_default();
        ApFilePath { id, ext }.text()
    }
}

/// App `app`'s file at `path`, temporary or saved; the option `param` named when it has none.
pub async fn lookup(app: &str, param: &str, path: &ApFilePath) -> Result<FileRecord, ApiError> {
    let found = fs_get(app, &path.id).await.map_err(store_failed)?;
    // The extension is part of the path: `…id.pdf` does not name `…id.image`.
    if found.is_null() || get(&found, "ext").as_string().as_deref() != Some(path.ext.as_str()) {
        return Err(not_found(param, path));
    }
    Ok(FileRecord(found))
}

/// A file to store.
pub struct NewFile<'a> {
    /// Its bytes (a `Blob` or `File`).
    pub blob: &'a JsValue,
    /// Its own name (may be empty).
    pub name: &'a str,
    /// Its MIME type (may be empty).
    pub mime: &'a str,
    /// The path's extension, when not the one `crate::files::extension` gives.
    pub ext: Option<&'a str>,
    /// Saved, or temporary.
    pub saved: bool,
    /// A file removed in the same transaction (the temporary one a saved one replaces).
    pub replaces: Option<String>,
}

/// Stores `file` for app `app` under a new path, making room first (oldest temporary files
/// dropped; a saved file over the quota refused with nothing changed).
pub async fn store(
    api: &'static str,
    app: &str,
    file: NewFile<'_>,
) -> Result<ApFilePath, ApiError> {
    let NewFile {
        blob,
        name,
        mime,
        ext,
        saved,
        replaces,
    } = file;
    if !blob.is_instance_of::<JsBlob>() {
        return Err(ApiError::Unknown(format!(
            "{api}: the file to store is not a Blob"
        )));
    }
    let size = get(blob, "size").as_f64().unwrap_or(0.0);
    let random: [u8; 16] = random_bytes()
        .try_into()
        .map_err(|_| ApiError::Unknown("crypto.getRandomValues gave no 16 bytes".into()))?;
    let mut path = ApFilePath::new(&random, mime, name);
    if let Some(ext) = ext {
        path.ext = ext.to_owned();
    }
    let record = Object::new();
    set(&record, "app", &JsValue::from_str(app));
    set(&record, "id", &JsValue::from_str(&path.id));
    set(&record, "ext", &JsValue::from_str(&path.ext));
    set(&record, "saved", &JsValue::from_bool(saved));
    set(&record, "size", &JsValue::from(size));
    set(&record, "created", &JsValue::from(js_sys::Date::now()));
    set(&record, "type", &JsValue::from_str(mime));
    set(&record, "name", &JsValue::from_str(name));
    set(&record, "blob", blob);
    let refused: Rc<RefCell<Option<ApiError>>> = Rc::default();
    let slot = Rc::clone(&refused);
    // Called by files.js inside the write transaction, so the decision and the write are one.
    let decide =
        Closure::<dyn FnMut(JsValue) -> Result<JsValue, JsValue>>::new(move |files: JsValue| {
            let existing: Vec<StoredFile> = Array::from(&files)
                .iter()
                .map(|f| {
                    let f = Array::from(&f);
                    StoredFile {
                        id: f.get(0).as_string().unwrap_or_default(),
                        size: f.get(1).as_f64().unwrap_or(0.0) as u64,
                        created: f.get(2).as_f64().unwrap_or(0.0),
                        saved: f.get(3).as_bool().unwrap_or(false),
                    }
                })
                .collect();
            match make_room(api, &existing, size as u64, saved) {
                Ok(drop) => Ok(drop
                    .into_iter()
                    .map(|id| JsValue::from_str(&id))
                    .collect::<Array>()
                    .into()),
                Err(e) => {
                    *slot.borrow_mut() = Some(e);
                    Err(JsValue::from_str("over quota"))
                }
            }
        });
    let written = fs_put(&record, decide.as_ref().unchecked_ref(), replaces).await;
    drop(decide);
    if let Some(e) = refused.borrow_mut().take() {
        return Err(e);
    }
    written.map_err(store_failed)?;
    Ok(path)
}

/// Stores `blob` (a `Blob` or `File`) as a temporary file of app `app` and gives its
/// `apFilePath`, for the APIs that make files (chooseImage, compressImage, downloadFile).
/// The oldest temporary files make room; one file over the temporary quota is error 3.
/// `api` names the calling API in a quota error.
pub async fn store_temp_file(
    api: &'static str,
    app: &str,
    blob: &JsValue,
    name: &str,
) -> Result<String, ApiError> {
    let mime = get(blob, "type").as_string().unwrap_or_default();
    let file = NewFile {
        blob,
        name,
        mime: &mime,
        ext: None,
        saved: false,
        replaces: None,
    };
    Ok(store(api, app, file).await?.text())
}

/// The `Blob` of app `app`'s file at `path` (temporary or saved), for the APIs that read
/// files (uploadFile, getImageInfo); error 2 naming `param` when the app has no such file.
pub async fn read_file(app: &str, param: &str, path: &str) -> Result<JsValue, ApiError> {
    let path = ApFilePath::parse(param, path)?;
    Ok(lookup(app, param, &path).await?.blob())
}
