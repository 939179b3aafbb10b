//! `my.chooseLocation`'s choices and result (DESIGN.md "Pickers and the phone's inputs"): a
//! map-less chooser over the position the devtools set, the places near it, and a point the
//! mini program preset. Plain Rust; the sheet is `glue::location`.

use serde::Serialize;

use crate::error::ApiError;
use crate::inputs::{coordinate, Location};

/// One place the user may choose.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: String,
    /// Degrees east, as JS's `String(n)` writes it (Alipay returns strings).
    pub longitude: String,
    /// Degrees north, as a string.
    pub latitude: String,
    /// Province or state (may be empty).
    pub province_name: String,
    /// City (may be empty).
    pub city_name: String,
}

/// `latitude`/`longitude` of the options: both or neither, each in range; error 2 naming it.
pub fn preset(
    latitude: (Option<f64>, bool),
    longitude: (Option<f64>, bool),
) -> Result<Option<(f64, f64)>, ApiError> {
    match (latitude, longitude) {
        ((None, false), (None, false)) => Ok(None),
        (lat, lng) => Ok(Some((
            coordinate("latitude", lat.0, 90)?,
            coordinate("longitude", lng.0, 180)?,
        ))),
    }
}

/// The choices: the preset point (if any), the devtools position, and the places near it
/// (they share its coordinates). `write` writes a number as JS's `String(n)` does. Empty when
/// there is neither a preset nor a position.
pub fn choices(
    at: Option<&Location>,
    preset: Option<(f64, f64)>,
    write: impl Fn(f64) -> String,
) -> Vec<Place> {
    let mut out = Vec::new();
    if let Some((lat, lng)) = preset {
        out.push(Place {
            name: "Pinned location".into(),
            address: String::new(),
            longitude: write(lng),
            latitude: write(lat),
            province_name: String::new(),
            city_name: String::new(),
        });
    }
    if let Some(at) = at {
        let address: Vec<&str> = [
            at.province.as_str(),
            at.city.as_str(),
            at.district.as_str(),
            at.street.as_str(),
            at.number.as_str(),
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
        let here = |name: String, address: String| Place {
            name,
            address,
            longitude: write(at.longitude),
            latitude: write(at.latitude),
            province_name: at.province.clone(),
            city_name: at.city.clone(),
        };
        out.push(here("Current position".into(), address.join(" ")));
        for poi in &at.pois {
            out.push(here(poi.name.clone(), poi.address.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::Poi;

    fn js(n: f64) -> String {
        format!("{n}")
    }

    #[test]
    fn choices_are_the_preset_the_position_and_its_places() {
        let mut at = Location::at("", Some(30.5), Some(120.25), None).unwrap();
        at.province = "Zhejiang".into();
        at.city = "Hangzhou".into();
        at.street = "Wensan Road".into();
        at.pois = vec![Poi {
            name: "West Lake".into(),
            address: "Xihu".into(),
        }];
        let list = choices(Some(&at), Some((1.5, 2.5)), js);
        let names: Vec<_> = list.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Pinned location", "Current position", "West Lake"]);
        assert_eq!(
            (list[0].latitude.as_str(), list[0].longitude.as_str()),
            ("1.5", "2.5")
        );
        assert_eq!(list[1].address, "Zhejiang Hangzhou Wensan Road");
        assert_eq!(
            (list[2].latitude.as_str(), list[2].city_name.as_str()),
            ("30.5", "Hangzhou")
        );
        assert!(choices(None, None, js).is_empty());
    }

    #[test]
    fn a_preset_needs_both_coordinates_in_range() {
        assert_eq!(preset((None, false), (None, false)).unwrap(), None);
        assert_eq!(
            preset((Some(1.0), true), (Some(2.0), true)).unwrap(),
            Some((1.0, 2.0))
        );
        for (lat, lng, named) in [
            ((Some(91.0), true), (Some(0.0), true), "`latitude`"),
            ((Some(1.0), true), (None, false), "`longitude`"),
            ((None, true), (Some(1.0), true), "`latitude`"),
        ] {
            let err = preset(lat, lng).unwrap_err();
            assert!(err.to_string().contains(named), "{err}");
        }
    }
}
