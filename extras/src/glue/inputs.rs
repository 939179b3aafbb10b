//! The device JSAPIs over the phone's inputs (`crate::inputs`): `my.getLocation`, `my.scan`,
//! `my.choosePhoneContact`, `my.addPhoneContact` — and `my.openLocation`. The inputs arrive with `configure({ device })`
//! — from the simulator's devtools and URL parameters (`www/simulator/device.js`), or from a
//! standalone page — and are kept here for the page's lifetime.
//!
//! `my.scan` decodes the QR image the devtools set (`device.scanImage`, `crate::qr`), else
//! answers the code set there, else asks in a sheet (a code typed, or a QR image chosen from the
//! album unless `hideAlbum`), so it works standalone too; `my.choosePhoneContact` shows the address book in a picker sheet;
//! `my.addPhoneContact` asks before adding (the devtools show the book, from the log entry).

use std::cell::RefCell;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::adapter::{run_api, Failure};
use super::host::{element, Listener};
use super::options::{check_object, get, js_string, number, text};
use super::pickers::{ask, boolean, pick, strings, to_js, Answer, Sheet};
use crate::error::ApiError;
use crate::inputs::{
    scan_accepts, Contact, LocationLevel, LocationResult, MapPlace, ScanInput, ScanResult,
    MAX_CONTACTS,
};
use crate::pickers::{Ask, Wheels};
use crate::qr;
use shim_core::device_inputs::{DeviceInputs, DevicePatch};

thread_local! {
    static DEVICE: RefCell<DeviceInputs> = RefCell::new(DeviceInputs::default());
    /// The QR image the devtools set (`device.scanImage`) and its file name.
    static SCAN_IMAGE: RefCell<Option<(JsValue, String)>> = const { RefCell::new(None) };
}

#[wasm_bindgen(module = "/src/glue/media.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = imagePixels)]
    async fn image_pixels(blob: &JsValue, max_side: u32) -> Result<JsValue, JsValue>;
}

/// Reads `device.scanImage`: a `Blob` or `File` of an image type (what the camera sees,
/// decoded by `my.scan`), `null` to clear it; `None` when absent. Error naming the key.
pub(super) fn read_scan_image(
    config: &JsValue,
) -> Result<Option<Option<(JsValue, String)>>, ApiError> {
    let image = get(&get(config, "device"), "scanImage");
    if image.is_undefined() {
        return Ok(None);
    }
    if image.is_null() {
        return Ok(Some(None));
    }
    let mime = get(&image, "type").as_string().unwrap_or_default();
    if !image.is_instance_of::<shim_core::file_store::JsBlob>() || !mime.starts_with("image/") {
        return Err(ApiError::invalid(
            "device.scanImage",
            "must be a Blob or File of an image type (image/png, image/jpeg, …) or null",
        ));
    }
    let name = get(&image, "name").as_string().unwrap_or_default();
    Ok(Some(Some((image, name))))
}

/// Applies what [`read_scan_image`] accepted.
pub(super) fn store_scan_image(image: Option<Option<(JsValue, String)>>) {
    if let Some(image) = image {
        SCAN_IMAGE.with(|i| *i.borrow_mut() = image);
    }
}

/// Applies a patch `shim_core::device_inputs::read` accepted.
pub(crate) fn store(patch: DevicePatch) {
    DEVICE.with(|d| d.borrow_mut().apply(patch));
}

/// The position the devtools set, if any (for `my.chooseLocation`, `glue::location`).
pub(super) fn location() -> Option<crate::inputs::Location> {
    DEVICE.with(|d| d.borrow().location.clone())
}

/// The address book (`my.chooseContact`, `glue::contacts`).
pub(super) fn contacts() -> Vec<Contact> {
    DEVICE.with(|d| d.borrow().contacts.clone())
}

/// Where the developer sets the phone's inputs, for the messages that ask for one.
pub(super) const WHERE_TO_SET: &str =
    "in the simulator's devtools (Device), with its URL parameter, \
or standalone with miniprogramShim.configure({ device })";

/// `my.getLocation({ type })` → the configured position with the fields of `type` 0–3.
pub(crate) fn get_location(options: &JsValue) -> Promise {
    let level = check_object(options).and_then(|_| {
        let (t, given) = number(options, "type");
        LocationLevel::parse(t, given)
    });
    run_api("getLocation", options, async move {
        let level = level?;
        let at = DEVICE.with(|d| d.borrow().location.clone()).ok_or_else(|| ApiError::Device {
            code: 13,
            message: format!("getLocation:fail no position is set: set one {WHERE_TO_SET} (?location=<latitude>,<longitude>)"),
        })?;
        to_js(&LocationResult::new(&at, level, js_number))
    })
}

/// `my.scan({ scanType, hideAlbum })` → `{ code, qrCode | barCode, imageChannel, … }`: the QR
/// image set in the devtools (decoded here), else the code set there, else the scanner sheet
/// (type the code, or choose a QR image from the "album" unless `hideAlbum`); fail 10 when
/// cancelled, 11 when an image holds no readable QR code.
pub(crate) fn scan(options: &JsValue) -> Promise {
    let read = check_object(options).and_then(|_| {
        let types = match text(options, "scanType") {
            // A single type as a string is accepted too.
            Ok(Some(one)) => Some(vec![one]),
            _ => strings(options, "scanType")?,
        };
        // Checked against a QR input so a bad entry is reported even with nothing preset.
        let probe = ScanInput {
            code: "x".into(),
            qr: true,
        };
        scan_accepts(types.clone(), &probe)?;
        let hide_album = boolean(options, "hideAlbum")?.unwrap_or(false)
            || boolean(options, "onlyFromCamera")?.unwrap_or(false);
        Ok((types, hide_album))
    });
    run_api("scan", options, async move {
        let (types, hide_album) = read?;
        let probe = ScanInput {
            code: "x".into(),
            qr: true,
        };
        let reads_qr = scan_accepts(types.clone(), &probe)?;
        if let Some((image, name)) = SCAN_IMAGE.with(|i| i.borrow().clone()) {
            // The camera sees a QR image: it answers a scan that looks for QR codes.
            if reads_qr {
                return scan_image(&image, &name, "camera").await;
            }
        }
        let preset = DEVICE.with(|d| d.borrow().scan.clone());
        if let Some(input) = preset {
            if scan_accepts(types.clone(), &input)? {
                return to_js(&ScanResult::from(&input));
            }
        }
        let bar_only = types
            .as_ref()
            .is_some_and(|t| t.iter().all(|k| k == "barCode"));
        match scanner_sheet(bar_only, hide_album || !reads_qr).await? {
            Scanned::Typed(code) => to_js(&ScanResult::from(&ScanInput {
                code,
                qr: !bar_only,
            })),
            Scanned::Album(image) => {
                let name = get(&image, "name").as_string().unwrap_or_default();
                scan_image(&image, &name, "album").await
            }
        }
    })
}

/// The QR code in `image` (`name` for the message) as `my.scan`'s result; fail 11 saying why
/// when there is none to read.
async fn scan_image(
    image: &JsValue,
    name: &str,
    channel: &'static str,
) -> Result<JsValue, Failure> {
    let named = if name.is_empty() {
        String::new()
    } else {
        format!(" ({name})")
    };
    let fail = |why: String| ApiError::Device {
        code: 11,
        message: format!("scan:fail {why}{named}"),
    };
    let decoded = image_pixels(image, qr::MAX_SIDE)
        .await
        .map_err(|e| fail(format!("the image could not be decoded: {}", js_string(&e))))?;
    let width = get(&decoded, "width").as_f64().unwrap_or(0.0) as usize;
    let height = get(&decoded, "height").as_f64().unwrap_or(0.0) as usize;
    let rgba = js_sys::Uint8ClampedArray::new(&get(&decoded, "data")).to_vec();
    let greys = qr::greys_of_rgba(&rgba);
    let code = qr::decode(width, height, &greys).map_err(|e| fail(e.to_string()))?;
    let mut result = ScanResult::from(&ScanInput {
        code: code.text,
        qr: true,
    });
    result.raw_data = crate::encoding::base64_encode(&code.bytes);
    result.image_channel = channel;
    to_js(&result)
}

/// What the scanner sheet gave.
enum Scanned {
    /// The text typed.
    Typed(String),
    /// An image chosen from the "album".
    Album(JsValue),
}

const SHEET_STYLE_MESSAGE: &str = "margin:0 0 12px;white-space:pre-wrap;text-align:left;";
const SCAN_INPUT_STYLE: &str = "box-sizing:border-box;width:100%;margin:0 0 12px;\
padding:8px 10px;border:1px solid #ccc;border-radius:6px;font:inherit;";
const ALBUM_STYLE: &str = "display:block;width:100%;margin:0 0 16px;padding:8px;\
border:1px solid #1677ff;border-radius:6px;background:#fff;color:#1677ff;font:inherit;\
cursor:pointer;";
const ROW_STYLE: &str = "display:flex;margin:0 -20px;border-top:1px solid #eee;";
const CANCEL_STYLE: &str = "flex:1;padding:12px;border:0;border-right:1px solid #eee;\
background:none;color:#333;font:inherit;cursor:pointer;";
const OK_STYLE: &str = "flex:1;padding:12px;border:0;background:none;color:#1677ff;\
font:inherit;font-weight:600;cursor:pointer;";

/// The scanner in the phone when nothing is preset: a text field for what the camera sees,
/// and (unless `hide_album`) "Choose a QR image…", which opens the browser's file picker.
/// Cancel, Escape, a tap outside or an empty text: fail 10.
async fn scanner_sheet(bar_only: bool, hide_album: bool) -> Result<Scanned, Failure> {
    let cancelled = || ApiError::Device {
        code: 10,
        message: "scan:fail user cancelled".into(),
    };
    let mut sheet = Sheet::new("miniprogram-shim-scanner", "Scan", "Scan", false)?;
    let document = sheet.document.clone();
    let panel = sheet.panel.clone();
    let heading = element(
        &document,
        "h2",
        "margin:0 0 8px;font-size:17px;font-weight:600;",
    )?;
    heading.set_text_content(Some("Scan"));
    let _ = panel.append_child(&heading);
    let message = element(&document, "p", SHEET_STYLE_MESSAGE)?;
    message.set_text_content(Some(if hide_album {
        "No code is set in the devtools: type what the camera sees."
    } else {
        "No code is set in the devtools: type what the camera sees, or choose a QR image."
    }));
    let _ = panel.append_child(&message);
    let input = element(&document, "input", SCAN_INPUT_STYLE)?;
    let _ = input.set_attribute("type", "text");
    let _ = input.set_attribute(
        "placeholder",
        if bar_only { "bar code" } else { "QR code text" },
    );
    let _ = input.set_attribute("aria-label", "Code the camera sees");
    let _ = panel.append_child(&input);
    let mut file = None;
    let mut _open = None;
    if !hide_album {
        // The file input stays outside the dialog's focus order; the button opens it.
        let picker = element(&document, "input", "display:none")?;
        let _ = picker.set_attribute("type", "file");
        let _ = picker.set_attribute("accept", "image/*");
        if let Some(overlay) = panel.parent_element() {
            let _ = overlay.append_child(&picker);
        }
        let album = element(&document, "button", ALBUM_STYLE)?;
        let _ = album.set_attribute("type", "button");
        let _ = album.set_attribute("data-action", "album");
        album.set_text_content(Some("Choose a QR image…"));
        let _ = panel.append_child(&album);
        let opener = picker.clone();
        _open = Some(Listener::new(&album, "click", move |_| {
            if let Some(i) = opener.dyn_ref::<HtmlElement>() {
                i.click();
            }
        }));
        sheet.answer_on(&picker, "change", Answer::Item(0));
        file = Some(picker);
    }
    let row = element(&document, "div", ROW_STYLE)?;
    sheet.button(&row, "Cancel", "cancel", CANCEL_STYLE, Answer::Cancel)?;
    sheet.button(&row, "Scan", "confirm", OK_STYLE, Answer::Confirm)?;
    let _ = panel.append_child(&row);
    let answer = sheet.answer(&input).await?;
    let typed = get(&input, "value").as_string().unwrap_or_default();
    drop(sheet);
    match answer {
        Answer::Confirm if !typed.is_empty() => Ok(Scanned::Typed(typed)),
        Answer::Item(_) => {
            let chosen = file
                .map(|f| js_sys::Array::from(&get(&f, "files")))
                .and_then(|files| files.iter().next())
                .ok_or_else(cancelled)?;
            Ok(Scanned::Album(chosen))
        }
        _ => Err(cancelled().into()),
    }
}

/// `my.choosePhoneContact()` → `{ name, mobile }` picked from the address book; fail 11 when
/// cancelled, 3 when the book is empty.
pub(crate) fn choose_phone_contact(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("choosePhoneContact", options, async move {
        checked?;
        let book = DEVICE.with(|d| d.borrow().contacts.clone());
        if book.is_empty() {
            return Err(ApiError::Device {
                code: 3,
                message: format!("choosePhoneContact:fail the address book is empty: add contacts {WHERE_TO_SET} (?contacts=Name:number;…)"),
            }
            .into());
        }
        let wheels = Wheels::Lists {
            columns: vec![(
                "Contact".to_owned(),
                book.iter()
                    .map(|c| format!("{} · {}", c.name, c.mobile))
                    .collect(),
            )],
            chosen: vec![0],
        };
        let (chosen, _) = pick(
            "miniprogram-shim-contacts",
            "Contacts",
            "Contacts",
            "Cancel",
            "OK",
            wheels,
        )
        .await?;
        let index = chosen
            .and_then(|s| s.first().map(|(i, _)| *i))
            .ok_or(ApiError::UserCancelled)?;
        let contact = book
            .get(index)
            .ok_or_else(|| ApiError::Unknown("the contact went away".into()))?;
        to_js(contact)
    })
}

/// `my.addPhoneContact({ firstName, lastName, nickName, mobilePhoneNumber, … })`: asks, then
/// adds the contact to the address book; `{ success: true }`, fail 11 when declined.
pub(crate) fn add_phone_contact(options: &JsValue) -> Promise {
    let contact = (|| {
        check_object(options)?;
        let first = text(options, "firstName")?.unwrap_or_default();
        let last = text(options, "lastName")?.unwrap_or_default();
        let nick = text(options, "nickName")?.unwrap_or_default();
        let full = format!("{first} {last}").trim().to_owned();
        let name = if full.is_empty() { nick } else { full };
        if name.trim().is_empty() {
            return Err(ApiError::invalid(
                "firstName",
                "a name is required (firstName, lastName or nickName)",
            ));
        }
        let mobile = text(options, "mobilePhoneNumber")?;
        Contact::new("", Some(name), mobile).map_err(|e| match e {
            ApiError::InvalidParameter { reason, .. } => {
                ApiError::invalid("mobilePhoneNumber", reason)
            }
            other => other,
        })
    })();
    run_api("addPhoneContact", options, async move {
        let contact = contact?;
        let sheet = Ask {
            title: "Add to contacts?".into(),
            message: format!("{}\n{}", contact.name, contact.mobile),
            align: crate::pickers::Align::Center,
            input: None,
            ok_text: "Add".into(),
            cancel_text: Some("Cancel".into()),
        };
        let (ok, _) = ask("miniprogram-shim-add-contact", "Add to contacts", sheet).await?;
        if !ok {
            return Err(ApiError::UserCancelled.into());
        }
        DEVICE.with(|d| {
            let mut d = d.borrow_mut();
            if d.contacts.len() < MAX_CONTACTS && !d.contacts.contains(&contact) {
                d.contacts.push(contact);
            }
        });
        let result = Object::new();
        let _ = Reflect::set(&result, &"success".into(), &JsValue::TRUE);
        Ok::<JsValue, Failure>(result.into())
    })
}

/// A number as JS's `String(n)` writes it (Rust's float printing would cost wasm size).
fn js_number(n: f64) -> String {
    String::from(
        js_sys::Number::from(n)
            .to_string_with_radix(10)
            .unwrap_or_default(),
    )
}

/// `my.openLocation({ latitude, longitude, name, address, scale })`: shows the place in a map
/// sheet in the phone; `{}` when the user closes it.
pub(crate) fn open_location(options: &JsValue) -> Promise {
    let place = (|| {
        check_object(options)?;
        MapPlace::new(
            number(options, "latitude").0,
            number(options, "longitude").0,
            text(options, "name")?,
            text(options, "address")?,
            number(options, "scale"),
        )
    })();
    run_api("openLocation", options, async move {
        let place = place?;
        let mut lines = Vec::new();
        if !place.address.is_empty() {
            lines.push(place.address.clone());
        }
        lines.push(format!(
            "{}, {} · zoom {}",
            js_number(place.latitude),
            js_number(place.longitude),
            place.scale
        ));
        let sheet = Ask {
            title: if place.name.is_empty() {
                "Map".into()
            } else {
                place.name.clone()
            },
            message: lines.join("\n"),
            align: crate::pickers::Align::Center,
            input: None,
            ok_text: "Close".into(),
            cancel_text: None,
        };
        ask("miniprogram-shim-map", "Map", sheet).await?;
        Ok::<JsValue, Failure>(Object::new().into())
    })
}

// ---- exports, the `my` methods and their TypeScript declarations ------------------------------

/// The `my.*` methods of this file, for `createMy()` (`glue::MY`).
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "getLocation",
            Closure::new(|o: JsValue| JsValue::from(get_location(&o))),
        ),
        ("scan", Closure::new(|o: JsValue| JsValue::from(scan(&o)))),
        (
            "choosePhoneContact",
            Closure::new(|o: JsValue| JsValue::from(choose_phone_contact(&o))),
        ),
        (
            "addPhoneContact",
            Closure::new(|o: JsValue| JsValue::from(add_phone_contact(&o))),
        ),
        (
            "openLocation",
            Closure::new(|o: JsValue| JsValue::from(open_location(&o))),
        ),
    ]
}

/// `my.getLocation(options)`: the position set in the devtools; fields by `type` 0–3.
#[wasm_bindgen(js_name = getLocation, unchecked_return_type = "Promise<GetLocationSuccess>")]
pub fn get_location_export(
    #[wasm_bindgen(unchecked_param_type = "GetLocationOptions | undefined")] options: JsValue,
) -> Promise {
    get_location(&options)
}

/// `my.scan(options)`: the QR image or code set in the devtools, else the scanner sheet.
#[wasm_bindgen(js_name = scan, unchecked_return_type = "Promise<ScanSuccess>")]
pub fn scan_export(
    #[wasm_bindgen(unchecked_param_type = "ScanOptions | undefined")] options: JsValue,
) -> Promise {
    scan(&options)
}

/// `my.choosePhoneContact()`: a contact picked from the devtools' address book.
#[wasm_bindgen(js_name = choosePhoneContact, unchecked_return_type = "Promise<ChoosePhoneContactSuccess>")]
pub fn choose_phone_contact_export(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<ChoosePhoneContactSuccess> | undefined")]
    options: JsValue,
) -> Promise {
    choose_phone_contact(&options)
}

/// `my.addPhoneContact(options)`: adds a contact after asking.
#[wasm_bindgen(js_name = addPhoneContact, unchecked_return_type = "Promise<{ success: true }>")]
pub fn add_phone_contact_export(
    #[wasm_bindgen(unchecked_param_type = "AddPhoneContactOptions")] options: JsValue,
) -> Promise {
    add_phone_contact(&options)
}

/// `my.openLocation(options)`: the place in a map sheet; `{}` when closed.
#[wasm_bindgen(js_name = openLocation, unchecked_return_type = "Promise<{}>")]
pub fn open_location_export(
    #[wasm_bindgen(unchecked_param_type = "OpenLocationOptions")] options: JsValue,
) -> Promise {
    open_location(&options)
}

#[wasm_bindgen(typescript_custom_section)]
const DEVICE_TYPES: &'static str = r#"
/** `my.getLocation` options: `type` 0 coordinates, 1 + city, 2 + street, 3 + places nearby. */
export interface GetLocationOptions extends AsyncCallbacks<GetLocationSuccess> {
  type?: 0 | 1 | 2 | 3 | number;
  cacheTimeout?: number;
}
/** Coordinates as strings (as Alipay returns them); the rest by `type`. No position set: error 13. */
export interface GetLocationSuccess {
  longitude: string;
  latitude: string;
  accuracy: string;
  horizontalAccuracy: string;
  country?: string;
  countryCode?: string;
  province?: string;
  city?: string;
  cityAdcode?: string;
  district?: string;
  districtAdcode?: string;
  streetNumber?: { street: string; number: string };
  pois?: { name: string; address: string }[];
}
/** `my.scan` options. */
export interface ScanOptions extends AsyncCallbacks<ScanSuccess> {
  scanType?: ('qrCode' | 'barCode' | 'dmCode' | 'pdf417Code' | 'narrowCode' | 'hmCode')[];
  /** No "Choose a QR image…" (the album) in the scanner sheet (default false). */
  hideAlbum?: boolean;
  /** The same as `hideAlbum`. */
  onlyFromCamera?: boolean;
}
/** Cancel: error 10; an image without a readable QR code: error 11. */
export interface ScanSuccess {
  code: string; qrCode?: string; barCode?: string;
  /** `camera` (typed, preset or the devtools' image) or `album` (an image chosen in the sheet). */
  imageChannel: string;
  /** The code again. */
  result: string;
  /** `qrCode` or `barCode`. */
  scanType: string;
  /** The code's bytes, base64. */
  rawData: string;
}
export interface ChoosePhoneContactSuccess { name: string; mobile: string }
/** `my.addPhoneContact` options (a name and `mobilePhoneNumber` are required). */
export interface AddPhoneContactOptions extends AsyncCallbacks<{ success: true }> {
  firstName?: string;
  lastName?: string;
  nickName?: string;
  mobilePhoneNumber?: string;
  [field: string]: unknown;
}
/** The phone's inputs (`configure({ device })`; the simulator's devtools set them). */
export interface DeviceInputs {
  location?: { latitude: number; longitude: number; accuracy?: number; country?: string; countryCode?: string;
    province?: string; city?: string; cityAdcode?: string; district?: string; districtAdcode?: string;
    street?: string; number?: string; pois?: { name: string; address: string }[] } | null;
  scan?: { code: string; type?: 'qrCode' | 'barCode' } | null;
  /** An image the camera sees: `my.scan` reads its QR code (before `scan`). */
  scanImage?: Blob | null;
  contacts?: { name: string; mobile: string }[];
}
export interface RuntimeConfig {
  device?: DeviceInputs;
}
/** `my.openLocation` options: coordinates as strings or numbers; `scale` 3–19 (default 15). */
export interface OpenLocationOptions extends AsyncCallbacks<{}> {
  latitude: string | number;
  longitude: string | number;
  name?: string;
  address?: string;
  scale?: number;
}
export interface My {
  openLocation(options: OpenLocationOptions): Promise<{}>;
  getLocation(options?: GetLocationOptions): Promise<GetLocationSuccess>;
  scan(options?: ScanOptions): Promise<ScanSuccess>;
  choosePhoneContact(options?: AsyncCallbacks<ChoosePhoneContactSuccess>): Promise<ChoosePhoneContactSuccess>;
  addPhoneContact(options: AddPhoneContactOptions): Promise<{ success: true }>;
}
"#;
