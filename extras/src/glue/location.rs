//! `my.chooseLocation`: a map-less chooser in the phone over the devtools' position, the places
//! near it and a preset point (`crate::location`); fail 11 when cancelled, 13 with nothing to
//! choose from.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::adapter::run_api;
use super::options::{check_object, number, text};
use super::pickers::{pick, to_js};
use crate::error::ApiError;
use crate::location::{choices, preset};
use crate::pickers::Wheels;

/// A number as JS's `String(n)` writes it (Rust's float printing would cost wasm size).
fn js_number(n: f64) -> String {
    String::from(
        js_sys::Number::from(n)
            .to_string_with_radix(10)
            .unwrap_or_default(),
    )
}

/// `my.chooseLocation({ title, latitude, longitude })` → `{ name, address, longitude, latitude,
/// provinceName, cityName }` picked in a sheet.
fn choose_location(options: &JsValue) -> Promise {
    let read = check_object(options).and_then(|_| {
        let title = text(options, "title")?.unwrap_or_default();
        Ok((
            title,
            preset(number(options, "latitude"), number(options, "longitude"))?,
        ))
    });
    run_api("chooseLocation", options, async move {
        let (title, pinned) = read?;
        let at = super::inputs::location();
        let places = choices(at.as_ref(), pinned, js_number);
        if places.is_empty() {
            return Err(ApiError::Device {
                code: 13,
                message: "chooseLocation:fail no position is set: set one in the simulator's \
                          devtools (Device), with ?location=<latitude>,<longitude>, or pass \
                          latitude and longitude"
                    .into(),
            }
            .into());
        }
        let wheels = Wheels::Lists {
            columns: vec![(
                "Place".to_owned(),
                places
                    .iter()
                    .map(|p| {
                        if p.address.is_empty() {
                            p.name.clone()
                        } else {
                            format!("{} · {}", p.name, p.address)
                        }
                    })
                    .collect(),
            )],
            chosen: vec![0],
        };
        let (chosen, _) = pick(
            "miniprogram-shim-location",
            &title,
            "Choose a location",
            "Cancel",
            "OK",
            wheels,
        )
        .await?;
        let index = chosen
            .and_then(|s| s.first().map(|(i, _)| *i))
            .ok_or(ApiError::UserCancelled)?;
        let place = places
            .get(index)
            .ok_or_else(|| ApiError::Unknown("the place went away".into()))?;
        to_js(place)
    })
}

/// The `my.*` methods of this file.
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![(
        "chooseLocation",
        Closure::new(|o: JsValue| JsValue::from(choose_location(&o))),
    )]
}

#[wasm_bindgen(typescript_custom_section)]
const LOCATION_TYPES: &'static str = r#"
export interface ChooseLocationOptions extends AsyncCallbacks<ChooseLocationSuccess> {
  title?: string;
  showTab?: boolean;
  /** A point to offer first ("Pinned location"); both or neither. */
  latitude?: number;
  longitude?: number;
}
/** Cancelled: error 11; no position set and no preset: error 13. */
export interface ChooseLocationSuccess {
  name: string;
  address: string;
  longitude: string;
  latitude: string;
  provinceName: string;
  cityName: string;
}
export interface My {
  chooseLocation(options?: ChooseLocationOptions): Promise<ChooseLocationSuccess>;
}
"#;
