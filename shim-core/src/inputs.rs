//! The phone's inputs that a browser lacks — a position, what the camera scans, the address
//! book — as the simulator's devtools (or a URL parameter of the simulator, or
//! `configure({ device })` in a standalone page) set them, and the results of the JSAPIs that
//! read them: `my.getLocation`, `my.scan`, `my.choosePhoneContact`, `my.addPhoneContact`.
//! Plain Rust; the glue (`glue::inputs`) reads the JS values and draws the sheets.
//!
//! Every value is checked when it is set (error naming the field, e.g.
//! `device.location.latitude`), so a JSAPI only ever reads a valid one.

use serde::Serialize;

use crate::encoding::Quoted;
use crate::error::ApiError;

/// Most contacts the address book holds.
pub const MAX_CONTACTS: usize = 1000;

/// A position and what the phone knows about the place (`getLocation` `type` 1–3 fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Degrees east, −180…180.
    pub longitude: f64,
    /// Degrees north, −90…90.
    pub latitude: f64,
    /// Metres (default 30).
    pub accuracy: f64,
    /// Country name.
    pub country: String,
    /// ISO country code.
    pub country_code: String,
    /// Province or state.
    pub province: String,
    /// City.
    pub city: String,
    /// The city's administrative code.
    pub city_adcode: String,
    /// District.
    pub district: String,
    /// The district's administrative code.
    pub district_adcode: String,
    /// Street.
    pub street: String,
    /// House number.
    pub number: String,
    /// Places nearby (`type: 3`).
    pub pois: Vec<Poi>,
}

/// A place near the position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Poi {
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: String,
}

/// A coordinate within ±`limit` degrees (90 or 180), or error 2 naming `name`.
pub fn coordinate(name: &str, value: Option<f64>, limit: u8) -> Result<f64, ApiError> {
    match value {
        Some(v) if v.is_finite() && v.abs() <= f64::from(limit) => Ok(v),
        // `limit` as an integer: formatting an f64 would pull Rust's float printing into the wasm.
        _ => Err(ApiError::invalid(
            name,
            format!("is required and must be a number from -{limit} to {limit}"),
        )),
    }
}

impl Location {
    /// A position with no place names (the devtools fill those in as given).
    pub fn at(
        prefix: &str,
        latitude: Option<f64>,
        longitude: Option<f64>,
        accuracy: Option<f64>,
    ) -> Result<Self, ApiError> {
        let latitude = coordinate(&format!("{prefix}latitude"), latitude, 90)?;
        let longitude = coordinate(&format!("{prefix}longitude"), longitude, 180)?;
        let accuracy = match accuracy {
            None => 30.0,
            Some(a) if a.is_finite() && a >= 0.0 => a,
            Some(_) => {
                return Err(ApiError::invalid(
                    format!("{prefix}accuracy"),
                    "must be a number of metres ≥ 0",
                ))
            }
        };
        Ok(Location {
            longitude,
            latitude,
            accuracy,
            country: String::new(),
            country_code: String::new(),
            province: String::new(),
            city: String::new(),
            city_adcode: String::new(),
            district: String::new(),
            district_adcode: String::new(),
            street: String::new(),
            number: String::new(),
            pois: Vec::new(),
        })
    }
}

/// A place `my.openLocation` shows on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPlace {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// The place's name.
    pub name: String,
    /// Its address.
    pub address: String,
    /// Map zoom, 3–19 (default 15).
    pub scale: u8,
}

impl MapPlace {
    /// `latitude`, `longitude` (numbers or numeric strings, required), `name`, `address`,
    /// `scale` (`(value, given)`).
    pub fn new(
        latitude: Option<f64>,
        longitude: Option<f64>,
        name: Option<String>,
        address: Option<String>,
        scale: (Option<f64>, bool),
    ) -> Result<Self, ApiError> {
        let scale = match scale {
            (None, false) => 15,
            (Some(z), _) if z.fract() == 0.0 && (3.0..=19.0).contains(&z) => z as u8,
            _ => {
                return Err(ApiError::invalid(
                    "scale",
                    "must be a whole number from 3 to 19",
                ))
            }
        };
        Ok(MapPlace {
            latitude: coordinate("latitude", latitude, 90)?,
            longitude: coordinate("longitude", longitude, 180)?,
            name: name.unwrap_or_default(),
            address: address.unwrap_or_default(),
            scale,
        })
    }
}

/// `my.getLocation`'s `type`: how much it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LocationLevel {
    /// 0: the coordinates.
    Coordinates = 0,
    /// 1: and the country, province, city, district.
    City = 1,
    /// 2: and the street.
    Street = 2,
    /// 3: and places nearby.
    Pois = 3,
}

impl LocationLevel {
    /// `type` 0–3 (default 0), a number or numeric string.
    pub fn parse(value: Option<f64>, given: bool) -> Result<Self, ApiError> {
        match value {
            None if !given => Ok(LocationLevel::Coordinates),
            Some(v) if v == v.trunc() && (0.0..=3.0).contains(&v) => Ok(match v as u8 {
                0 => LocationLevel::Coordinates,
                1 => LocationLevel::City,
                2 => LocationLevel::Street,
                _ => LocationLevel::Pois,
            }),
            _ => Err(ApiError::invalid("type", "must be 0, 1, 2 or 3")),
        }
    }
}

/// `my.getLocation` success, with the fields of its level. Coordinates are strings, as
/// Alipay returns them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationResult {
    /// Degrees east.
    pub longitude: String,
    /// Degrees north.
    pub latitude: String,
    /// Metres.
    pub accuracy: String,
    /// Metres (same as `accuracy`).
    pub horizontal_accuracy: String,
    /// `type` ≥ 1.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub city: Option<CityFields>,
    /// `type` ≥ 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_number: Option<StreetNumber>,
    /// `type` 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pois: Option<Vec<Poi>>,
}

/// The `type` ≥ 1 fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CityFields {
    /// Country name.
    pub country: String,
    /// ISO country code.
    pub country_code: String,
    /// Province or state.
    pub province: String,
    /// City.
    pub city: String,
    /// The city's code.
    pub city_adcode: String,
    /// District.
    pub district: String,
    /// The district's code.
    pub district_adcode: String,
}

/// `streetNumber` (`type` ≥ 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreetNumber {
    /// Street.
    pub street: String,
    /// House number.
    pub number: String,
}

impl LocationResult {
    /// What `my.getLocation({ type })` returns for `at`; `write` writes a number as JS's
    /// `String(n)` does (the glue passes JS's own, so Rust's float printing stays out of the
    /// wasm).
    pub fn new(at: &Location, level: LocationLevel, write: impl Fn(f64) -> String) -> Self {
        LocationResult {
            longitude: write(at.longitude),
            latitude: write(at.latitude),
            accuracy: write(at.accuracy),
            horizontal_accuracy: write(at.accuracy),
            city: (level >= LocationLevel::City).then(|| CityFields {
                country: at.country.clone(),
                country_code: at.country_code.clone(),
                province: at.province.clone(),
                city: at.city.clone(),
                city_adcode: at.city_adcode.clone(),
                district: at.district.clone(),
                district_adcode: at.district_adcode.clone(),
            }),
            street_number: (level >= LocationLevel::Street).then(|| StreetNumber {
                street: at.street.clone(),
                number: at.number.clone(),
            }),
            pois: (level >= LocationLevel::Pois).then(|| at.pois.clone()),
        }
    }
}

/// What the camera sees for `my.scan`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanInput {
    /// The decoded text.
    pub code: String,
    /// QR code (true) or bar code.
    pub qr: bool,
}

impl ScanInput {
    /// `code` (non-empty) and `type` (`qrCode` default, `barCode`).
    pub fn new(prefix: &str, code: Option<String>, kind: Option<&str>) -> Result<Self, ApiError> {
        let code = code.filter(|c| !c.is_empty()).ok_or_else(|| {
            ApiError::invalid(
                format!("{prefix}code"),
                "is required and must be a non-empty string",
            )
        })?;
        let qr = match kind.unwrap_or("qrCode") {
            "qrCode" | "qr" => true,
            "barCode" | "bar" => false,
            other => {
                return Err(ApiError::invalid(
                    format!("{prefix}type"),
                    format!("must be qrCode or barCode (got {})", Quoted(other)),
                ))
            }
        };
        Ok(ScanInput { code, qr })
    }
}

/// `my.scan`'s `scanType`: which codes the camera looks for.
pub fn scan_accepts(scan_type: Option<Vec<String>>, input: &ScanInput) -> Result<bool, ApiError> {
    let Some(types) = scan_type else {
        return Ok(true);
    };
    let mut accepts = false;
    for (i, t) in types.iter().enumerate() {
        match t.as_str() {
            "qrCode" => accepts |= input.qr,
            "barCode" => accepts |= !input.qr,
            // Codes the simulator's camera never presets; a typed scan can still answer.
            "dmCode" | "pdf417Code" | "narrowCode" | "hmCode" => {}
            other => {
                return Err(ApiError::invalid(
                    format!("scanType[{i}]"),
                    format!(
                    "must be qrCode, barCode, dmCode, pdf417Code, narrowCode or hmCode (got {})",
                    Quoted(other)
                ),
                ))
            }
        }
    }
    Ok(accepts)
}

/// `my.scan` success: `code`, and `qrCode` or `barCode` with the same text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// The decoded text.
    pub code: String,
    /// Set for a QR code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_code: Option<String>,
    /// Set for a bar code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bar_code: Option<String>,
    /// `camera`: the simulator's scans all come from the (devtools) camera.
    pub image_channel: &'static str,
    /// The decoded text again (Alipay's `result`).
    pub result: String,
    /// `qrCode` or `barCode`.
    pub scan_type: &'static str,
    /// The code's bytes, base64.
    pub raw_data: String,
}

impl From<&ScanInput> for ScanResult {
    fn from(input: &ScanInput) -> Self {
        ScanResult {
            code: input.code.clone(),
            qr_code: input.qr.then(|| input.code.clone()),
            bar_code: (!input.qr).then(|| input.code.clone()),
            image_channel: "camera",
            result: input.code.clone(),
            scan_type: if input.qr { "qrCode" } else { "barCode" },
            raw_data: crate::encoding::base64_encode(input.code.as_bytes()),
        }
    }
}

/// One entry of the address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// The name shown.
    pub name: String,
    /// The phone number.
    pub mobile: String,
}

impl Contact {
    /// `name` and `mobile` are required; `mobile` is digits with an optional leading `+` and
    /// spaces or dashes between.
    pub fn new(
        prefix: &str,
        name: Option<String>,
        mobile: Option<String>,
    ) -> Result<Self, ApiError> {
        let name = name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ApiError::invalid(format!("{prefix}name"), "is required"))?;
        let mobile = mobile.map(|m| m.trim().to_owned()).unwrap_or_default();
        let digits = mobile.strip_prefix('+').unwrap_or(&mobile);
        let valid = digits.bytes().any(|b| b.is_ascii_digit())
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-');
        if !valid || mobile.len() > 32 {
            return Err(ApiError::invalid(
                format!("{prefix}mobile"),
                format!(
                    "must be a phone number like +86 138 0013 8000 (got {})",
                    Quoted(&mobile)
                ),
            ));
        }
        Ok(Contact { name, mobile })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// JS's `String(n)` for the numbers of these tests.
    fn js(n: f64) -> String {
        if n.fract() == 0.0 {
            format!("{}", n as i64)
        } else {
            format!("{n}")
        }
    }

    #[test]
    fn locations_are_checked_and_written_at_their_level() {
        let mut at = Location::at("", Some(30.2741), Some(120.1551), None).unwrap();
        assert_eq!(
            (at.latitude, at.longitude, at.accuracy),
            (30.2741, 120.1551, 30.0)
        );
        let cases = [
            ((Some(91.0), Some(0.0), None), "`device.location.latitude`"),
            (
                (Some(0.0), Some(-181.0), None),
                "`device.location.longitude`",
            ),
            ((None, Some(0.0), None), "`device.location.latitude`"),
            (
                (Some(f64::NAN), Some(0.0), None),
                "`device.location.latitude`",
            ),
            (
                (Some(0.0), Some(0.0), Some(-3.0)),
                "`device.location.accuracy`",
            ),
        ];
        for ((lat, lng, acc), named) in cases {
            let err = Location::at("device.location.", lat, lng, acc).unwrap_err();
            assert_eq!(err.code(), 2);
            assert!(err.to_string().contains(named), "{err}");
        }
        at.city = "Hangzhou".into();
        at.street = "Wensan Road".into();
        at.pois = vec![Poi {
            name: "West Lake".into(),
            address: "Xihu".into(),
        }];
        let zero = LocationResult::new(&at, LocationLevel::Coordinates, js);
        assert_eq!(
            (zero.longitude.as_str(), zero.accuracy.as_str()),
            ("120.1551", "30")
        );
        assert!(zero.city.is_none() && zero.street_number.is_none() && zero.pois.is_none());
        let one = LocationResult::new(&at, LocationLevel::City, js);
        assert_eq!(one.city.as_ref().map(|c| c.city.as_str()), Some("Hangzhou"));
        assert!(one.street_number.is_none());
        let three = LocationResult::new(&at, LocationLevel::Pois, js);
        assert_eq!(
            three.street_number.map(|s| s.street),
            Some("Wensan Road".into())
        );
        assert_eq!(three.pois.map(|p| p.len()), Some(1));
    }

    #[test]
    fn open_location_checks_coordinates_and_scale() {
        let p = MapPlace::new(
            Some(30.0),
            Some(120.0),
            Some("Shop".into()),
            None,
            (None, false),
        )
        .unwrap();
        assert_eq!(
            (p.scale, p.name.as_str(), p.address.as_str()),
            (15, "Shop", "")
        );
        for (lat, lng, scale, named) in [
            (None, Some(1.0), (None, false), "`latitude`"),
            (Some(1.0), Some(200.0), (None, false), "`longitude`"),
            (Some(1.0), Some(1.0), (Some(2.0), true), "`scale`"),
            (Some(1.0), Some(1.0), (Some(5.5), true), "`scale`"),
            (Some(1.0), Some(1.0), (None, true), "`scale`"),
        ] {
            let err = MapPlace::new(lat, lng, None, None, scale).unwrap_err();
            assert!(err.to_string().contains(named), "{err}");
        }
    }

    #[test]
    fn location_type_is_0_to_3() {
        assert_eq!(
            LocationLevel::parse(None, false).unwrap(),
            LocationLevel::Coordinates
        );
        assert_eq!(
            LocationLevel::parse(Some(2.0), true).unwrap(),
            LocationLevel::Street
        );
        for bad in [Some(4.0), Some(1.5), Some(-1.0), None] {
            let err = LocationLevel::parse(bad, true).unwrap_err();
            assert!(err.to_string().contains("`type`"), "{bad:?}");
        }
    }

    #[test]
    fn scans_have_a_code_and_a_kind() {
        let qr = ScanInput::new("scan.", Some("https://example.com/t/1".into()), None).unwrap();
        let r = ScanResult::from(&qr);
        assert_eq!(
            (r.qr_code.as_deref(), r.bar_code),
            (Some("https://example.com/t/1"), None)
        );
        let bar = ScanInput::new("scan.", Some("6901234567892".into()), Some("barCode")).unwrap();
        assert_eq!(
            ScanResult::from(&bar).bar_code.as_deref(),
            Some("6901234567892")
        );
        assert!(ScanInput::new("scan.", Some(String::new()), None)
            .unwrap_err()
            .to_string()
            .contains("`scan.code`"));
        assert!(
            ScanInput::new("scan.", Some("x".into()), Some("dataMatrix"))
                .unwrap_err()
                .to_string()
                .contains("`scan.type`")
        );
        assert!(scan_accepts(None, &bar).unwrap());
        assert!(!scan_accepts(Some(vec!["qrCode".into()]), &bar).unwrap());
        assert!(scan_accepts(Some(vec!["qrCode".into(), "barCode".into()]), &bar).unwrap());
        assert!(scan_accepts(Some(vec!["pdf417".into()]), &bar)
            .unwrap_err()
            .to_string()
            .contains("`scanType[0]`"));
    }

    #[test]
    fn contacts_need_a_name_and_a_phone_number() {
        let c = Contact::new(
            "c.",
            Some(" Alice ".into()),
            Some("+86 138 0013 8000".into()),
        )
        .unwrap();
        assert_eq!(
            (c.name.as_str(), c.mobile.as_str()),
            ("Alice", "+86 138 0013 8000")
        );
        assert!(Contact::new("c.", Some("Bob".into()), Some("555-0100".into())).is_ok());
        for (name, mobile, named) in [
            (None, Some("1"), "`c.name`"),
            (Some(" "), Some("1"), "`c.name`"),
            (Some("A"), None, "`c.mobile`"),
            (Some("A"), Some("+"), "`c.mobile`"),
            (Some("A"), Some("call me"), "`c.mobile`"),
        ] {
            let err =
                Contact::new("c.", name.map(String::from), mobile.map(String::from)).unwrap_err();
            assert!(err.to_string().contains(named), "{err}");
        }
    }
}
