//! `superapp-sandbox`: the super app (wallet) server of the Alipay+ "pay with paymentUrl" flow,
//! offline and account-free, for mini program developers.
//!
//! - [`api`]: the signed open API (`/v1/payments/*`).
//! - [`cashier`]: the JSON endpoints behind the cashier page the paymentUrl opens.
//! - [`control`]: sandbox control and devtools endpoints (`/sandbox/*`).
//! - [`automation`]: the super app's autopay / autoconsent switches, stored server-side.
//! - [`embedder`]: who may frame the cashier and consent pages (`frame-ancestors`, `embedder`).
//! - [`notify`]: signed `notifyPayment` webhooks from a durable outbox, with retries.
//! - [`relay`]: the server-side path of `my.request`, whitelist enforced.
//! - [`identity_api`]: sandbox users, the signed-in session, consent and auth codes,
//!   `applyToken` / `inquiryUserInfo`, the payer of a balance payment ([`identity`]: the rules).
//! - [`web`]: the router, CORS, static pages.
//! - [`serve`]: the accept loop and connection limits; [`perimeter`]: Host names, super app
//!   origins and header caps, checked before routing.
//! - [`store`]: SQLite, every SQL statement.
//! - Domain: [`amount`], [`payment`], [`signature`], [`clock`].
//!
//! `main.rs` only parses a [`Config`] and calls [`build`] then [`Application::run`]; tests do
//! the same on ephemeral ports.

pub mod amount;
pub mod api;
pub mod automation;
pub mod bootstrap;
pub mod cashier;
pub mod clock;
pub mod config;
pub mod control;
pub mod embedder;
pub mod identity;
pub mod identity_api;
pub mod native_app;
pub mod notify;
pub mod payment;
pub mod perimeter;
pub mod relay;
pub mod serve;
pub mod signature;
pub mod store;
pub mod web;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;

pub use config::Config;

use notify::Dispatcher;
use signature::{PublicKey, Signer};
use store::Store;

/// Everything a request handler needs.
#[derive(Debug)]
pub struct AppState {
    /// The database.
    pub store: Arc<Store>,
    /// The wallet's signing key (responses, notifications).
    pub wallet: Signer,
    /// The wallet's public key, SPKI PEM.
    pub wallet_public_pem: String,
    /// Notification sender.
    pub dispatcher: Dispatcher,
    /// Configuration.
    pub config: Config,
    /// Public base URL of the super app origin, no trailing slash.
    pub public_base: String,
    /// Parsed merchant public keys by client id.
    merchant_keys: Mutex<HashMap<String, Arc<PublicKey>>>,
    /// The browser origins of the super app's own pages ([`perimeter::super_app_origins`]).
    pub super_app_origins: Vec<String>,
    /// HTTP client of the relay (no redirects, pooled).
    pub relay_client: reqwest::Client,
    /// Relay requests in flight at most (`--relay-concurrency`).
    pub relay_slots: tokio::sync::Semaphore,
    /// "Now" for auth codes and tokens (tests move it forward).
    pub clock: clock::Clock,
}

/// Shared state handle.
pub type State = Arc<AppState>;

impl AppState {
    /// The parsed public key of a merchant (cached), or None for an unknown client id.
    pub fn merchant_key(
        &self,
        client_id: &str,
    ) -> Result<Option<Arc<PublicKey>>, store::StoreError> {
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

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Storage could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// Keys could not be generated or read.
    #[error("keys: {0}")]
    Keys(String),
    /// The notification dispatcher's HTTP client could not be built.
    #[error(transparent)]
    Dispatcher(#[from] notify::DispatcherError),
    /// An outgoing HTTP client (the relay's) could not be built.
    #[error("HTTP client: {0}")]
    HttpClient(String),
}

/// A sandbox bound to its ports, ready to run.
#[derive(Debug)]
pub struct Application {
    superapp: TcpListener,
    mini_program: Option<TcpListener>,
    superapp_addr: SocketAddr,
    mini_program_addr: Option<SocketAddr>,
    superapp_hosts: perimeter::Hosts,
    mini_program_hosts: Option<perimeter::Hosts>,
    state: State,
}

/// Opens storage, creates keys and the default merchant on first start, and binds the listeners.
pub async fn build(config: Config) -> Result<Application, StartError> {
    let superapp = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    let superapp_addr = superapp.local_addr().map_err(|source| StartError::Bind {
        addr: config.listen,
        source,
    })?;
    let mini_program = match config.mini_program_listen.0 {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind { addr, source })?,
        ),
        None => None,
    };
    let mini_program_addr = mini_program.as_ref().and_then(|l| l.local_addr().ok());
    let public_base = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{superapp_addr}"))
        .trim_end_matches('/')
        .to_string();

    let dir = config.storage_dir();
    let store = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || Store::open(dir.as_deref()))
            .await
            .map_err(|e| StartError::Keys(e.to_string()))??
    };
    let store = Arc::new(store);
    let demo_url = mini_program_addr.map(|addr| format!("http://{addr}/"));
    let boot = {
        let store = store.clone();
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            bootstrap::bootstrap(&store, dir.as_deref(), demo_url.as_deref())
        })
        .await
        .map_err(|e| StartError::Keys(e.to_string()))??
    };
    let (native_store, native_apps) = (store.clone(), config.native.apps.clone());
    tokio::task::spawn_blocking(move || {
        native_app::register(&native_store, &native_apps, mini_program_addr)
    })
    .await
    .map_err(|e| StartError::Keys(e.to_string()))??;
    let dispatcher = Dispatcher::new(
        store.clone(),
        boot.wallet.clone(),
        config.schedule(),
        config.notify_timeout(),
    )?;
    let relay_client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(32)
        .build()
        .map_err(|e| StartError::HttpClient(format!("relay: {e}")))?;
    let superapp_hosts =
        perimeter::Hosts::for_listener(superapp_addr, &public_base, &config.allowed_hosts);
    let mini_program_hosts = mini_program_addr
        .map(|addr| perimeter::Hosts::for_listener(addr, &public_base, &config.allowed_hosts));
    let super_app_origins =
        perimeter::super_app_origins(&public_base, superapp_addr.port(), &config.allowed_hosts);
    let relay_slots = tokio::sync::Semaphore::new(config.relay_concurrency.max(1) as usize);
    let state = Arc::new(AppState {
        store,
        wallet_public_pem: boot.wallet.public().to_pem(),
        wallet: boot.wallet,
        dispatcher,
        config,
        public_base,
        merchant_keys: Mutex::new(HashMap::new()),
        super_app_origins,
        relay_client,
        relay_slots,
        clock: clock::Clock::default(),
    });
    Ok(Application {
        superapp,
        mini_program,
        superapp_addr,
        mini_program_addr,
        superapp_hosts,
        mini_program_hosts,
        state,
    })
}

impl Application {
    /// The bound super app address.
    pub fn superapp_addr(&self) -> SocketAddr {
        self.superapp_addr
    }

    /// The bound mini program address, if that listener is on.
    pub fn mini_program_addr(&self) -> Option<SocketAddr> {
        self.mini_program_addr
    }

    /// The public base URL (paymentUrls start with it).
    pub fn public_base(&self) -> &str {
        &self.state.public_base
    }

    /// The shared state (tests read the default merchant from it).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Serves until Ctrl-C / SIGTERM.
    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes; background tasks stop with it.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state.clone();
        // Attempts the last run left `sending` (a crash, a kill) become `interrupted` before
        // the dispatcher starts; their notifications are due and go out again at once.
        let store = state.store.clone();
        match tokio::task::spawn_blocking(move || store.interrupt_sending()).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::warn!(
                count = n,
                "notification attempts cut by the last stop marked interrupted; retrying them"
            ),
            Ok(Err(e)) => tracing::error!(error = %e, "could not mark interrupted attempts"),
            Err(e) => tracing::error!(error = %e, "could not mark interrupted attempts"),
        }
        let dispatcher = tokio::spawn(state.dispatcher.clone().run());
        let settler = tokio::spawn(settle_loop(state.clone()));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let limits = state.config.limits();
        let mini = match (self.mini_program, self.mini_program_hosts) {
            (Some(listener), Some(hosts)) => Some(tokio::spawn(serve::serve(
                listener,
                web::mini_program_router(&state),
                hosts,
                limits,
                stop_rx.clone(),
            ))),
            _ => None,
        };
        let superapp = tokio::spawn(serve::serve(
            self.superapp,
            web::superapp_router(state.clone()),
            self.superapp_hosts,
            limits,
            stop_rx,
        ));
        shutdown.await;
        let _ = stop_tx.send(true);
        let served = superapp
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        if let Some(mini) = mini {
            let _ = mini.await;
        }
        dispatcher.abort();
        settler.abort();
        served
    }
}

/// Finalizes expired and due pending payments, and wakes the dispatcher when it did.
async fn settle_loop(state: State) {
    loop {
        let store = state.store.clone();
        let settled =
            tokio::task::spawn_blocking(move || store.settle_all_due(clock::now_ms())).await;
        match settled {
            Ok(Ok(n)) if n > 0 => {
                tracing::info!(
                    count = n,
                    "payments settled by time (expiry or pending delay)"
                );
                state.dispatcher.wake();
            }
            Ok(Err(e)) => tracing::error!(error = %e, "settling due payments failed"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
