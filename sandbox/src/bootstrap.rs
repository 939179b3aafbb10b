//! First start: the wallet key pair, the default sandbox merchant and the demo mini program are
//! created once and kept in the database; their PEM files are (re)written to the data dir so a
//! demo merchant in any language can read them, and printed at start-up.

use std::path::Path;

use serde_json::json;

use std::net::SocketAddr;

use crate::app::dispatcher::DispatcherError;
use crate::domain::ids::new_client_id;
use crate::signature::Signer;
use crate::store::{MerchantRow, MiniProgramRow, Store, StoreError};

/// App id of the demo mini program created on first start.
pub const DEMO_APP_ID: &str = "2102020000000001";
/// Its whitelist: the demo merchant server.
pub const DEMO_WHITELIST: &str = "127.0.0.1:8702";

const WALLET_KEY_SETTING: &str = "wallet_private_key_pem";

/// What start-up produced.
#[derive(Debug)]
pub struct Boot {
    /// The wallet signing key.
    pub wallet: Signer,
}

/// The setting that remembers the demo app's `url` as the sandbox last set it.
const DEMO_URL_SETTING: &str = "demo_app_url";

/// Loads or creates the wallet key, the default merchant and the demo mini program; writes
/// the key files when `dir` is set. `demo_url` is the mini program origin of this run (None
/// when that listener is off).
pub fn bootstrap(
    store: &Store,
    dir: Option<&Path>,
    demo_url: Option<&str>,
) -> Result<Boot, StartError> {
    let keys = |e: crate::signature::SignatureError| StartError::Keys(e.to_string());
    let wallet = match store.setting(WALLET_KEY_SETTING)? {
        Some(pem) => Signer::from_pem(&pem).map_err(keys)?,
        None => {
            let key = Signer::generate().map_err(keys)?;
            store.set_setting(WALLET_KEY_SETTING, &key.private_pem())?;
            key
        }
    };
    let merchant = match store.default_merchant()? {
        Some(m) => m,
        None => {
            let key = Signer::generate().map_err(keys)?;
            let m = MerchantRow {
                client_id: new_client_id(),
                name: "Sandbox Merchant".to_string(),
                public_key_pem: key.public().to_pem(),
                private_key_pem: Some(key.private_pem()),
                is_default: true,
            };
            store.insert_merchant(&m)?;
            m
        }
    };
    if store.mini_program(DEMO_APP_ID)?.is_none() {
        store.upsert_mini_program(&MiniProgramRow {
            app_id: DEMO_APP_ID.to_string(),
            name: "Demo Coffee".to_string(),
            merchant_client_id: merchant.client_id.clone(),
            whitelist: vec![DEMO_WHITELIST.to_string()],
            trade_pay_fail_routing: false,
            http_error_as_fail: false,
            url: String::new(),
        })?;
    }
    follow_demo_url(store, demo_url)?;
    if let Some(dir) = dir {
        write_key_files(dir, &wallet, &merchant).map_err(StoreError::Io)?;
    }
    Ok(Boot { wallet })
}

/// Points the demo app's `url` at this run's mini program origin, unless somebody changed it:
/// a url the sandbox set itself (or none) follows `--mini-program-listen` from run to run, one
/// set through `PUT /sandbox/mini-programs/{appId}` is kept.
fn follow_demo_url(store: &Store, demo_url: Option<&str>) -> Result<(), StartError> {
    let (Some(url), Some(mut app)) = (demo_url, store.mini_program(DEMO_APP_ID)?) else {
        return Ok(());
    };
    let seeded = store.setting(DEMO_URL_SETTING)?.unwrap_or_default();
    if app.url != url && (app.url.is_empty() || app.url == seeded) {
        app.url = url.to_string();
        store.upsert_mini_program(&app)?;
    }
    store.set_setting(DEMO_URL_SETTING, url)?;
    Ok(())
}

fn write_key_files(dir: &Path, wallet: &Signer, merchant: &MerchantRow) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let private_path = dir.join("merchant-private-key.pem");
    let wallet_path = dir.join("wallet-public-key.pem");
    std::fs::write(
        &private_path,
        merchant.private_key_pem.as_deref().unwrap_or_default(),
    )?;
    std::fs::write(
        dir.join("merchant-public-key.pem"),
        &merchant.public_key_pem,
    )?;
    std::fs::write(&wallet_path, wallet.public().to_pem())?;
    let abs = |p: &Path| {
        std::fs::canonicalize(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .display()
            .to_string()
    };
    let info = json!({
        "clientId": merchant.client_id,
        "name": merchant.name,
        "privateKeyPath": abs(&private_path),
        "publicKeyPath": abs(&dir.join("merchant-public-key.pem")),
        "walletPublicKeyPath": abs(&wallet_path),
    });
    std::fs::write(
        dir.join("merchant.json"),
        serde_json::to_string_pretty(&info).unwrap_or_default() + "\n",
    )
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Storage could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The wallet key could not be generated or read.
    #[error("keys: {0}")]
    Keys(String),
    /// A start-up task (opening the store, first-start bootstrap) panicked or was cancelled.
    #[error("start-up task: {0}")]
    Task(String),
    /// The notification dispatcher's HTTP client could not be built.
    #[error(transparent)]
    Dispatcher(#[from] DispatcherError),
    /// An outgoing HTTP client (the relay's) could not be built.
    #[error("HTTP client: {0}")]
    HttpClient(String),
}
