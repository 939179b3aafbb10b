//! The super app's automation switches: the cashier pays by itself (`autopay`) and the consent
//! page answers by itself (`autoconsent`), for demos and tests.
//!
//! They are the super app's own settings, stored server-side and changed only through the
//! control endpoint `PUT /sandbox/settings` (super app origin only). No URL parameter of the
//! simulator, the cashier or the consent page turns them on: a URL is something a mini program
//! or a third party can write. The pages read them from `GET /sandbox/settings` and act on them
//! only inside a frame whose ancestors the server allowed ([`crate::http::embedder`]).

use serde::Serialize;
use serde_json::{Map, Value};

/// What the cashier does by itself when `autopay` is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Autopay {
    /// Pays by balance (→ 9000, or 4000 on too little balance).
    Balance,
    /// Pays with the declined card (→ 4000).
    DeclinedCard,
    /// Pays by bank transfer: pending (→ 8000).
    BankTransfer,
    /// Pays by balance and loses the answer (→ 6004).
    NetworkDrop,
    /// Closes the cashier (→ 6001).
    Cancel,
}

impl Autopay {
    const ALL: [Autopay; 5] = [
        Autopay::Balance,
        Autopay::DeclinedCard,
        Autopay::BankTransfer,
        Autopay::NetworkDrop,
        Autopay::Cancel,
    ];

    /// Wire name, also the cashier's method value.
    pub fn as_str(self) -> &'static str {
        match self {
            Autopay::Balance => "BALANCE",
            Autopay::DeclinedCard => "DECLINED_CARD",
            Autopay::BankTransfer => "BANK_TRANSFER",
            Autopay::NetworkDrop => "NETWORK_DROP",
            Autopay::Cancel => "CANCEL",
        }
    }
}

/// How the consent page answers by itself when `autoconsent` is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Autoconsent {
    /// Allows every scope asked.
    Allow,
    /// Declines (→ error 11).
    Deny,
}

impl Autoconsent {
    const ALL: [Autoconsent; 2] = [Autoconsent::Allow, Autoconsent::Deny];

    pub fn as_str(self) -> &'static str {
        match self {
            Autoconsent::Allow => "allow",
            Autoconsent::Deny => "deny",
        }
    }
}

/// A switch's value: a closed set of wire names.
trait Switch: Copy + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == s)
    }
    /// `"A, B, C"`, for error messages.
    fn choices() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
        names.join(", ")
    }
}

impl Switch for Autopay {
    const ALL: &'static [Self] = &Autopay::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Switch for Autoconsent {
    const ALL: &'static [Self] = &Autoconsent::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// The automation switches; `None` is off (the user decides), the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomationSettings {
    /// The cashier pays by itself with this method.
    pub autopay: Option<Autopay>,
    /// The consent page answers by itself.
    pub autoconsent: Option<Autoconsent>,
}

/// Why a settings change was refused; nothing is stored then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The body is not a JSON object.
    #[error("body must be a JSON object, e.g. {{\"autopay\": \"BALANCE\"}}")]
    NotAnObject,
    /// A key that is not a setting.
    #[error("{0}: not a setting of the super app (settings: autopay, autoconsent)")]
    UnknownSetting(String),
    /// A known setting with a value it cannot take.
    #[error("{field}: must be null (off) or one of {choices}, not {given}")]
    BadValue {
        field: &'static str,
        /// Its possible values.
        choices: String,
        /// What was sent (JSON).
        given: String,
    },
}

/// Reads one switch of a patch: absent → unchanged, `null` → off, a wire name → on.
fn patch_field<T: Switch>(
    patch: &Map<String, Value>,
    field: &'static str,
    current: Option<T>,
) -> Result<Option<T>, SettingsError> {
    match patch.get(field) {
        None => Ok(current),
        Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(T::parse)
            .map(Some)
            .ok_or_else(|| SettingsError::BadValue {
                field,
                choices: T::choices(),
                given: v.to_string(),
            }),
    }
}

impl AutomationSettings {
    /// Storage keys (rows of the `settings` table).
    pub const AUTOPAY_KEY: &'static str = "automation.autopay";
    /// See [`Self::AUTOPAY_KEY`].
    pub const AUTOCONSENT_KEY: &'static str = "automation.autoconsent";

    /// These settings with `patch` applied (a JSON object of some switches). Every key is
    /// checked before anything changes: one bad value refuses the whole patch.
    pub fn patched(self, patch: &Value) -> Result<AutomationSettings, SettingsError> {
        let patch = patch.as_object().ok_or(SettingsError::NotAnObject)?;
        if let Some(unknown) = patch
            .keys()
            .find(|k| !matches!(k.as_str(), "autopay" | "autoconsent"))
        {
            return Err(SettingsError::UnknownSetting(unknown.clone()));
        }
        Ok(AutomationSettings {
            autopay: patch_field(patch, "autopay", self.autopay)?,
            autoconsent: patch_field(patch, "autoconsent", self.autoconsent)?,
        })
    }

    /// The settings as stored (`None`: no row). A stored value this version does not know
    /// reads as off (the safe side: nothing happens without the user).
    pub fn from_stored(autopay: Option<&str>, autoconsent: Option<&str>) -> AutomationSettings {
        AutomationSettings {
            autopay: autopay.and_then(Autopay::parse),
            autoconsent: autoconsent.and_then(Autoconsent::parse),
        }
    }

    /// The setting rows to write for the switches a patch named (all of them when `patch` is
    /// None; off = no row). A switch the patch did not name is not written, so two clients
    /// changing different switches at once both keep their change.
    pub fn rows(&self, patch: Option<&Value>) -> Vec<(&'static str, Option<&'static str>)> {
        let named = |field: &str| patch.is_none_or(|p| p.get(field).is_some());
        let mut rows = Vec::new();
        if named("autopay") {
            rows.push((Self::AUTOPAY_KEY, self.autopay.map(Autopay::as_str)));
        }
        if named("autoconsent") {
            let value = self.autoconsent.map(Autoconsent::as_str);
            rows.push((Self::AUTOCONSENT_KEY, value));
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_patch_changes_only_the_switches_it_names() {
        let on = AutomationSettings::default()
            .patched(&json!({"autopay": "BALANCE", "autoconsent": "deny"}))
            .unwrap();
        assert_eq!(on.autopay, Some(Autopay::Balance));
        assert_eq!(on.autoconsent, Some(Autoconsent::Deny));
        let half = on.patched(&json!({"autopay": null})).unwrap();
        assert_eq!(half.autopay, None);
        assert_eq!(half.autoconsent, Some(Autoconsent::Deny));
        assert_eq!(half.patched(&json!({})).unwrap(), half);
        assert_eq!(
            serde_json::to_value(half).unwrap(),
            json!({"autopay": null, "autoconsent": "deny"})
        );
    }

    #[test]
    fn refuses_bad_values_naming_the_field() {
        let on = AutomationSettings {
            autopay: Some(Autopay::Cancel),
            autoconsent: None,
        };
        for (patch, field) in [
            (json!({"autopay": "balance"}), "autopay: "),
            (json!({"autopay": ""}), "autopay: "),
            (json!({"autopay": true}), "autopay: "),
            (json!({"autoconsent": "yes"}), "autoconsent: "),
            (
                json!({"autoconsent": "allow", "autopay": 1}),
                "autopay: must be null (off) or one of BALANCE",
            ),
            (json!({"embedder": "x"}), "embedder: not a setting"),
        ] {
            let err = on.patched(&patch).unwrap_err().to_string();
            assert!(err.starts_with(field), "{patch} → {err}");
        }
        assert_eq!(
            on.patched(&json!([])).unwrap_err(),
            SettingsError::NotAnObject
        );
    }
}
