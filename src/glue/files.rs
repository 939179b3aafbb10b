//! The per-app file store (DESIGN.md, "Files") and its JSAPIs: `my.saveFile`,
//! `my.getSavedFileList`, `my.getSavedFileInfo`, `my.removeSavedFile`, `my.getFileInfo`,
//! `my.openDocument`. The bytes live in the page's IndexedDB (`files.js`), keyed by the app's
//! id and a random file id; the rules (paths, quotas, digests) are `crate::files`.
//!
//! **For other APIs** (chooseImage, compressImage, downloadFile, uploadFile): a file is stored
//! with [`store_temp_file`] (a `Blob` of app X → its `apFilePath`) and read back with
//! [`read_file`] (app X's `apFilePath` → its `Blob`); [`current_app`] is the app of the page.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::{run_api, set, Failure};
use super::options::{check_object, get, text};
use super::runtime;
use super::viewer::Viewer;
use crate::error::ApiError;
use crate::files::{
    check_document, make_room, not_found, path_option, ApFilePath, DigestAlgorithm, StoredFile,
};

#[wasm_bindgen(module = "/src/glue/files.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = fsGet)]
    async fn fs_get(app: &str, id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = fsList)]
    async fn fs_list(app: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = fsPut)]
    async fn fs_put(
        record: &Object,
        decide: &Function,
        replaces: Option<String>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = fsDelete)]
    async fn fs_delete(app: &str, id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = randomBytes)]
    fn random_bytes() -> Vec<u8>;
    #[wasm_bindgen(catch, js_name = blobBytes)]
    pub(super) async fn blob_bytes(blob: &JsValue, n: Option<u32>) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = objectUrl)]
    pub(super) fn object_url(blob: &JsValue) -> String;
    #[wasm_bindgen(js_name = revokeUrl)]
    pub(super) fn revoke_url(url: &str);
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
    /// The browser's `Blob` class (a `File` is one too).
    #[wasm_bindgen(js_name = Blob)]
    pub(super) type JsBlob;
}

/// The app whose files this page sees (the configured appId; `""` before one is set).
pub fn current_app() -> String {
    runtime::with_config(|c| c.app_id.clone())
}

fn store_failed(e: JsValue) -> ApiError {
    ApiError::Unknown(format!("the file store failed: {}", js_string(&e)))
}

/// One stored file, as IndexedDB gave it.
pub(super) struct FileRecord(JsValue);

impl FileRecord {
    fn number(&self, key: &str) -> f64 {
        get(&self.0, key).as_f64().unwrap_or(0.0)
    }
    /// Bytes.
    pub(super) fn size(&self) -> f64 {
        self.number("size")
    }
    /// Stored at (ms since the epoch).
    fn created(&self) -> f64 {
        self.number("created")
    }
    /// `my.saveFile`d (else temporary).
    fn saved(&self) -> bool {
        get(&self.0, "saved").as_bool().unwrap_or(false)
    }
    /// The bytes, as a `Blob`.
    pub(super) fn blob(&self) -> JsValue {
        get(&self.0, "blob")
    }
    /// The MIME type (may be empty).
    pub(super) fn mime(&self) -> String {
        get(&self.0, "type").as_string().unwrap_or_default()
    }
    /// The file's own name (may be empty).
    pub(super) fn name(&self) -> String {
        get(&self.0, "name").as_string().unwrap_or_default()
    }
    fn path(&self) -> String {
        let id = get(&self.0, "id").as_string().unwrap_or_default();
        let ext = get(&self.0, "ext").as_string().unwrap_or_default();
        ApFilePath { id, ext }.text()
    }
}

/// App `app`'s file at `path`, temporary or saved; the option `param` named when it has none.
pub(super) async fn lookup(
    app: &str,
    param: &str,
    path: &ApFilePath,
) -> Result<FileRecord, ApiError> {
    let found = fs_get(app, &path.id).await.map_err(store_failed)?;
    // The extension is part of the path: `…id.pdf` does not name `…id.image`.
    if found.is_null() || get(&found, "ext").as_string().as_deref() != Some(path.ext.as_str()) {
        return Err(not_found(param, path));
    }
    Ok(FileRecord(found))
}

/// A file to store.
struct NewFile<'a> {
    /// Its bytes (a `Blob` or `File`).
    blob: &'a JsValue,
    /// Its own name (may be empty).
    name: &'a str,
    /// Its MIME type (may be empty).
    mime: &'a str,
    /// The path's extension, when not the one `crate::files::extension` gives.
    ext: Option<&'a str>,
    /// Saved, or temporary.
    saved: bool,
    /// A file removed in the same transaction (the temporary one a saved one replaces).
    replaces: Option<String>,
}

/// Stores `file` for app `app` under a new path, making room first (oldest temporary files
/// dropped; a saved file over the quota refused with nothing changed).
async fn store(api: &'static str, app: &str, file: NewFile<'_>) -> Result<ApFilePath, ApiError> {
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

// ---- the JSAPIs --------------------------------------------------------------------------------

/// Which option named the file (for messages), and the path.
fn read_path(options: &JsValue) -> Result<(&'static str, ApFilePath), ApiError> {
    check_object(options)?;
    let ap = text(options, "apFilePath")?;
    let param = if ap.is_some() {
        "apFilePath"
    } else {
        "filePath"
    };
    Ok((param, path_option(ap, text(options, "filePath")?)?))
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (key, value) in fields {
        set(&obj, key, value);
    }
    obj.into()
}

/// Seconds since the epoch, as mini programs' `createTime` is.
fn seconds(ms: f64) -> JsValue {
    JsValue::from((ms / 1000.0).floor())
}

/// `my.saveFile({ apFilePath })`: makes a temporary file a saved one (under a new path; the
/// temporary path stops working) → `{ success: true, apFilePath }`. A saved file's own path
/// answers itself. Over the saved-files quota: error 3, nothing changed.
fn save_file(options: &JsValue) -> Promise {
    let path = read_path(options);
    run_api("saveFile", options, async move {
        let (param, path) = path?;
        let app = current_app();
        let found = lookup(&app, param, &path).await?;
        let saved = if found.saved() {
            path
        } else {
            let blob = found.blob();
            let (name, mime) = (found.name(), found.mime());
            let file = NewFile {
                blob: &blob,
                name: &name,
                mime: &mime,
                ext: Some(&path.ext),
                saved: true,
                replaces: Some(path.id.clone()),
            };
            store("saveFile", &app, file).await?
        };
        Ok::<JsValue, Failure>(object(&[
            ("success", JsValue::TRUE),
            ("apFilePath", JsValue::from_str(&saved.text())),
        ]))
    })
}

/// `my.getSavedFileList()` → `{ success: true, fileList: [{ apFilePath, size, createTime }] }`,
/// oldest first; this app's saved files only.
fn get_saved_file_list(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getSavedFileList", options, async move {
        checked?;
        let all = fs_list(&current_app()).await.map_err(store_failed)?;
        let mut saved: Vec<FileRecord> = Array::from(&all)
            .iter()
            .map(FileRecord)
            .filter(FileRecord::saved)
            .collect();
        saved.sort_by(|a, b| a.created().total_cmp(&b.created()));
        let list: Array = saved
            .iter()
            .map(|f| {
                object(&[
                    ("apFilePath", JsValue::from_str(&f.path())),
                    ("size", JsValue::from(f.size())),
                    ("createTime", seconds(f.created())),
                ])
            })
            .collect();
        Ok::<JsValue, Failure>(object(&[
            ("success", JsValue::TRUE),
            ("fileList", list.into()),
        ]))
    })
}

/// App's saved file at the path of `options` (a temporary one is not a saved file).
async fn saved_file(
    app: &str,
    path: Result<(&'static str, ApFilePath), ApiError>,
) -> Result<(ApFilePath, FileRecord), ApiError> {
    let (param, path) = path?;
    let found = lookup(app, param, &path).await?;
    if !found.saved() {
        return Err(ApiError::invalid(
            param,
            format!(
                "{} is a temporary file, not a saved one: save it with my.saveFile first",
                path.text()
            ),
        ));
    }
    Ok((path, found))
}

/// `my.getSavedFileInfo({ apFilePath })` → `{ success: true, size, createTime }`.
fn get_saved_file_info(options: &JsValue) -> Promise {
    let path = read_path(options);
    run_api("getSavedFileInfo", options, async move {
        let (_, found) = saved_file(&current_app(), path).await?;
        Ok::<JsValue, Failure>(object(&[
            ("success", JsValue::TRUE),
            ("size", JsValue::from(found.size())),
            ("createTime", seconds(found.created())),
        ]))
    })
}

/// `my.removeSavedFile({ apFilePath })` → `{ success: true }`; the path stops working.
fn remove_saved_file(options: &JsValue) -> Promise {
    let path = read_path(options);
    run_api("removeSavedFile", options, async move {
        let app = current_app();
        let (path, _) = saved_file(&app, path).await?;
        fs_delete(&app, &path.id).await.map_err(store_failed)?;
        Ok::<JsValue, Failure>(object(&[("success", JsValue::TRUE)]))
    })
}

/// `my.getFileInfo({ apFilePath, digestAlgorithm })` → `{ size, digest }` of a temporary or
/// saved file (`md5` by default, or `sha1`; lowercase hex).
fn get_file_info(options: &JsValue) -> Promise {
    let read = read_path(options).and_then(|path| {
        let algorithm = DigestAlgorithm::parse(text(options, "digestAlgorithm")?.as_deref())?;
        Ok((path, algorithm))
    });
    run_api("getFileInfo", options, async move {
        let ((param, path), algorithm) = read?;
        let found = lookup(&current_app(), param, &path).await?;
        let bytes = blob_bytes(&found.blob(), None)
            .await
            .map_err(store_failed)?;
        let bytes = Uint8Array::new(&bytes).to_vec();
        Ok::<JsValue, Failure>(object(&[
            ("size", JsValue::from(bytes.len() as f64)),
            ("digest", JsValue::from_str(&algorithm.hex(&bytes))),
        ]))
    })
}

const DOCUMENT_STYLE: &str = "width:100%;height:100%;border:0;background:#fff;";

/// `my.openDocument({ filePath, fileType })`: shows the PDF in a viewer in the phone (the
/// browser's own PDF viewer in a frame) → `{}` when the user closes it.
fn open_document(options: &JsValue) -> Promise {
    let read = read_path(options).and_then(|path| Ok((path, text(options, "fileType")?)));
    run_api("openDocument", options, async move {
        let ((param, path), file_type) = read?;
        let found = lookup(&current_app(), param, &path).await?;
        let head = blob_bytes(&found.blob(), Some(5))
            .await
            .map_err(store_failed)?;
        check_document(file_type.as_deref(), &Uint8Array::new(&head).to_vec())?;
        let name = found.name();
        let title = if name.is_empty() { "Document" } else { &name };
        let viewer = Viewer::new("miniprogram-shim-document", title)?;
        // The PDF as a Blob of type application/pdf, so the browser's viewer shows it.
        let url = object_url(&found.blob());
        let frame = super::host::element(viewer.document(), "iframe", DOCUMENT_STYLE)?;
        let _ = frame.set_attribute("title", title);
        let _ = frame.set_attribute("src", &url);
        let _ = viewer.body.append_child(&frame);
        let shown = viewer.closed().await;
        revoke_url(&url);
        shown?;
        Ok::<JsValue, Failure>(Object::new().into())
    })
}

// ---- on `my` ----------------------------------------------------------------------------------

/// The APIs this file adds to `my`.
pub(crate) const NAMES: &[&str] = &[
    "saveFile",
    "getSavedFileList",
    "getSavedFileInfo",
    "removeSavedFile",
    "getFileInfo",
    "openDocument",
];

/// Runs the API `name` of this file; `None` for another name.
pub(crate) fn call(name: &str, options: &JsValue) -> Option<JsValue> {
    Some(
        match name {
            "saveFile" => save_file(options),
            "getSavedFileList" => get_saved_file_list(options),
            "getSavedFileInfo" => get_saved_file_info(options),
            "removeSavedFile" => remove_saved_file(options),
            "getFileInfo" => get_file_info(options),
            "openDocument" => open_document(options),
            _ => return None,
        }
        .into(),
    )
}

#[wasm_bindgen(typescript_custom_section)]
const FILE_TYPES: &'static str = r#"
/** A file path of the simulator's per-app file store: `https://resource/apml<32 hex>.<ext>`. */
export type ApFilePath = string;
/** Names a file: `apFilePath` (wins) or `filePath`. */
export interface FilePathOptions<S> extends AsyncCallbacks<S> {
  apFilePath?: ApFilePath;
  filePath?: ApFilePath;
}
/** `my.saveFile` success: the saved file's new path (the temporary one stops working). */
export interface SaveFileSuccess { success: true; apFilePath: ApFilePath }
export interface SavedFile { apFilePath: ApFilePath; size: number; /** Seconds since the epoch. */ createTime: number }
export interface GetSavedFileListSuccess { success: true; fileList: SavedFile[] }
export interface GetSavedFileInfoSuccess { success: true; size: number; createTime: number }
export interface GetFileInfoOptions extends FilePathOptions<GetFileInfoSuccess> {
  /** Default `md5`. */
  digestAlgorithm?: 'md5' | 'sha1';
}
/** `digest`: lowercase hex. */
export interface GetFileInfoSuccess { size: number; digest: string }
export interface OpenDocumentOptions extends FilePathOptions<{}> {
  /** `pdf`, the one type the simulator opens. */
  fileType?: 'pdf' | string;
}
export interface My {
  saveFile(options: FilePathOptions<SaveFileSuccess>): Promise<SaveFileSuccess>;
  getSavedFileList(options?: AsyncCallbacks<GetSavedFileListSuccess>): Promise<GetSavedFileListSuccess>;
  getSavedFileInfo(options?: FilePathOptions<GetSavedFileInfoSuccess>): Promise<GetSavedFileInfoSuccess>;
  removeSavedFile(options?: FilePathOptions<{ success: true }>): Promise<{ success: true }>;
  getFileInfo(options: GetFileInfoOptions): Promise<GetFileInfoSuccess>;
  openDocument(options: OpenDocumentOptions): Promise<{}>;
}
"#;
