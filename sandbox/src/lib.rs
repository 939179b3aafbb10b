//! `superapp-sandbox`: the super app (wallet) server of the Alipay+ "pay with paymentUrl" flow,
//! offline and account-free, for mini program developers.
//!
//! The crate is in layers, each depending only on the ones below it (DESIGN.md "Layers";
//! `tests/api/layers.rs` checks it):
//!
//! - [`http`]: the routers of both origins, the signed open API, the cashier, control,
//!   identity and relay endpoints, the perimeter and the accept loop.
//! - [`app`]: the state the handlers share, the notification dispatcher and the settler.
//! - [`store`]: SQLite, every SQL statement.
//! - [`domain`]: amounts, the payment state machine, notifications, identity rules, time.
//! - Beside them: [`config`] (the command line), [`signature`] (RSA signing of the open API),
//!   and [`bootstrap`] (keys, the default merchant and the demo app on first start).
//!
//! `main.rs` only parses a [`Config`] and calls [`build`] then [`Application::run`]; tests do
//! the same on ephemeral ports.

pub mod app;
pub mod bootstrap;
pub mod config;
pub mod domain;
pub mod http;
pub mod native_app;
pub mod signature;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use app::State;
pub use bootstrap::StartError;
pub use config::Config;

use app::dispatcher::Dispatcher;
use app::AppState;
use domain::clock::Clock;
use http::{perimeter, serve};
use store::Store;

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
            .map_err(|e| StartError::Task(e.to_string()))??
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
        .map_err(|e| StartError::Task(e.to_string()))??
    };
    let (native_store, native_apps) = (store.clone(), config.native.apps.clone());
    tokio::task::spawn_blocking(move || {
        native_app::register(&native_store, &native_apps, mini_program_addr)
    })
    .await
    .map_err(|e| StartError::Task(e.to_string()))??;
    let clock = Arc::new(Clock::default());
    let dispatcher = Dispatcher::new(
        store.clone(),
        boot.wallet.clone(),
        config.schedule(),
        config.notify_timeout(),
        clock.clone(),
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
    let state = Arc::new(AppState::new(
        store,
        boot.wallet,
        dispatcher,
        config,
        public_base,
        super_app_origins,
        relay_client,
        relay_slots,
        clock,
    ));
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

    /// Prints where everything is, so a newcomer can call the API at once.
    pub fn print_banner(&self) {
        let state = self.state();
        let merchant = state.store.default_merchant().ok().flatten();
        let base = self.public_base();
        println!(
            "superapp-sandbox listening on http://{}",
            self.superapp_addr()
        );
        if let Some(addr) = self.mini_program_addr() {
            println!("mini program origin on http://{addr}");
        }
        println!("public base URL: {base}");
        for line in native_app::banner_lines(&state.config.native.apps, self.superapp_addr()) {
            println!("{line}");
        }
        for m in state.origin_map.mappings() {
            println!("relay maps {} to {} (--map-origin)", m.from, m.to);
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
        let settler = tokio::spawn(app::settler::run(state.clone()));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let limits = state.config.limits();
        let mini = match (self.mini_program, self.mini_program_hosts) {
            (Some(listener), Some(hosts)) => Some(tokio::spawn(serve::serve(
                listener,
                http::mini_program_router(&state),
                hosts,
                limits,
                stop_rx.clone(),
            ))),
            _ => None,
        };
        let superapp = tokio::spawn(serve::serve(
            self.superapp,
            http::superapp_router(state.clone()),
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
