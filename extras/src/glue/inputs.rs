//! The device JSAPIs over the phone's inputs (`crate::inputs`): `my.getLocation`, `my.scan`,
//! `my.choosePhoneContact`, `my.addPhoneContact` — and `my.openLocation`. The inputs arrive with `configure({ device })`
//! — from the simulator's devtools and URL parameters (`www/simulator/device.js`), or from a
//! standalone page — and are kept here for the page's lifetime.
//!
//! `my.scan` with no code set asks for one in a sheet (what the camera would see), so it works
//! standalone too; `my.choosePhoneContact` shows the address book in a picker sheet;
//! `my.addPhoneContact` asks before adding (the devtools show the book, from the log entry).

use std::cell::RefCell;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::adapter::{run_api, Failure};
use super::options::{check_object, number, text};
use super::pickers::{ask, pick, strings, to_js};
use crate::error::ApiError;
use crate::inputs::{
    scan_accepts, Contact, LocationLevel, LocationResult, MapPlace, ScanInput, ScanResult,
    MAX_CONTACTS,
};
use crate::pickers::{Ask, Wheels};
use shim_core::device_inputs::{DeviceInputs, DevicePatch};

thread_local! {
    static DEVICE: RefCell<DeviceInputs> = RefCell::new(DeviceInputs::default());
}

/// Applies a patch `shim_core::device_inputs::read` accepted.
pub(crate) fn store(patch: DevicePatch) {
    DEVICE.with(|d| d.borrow_mut().apply(patch));
}

/// The position the devtools set, if any (for `my.chooseLocation`, `glue::location`).
pub(super) fn location() -> Option<crate::inputs::Location> {
    DEVICE.with(|d| d.borrow().location.clone())
}

const WHERE_TO_SET: &str = "in the simulator's devtools (Device), with its URL parameter, \
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

/// `my.scan({ scanType })` → `{ code, qrCode | barCode, imageChannel }`: the code set in the
/// devtools, or else the one typed in the scanner sheet; fail 10 when cancelled.
pub(crate) fn scan(options: &JsValue) -> Promise {
    let types = check_object(options).and_then(|_| {
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
        Ok(types)
    });
    run_api("scan", options, async move {
        let types = types?;
        let preset = DEVICE.with(|d| d.borrow().scan.clone());
        if let Some(input) = preset {
            if scan_accepts(types.clone(), &input)? {
                return to_js(&ScanResult::from(&input));
            }
        }
        let bar_only = types
            .as_ref()
            .is_some_and(|t| t.iter().all(|k| k == "barCode"));
        let sheet = Ask {
            title: "Scan".into(),
            message: "No code is set in the devtools: type what the camera sees.".into(),
            align: crate::pickers::Align::Left,
            input: Some(if bar_only { "bar code" } else { "QR code text" }.into()),
            ok_text: "Scan".into(),
            cancel_text: Some("Cancel".into()),
        };
        let (ok, typed) = ask("miniprogram-shim-scanner", "Scan", sheet).await?;
        if !ok || typed.is_empty() {
            return Err(ApiError::Device {
                code: 10,
                message: "scan:fail user cancelled".into(),
            }
            .into());
        }
        to_js(&ScanResult::from(&ScanInput {
            code: typed,
            qr: !bar_only,
        }))
    })
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

/// `my.scan(options)`: the code set in the devtools, or typed in the scanner sheet.
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
  hideAlbum?: boolean;
}
/** Cancel: error 10. */
export interface ScanSuccess {
  code: string; qrCode?: string; barCode?: string; imageChannel: string;
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
