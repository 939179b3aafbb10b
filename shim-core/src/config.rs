//! The runtime configuration the host gives the shim (`configure(...)`, see DESIGN.md
//! "How a page gets `my`"). Plain data; the glue keeps one per page.

use serde::Deserialize;

use crate::url::Whitelist;

/// How `my.request` reaches the merchant's server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// `fetch` from the mini program's page (the server must send CORS headers).
    #[default]
    Direct,
    /// `POST <relayUrl>` with the DESIGN.md envelope; the super app side sends the request.
    Relay,
}

/// Where `my.tradePay` shows the cashier (DESIGN.md "Cashier → mini program result").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TradePayHost {
    /// An iframe overlay in the mini program's own document (a page without the simulator).
    #[default]
    Overlay,
    /// The simulator shell (the parent window, super app origin) shows it over the phone.
    Shell,
}

/// Network faults the simulator's devtools inject into `my.request` (none by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkFaults {
    /// Milliseconds added before every request is sent (capped at 60000).
    pub latency_ms: u32,
    /// Every request fails with error 12, as when the phone is offline.
    pub offline: bool,
    /// Every request times out (error 13) after its `timeout`, without being sent.
    pub timeout: bool,
}

/// A partial configuration: every key optional; [`Config::apply`] merges it.
///
/// JS keys (camelCase): `appId`, `whitelist`, `transport`, `relayUrl`, `superAppOrigin`,
/// `cashierOrigins`, `httpErrorAsFail`, `tradePayFailRouting`, `tradePayHost`,
/// `networkFaults { latencyMs, offline, timeout }`. Unknown keys are ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConfigPatch {
    /// The mini program's app id.
    pub app_id: Option<String>,
    /// Domains `my.request` may reach (see [`Whitelist`]).
    pub whitelist: Option<Vec<String>>,
    /// `direct` or `relay`.
    pub transport: Option<Transport>,
    /// The relay endpoint (default `<superAppOrigin>/relay`).
    pub relay_url: Option<String>,
    /// The super app's origin (where `my.js` came from).
    pub super_app_origin: Option<String>,
    /// Origins whose cashier pages `my.tradePay` accepts.
    pub cashier_origins: Option<Vec<String>>,
    /// Map HTTP status ≥ 400 to fail 19 (per-call option `httpErrorAsFail` overrides it).
    pub http_error_as_fail: Option<bool>,
    /// Route tradePay results 4000/6001/6002 to `fail` (docs/protocol.md §4 switch).
    pub trade_pay_fail_routing: Option<bool>,
    /// `overlay` or `shell`.
    pub trade_pay_host: Option<TradePayHost>,
    /// Injected `my.request` faults.
    pub network_faults: Option<NetworkFaults>,
}

/// The effective configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The mini program's app id (empty until configured).
    pub app_id: String,
    /// Parsed whitelist; empty allows nothing.
    pub whitelist: Whitelist,
    /// The whitelist as configured (for messages and the relay).
    pub whitelist_entries: Vec<String>,
    /// How requests travel.
    pub transport: Transport,
    /// Explicit relay URL, if any.
    pub relay_url: Option<String>,
    /// The super app's origin, if known.
    pub super_app_origin: Option<String>,
    /// Accepted cashier origins.
    pub cashier_origins: Vec<String>,
    /// Default of the error-19 switch.
    pub http_error_as_fail: bool,
    /// tradePay fail routing switch.
    pub trade_pay_fail_routing: bool,
    /// Where the cashier shows.
    pub trade_pay_host: TradePayHost,
    /// Injected `my.request` faults.
    pub network_faults: NetworkFaults,
}

impl Config {
    /// Merges `patch` over `self`. On error (an unreadable whitelist entry) nothing changes.
    pub fn apply(&mut self, patch: ConfigPatch) -> Result<(), String> {
        let whitelist = match &patch.whitelist {
            Some(entries) => Some(Whitelist::new(entries)?),
            None => None,
        };
        if let Some(app_id) = patch.app_id {
            self.app_id = app_id;
        }
        if let (Some(list), Some(entries)) = (whitelist, patch.whitelist) {
            self.whitelist = list;
            self.whitelist_entries = entries;
        }
        if let Some(t) = patch.transport {
            self.transport = t;
        }
        if patch.relay_url.is_some() {
            self.relay_url = patch.relay_url;
        }
        if let Some(origin) = patch.super_app_origin {
            self.super_app_origin = Some(origin.trim_end_matches('/').to_owned());
        }
        if let Some(origins) = patch.cashier_origins {
            self.cashier_origins = origins;
        }
        if let Some(b) = patch.http_error_as_fail {
            self.http_error_as_fail = b;
        }
        if let Some(b) = patch.trade_pay_fail_routing {
            self.trade_pay_fail_routing = b;
        }
        if let Some(host) = patch.trade_pay_host {
            self.trade_pay_host = host;
        }
        if let Some(mut faults) = patch.network_faults {
            faults.latency_ms = faults.latency_ms.min(60_000);
            self.network_faults = faults;
        }
        Ok(())
    }

    /// The simulator shell's origin: the super app's, when the shell hosts this page
    /// (`tradePayHost: "shell"`); `None` outside the simulator, or before an origin is known.
    /// The shell answers what only the super app knows (the cashier, the title bar, the
    /// authorizations), and its messages are accepted from this origin only.
    pub fn shell_origin(&self) -> Option<&str> {
        match self.trade_pay_host {
            TradePayHost::Shell => self.super_app_origin.as_deref(),
            TradePayHost::Overlay => None,
        }
    }

    /// Where relayed requests go: `relayUrl`, else `<superAppOrigin>/relay`.
    pub fn effective_relay_url(&self) -> Option<String> {
        self.relay_url
            .clone()
            .or_else(|| self.super_app_origin.as_ref().map(|o| format!("{o}/relay")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_merge_and_keep_unset_keys() {
        let mut config = Config::default();
        config
            .apply(ConfigPatch {
                app_id: Some("2102020000000001".into()),
                whitelist: Some(vec!["127.0.0.1:8702".into()]),
                super_app_origin: Some("http://127.0.0.1:8700/".into()),
                ..ConfigPatch::default()
            })
            .expect("valid");
        config
            .apply(ConfigPatch {
                transport: Some(Transport::Relay),
                http_error_as_fail: Some(true),
                ..ConfigPatch::default()
            })
            .expect("valid");
        assert_eq!(config.app_id, "2102020000000001");
        assert_eq!(config.whitelist_entries, vec!["127.0.0.1:8702".to_owned()]);
        assert_eq!(config.transport, Transport::Relay);
        assert!(config.http_error_as_fail);
        assert_eq!(
            config.effective_relay_url().as_deref(),
            Some("http://127.0.0.1:8700/relay")
        );
    }

    #[test]
    fn the_shell_origin_is_the_super_apps_only_when_the_shell_hosts_the_page() {
        let mut config = Config::default();
        config
            .apply(ConfigPatch {
                super_app_origin: Some("http://127.0.0.1:8700/".into()),
                ..ConfigPatch::default()
            })
            .expect("valid");
        assert_eq!(config.shell_origin(), None, "an overlay page has no shell");
        config
            .apply(ConfigPatch {
                trade_pay_host: Some(TradePayHost::Shell),
                ..ConfigPatch::default()
            })
            .expect("valid");
        assert_eq!(config.shell_origin(), Some("http://127.0.0.1:8700"));
        let mut no_origin = Config::default();
        no_origin
            .apply(ConfigPatch {
                trade_pay_host: Some(TradePayHost::Shell),
                ..ConfigPatch::default()
            })
            .expect("valid");
        assert_eq!(
            no_origin.shell_origin(),
            None,
            "no origin to accept messages from"
        );
    }

    #[test]
    fn explicit_relay_url_wins_over_the_super_app_origin() {
        let mut config = Config::default();
        assert_eq!(config.effective_relay_url(), None);
        config
            .apply(ConfigPatch {
                relay_url: Some("http://r.example/relay".into()),
                super_app_origin: Some("http://s.example".into()),
                ..ConfigPatch::default()
            })
            .expect("valid");
        assert_eq!(
            config.effective_relay_url().as_deref(),
            Some("http://r.example/relay")
        );
    }

    #[test]
    fn trade_pay_host_and_network_faults_are_configurable_and_latency_is_capped() {
        let mut config = Config::default();
        assert_eq!(config.trade_pay_host, TradePayHost::Overlay);
        assert_eq!(config.network_faults, NetworkFaults::default());
        config
            .apply(ConfigPatch {
                trade_pay_host: Some(TradePayHost::Shell),
                network_faults: Some(NetworkFaults {
                    latency_ms: 999_999,
                    offline: true,
                    timeout: false,
                }),
                ..ConfigPatch::default()
            })
            .expect("valid");
        assert_eq!(config.trade_pay_host, TradePayHost::Shell);
        assert_eq!(config.network_faults.latency_ms, 60_000);
        assert!(config.network_faults.offline);
    }

    #[test]
    fn a_bad_whitelist_entry_changes_nothing() {
        let mut config = Config::default();
        let before = config.clone();
        let err = config
            .apply(ConfigPatch {
                app_id: Some("x".into()),
                whitelist: Some(vec!["ok.example".into(), "not a host".into()]),
                ..ConfigPatch::default()
            })
            .expect_err("bad entry");
        assert!(err.contains("not a host"), "{err}");
        assert_eq!(config, before);
    }
}
