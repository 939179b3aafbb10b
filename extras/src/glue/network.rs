//! `my.downloadFile` and `my.uploadFile` in the browser (the extras module): reads the options,
//! runs the core rules (`crate::network`) against the configuration the start module handed
//! over, sends with XMLHttpRequest (for its progress events) directly or through the super
//! app's relay, and keeps downloaded files in the app's file store (`shim_core::file_store`). The
//! returned Promise is also the typings' DownloadTask/UploadTask.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::adapter::{headers_from_pairs, run_api, set, Failure};
use super::options::{check_object, get, text};
use super::runtime;
use crate::config::Transport;
use crate::encoding::{base64_decode, base64_encode};
use crate::error::ApiError;
use crate::network::{
    check_upload_size, download_name, download_too_large, file_name_of, multipart, progress,
    DownloadInput, FileType, UploadInput, MAX_DOWNLOAD_BYTES, TRANSFER_TIMEOUT_MS,
};
use shim_core::file_store::{blob_bytes, read_file, store_failed, store_temp_file};

#[wasm_bindgen(module = "/src/glue/network.js")]
extern "C" {
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = xhrSend)]
    fn xhr_send(
        url: &str,
        method: &str,
        headers: &Object,
        body: JsValue,
        timeout_ms: u32,
        on_progress: &Function,
        max_bytes: u32,
        as_json: bool,
    ) -> Object;
    #[wasm_bindgen(js_name = randomHex)]
    fn random_hex() -> String;
    #[wasm_bindgen(js_name = bytesBlob)]
    fn bytes_blob(bytes: &[u8], mime: &str) -> JsValue;

    /// The listeners and abort switch of one upload or download.
    #[derive(Clone)]
    type Task;
    #[wasm_bindgen(js_name = newTask)]
    fn new_task() -> Task;
    #[wasm_bindgen(js_name = attachTask)]
    fn attach_task(promise: &Promise, task: &Task);
    #[wasm_bindgen(method)]
    fn emit(this: &Task, kind: &str, value: &JsValue);
    #[wasm_bindgen(method, js_name = setAbort)]
    fn set_abort(this: &Task, abort: &JsValue);
    #[wasm_bindgen(method, getter)]
    fn aborted(this: &Task) -> bool;
}

/// The APIs of this file, for the extras module's `my`.
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "downloadFile",
            Closure::new(|o: JsValue| JsValue::from(download_file(&o))),
        ),
        (
            "uploadFile",
            Closure::new(|o: JsValue| JsValue::from(upload_file(&o))),
        ),
    ]
}

/// `header` (or `headers`): a plain object of strings, numbers or booleans.
fn read_headers(options: &JsValue) -> Result<Vec<(String, String)>, ApiError> {
    let (value, name) = match get(options, "header") {
        v if v.is_undefined() || v.is_null() => (get(options, "headers"), "headers"),
        v => (v, "header"),
    };
    read_fields(&value, name)
}

/// A plain object's entries as `(key, text)`; error 2 naming `name.key` for an object value.
fn read_fields(value: &JsValue, name: &str) -> Result<Vec<(String, String)>, ApiError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_object() || value.is_function() {
        return Err(ApiError::invalid(name, "must be an object"));
    }
    let mut fields = Vec::new();
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let holder = Object::new();
        set(&holder, "v", &entry.get(1));
        match text(&holder, "v") {
            Ok(Some(t)) => fields.push((key, t)),
            Ok(None) => fields.push((key, String::new())),
            Err(_) => {
                return Err(ApiError::invalid(
                    format!("{name}.{key}"),
                    "must be a string, number or boolean",
                ))
            }
        }
    }
    Ok(fields)
}

/// Where a transfer goes: the URL itself, or the relay for the app.
enum Route {
    Direct,
    Relay { relay_url: String, app_id: String },
}

fn route() -> Result<Route, ApiError> {
    runtime::with_config(|config| {
        if config.network_faults.offline {
            return Err(ApiError::Network(
                "the device is offline (simulated)".into(),
            ));
        }
        Ok(match config.transport {
            Transport::Direct => Route::Direct,
            Transport::Relay => Route::Relay {
                relay_url: config.effective_relay_url().ok_or_else(|| {
                    ApiError::Unknown(
                        "transport is relay but neither relayUrl nor superAppOrigin is configured"
                            .into(),
                    )
                })?,
                app_id: config.app_id.clone(),
            },
        })
    })
}

/// What came back from the server: status, headers (a plain object), body bytes.
struct Reply {
    status: u16,
    headers: JsValue,
    body: Vec<u8>,
}

/// Which progress the task reports.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Upload,
    Download,
}

/// Sends `body` to `url` (directly or through the relay), reporting `phase` progress on `task`.
/// `size` is the byte count progress is given in for an upload (the multipart body).
#[allow(clippy::too_many_arguments)]
async fn transfer(
    route: Route,
    url: &str,
    method: &str,
    headers: &[(String, String)],
    body: Option<Vec<u8>>,
    task: &Task,
    phase: Phase,
    too_large: fn() -> ApiError,
) -> Result<Reply, ApiError> {
    let upload_size = body.as_ref().map(|b| b.len() as f64);
    let progress_task: JsValue = task.clone().into();
    let relayed = matches!(route, Route::Relay { .. });
    let on_progress = Closure::<dyn FnMut(String, f64, f64, JsValue)>::new(
        move |kind: String, done: f64, total: f64, extra: JsValue| {
            let task: &Task = progress_task.unchecked_ref();
            let wanted = match kind.as_str() {
                "upload" => Phase::Upload,
                "download" => Phase::Download,
                // Headers of the relay's own answer are not the server's.
                "headers" if !relayed => {
                    let event = Object::new();
                    set(&event, "header", &extra);
                    set(&event, "headers", &extra);
                    task.emit("headers", &event);
                    return;
                }
                _ => return,
            };
            if wanted != phase {
                return;
            }
            let size = match phase {
                Phase::Upload => upload_size,
                Phase::Download => extra
                    .as_string()
                    .and_then(|s| s.parse::<u32>().ok())
                    .map(f64::from),
            };
            let (percent, written, expected) = progress(done, total, size);
            let event = Object::new();
            set(&event, "progress", &JsValue::from(percent));
            set(&event, "totalBytesWritten", &JsValue::from(written));
            set(
                &event,
                "totalBytesExpectedToWrite",
                &JsValue::from(expected),
            );
            task.emit("progress", &event);
        },
    );
    let header_object = |pairs: &[(String, String)]| {
        let o = Object::new();
        for (k, v) in pairs {
            set(&o, k, &JsValue::from_str(v));
        }
        o
    };
    let (target, send_headers, send_body, max, as_json) = match &route {
        Route::Direct => (
            url.to_owned(),
            header_object(headers),
            body.map(|b| JsValue::from(Uint8Array::from(b.as_slice())))
                .unwrap_or(JsValue::UNDEFINED),
            MAX_DOWNLOAD_BYTES as u32,
            false,
        ),
        Route::Relay { relay_url, app_id } => {
            let envelope = Object::new();
            set(&envelope, "appId", &JsValue::from_str(app_id));
            set(&envelope, "url", &JsValue::from_str(url));
            set(&envelope, "method", &JsValue::from_str(method));
            set(&envelope, "headers", &header_object(headers));
            if let Some(b) = &body {
                set(&envelope, "body", &JsValue::from_str(&base64_encode(b)));
            }
            set(&envelope, "timeoutMs", &JsValue::from(TRANSFER_TIMEOUT_MS));
            let json = JSON::stringify(&envelope)
                .map_err(|_| ApiError::Unknown("cannot encode the relay envelope".into()))?;
            let h = Object::new();
            set(&h, "content-type", &JsValue::from_str("application/json"));
            // The relay caps its own answer; its JSON is base64, a third larger than the file.
            (relay_url.clone(), h, json.into(), 0, true)
        }
    };
    if task.aborted() {
        return Err(ApiError::Aborted);
    }
    let sent = xhr_send(
        &target,
        if as_json { "POST" } else { method },
        &send_headers,
        send_body,
        TRANSFER_TIMEOUT_MS + 5_000,
        on_progress.as_ref().unchecked_ref(),
        max,
        as_json,
    );
    task.set_abort(&Reflect::get(&sent, &"abort".into()).unwrap_or(JsValue::UNDEFINED));
    let promise: Promise = Reflect::get(&sent, &"promise".into())
        .map_err(|_| ApiError::Unknown("no transfer promise".into()))?
        .unchecked_into();
    let answer = JsFuture::from(promise).await.map_err(|e| {
        let kind = Reflect::get(&e, &"kind".into())
            .ok()
            .and_then(|k| k.as_string())
            .unwrap_or_default();
        let message = Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|k| k.as_string())
            .unwrap_or_default();
        match kind.as_str() {
            "abort" => ApiError::Aborted,
            "timeout" => ApiError::Timeout,
            "too_large" => too_large(),
            _ => ApiError::Network(message),
        }
    })?;
    drop(on_progress);
    let answer: Array = answer.unchecked_into();
    let status = answer.get(0).as_f64().unwrap_or_default() as u16;
    if !relayed {
        let body = Uint8Array::new(&answer.get(2)).to_vec();
        return Ok(Reply {
            status,
            headers: answer.get(1),
            body,
        });
    }
    if status != 200 {
        return Err(ApiError::Network(format!(
            "the relay answered HTTP {status}"
        )));
    }
    relay_reply(&answer.get(2), url, too_large)
}

/// Reads the relay's JSON answer (DESIGN.md "Relay envelope").
fn relay_reply(json: &JsValue, url: &str, too_large: fn() -> ApiError) -> Result<Reply, ApiError> {
    if !json.is_object() {
        return Err(ApiError::Unknown("the relay's reply is not JSON".into()));
    }
    let field = |k: &str| Reflect::get(json, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    if let Some(kind) = field("error").as_string() {
        let message = field("message").as_string().unwrap_or_default();
        return Err(match kind.as_str() {
            "whitelist" => ApiError::DomainNotWhitelisted {
                domain: crate::url::RequestUrl::parse(url)
                    .map(|u| u.domain())
                    .unwrap_or_default(),
            },
            "timeout" => ApiError::Timeout,
            "too_large" => too_large(),
            "busy" => ApiError::Network(format!("the super app's relay is busy: {message}")),
            "origin" => ApiError::NotPermitted(message),
            "bad_request" => ApiError::invalid("url", message),
            _ => ApiError::Network(message),
        });
    }
    let status = field("status")
        .as_f64()
        .filter(|s| (100.0..=999.0).contains(s))
        .ok_or_else(|| ApiError::Unknown("the relay's reply has no status".into()))?
        as u16;
    let headers = headers_from_pairs(&field("headers"));
    let body = base64_decode(&field("body").as_string().unwrap_or_default())
        .ok_or_else(|| ApiError::Unknown("the relay's body is not base64".into()))?;
    Ok(Reply {
        status,
        headers: headers.into(),
        body,
    })
}

fn content_type(headers: &JsValue) -> String {
    Reflect::get(headers, &"content-type".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// `my.downloadFile({ url, header })` → `{ apFilePath, tempFilePath, headers, header }`.
fn download_file(options: &JsValue) -> Promise {
    let task = new_task();
    let read = (|| {
        check_object(options)?;
        Ok::<_, ApiError>(DownloadInput {
            url: text(options, "url")?,
            headers: read_headers(options)?,
        })
    })();
    let future_task = task.clone();
    let promise = run_api("downloadFile", options, async move {
        let input = read?;
        let valid = runtime::with_config(|config| input.validate_for(config))?;
        let route = route()?;
        let reply = transfer(
            route,
            &valid.url.href,
            "GET",
            &valid.headers,
            None,
            &future_task,
            Phase::Download,
            download_too_large,
        )
        .await?;
        if !(200..300).contains(&reply.status) {
            return Err(ApiError::Network(format!(
                "downloadFile:fail the server answered HTTP {}; no file was stored",
                reply.status
            ))
            .into());
        }
        if reply.body.len() > MAX_DOWNLOAD_BYTES {
            return Err(download_too_large().into());
        }
        let mime = content_type(&reply.headers);
        let mime = mime.split(';').next().unwrap_or_default().trim();
        let blob = bytes_blob(&reply.body, mime);
        drop(reply.body);
        let app = super::files::current_app();
        let name = download_name(&valid.url.href);
        let path = store_temp_file("downloadFile", &app, &blob, name).await?;
        let result = Object::new();
        set(&result, "apFilePath", &JsValue::from_str(&path));
        set(&result, "tempFilePath", &JsValue::from_str(&path));
        set(&result, "headers", &reply.headers);
        set(&result, "header", &reply.headers);
        Ok::<_, Failure>(result.into())
    });
    attach_task(&promise, &task);
    promise
}

/// `my.uploadFile({ url, filePath, name, fileType, header, formData })` →
/// `{ data, statusCode, header }`, sent as `multipart/form-data`.
fn upload_file(options: &JsValue) -> Promise {
    let task = new_task();
    let read = (|| {
        check_object(options)?;
        Ok::<_, ApiError>(UploadInput {
            url: text(options, "url")?,
            file_path: text(options, "filePath")?,
            name: text(options, "name")?,
            file_name: text(options, "fileName")?,
            file_type: text(options, "fileType")?,
            headers: read_headers(options)?,
            form_data: read_fields(&get(options, "formData"), "formData")?,
        })
    })();
    let future_task = task.clone();
    let promise = run_api("uploadFile", options, async move {
        let input = read?;
        let valid = runtime::with_config(|config| input.validate_for(config))?;
        let blob = read_file(&super::files::current_app(), "filePath", &valid.file_path).await?;
        // Refused before its bytes are read: the body is larger than the file.
        let size = get(&blob, "size").as_f64().unwrap_or(0.0);
        check_upload_size(&valid.file_path, size.min(usize::MAX as f64) as usize)?;
        let mime = get(&blob, "type").as_string().unwrap_or_default();
        let mime = if mime.is_empty() {
            valid
                .file_type
                .map_or("application/octet-stream", FileType::fallback_mime)
                .to_owned()
        } else {
            mime
        };
        let file = Uint8Array::new(&blob_bytes(&blob, None).await.map_err(store_failed)?).to_vec();
        let boundary = format!("----miniprogramShim{}", random_hex());
        let body = multipart(
            &boundary,
            &valid.form_data,
            &valid.field,
            file_name_of(&valid.file_path),
            &mime,
            &file,
        );
        drop(file);
        check_upload_size(&valid.file_path, body.len())?;
        let mut headers = valid.headers.clone();
        headers.push((
            "content-type".to_owned(),
            format!("multipart/form-data; boundary={boundary}"),
        ));
        let route = route()?;
        let reply = transfer(
            route,
            &valid.url.href,
            "POST",
            &headers,
            Some(body),
            &future_task,
            Phase::Upload,
            upload_too_large,
        )
        .await?;
        let result = Object::new();
        set(
            &result,
            "data",
            &JsValue::from_str(&String::from_utf8_lossy(&reply.body)),
        );
        set(&result, "statusCode", &JsValue::from(reply.status));
        set(&result, "header", &reply.headers);
        Ok::<_, Failure>(result.into())
    });
    attach_task(&promise, &task);
    promise
}

/// The server's answer to an upload passed the relay's answer cap.
fn upload_too_large() -> ApiError {
    ApiError::Limit {
        code: 12,
        message: format!(
            "uploadFile:fail the server's answer is over {MAX_DOWNLOAD_BYTES} bytes (10 MiB)"
        ),
    }
}
