//! First start: the wallet key pair, the default sandbox merchant and the demo mini program are
//! created once and kept in the database; their PEM files are (re)written to the data dir so a
//! demo merchant in any language can read them, and printed at start-up.

use std::path::Path;

use rand::Rng;
use serde_json::json;

use crate::signature::Signer;
use crate::store::{MerchantRow, MiniProgramRow, Store};
use crate::{Application, StartError};

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
    /// The default merchant.
    pub merchant: MerchantRow,
}

/// A new merchant client id: `SANDBOX_` and 16 random upper-case letters and digits.
pub fn new_client_id() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..16)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    format!("SANDBOX_{tail}")
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
        write_key_files(dir, &wallet, &merchant).map_err(crate::store::StoreError::Io)?;
    }
    Ok(Boot { wallet, merchant })
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

/// Prints where everything is, so a newcomer can call the API at once.
pub fn print_banner(app: &Application) {
    let state = app.state();
    let merchant = state.store.default_merchant().ok().flatten();
    let base = app.public_base();
    println!(
        "superapp-sandbox listening on http://{}",
        app.superapp_addr()
    );
    if let Some(addr) = app.mini_program_addr() {
        println!("mini program origin on http://{addr}");
    }
    println!("public base URL: {base}");
    for line in crate::native_app::banner_lines(&state.config.native.apps, app.superapp_addr()) {
        println!("{line}");
    }
    match state.config.storage_dir() {
        Some(dir) => println!("data dir: {}", dir.display()),
        None => println!("data dir: (in memory, nothing survives a restart)"),
    }
    if let Some(m) = merchant {
        println!("default merchant Client-Id: {}", m.client_id);
        if let Some(dir) = state.config.storage_dir() {
            println!(
                "  private key: {}   (also GET {base}/sandbox/merchants/default)",
                dir.join("merchant-private-key.pem").display()
            );
            println!("  merchant.json: {}", dir.join("merchant.json").display());
            println!(
                "  wallet public key: {}",
                dir.join("wallet-public-key.pem").display()
            );
        } else {
            println!("  private key: GET {base}/sandbox/merchants/default");
        }
    }
    println!("wallet public key: GET {base}/sandbox/wallet-public-key.pem");
    println!("{}", state.wallet_public_pem.trim_end());
}
