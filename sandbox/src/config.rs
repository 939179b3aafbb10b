//! Configuration: CLI flags (and `SANDBOX_*` environment variables) with defaults that match
//! DESIGN.md, so `superapp-sandbox` with no flags serves the demo.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::domain::host::{parse_allowed_host, AllowedHost};
use crate::domain::notification::{Schedule, SchedulePreset};
use crate::domain::origin_map::{parse_origin_mapping, OriginMapping};

/// The super app sandbox: the wallet side of the Alipay+ "pay with paymentUrl" flow, offline.
///
/// Open API `/v1/payments/{pay,inquiryPayment,cancel,refund}` with RSA256 signatures, a cashier,
/// signed `notifyPayment` webhooks with retries, a relay for `my.request`, and the simulator pages.
#[derive(Debug, Clone, Parser)]
#[command(name = "superapp-sandbox", version, about, long_about = None)]
pub struct Config {
    /// Address of the super app origin (open API, cashier, relay, simulator). Port 0 picks a free port.
    #[arg(long, env = "SANDBOX_LISTEN", default_value = "127.0.0.1:8700")]
    pub listen: SocketAddr,

    /// Address of the second, "mini program" origin serving www/demo/, /pkg/ and /my.js.
    /// `off` disables it.
    #[arg(long, env = "SANDBOX_MINI_PROGRAM_LISTEN", default_value = "127.0.0.1:8701", value_parser = parse_optional_addr)]
    pub mini_program_listen: OptionalAddr,

    /// Public base URL of the super app origin, used in paymentUrls and the runtime config.
    /// Default: http://<listen address> (the bound one when the port is 0).
    #[arg(long, env = "SANDBOX_PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,

    /// Data dir: SQLite database, wallet and default merchant keys. `:memory:` = in-memory.
    #[arg(long, env = "SANDBOX_DATA_DIR", default_value = ".data/sandbox")]
    pub data_dir: PathBuf,

    /// Keep everything in memory (nothing survives a restart). Same as `--data-dir :memory:`.
    #[arg(long)]
    pub memory: bool,

    /// Directory of the pages (simulator/, cashier/, demo/, my.js). A missing dir serves 404s.
    #[arg(long, env = "SANDBOX_WWW_DIR", default_value = "www")]
    pub www_dir: PathBuf,

    /// Directory of the wasm-pack output served at /pkg/.
    #[arg(long, env = "SANDBOX_PKG_DIR", default_value = "pkg")]
    pub pkg_dir: PathBuf,

    /// Notification retry schedule: antom (0s 2m 10m 10m 1h 2h 6h 15h) or fast (0s 1s 2s 4s … 64s).
    #[arg(
        long,
        env = "SANDBOX_NOTIFY_SCHEDULE",
        value_enum,
        default_value = "antom"
    )]
    pub notify_schedule: SchedulePreset,

    /// Seconds the sandbox waits for a merchant's answer to one notification (connect, send,
    /// and read the first bytes of the answer) before it counts the attempt as failed.
    #[arg(long, env = "SANDBOX_NOTIFY_TIMEOUT", default_value_t = 10.0)]
    pub notify_timeout: f64,

    /// Multiplies every timing the sandbox decides on its own: retry intervals and the pending
    /// delay (0.1 = ten times faster). Not paymentExpiryTime, which the merchant sets.
    #[arg(long, env = "SANDBOX_TIME_SCALE", default_value_t = 1.0)]
    pub time_scale: f64,

    /// Seconds a bank transfer (or a "pending" magic amount) stays PROCESSING before it resolves.
    #[arg(long, env = "SANDBOX_PENDING_DELAY", default_value_t = 10.0)]
    pub pending_delay: f64,

    /// Seconds the "slow response" magic amount (6002) makes `pay` wait before answering.
    #[arg(long, env = "SANDBOX_SLOW_RESPONSE", default_value_t = 5.0)]
    pub slow_response: f64,

    /// Default paymentExpiryTime when the merchant sends none, in seconds after creation.
    #[arg(long, env = "SANDBOX_DEFAULT_EXPIRY", default_value_t = 900)]
    pub default_expiry: u64,

    /// More `Host` names both listeners answer to, besides 127.0.0.1, localhost and [::1] on
    /// their own port and the public base URL's host: `name` (any port), `name:port`, or `*`
    /// (any host: turns off the DNS rebinding protection). Repeatable; the variable takes a
    /// comma-separated list. Any other `Host` gets 421.
    #[arg(long = "allowed-host", env = "SANDBOX_ALLOWED_HOSTS", value_delimiter = ',', value_parser = parse_allowed_host)]
    pub allowed_hosts: Vec<AllowedHost>,

    /// Open connections per listener at most; one more is answered 503 and closed. Keep
    /// 2 × this + 100 under the process's file descriptor limit (`ulimit -n`).
    #[arg(long, env = "SANDBOX_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Seconds a client has to send a complete request head once its connection is ready for
    /// one (new, or kept alive after an answer); slower connections are closed.
    #[arg(long, env = "SANDBOX_HEADER_READ_TIMEOUT", default_value_t = 10.0, value_parser = parse_seconds)]
    pub header_read_timeout: f64,

    /// Seconds without a byte either way, and no request being handled, after which a
    /// connection is closed (idle keep-alive, a client not reading its answer); also the
    /// longest gap allowed inside a request body.
    #[arg(long, env = "SANDBOX_IDLE_TIMEOUT", default_value_t = 5.0, value_parser = parse_seconds)]
    pub idle_timeout: f64,

    /// Relay requests forwarded at once; more are answered `{error: "busy"}` at once.
    #[arg(long, env = "SANDBOX_RELAY_CONCURRENCY", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub relay_concurrency: u32,

    /// Relay a mini program's requests to an origin elsewhere: `https://api.example.com=http://127.0.0.1:8001`.
    /// A request (or file transfer) to that exact origin passes the app's whitelist as written
    /// and goes to the target, path and query kept: an app that names its production API runs
    /// unchanged against a local server. Repeatable; the variable takes a comma-separated list.
    /// Set here only: no page, request or URL adds or changes one.
    #[arg(long = "map-origin", env = "SANDBOX_MAP_ORIGIN", value_delimiter = ',', value_parser = parse_origin_mapping)]
    pub map_origin: Vec<OriginMapping>,

    /// Native mini program folders (`--app`) and the template compiler's wasm.
    #[command(flatten)]
    pub native: crate::native_app::NativeArgs,

    /// Logs: a tracing filter (e.g. `info`, `superapp_sandbox=debug`). RUST_LOG also works.
    #[arg(long, env = "SANDBOX_LOG", default_value = "info")]
    pub log: String,
}

/// An address, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionalAddr(pub Option<SocketAddr>);

fn parse_optional_addr(s: &str) -> Result<OptionalAddr, String> {
    if s.eq_ignore_ascii_case("off") || s.is_empty() {
        return Ok(OptionalAddr(None));
    }
    s.parse()
        .map(|a| OptionalAddr(Some(a)))
        .map_err(|e| format!("{s:?} is not an address like 127.0.0.1:8701: {e}"))
}

impl Config {
    /// A config for tests: ephemeral ports, in-memory storage, fast schedule, no mini program
    /// listener, pages from nowhere.
    pub fn for_tests() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            mini_program_listen: OptionalAddr(None),
            public_base_url: None,
            data_dir: PathBuf::from(":memory:"),
            memory: true,
            www_dir: PathBuf::from("www"),
            pkg_dir: PathBuf::from("pkg"),
            notify_schedule: SchedulePreset::Fast,
            notify_timeout: 10.0,
            time_scale: 1.0,
            pending_delay: 1.0,
            slow_response: 1.0,
            default_expiry: 900,
            allowed_hosts: Vec::new(),
            max_connections: 512,
            header_read_timeout: 10.0,
            idle_timeout: 5.0,
            relay_concurrency: 16,
            map_origin: Vec::new(),
            native: Default::default(),
            log: "info".to_string(),
        }
    }

    /// Where the database lives (None: in memory).
    pub fn storage_dir(&self) -> Option<PathBuf> {
        if self.memory || self.data_dir.as_os_str() == ":memory:" {
            None
        } else {
            Some(self.data_dir.clone())
        }
    }

    /// The notification schedule with the time scale applied.
    pub fn schedule(&self) -> Schedule {
        Schedule::new(self.notify_schedule, self.time_scale)
    }

    /// The notification timeout (at least 1 ms; 10 s when the flag is not a number).
    pub fn notify_timeout(&self) -> std::time::Duration {
        if self.notify_timeout.is_finite() && self.notify_timeout > 0.0 {
            std::time::Duration::from_secs_f64(self.notify_timeout.min(86_400.0))
                .max(std::time::Duration::from_millis(1))
        } else {
            crate::domain::notification::NOTIFY_TIMEOUT
        }
    }

    /// Pending delay in ms, time scale applied.
    pub fn pending_delay_ms(&self) -> i64 {
        scaled_ms(self.pending_delay, self.time_scale)
    }
}

/// Seconds: a number from 0.05 to 3600.
fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.05..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds from 0.05 to 3600"
        )),
    }
}

impl Config {
    /// The connection limits of each listener.
    pub fn limits(&self) -> Limits {
        Limits {
            max_connections: self.max_connections as usize,
            header_read_timeout: seconds(self.header_read_timeout, 10.0),
            idle_timeout: seconds(self.idle_timeout, 5.0),
        }
    }
}

fn seconds(value: f64, default: f64) -> std::time::Duration {
    std::time::Duration::try_from_secs_f64(value.max(0.05))
        .unwrap_or_else(|_| std::time::Duration::from_secs_f64(default))
}

fn scaled_ms(seconds: f64, scale: f64) -> i64 {
    let scale = if scale.is_finite() && scale >= 0.0 {
        scale
    } else {
        1.0
    };
    let s = if seconds.is_finite() && seconds >= 0.0 {
        seconds
    } else {
        0.0
    };
    (s * scale * 1000.0).round() as i64
}

/// The connection limits of a listener (`--max-connections`, `--header-read-timeout`,
/// `--idle-timeout`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at most.
    pub max_connections: usize,
    /// From ready-for-a-request to a complete request head.
    pub header_read_timeout: std::time::Duration,
    /// No byte either way and no request being handled, or a gap in a request body.
    pub idle_timeout: std::time::Duration,
}
