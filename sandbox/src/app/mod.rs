//! The use cases over the store and the domain, and the background tasks: the notification
//! dispatcher and the settler (DESIGN.md "Layers"). [`AppState`] is what every handler shares.

pub mod dispatcher;
pub mod identity;
pub mod payments;
pub mod settler;
pub mod trades;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::domain::clock::Clock;
use crate::signature::{PublicKey, Signer};
use crate::store::{Store, StoreError};
use dispatcher::Dispatcher;

/// Everything a request handler needs.
#[derive(Debug)]
pub struct AppState {
    pub store: Arc<Store>,
    /// The wallet's signing key (responses, notifications).
    pub wallet: Signer,
    /// The wallet's public key, SPKI PEM.
    pub wallet_public_pem: String,
    pub dispatcher: Dispatcher,
    pub config: Config,
    /// Public base URL of the super app origin, no trailing slash.
    pub public_base: String,
    /// Parsed merchant public keys by client id.
    merchant_keys: Mutex<HashMap<String, Arc<PublicKey>>>,
    /// The browser origins of the super app's own pages (`http::perimeter::super_app_origins`).
    pub super_app_origins: Vec<String>,
    /// HTTP client of the relay (no redirects, pooled).
    pub relay_client: reqwest::Client,
    /// Where the relay sends a mapped origin (`--map-origin`), built once from the config.
    pub origin_map: crate::domain::origin_map::OriginMap,
    /// Relay requests in flight at most (`--relay-concurrency`).
    pub relay_slots: tokio::sync::Semaphore,
    /// The sandbox's one "now": payments (expiry, pending delays), auth codes and tokens,
    /// notification schedules and the settler all read it, so a test that moves it forward
    /// moves them all.
    pub clock: Arc<Clock>,
    /// Wakes the settler when a payment gets an earlier deadline than it sleeps for.
    pub settler: settler::Settler,
    /// The key of users' per-app `open_id`s (`domain::trade::open_id`), derived from the
    /// wallet's private key: stable across restarts with the same data dir, known to no page or
    /// merchant.
    pub open_id_key: Vec<u8>,
}

/// Shared state handle.
pub type State = Arc<AppState>;

impl AppState {
    /// The state of a sandbox whose listeners, keys and store are ready.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Arc<Store>,
        wallet: Signer,
        dispatcher: Dispatcher,
        config: Config,
        public_base: String,
        super_app_origins: Vec<String>,
        relay_client: reqwest::Client,
        relay_slots: tokio::sync::Semaphore,
        clock: Arc<Clock>,
    ) -> AppState {
        let open_id_key = {
            use sha2::{Digest, Sha256};
            Sha256::new()
                .chain_update(b"superapp-sandbox open_id key\0")
                .chain_update(wallet.private_pem().as_bytes())
                .finalize()
                .to_vec()
        };
        AppState {
            open_id_key,
            origin_map: crate::domain::origin_map::OriginMap::new(&config.map_origin),
            store,
            wallet_public_pem: wallet.public().to_pem(),
            wallet,
            dispatcher,
            config,
            public_base,
            merchant_keys: Mutex::new(HashMap::new()),
            super_app_origins,
            relay_client,
            relay_slots,
            clock,
            settler: settler::Settler::default(),
        }
    }

    /// The parsed public key of a merchant (cached), or None for an unknown client id.
    pub fn merchant_key(&self, client_id: &str) -> Result<Option<Arc<PublicKey>>, StoreError> {
        if let Some(k) = self
            .merchant_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(client_id)
        {
            return Ok(Some(k.clone()));
        }
        let Some(m) = self.store.merchant(client_id)? else {
            return Ok(None);
        };
        let Ok(key) = PublicKey::from_pem(&m.public_key_pem) else {
            return Ok(None);
        };
        let key = Arc::new(key);
        self.merchant_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(client_id.to_string(), key.clone());
        Ok(Some(key))
    }
}
