//! The file JSAPIs over the per-app file store (`shim_core::file_store`, DESIGN.md "Files"):
//! `my.saveFile`, `my.getSavedFileList`, `my.getSavedFileInfo`, `my.removeSavedFile`,
//! `my.getFileInfo`, `my.openDocument`. The rules (paths, quotas, digests) are
//! `crate::files`.

use js_sys::{Array, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

use super::adapter::{run_api, set, Failure};
use super::options::{check_object, text};
use super::viewer::Viewer;
use crate::error::ApiError;
use crate::files::{check_document, path_option, ApFilePath, DigestAlgorithm};
use shim_core::file_store::{
    blob_bytes, fs_delete, fs_list, lookup, object_url, revoke_url, store, store_failed,
    FileRecord, NewFile,
};

/// The app whose files this page sees (`""` before an appId is set).
pub(crate) fn current_app() -> String {
    super::runtime::with_config(|c| c.app_id.clone())
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
        let frame = shim_core::host::element(viewer.document(), "iframe", DOCUMENT_STYLE)?;
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

/// The `my.*` methods of this file.
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "saveFile",
            Closure::new(|o: JsValue| JsValue::from(save_file(&o))),
        ),
        (
            "getSavedFileList",
            Closure::new(|o: JsValue| JsValue::from(get_saved_file_list(&o))),
        ),
        (
            "getSavedFileInfo",
            Closure::new(|o: JsValue| JsValue::from(get_saved_file_info(&o))),
        ),
        (
            "removeSavedFile",
            Closure::new(|o: JsValue| JsValue::from(remove_saved_file(&o))),
        ),
        (
            "getFileInfo",
            Closure::new(|o: JsValue| JsValue::from(get_file_info(&o))),
        ),
        (
            "openDocument",
            Closure::new(|o: JsValue| JsValue::from(open_document(&o))),
        ),
    ]
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
