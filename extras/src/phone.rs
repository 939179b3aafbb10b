//! The phone's actuators a browser lacks or a page may not use: `my.vibrate*`,
//! `my.makePhoneCall`, `my.setKeepScreenOn`, `my.get/setScreenBrightness`: the rules of their
//! options. The simulator shows each call in the phone frame from its log entry (a shake, a
//! call banner, a dimmed screen, a keep-on badge); nothing dials or dims the real screen.
//! In the extras module: rarely called, and 1.7 KB of gzipped start wasm (DESIGN.md "Size of
//! the start wasm").

use crate::error::ApiError;

/// `my.setScreenBrightness({ brightness })`: a number from 0 to 1 (error 2 otherwise).
pub fn brightness(value: Option<f64>, given: bool) -> Result<f64, ApiError> {
    match value {
        Some(b) if (0.0..=1.0).contains(&b) => Ok(b),
        Some(_) => Err(ApiError::invalid(
            "brightness",
            "must be a number from 0 to 1",
        )),
        None if given => Err(ApiError::invalid(
            "brightness",
            "must be a number from 0 to 1",
        )),
        None => Err(ApiError::invalid("brightness", "is required")),
    }
}

/// `my.makePhoneCall({ number })`: digits, spaces and `+ - ( ) * # ,` only, at most 32
/// characters after trimming (error 2 naming `number` otherwise).
pub fn phone_number(value: Option<&str>) -> Result<String, ApiError> {
    let number = value
        .map(str::trim)
        .ok_or_else(|| ApiError::invalid("number", "is required"))?;
    if number.is_empty() || !number.chars().any(|c| c.is_ascii_digit()) {
        return Err(ApiError::invalid("number", "must contain digits"));
    }
    if number.chars().count() > 32 {
        return Err(ApiError::invalid("number", "is longer than 32 characters"));
    }
    if let Some(c) = number
        .chars()
        .find(|c| !(c.is_ascii_digit() || " +-()*#,".contains(*c)))
    {
        return Err(ApiError::invalid(
            "number",
            format!("may hold digits, spaces and + - ( ) * # , only, not '{c}'"),
        ));
    }
    Ok(number.to_owned())
}

/// How long `my.vibrate*` shakes the phone frame: `vibrateShort` 15 ms (as documented),
/// `vibrate` and `vibrateLong` 400 ms.
pub fn vibration_ms(api: &str) -> u32 {
    if api == "vibrateShort" {
        15
    } else {
        400
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brightness_and_phone_numbers_are_checked() {
        assert_eq!(brightness(Some(0.3), true), Ok(0.3));
        for (v, given) in [
            (Some(1.5), true),
            (Some(-0.1), true),
            (None, true),
            (None, false),
        ] {
            let e = brightness(v, given).unwrap_err();
            assert_eq!(e.code(), 2);
            assert!(e.to_string().contains("`brightness`"));
        }
        assert_eq!(
            phone_number(Some(" +1 (555) 010-0000 ")).unwrap(),
            "+1 (555) 010-0000"
        );
        for bad in [
            None,
            Some(""),
            Some("abc"),
            Some("123;rm"),
            Some("1234567890123456789012345678901234"),
        ] {
            let e = phone_number(bad).unwrap_err();
            assert!(e.to_string().contains("`number`"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn vibration_lengths() {
        assert_eq!(vibration_ms("vibrateShort"), 15);
        assert_eq!(vibration_ms("vibrateLong"), 400);
        assert_eq!(vibration_ms("vibrate"), 400);
    }
}
