//! The phone's inputs as `configure({ device: { location, scan, contacts } })` sets them
//! (DESIGN.md "Pickers and the phone's inputs"), read by the extras module, which keeps them
//! for `my.getLocation`, `my.scan` and the address book.

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::ApiError;
use crate::inputs::{Contact, Location, Poi, ScanInput, MAX_CONTACTS};
use crate::options::{get, number, text};

/// `options[name]` as an array (`None` when absent); error 2 for another type.
pub fn array(options: &JsValue, name: &str) -> Result<Option<Array>, ApiError> {
    let value = get(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !Array::is_array(&value) {
        return Err(ApiError::invalid(name, "must be an array"));
    }
    Ok(Some(value.unchecked_into()))
}

/// The phone's inputs as last configured.
#[derive(Default)]
pub struct DeviceInputs {
    /// The position `my.getLocation` answers with.
    pub location: Option<Location>,
    /// The code `my.scan` answers with.
    pub scan: Option<ScanInput>,
    /// The address book of `my.choosePhoneContact`.
    pub contacts: Vec<Contact>,
}

/// One `configure({ device })` patch: each key absent (`None`) leaves the input as it is.
#[derive(Default)]
pub struct DevicePatch {
    location: Option<Option<Location>>,
    scan: Option<Option<ScanInput>>,
    contacts: Option<Vec<Contact>>,
}

/// Reads `config.device` (`{ location, scan, contacts }`, `null` clears one); error naming the
/// field. Nothing is stored until [`store`].
pub fn read(config: &JsValue) -> Result<DevicePatch, ApiError> {
    let device = get(config, "device");
    let mut patch = DevicePatch::default();
    if device.is_undefined() || device.is_null() {
        return Ok(patch);
    }
    if !device.is_object() {
        return Err(ApiError::invalid("device", "must be an object"));
    }
    let location = get(&device, "location");
    if location.is_null() {
        patch.location = Some(None);
    } else if !location.is_undefined() {
        patch.location = Some(Some(read_location(&location)?));
    }
    let scan = get(&device, "scan");
    if scan.is_null() {
        patch.scan = Some(None);
    } else if !scan.is_undefined() {
        let code = text(&scan, "code")
            .map_err(|_| ApiError::invalid("device.scan.code", "must be a string"))?;
        let kind = text(&scan, "type")
            .map_err(|_| ApiError::invalid("device.scan.type", "must be a string"))?;
        patch.scan = Some(Some(ScanInput::new("device.scan.", code, kind.as_deref())?));
    }
    if let Some(list) = array(&device, "contacts")
        .map_err(|_| ApiError::invalid("device.contacts", "must be an array"))?
    {
        if list.length() as usize > MAX_CONTACTS {
            return Err(ApiError::invalid(
                "device.contacts",
                format!("holds at most {MAX_CONTACTS}"),
            ));
        }
        let mut contacts = Vec::with_capacity(list.length() as usize);
        for (i, c) in list.iter().enumerate() {
            let prefix = format!("device.contacts[{i}].");
            let field = |k: &str| {
                text(&c, k)
                    .map_err(|_| ApiError::invalid(format!("{prefix}{k}"), "must be a string"))
            };
            contacts.push(Contact::new(&prefix, field("name")?, field("mobile")?)?);
        }
        patch.contacts = Some(contacts);
    }
    Ok(patch)
}

fn read_location(value: &JsValue) -> Result<Location, ApiError> {
    const AT: &str = "device.location.";
    if !value.is_object() {
        return Err(ApiError::invalid(
            "device.location",
            "must be an object or null",
        ));
    }
    let coordinate = |k: &str| number(value, k).0;
    let accuracy = match number(value, "accuracy") {
        (None, true) => Some(f64::NAN),
        (a, _) => a,
    };
    let mut at = Location::at(
        AT,
        coordinate("latitude"),
        coordinate("longitude"),
        accuracy,
    )?;
    let field = |k: &str| -> Result<String, ApiError> {
        Ok(text(value, k)
            .map_err(|_| ApiError::invalid(format!("{AT}{k}"), "must be a string"))?
            .unwrap_or_default())
    };
    at.country = field("country")?;
    at.country_code = field("countryCode")?;
    at.province = field("province")?;
    at.city = field("city")?;
    at.city_adcode = field("cityAdcode")?;
    at.district = field("district")?;
    at.district_adcode = field("districtAdcode")?;
    at.street = field("street")?;
    at.number = field("number")?;
    if let Some(pois) = array(value, "pois")
        .map_err(|_| ApiError::invalid(format!("{AT}pois"), "must be an array"))?
    {
        for (i, p) in pois.iter().enumerate() {
            let f = |k: &str| {
                text(&p, k).ok().flatten().ok_or_else(|| {
                    ApiError::invalid(
                        format!("{AT}pois[{i}].{k}"),
                        "is required and must be a string",
                    )
                })
            };
            at.pois.push(Poi {
                name: f("name")?,
                address: f("address")?,
            });
        }
    }
    Ok(at)
}

impl DeviceInputs {
    /// Applies a patch [`read`] accepted.
    pub fn apply(&mut self, patch: DevicePatch) {
        let d = self;
        if let Some(location) = patch.location {
            d.location = location;
        }
        if let Some(scan) = patch.scan {
            d.scan = scan;
        }
        if let Some(contacts) = patch.contacts {
            d.contacts = contacts;
        }
    }
}
