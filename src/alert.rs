//! `my.alert` options: what the modal shows. The DOM lives in `glue::alert`.

/// The button label when `buttonText` is not given.
pub const DEFAULT_BUTTON_TEXT: &str = "OK";

/// What the alert modal shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertContent {
    /// Heading (may be empty: no heading shown).
    pub title: String,
    /// Body text (may be empty).
    pub content: String,
    /// Label of the single button.
    pub button_text: String,
}

impl AlertContent {
    /// Applies the defaults: missing texts are empty, a missing or empty button label is "OK".
    pub fn new(
        title: Option<String>,
        content: Option<String>,
        button_text: Option<String>,
    ) -> Self {
        AlertContent {
            title: title.unwrap_or_default(),
            content: content.unwrap_or_default(),
            button_text: button_text
                .filter(|b| !b.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_BUTTON_TEXT.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_text_defaults_to_ok() {
        let cases = [
            (None, "OK"),
            (Some(""), "OK"),
            (Some("  "), "OK"),
            (Some("Got it"), "Got it"),
        ];
        for (given, expected) in cases {
            let alert = AlertContent::new(None, Some("c".into()), given.map(String::from));
            assert_eq!(alert.button_text, expected, "{given:?}");
            assert_eq!((alert.title.as_str(), alert.content.as_str()), ("", "c"));
        }
    }
}
