//! The browser side of the extras module: its `my` methods and the exports the start module's
//! loader (`src/glue/extras.js`) calls.

mod audio;
mod clipboard;
mod contacts;
mod files;
mod inputs;
mod location;
mod media;
mod network;
mod network_types;
mod phone;
mod pickers;
mod regions;
mod server_time;
mod settings;
mod socket;
mod socket_types;
mod viewer;

// Shared with the start module (`shim-core/`), under the paths the moved files use.
use shim_core::{adapter, host, options, runtime};

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A `my.*` method as a JS function.
type Method = Closure<dyn Fn(JsValue) -> JsValue>;

struct MyObject {
    object: Object,
    // Owned here so the functions on `object` stay valid for the page's lifetime.
    _methods: Vec<Method>,
}

thread_local! {
    static MY: MyObject = {
        let object = Object::new();
        // One `methods()` per API module of this crate (moving a module here adds its line).
        let methods: Vec<(&str, Method)> = pickers::methods()
            .into_iter()
            .chain(inputs::methods())
            .chain(contacts::methods())
            .chain(clipboard::methods())
            .chain(files::methods())
            .chain(media::methods())
            .chain(location::methods())
            .chain(network::methods())
            .chain(socket::methods())
            .chain(regions::methods())
            .chain(settings::methods())
            .chain(server_time::methods())
            .chain(phone::methods())
            .collect();
        let mut owned = Vec::with_capacity(methods.len());
        for (name, closure) in methods {
            adapter::set(&object, name, closure.as_ref());
            owned.push(closure);
        }
        MyObject { object, _methods: owned }
    };
}

/// Configures the extras module with what the start module accepted (`configure` of `pkg/`,
/// the same keys): it reads `logger` (the devtools' call log), `device` (the phone's
/// inputs, chooser images, the scan image and the region preset), `regionsUrl` (where
/// `my.regionPicker`'s data is), `appId` (whose files the file store shows), `superAppOrigin`
/// and `tradePayHost` (who answers `getSetting`), and the runtime configuration the file
/// transfers and sockets check (`whitelist`, `transport`, `relayUrl`, `networkFaults`, …).
/// Throws an `Error` naming a bad key.
#[wasm_bindgen(js_name = configure)]
pub fn configure(
    #[wasm_bindgen(unchecked_param_type = "RuntimeConfig")] config: JsValue,
) -> Result<(), JsError> {
    let fail = |e: String| JsError::new(&format!("miniprogram-shim configure: {e}"));
    let inputs = shim_core::device_inputs::read(&config).map_err(|e| fail(e.to_string()))?;
    let images = shim_core::device_images::read(&config).map_err(|e| fail(e.to_string()))?;
    let scan_image = inputs::read_scan_image(&config).map_err(|e| fail(e.to_string()))?;
    let regions = regions::read(&config).map_err(|e| fail(e.to_string()))?;
    let patch = shim_core::configure::read_patch(&config).map_err(fail)?;
    let next = runtime::applied(patch).map_err(fail)?;
    runtime::replace(next);
    inputs::store(inputs);
    inputs::store_scan_image(scan_image);
    regions::store(regions);
    media::store_images(images);
    if config.is_object() {
        let logger =
            Reflect::get(&config, &JsValue::from_str("logger")).unwrap_or(JsValue::UNDEFINED);
        if logger.is_null() {
            shim_core::logger::set_logger(None);
        } else if let Ok(f) = logger.dyn_into::<Function>() {
            shim_core::logger::set_logger(Some(f));
        }
    }
    Ok(())
}

/// Calls the API `name` of this module with `options` (what the start module's `my.<name>`
/// does once this module is loaded). An unknown name throws.
#[wasm_bindgen(js_name = call)]
pub fn call(name: &str, options: JsValue) -> Result<JsValue, JsValue> {
    MY.with(|my| {
        let method = Reflect::get(&my.object, &JsValue::from_str(name))?;
        let method = method
            .dyn_into::<Function>()
            .map_err(|_| JsError::new(&format!("my.{name} is not in the extras module")))?;
        method.call1(&JsValue::UNDEFINED, &options)
    })
}

/// The APIs of this module as an object (`{ showActionSheet, …, openLocation }`), the same
/// object on every call.
#[wasm_bindgen(js_name = createMy, unchecked_return_type = "My")]
pub fn create_my() -> Object {
    MY.with(|my| my.object.clone())
}

#[wasm_bindgen(typescript_custom_section)]
const SHARED_TYPES: &'static str = r#"
import type { AsyncCallbacks } from "../miniprogram_shim";
"#;
