//! The chooser images of `configure({ device: { images } })`: what `my.chooseImage` returns
//! without asking (the simulator's Device tab and its `?images=` URL parameter send them).
//! Read by the start module to refuse a bad one before anything is applied, and by the
//! extras module (which keeps them).

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::ApiError;
use crate::file_store::JsBlob;
use crate::options::get;

/// Most images the devtools may preset.
pub const MAX_IMAGES: u32 = 20;

/// Reads `config.device.images`: an array of `Blob`s or `File`s of image types (`null` or `[]`
/// clears them; absent leaves them); error naming the entry (`device.images[1]`).
pub fn read(config: &JsValue) -> Result<Option<Vec<JsValue>>, ApiError> {
    let device = get(config, "device");
    if !device.is_object() {
        return Ok(None);
    }
    let images = get(&device, "images");
    if images.is_undefined() {
        return Ok(None);
    }
    if images.is_null() {
        return Ok(Some(Vec::new()));
    }
    if !Array::is_array(&images) {
        return Err(ApiError::invalid("device.images", "must be an array"));
    }
    let list: Array = images.unchecked_into();
    if list.length() > MAX_IMAGES {
        return Err(ApiError::invalid(
            "device.images",
            format!("holds at most {MAX_IMAGES} images"),
        ));
    }
    let mut out = Vec::with_capacity(list.length() as usize);
    for (i, image) in list.iter().enumerate() {
        let mime = get(&image, "type").as_string().unwrap_or_default();
        if !image.is_instance_of::<JsBlob>() || !mime.starts_with("image/") {
            return Err(ApiError::invalid(
                format!("device.images[{i}]"),
                "must be a Blob or File of an image type (image/png, image/jpeg, …)",
            ));
        }
        out.push(image);
    }
    Ok(Some(out))
}
