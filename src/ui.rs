//! Options of the small UI JSAPIs — `my.confirm`, `my.showToast`, `my.showLoading` — with
//! Alipay's defaults applied. The DOM lives in `glue::ui`.

use crate::encoding::Quoted;
use crate::error::ApiError;

/// `my.confirm`'s confirm label when `confirmButtonText` is not given.
pub const DEFAULT_CONFIRM_TEXT: &str = "OK";
/// `my.confirm`'s cancel label when `cancelButtonText` is not given.
pub const DEFAULT_CANCEL_TEXT: &str = "Cancel";
/// `my.showToast` duration when none is given (Alipay: 2000 ms).
pub const DEFAULT_TOAST_MS: u32 = 2000;
/// Longest toast or loading delay accepted (a longer one is clamped).
pub const MAX_TIMER_MS: u32 = 60_000;

/// What the confirm modal shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmContent {
    /// Heading (empty: none).
    pub title: String,
    /// Body text (empty: none).
    pub content: String,
    /// Label of the confirming button.
    pub confirm_text: String,
    /// Label of the cancelling button.
    pub cancel_text: String,
}

fn label(given: Option<String>, default: &str) -> String {
    given
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

impl ConfirmContent {
    /// Missing texts are empty; a missing or blank button label gets its default.
    pub fn new(
        title: Option<String>,
        content: Option<String>,
        confirm_text: Option<String>,
        cancel_text: Option<String>,
    ) -> Self {
        ConfirmContent {
            title: title.unwrap_or_default(),
            content: content.unwrap_or_default(),
            confirm_text: label(confirm_text, DEFAULT_CONFIRM_TEXT),
            cancel_text: label(cancel_text, DEFAULT_CANCEL_TEXT),
        }
    }
}

/// The icon of a toast (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastType {
    /// A check mark.
    Success,
    /// A cross.
    Fail,
    /// An exclamation mark.
    Exception,
    /// Text only (the default).
    None,
}

impl ToastType {
    /// Parses `type`: Alipay's `success | fail | exception | none`, case-insensitive, plus the
    /// WeChat spellings `error` (= fail) and `loading`/`` (= none), as pages ported from it use.
    pub fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("none") | Some("loading") => Ok(ToastType::None),
            Some("success") => Ok(ToastType::Success),
            Some("fail") | Some("error") => Ok(ToastType::Fail),
            Some("exception") => Ok(ToastType::Exception),
            Some(other) => Err(ApiError::invalid(
                "type",
                format!(
                    "must be one of success, fail, exception, none (got {})",
                    Quoted(other)
                ),
            )),
        }
    }

    /// The icon shown before the text (empty for `none`).
    pub fn icon(self) -> &'static str {
        match self {
            ToastType::Success => "✓",
            ToastType::Fail => "✕",
            ToastType::Exception => "!",
            ToastType::None => "",
        }
    }

    /// The name as Alipay spells it (also the overlay's `data-type`).
    pub fn name(self) -> &'static str {
        match self {
            ToastType::Success => "success",
            ToastType::Fail => "fail",
            ToastType::Exception => "exception",
            ToastType::None => "none",
        }
    }
}

/// A toast to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// The text (may be empty).
    pub content: String,
    /// Its icon.
    pub kind: ToastType,
    /// How long it stays, in milliseconds.
    pub duration_ms: u32,
}

/// Reads a millisecond option: missing → `default`; a finite number ≥ 0 → rounded and
/// clamped to [`MAX_TIMER_MS`]; anything else (negative, NaN, a string) → error 2.
pub fn millis(name: &str, value: Option<f64>, given: bool, default: u32) -> Result<u32, ApiError> {
    match value {
        None if !given => Ok(default),
        Some(ms) if ms.is_finite() && ms >= 0.0 => {
            Ok(ms.round().min(f64::from(MAX_TIMER_MS)) as u32)
        }
        _ => Err(ApiError::invalid(
            name,
            "must be a number of milliseconds ≥ 0",
        )),
    }
}

impl Toast {
    /// `content` (alias `title`, WeChat's name), `type`, `duration` (`None` + `given` =
    /// present but not a number).
    pub fn new(
        content: Option<String>,
        kind: Option<&str>,
        duration: Option<f64>,
        duration_given: bool,
    ) -> Result<Self, ApiError> {
        Ok(Toast {
            content: content.unwrap_or_default(),
            kind: ToastType::parse(kind)?,
            duration_ms: millis("duration", duration, duration_given, DEFAULT_TOAST_MS)?,
        })
    }
}

/// A loading indicator to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loading {
    /// The text under the spinner (may be empty).
    pub content: String,
    /// Milliseconds to wait before it appears (Alipay `delay`, default 0); a `hideLoading`
    /// before then means it never appears.
    pub delay_ms: u32,
}

impl Loading {
    /// `content` (alias `title`), `delay`.
    pub fn new(
        content: Option<String>,
        delay: Option<f64>,
        delay_given: bool,
    ) -> Result<Self, ApiError> {
        Ok(Loading {
            content: content.unwrap_or_default(),
            delay_ms: millis("delay", delay, delay_given, 0)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirm_labels_default_to_ok_and_cancel() {
        let cases = [
            (None, None, ("OK", "Cancel")),
            (Some(""), Some(" "), ("OK", "Cancel")),
            (Some("Pay"), Some("Not now"), ("Pay", "Not now")),
        ];
        for (confirm, cancel, expected) in cases {
            let c = ConfirmContent::new(
                None,
                Some("c".into()),
                confirm.map(String::from),
                cancel.map(String::from),
            );
            assert_eq!((c.confirm_text.as_str(), c.cancel_text.as_str()), expected);
            assert_eq!((c.title.as_str(), c.content.as_str()), ("", "c"));
        }
    }

    #[test]
    fn toast_types_follow_alipay_and_accept_wechat_spellings() {
        let cases: &[(Option<&str>, Result<ToastType, ()>)] = &[
            (None, Ok(ToastType::None)),
            (Some("none"), Ok(ToastType::None)),
            (Some("success"), Ok(ToastType::Success)),
            (Some("SUCCESS"), Ok(ToastType::Success)),
            (Some("fail"), Ok(ToastType::Fail)),
            (Some("error"), Ok(ToastType::Fail)),
            (Some("exception"), Ok(ToastType::Exception)),
            (Some("loading"), Ok(ToastType::None)),
            (Some("rainbow"), Err(())),
        ];
        for (given, expected) in cases {
            match (ToastType::parse(*given), expected) {
                (Ok(t), Ok(e)) => assert_eq!(t, *e, "{given:?}"),
                (Err(err), Err(())) => {
                    assert_eq!(err.code(), 2);
                    assert!(err.to_string().contains("`type`"), "{err}");
                }
                (got, _) => panic!("{given:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn durations_default_clamp_and_reject_garbage() {
        let cases: &[(Option<f64>, bool, Result<u32, ()>)] = &[
            (None, false, Ok(DEFAULT_TOAST_MS)),
            (Some(0.0), true, Ok(0)),
            (Some(3500.4), true, Ok(3500)),
            (Some(1e12), true, Ok(MAX_TIMER_MS)),
            (Some(-1.0), true, Err(())),
            (Some(f64::NAN), true, Err(())),
            (None, true, Err(())), // present but not a number ("3s")
        ];
        for (value, given, expected) in cases {
            let got = Toast::new(None, None, *value, *given).map(|t| t.duration_ms);
            match expected {
                Ok(ms) => assert_eq!(got.unwrap(), *ms, "{value:?}"),
                Err(()) => assert!(got.unwrap_err().to_string().contains("`duration`")),
            }
        }
        assert_eq!(Loading::new(None, None, false).unwrap().delay_ms, 0);
        assert!(Loading::new(None, Some(-5.0), true)
            .unwrap_err()
            .to_string()
            .contains("`delay`"));
    }
}
