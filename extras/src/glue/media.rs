//! The image JSAPIs: `my.chooseImage`, `my.previewImage`, `my.saveImage`, `my.getImageInfo`,
//! `my.compressImage` (DESIGN.md, "Images"). Rules in `crate::media`; files go through the
//! per-app store (`glue::files`); decoding and JPEG encoding are the browser's canvas
//! (`media.js`).
//!
//! `my.chooseImage` returns the images the devtools preset (`configure({ device: { images } })`,
//! the simulator's Device tab and its `?images=` URL parameter), or else asks in a sheet with
//! the browser's own file picker.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, KeyboardEvent};

use super::adapter::{run_api, set, Failure};
use super::files::current_app;
use super::host::{element, Listener};
use super::options::{check_object, get, number, text};
use super::pickers::{strings, Answer, Sheet};
use super::viewer::Viewer;
use crate::error::ApiError;
use crate::files::PATH_PREFIX;
use crate::media::{
    image_size, image_type, jpeg_orientation, orientation_name, preview_index, ChooseImage,
    Compress, MAX_CHOOSE,
};
use shim_core::file_store::{blob_bytes, object_url, read_file, revoke_url, store_temp_file};

#[wasm_bindgen(module = "/src/glue/media.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetchBlob)]
    async fn fetch_blob(url: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn decode(blob: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = encodeJpeg)]
    async fn encode_jpeg(
        bitmap: &JsValue,
        width: u32,
        height: u32,
        quality: f64,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn download(blob: &JsValue, name: &str) -> Result<(), JsValue>;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

/// How many bytes of an image are read for its type, size and orientation (a JPEG's EXIF,
/// thumbnail included, comes before its frame header).
const HEAD: u32 = 256 * 1024;

thread_local! {
    /// The chooser images the devtools preset (`Blob`s or `File`s of image types).
    static IMAGES: RefCell<Vec<JsValue>> = const { RefCell::new(Vec::new()) };
}

/// Applies what `shim_core::device_images::read` accepted.
pub(crate) fn store_images(images: Option<Vec<JsValue>>) {
    if let Some(images) = images {
        IMAGES.with(|i| *i.borrow_mut() = images);
    }
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (key, value) in fields {
        set(&obj, key, value);
    }
    obj.into()
}

fn failed(code: u32, message: String) -> ApiError {
    ApiError::Device { code, message }
}

/// The first `n` bytes (all when `None`) of a Blob, in wasm memory.
async fn bytes(blob: &JsValue, n: Option<u32>) -> Result<Vec<u8>, ApiError> {
    let read = blob_bytes(blob, n)
        .await
        .map_err(|e| ApiError::Unknown(format!("cannot read the file: {}", js_string(&e))))?;
    Ok(Uint8Array::new(&read).to_vec())
}

/// A `sourceType`-like option: one text or a list of texts.
fn text_or_list(options: &JsValue, name: &str) -> Result<Option<Vec<String>>, ApiError> {
    match text(options, name) {
        Ok(Some(one)) => Ok(Some(vec![one])),
        _ => strings(options, name),
    }
}

// ---- my.chooseImage -------------------------------------------------------------------------

const SHEET_TITLE_STYLE: &str = "margin:0;padding:12px 16px;font-size:13px;font-weight:400;\
color:#888;text-align:center;border-bottom:1px solid #eee;";
const ITEM_STYLE: &str = "display:block;width:100%;padding:14px 16px;border:0;\
border-bottom:1px solid #eee;background:#fff;color:#111;font:inherit;font-size:17px;\
text-align:center;cursor:pointer;";
const CANCEL_ITEM_STYLE: &str = "display:block;width:100%;padding:14px 16px;border:0;\
border-top:8px solid #f2f2f2;background:#fff;color:#111;font:inherit;font-size:17px;cursor:pointer;";

/// The chooser sheet: one button opening the browser's file picker (the camera where the
/// device has one and only `camera` is allowed), and Cancel. Cancel, Escape or a tap outside:
/// fail 11.
async fn choose_in_sheet(spec: &ChooseImage) -> Result<Vec<JsValue>, ApiError> {
    let title = if spec.count > 1 {
        "Choose images"
    } else {
        "Choose an image"
    };
    let mut sheet = Sheet::new("miniprogram-shim-chooser", title, title, true)?;
    let document = sheet.document.clone();
    let panel = sheet.panel.clone();
    let heading = element(&document, "h2", SHEET_TITLE_STYLE)?;
    heading.set_text_content(Some(&if spec.count > 1 {
        format!("Choose up to {} images", spec.count)
    } else {
        title.to_owned()
    }));
    let _ = panel.append_child(&heading);
    // The file input stays outside the dialog's focus order; the button opens it.
    let input = element(&document, "input", "display:none")?;
    let _ = input.set_attribute("type", "file");
    let _ = input.set_attribute("accept", "image/*");
    if spec.count > 1 {
        let _ = input.set_attribute("multiple", "");
    }
    if spec.sources.camera && !spec.sources.album {
        let _ = input.set_attribute("capture", "environment");
    }
    if let Some(overlay) = panel.parent_element() {
        let _ = overlay.append_child(&input);
    }
    let choose = element(&document, "button", ITEM_STYLE)?;
    let _ = choose.set_attribute("type", "button");
    let _ = choose.set_attribute("data-action", "choose");
    choose.set_text_content(Some(if spec.sources.album {
        "Choose from album…"
    } else {
        "Take a photo…"
    }));
    let _ = panel.append_child(&choose);
    let opener = input.clone();
    let _open = Listener::new(&choose, "click", move |_| {
        if let Some(i) = opener.dyn_ref::<HtmlElement>() {
            i.click();
        }
    });
    sheet.answer_on(&input, "change", Answer::Confirm);
    sheet.button(
        &panel,
        "Cancel",
        "cancel",
        CANCEL_ITEM_STYLE,
        Answer::Cancel,
    )?;
    let answer = sheet.answer(&choose).await?;
    drop(sheet);
    if answer != Answer::Confirm {
        return Err(failed(11, "chooseImage:fail user cancelled".into()));
    }
    let chosen: Vec<JsValue> = Array::from(&get(&input, "files"))
        .iter()
        .filter(|f| {
            get(f, "type")
                .as_string()
                .is_some_and(|t| t.starts_with("image/"))
        })
        .take(usize::from(spec.count))
        .collect();
    if chosen.is_empty() {
        return Err(failed(
            11,
            "chooseImage:fail no image was chosen (the chosen files are not images)".into(),
        ));
    }
    Ok(chosen)
}

/// `my.chooseImage({ count, sourceType, sizeType })` → `{ apFilePaths, tempFilePaths,
/// tempFiles: [{ path, size }] }`: temporary files of this app.
fn choose_image(options: &JsValue) -> Promise {
    let read = check_object(options).and_then(|_| {
        ChooseImage::new(
            number(options, "count"),
            text_or_list(options, "sourceType")?,
            text_or_list(options, "sizeType")?,
        )
    });
    run_api("chooseImage", options, async move {
        let spec = read?;
        let preset: Vec<JsValue> = IMAGES.with(|i| i.borrow().clone());
        let images = if preset.is_empty() {
            choose_in_sheet(&spec).await?
        } else {
            preset.into_iter().take(usize::from(spec.count)).collect()
        };
        let app = current_app();
        let (paths, files) = (Array::new(), Array::new());
        for image in &images {
            let name = get(image, "name").as_string().unwrap_or_default();
            let path =
                JsValue::from_str(&store_temp_file("chooseImage", &app, image, &name).await?);
            files.push(&object(&[
                ("path", path.clone()),
                ("size", get(image, "size")),
            ]));
            paths.push(&path);
        }
        Ok::<JsValue, Failure>(object(&[
            ("apFilePaths", paths.clone().into()),
            ("tempFilePaths", paths.into()),
            ("tempFiles", files.into()),
        ]))
    })
}

// ---- my.getImageInfo --------------------------------------------------------------------------

/// The Blob an image option names: a file of this app, or a URL (absolute, or relative to
/// the page) read with `fetch` — so it must be same-origin or allow CORS.
async fn image_blob(api: &str, param: &str, src: &str, code: u32) -> Result<JsValue, ApiError> {
    if src.starts_with(PATH_PREFIX) {
        return read_file(&current_app(), param, src).await;
    }
    fetch_blob(src).await.map_err(|e| {
        failed(
            code,
            format!(
                "{api}:fail cannot read {src}: {} (an image URL must be same-origin or allow CORS)",
                js_string(&e)
            ),
        )
    })
}

/// `my.getImageInfo({ src })` → `{ width, height, path, size, type, orientation }`: the stored
/// pixel size, the format read from the bytes, the EXIF orientation; `path` is an apFilePath
/// (a URL's image is kept as a temporary file). Not an image, or unreadable: fail 18.
fn get_image_info(options: &JsValue) -> Promise {
    let read = check_object(options).and_then(|_| {
        text(options, "src")?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::invalid("src", "is required: an apFilePath or an image URL"))
    });
    run_api("getImageInfo", options, async move {
        let src = read?;
        let blob = image_blob("getImageInfo", "src", &src, 18).await?;
        let head = bytes(&blob, Some(HEAD)).await?;
        let not_image = || failed(18, format!("getImageInfo:fail {src} is not an image"));
        let kind = image_type(&head).ok_or_else(not_image)?;
        let (width, height) = match image_size(&head) {
            Some(size) => size,
            // WebP (or a header past `HEAD`): the browser's decoder.
            None => {
                let bitmap = decode(&blob).await.map_err(|_| not_image())?;
                let side = |k| get(&bitmap, k).as_f64().unwrap_or(0.0) as u32;
                (side("width"), side("height"))
            }
        };
        let orientation = if kind == "jpeg" {
            orientation_name(jpeg_orientation(&head))
        } else {
            "up"
        };
        let path = if src.starts_with(PATH_PREFIX) {
            src
        } else {
            store_temp_file("getImageInfo", &current_app(), &blob, "").await?
        };
        Ok::<JsValue, Failure>(object(&[
            ("width", JsValue::from(width)),
            ("height", JsValue::from(height)),
            ("path", JsValue::from_str(&path)),
            ("size", get(&blob, "size")),
            ("type", JsValue::from_str(kind)),
            ("orientation", JsValue::from_str(orientation)),
        ]))
    })
}

// ---- my.compressImage -------------------------------------------------------------------------

/// `my.compressImage({ apFilePaths, compressLevel, compressedWidth, compressedHeight, maxWidth,
/// maxHeight })` → `{ apFilePaths }`: each image re-encoded as JPEG by the canvas (level 3
/// without a size keeps the original bytes), as new temporary files.
fn compress_image(options: &JsValue) -> Promise {
    let read = check_object(options).and_then(|_| {
        let paths = strings(options, "apFilePaths")?
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                ApiError::invalid(
                    "apFilePaths",
                    "is required: a non-empty array of apFilePaths",
                )
            })?;
        if paths.len() > usize::from(MAX_CHOOSE) {
            return Err(ApiError::invalid(
                "apFilePaths",
                format!("holds at most {MAX_CHOOSE} images"),
            ));
        }
        let spec = Compress::new(
            number(options, "compressLevel"),
            number(options, "compressedWidth"),
            number(options, "compressedHeight"),
            number(options, "maxWidth"),
            number(options, "maxHeight"),
        )?;
        Ok((paths, spec))
    });
    run_api("compressImage", options, async move {
        let (paths, spec) = read?;
        let app = current_app();
        let out = Array::new();
        for (i, path) in paths.iter().enumerate() {
            let param = format!("apFilePaths[{i}]");
            let blob = read_file(&app, &param, path).await?;
            let not_image = || ApiError::invalid(&param, format!("{path} is not an image"));
            if image_type(&bytes(&blob, Some(16)).await?).is_none() {
                return Err(not_image().into());
            }
            let result = match spec.quality() {
                None => blob,
                Some(quality) => {
                    let bitmap = decode(&blob).await.map_err(|_| not_image())?;
                    let side = |k| get(&bitmap, k).as_f64().unwrap_or(0.0) as u32;
                    let (w, h) = spec.target(side("width"), side("height"));
                    encode_jpeg(&bitmap, w, h, quality).await.map_err(|e| {
                        ApiError::Unknown(format!("cannot encode {path}: {}", js_string(&e)))
                    })?
                }
            };
            let name = get(&result, "name").as_string().unwrap_or_default();
            out.push(&JsValue::from_str(
                &store_temp_file("compressImage", &app, &result, &name).await?,
            ));
        }
        Ok::<JsValue, Failure>(object(&[("apFilePaths", out.into())]))
    })
}

// ---- my.saveImage -------------------------------------------------------------------------------

/// `my.saveImage({ url })`: saves the image (an apFilePath or a URL) to the phone's album —
/// in the simulator, the browser's downloads — → `{}`. Unreadable: fail 17.
fn save_image(options: &JsValue) -> Promise {
    let read = check_object(options).and_then(|_| {
        text(options, "url")?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::invalid("url", "is required: an apFilePath or an image URL"))
    });
    run_api("saveImage", options, async move {
        let url = read?;
        let blob = image_blob("saveImage", "url", &url, 17).await?;
        let kind = image_type(&bytes(&blob, Some(16)).await?)
            .ok_or_else(|| ApiError::invalid("url", format!("{url} is not an image")))?;
        let name = format!("image-{}.{kind}", js_sys::Date::now() as u64);
        download(&blob, &name)
            .map_err(|e| failed(17, format!("saveImage:fail cannot save: {}", js_string(&e))))?;
        Ok::<JsValue, Failure>(Object::new().into())
    })
}

// ---- my.previewImage ----------------------------------------------------------------------------

const IMAGE_STYLE: &str = "width:100%;height:100%;object-fit:contain;";
const NAV_STYLE: &str = "min-width:40px;padding:8px 10px;border:0;border-radius:6px;\
background:#333;color:#fff;font:inherit;font-size:18px;cursor:pointer;";
const COUNTER_STYLE: &str = "min-width:48px;text-align:center;font-size:14px;";

/// The preview viewer: the image, ‹ and › buttons (and ArrowLeft/ArrowRight), a counter
/// announced politely; until the user closes it.
async fn show_preview(sources: Rc<Vec<String>>, start: usize) -> Result<(), ApiError> {
    let viewer = Viewer::new("miniprogram-shim-preview", "Preview")?;
    let document = viewer.document().clone();
    let image = element(&document, "img", IMAGE_STYLE)?;
    let _ = viewer.body.append_child(&image);
    let nav = |label: &str, text: &str, action: &str| -> Result<Element, ApiError> {
        let b = element(&document, "button", NAV_STYLE)?;
        let _ = b.set_attribute("type", "button");
        let _ = b.set_attribute("aria-label", label);
        let _ = b.set_attribute("data-action", action);
        b.set_text_content(Some(text));
        Ok(b)
    };
    let previous = nav("Previous image", "‹", "previous")?;
    let next = nav("Next image", "›", "next")?;
    let counter = element(&document, "span", COUNTER_STYLE)?;
    let _ = counter.set_attribute("aria-live", "polite");
    let first = viewer.bar.first_child();
    for el in [&previous, &counter, &next] {
        let _ = viewer.bar.insert_before(el, first.as_ref());
    }
    let at = Rc::new(Cell::new(start));
    let show = {
        let (image, counter, previous, next) = (
            image.clone(),
            counter.clone(),
            previous.clone(),
            next.clone(),
        );
        let sources = Rc::clone(&sources);
        let at = Rc::clone(&at);
        Rc::new(move |to: usize| {
            let n = sources.len();
            let to = to.min(n - 1);
            at.set(to);
            let _ = image.set_attribute("src", &sources[to]);
            let _ = image.set_attribute("alt", &format!("Image {} of {n}", to + 1));
            counter.set_text_content(Some(&format!("{} / {n}", to + 1)));
            for (button, off) in [(&previous, to == 0), (&next, to + 1 == n)] {
                if off {
                    let _ = button.set_attribute("disabled", "");
                } else {
                    let _ = button.remove_attribute("disabled");
                }
            }
        })
    };
    show(start);
    let step = |delta: isize| {
        let (show, at) = (Rc::clone(&show), Rc::clone(&at));
        move |_: Event| {
            if let Some(to) = at.get().checked_add_signed(delta) {
                show(to);
            }
        }
    };
    let _listeners = [
        Listener::new(&previous, "click", step(-1)),
        Listener::new(&next, "click", step(1)),
        {
            let (back, forward) = (step(-1), step(1));
            Listener::new(viewer.panel(), "keydown", move |e: Event| {
                match e
                    .dyn_ref::<KeyboardEvent>()
                    .map(KeyboardEvent::key)
                    .as_deref()
                {
                    Some("ArrowLeft") => back(e),
                    Some("ArrowRight") => forward(e),
                    _ => {}
                }
            })
        },
    ];
    viewer.closed().await
}

/// `my.previewImage({ urls, current })`: the images (apFilePaths or URLs) in a viewer in the
/// phone, starting at `current` (an index, or one of `urls`) → `{}` when the user closes it.
fn preview_image(options: &JsValue) -> Promise {
    let read = check_object(options).and_then(|_| {
        let urls = strings(options, "urls")?.unwrap_or_default();
        let current = match text(options, "current") {
            Ok(t) => t,
            Err(_) => {
                return Err(ApiError::invalid(
                    "current",
                    "must be an index or one of urls",
                ))
            }
        };
        let start = preview_index(&urls, number(options, "current"), current.as_deref())?;
        Ok((urls, start))
    });
    run_api("previewImage", options, async move {
        let (urls, start) = read?;
        let app = current_app();
        let (mut sources, mut owned) = (Vec::with_capacity(urls.len()), Vec::new());
        for (i, url) in urls.iter().enumerate() {
            if url.starts_with(PATH_PREFIX) {
                let blob = match read_file(&app, &format!("urls[{i}]"), url).await {
                    Ok(blob) => blob,
                    Err(e) => {
                        owned.iter().for_each(|u: &String| revoke_url(u));
                        return Err(e.into());
                    }
                };
                let local = object_url(&blob);
                owned.push(local.clone());
                sources.push(local);
            } else {
                sources.push(url.clone());
            }
        }
        let shown = show_preview(Rc::new(sources), start).await;
        owned.iter().for_each(|u| revoke_url(u));
        shown?;
        Ok::<JsValue, Failure>(Object::new().into())
    })
}

// ---- on `my` ----------------------------------------------------------------------------------

/// The `my.*` methods of this file.
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "chooseImage",
            Closure::new(|o: JsValue| JsValue::from(choose_image(&o))),
        ),
        (
            "previewImage",
            Closure::new(|o: JsValue| JsValue::from(preview_image(&o))),
        ),
        (
            "saveImage",
            Closure::new(|o: JsValue| JsValue::from(save_image(&o))),
        ),
        (
            "getImageInfo",
            Closure::new(|o: JsValue| JsValue::from(get_image_info(&o))),
        ),
        (
            "compressImage",
            Closure::new(|o: JsValue| JsValue::from(compress_image(&o))),
        ),
    ]
}

#[wasm_bindgen(typescript_custom_section)]
const MEDIA_TYPES: &'static str = r#"
export interface ChooseImageOptions extends AsyncCallbacks<ChooseImageSuccess> {
  /** 1–9, default 1. */
  count?: number;
  sizeType?: ('original' | 'compressed')[];
  sourceType?: ('camera' | 'album')[] | 'camera' | 'album';
  storeToAlbum?: boolean;
}
/** Temporary files of this app (`my.saveFile` keeps one). Cancelled: error 11. */
export interface ChooseImageSuccess {
  apFilePaths: ApFilePath[];
  tempFilePaths: ApFilePath[];
  tempFiles: { path: ApFilePath; size: number }[];
}
export interface PreviewImageOptions extends AsyncCallbacks<{}> {
  /** apFilePaths or image URLs. */
  urls: string[];
  /** An index (default 0). */
  current?: number;
  enableSavePhoto?: boolean;
  enableShowPhotoDownload?: boolean;
}
export interface SaveImageOptions extends AsyncCallbacks<{}> {
  /** An apFilePath or an image URL (same-origin or CORS). Unreadable: error 17. */
  url: string;
  showActionSheet?: boolean;
  cusHandleResult?: boolean;
}
export interface GetImageInfoOptions extends AsyncCallbacks<GetImageInfoSuccess> {
  /** An apFilePath or an image URL (same-origin or CORS); not an image: error 18. */
  src: string;
}
export interface GetImageInfoSuccess {
  /** The stored pixel size (before `orientation` is applied). */
  width: number;
  height: number;
  /** An apFilePath (a URL's image is kept as a temporary file). */
  path: ApFilePath;
  size?: number;
  /** `png`, `jpeg`, `gif`, `webp` or `bmp` (Alipay documents a format name). */
  type: any;
  orientation: 'up' | 'down' | 'left' | 'right' | 'up-mirrored' | 'down-mirrored' | 'left-mirrored' | 'right-mirrored';
}
export interface CompressImageOptions extends AsyncCallbacks<{ apFilePaths: ApFilePath[] }> {
  apFilePaths: ApFilePath[];
  /** 0 low, 1 medium, 2 high, 3 none, 4 by network (default; medium here). */
  compressLevel?: 0 | 1 | 2 | 3 | 4 | number;
  compressedWidth?: number;
  compressedHeight?: number;
  maxWidth?: number;
  maxHeight?: number;
}
export interface DeviceInputs {
  /** The images my.chooseImage returns (the devtools' chooser images); `null` clears them. */
  images?: Blob[] | null;
}
export interface My {
  chooseImage(options?: ChooseImageOptions): Promise<ChooseImageSuccess>;
  previewImage(options: PreviewImageOptions): Promise<{}>;
  saveImage(options: SaveImageOptions): Promise<{}>;
  getImageInfo(options: GetImageInfoOptions): Promise<GetImageInfoSuccess>;
  compressImage(options: CompressImageOptions): Promise<{ apFilePaths: ApFilePath[] }>;
}
"#;
