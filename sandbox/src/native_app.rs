//! Native mini programs served from a folder (`--app <dir>`, `--app <appId>=<dir>`).
//!
//! Each folder (with `app.json`) is registered in the mini program registry at start, its `url`
//! pointing at `/native/<appId>/` on the mini program origin, so the simulator launches it by
//! appId like an H5 app. That origin serves, read-only:
//!
//! - `/native/<appId>/` — the native runtime's host page (`www/native/index.html`): the render
//!   side, which runs the app's scripts in a Worker (DESIGN.md "Native mini programs");
//! - `/native/<appId>/bundle.json` — one package's text sources (`.axml .acss .sjs .js .json`)
//!   in one JSON object `{ "package", "layout", "files": { path: text } }`, read fresh on every
//!   request: `?package=<root or name>` (the main package, `__APP__`, by default), or
//!   `?entry=<page>` for the package a launch at that page starts with (`packages.rs`);
//! - `/native/<appId>/files/<path>` — any file of the folder (images);
//! - `/native/<appId>/events` — server-sent events naming the files that changed (`watch.rs`);
//! - `/native/runtime/…` — `www/native/`; `/native/axml/…` — the template compiler's wasm
//!   (`--axml-pkg-dir`, built by wasm-pack from `axml-wasm/`).
//!
//! Nothing outside the folder is reachable: a path with `..`, `.`, an empty or hidden segment,
//! a backslash or NUL is refused before the file system is asked, and a path whose canonical
//! form (symlinks resolved) leaves the folder's canonical root is refused after
//! (`sandbox/tests/api/native_app.rs` has the attacks).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use tower_http::services::{ServeDir, ServeFile};

use crate::store::{MiniProgramRow, Store, StoreError};

pub mod diagnostic;
pub mod modules;
pub mod packages;
pub mod resolve;
pub mod scripts;
pub mod watch;

pub use scripts::ModuleCache;

/// The command-line part: which folders, and where the compiler's wasm is.
#[derive(Debug, Clone, clap::Args)]
pub struct NativeArgs {
    /// A native mini program folder to serve (it holds app.json): `<dir>` or `<appId>=<dir>`.
    /// Repeatable. Without an appId, one is made from the folder's name (printed at start).
    /// Each is registered for the default merchant and launched at /?appId=<appId>.
    #[arg(long = "app", value_parser = parse_app)]
    pub apps: Vec<NativeApp>,

    /// Directory of the template compiler's wasm (wasm-pack output of axml-wasm/), served at
    /// /native/axml/ on the mini program origin.
    #[arg(long, env = "SANDBOX_AXML_PKG_DIR", default_value = "pkg-axml")]
    pub axml_pkg_dir: PathBuf,
}

impl Default for NativeArgs {
    fn default() -> NativeArgs {
        NativeArgs {
            apps: Vec::new(),
            axml_pkg_dir: PathBuf::from("pkg-axml"),
        }
    }
}

/// One served folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeApp {
    /// Its appId in the registry.
    pub app_id: String,
    /// The folder, canonical (symlinks resolved), holding `app.json`.
    pub root: PathBuf,
}

/// The text sources the bundle carries.
const SOURCE_EXTENSIONS: &[&str] = &["axml", "acss", "sjs", "js", "json"];
/// At most this many source files in a bundle.
pub const MAX_BUNDLE_FILES: usize = 4000;
/// At most this many bytes of sources in a bundle.
pub const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;
/// Folders nest at most this deep inside an app.
const MAX_DEPTH: usize = 32;

/// `--app` value: `<dir>` or `<appId>=<dir>`; the folder must exist and hold `app.json`.
pub fn parse_app(value: &str) -> Result<NativeApp, String> {
    let (app_id, dir) = match value.split_once('=') {
        Some((id, dir)) if !id.is_empty() && !id.contains('/') => (Some(id), dir),
        _ => (None, value),
    };
    let root = std::fs::canonicalize(dir)
        .map_err(|e| format!("--app {value}: the folder {dir:?} cannot be opened: {e}"))?;
    if !root.join("app.json").is_file() {
        return Err(format!(
            "--app {value}: {} has no app.json (a native mini program folder has app.json, app.js and pages/)",
            root.display()
        ));
    }
    let app_id = match app_id {
        Some(id) => valid_app_id(id).ok_or_else(|| {
            format!("--app {value}: appId {id:?} must be 1 to 64 letters, digits, '-' or '_'")
        })?,
        None => app_id_for(&root).ok_or_else(|| {
            format!("--app {value}: no appId can be made from the folder's name; write --app <appId>={dir}")
        })?,
    };
    Ok(NativeApp { app_id, root })
}

fn valid_app_id(id: &str) -> Option<String> {
    // `runtime` and `axml` name the runtime's own paths under /native/.
    let ok = (1..=64).contains(&id.len())
        && id != "runtime"
        && id != "axml"
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| id.to_string())
}

/// The appId made from a folder's name: its letters, digits, `-` and `_` (others become `-`).
pub fn app_id_for(root: &Path) -> Option<String> {
    let name = root.file_name()?.to_string_lossy();
    let id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    let id = id.trim_matches('-').to_string();
    valid_app_id(&id)
}

/// The url the registry gives a served app.
pub fn app_url(mini_program: SocketAddr, app_id: &str) -> String {
    format!("http://{mini_program}/native/{app_id}/")
}

/// Registers (or re-points) every served folder: `url` at this run's mini program origin, the
/// default merchant for a new row, the name from `mini.project.json`/`app.json` or the appId.
/// An existing row keeps its whitelist, merchant and settings.
pub fn register(
    store: &Store,
    apps: &[NativeApp],
    mini_program: Option<SocketAddr>,
) -> Result<(), StoreError> {
    let Some(addr) = mini_program else {
        if !apps.is_empty() {
            tracing::warn!(
                "--app given but the mini program origin is off: the folders are not served"
            );
        }
        return Ok(());
    };
    let merchant = store.default_merchant()?.map(|m| m.client_id);
    for (n, app) in apps.iter().enumerate() {
        if apps[..n].iter().any(|a| a.app_id == app.app_id) {
            tracing::warn!(app_id = %app.app_id, folder = %app.root.display(), "--app: appId given twice; this folder wins");
        }
        let mut row = store.mini_program(&app.app_id)?.unwrap_or(MiniProgramRow {
            app_id: app.app_id.clone(),
            name: display_name(&app.root).unwrap_or_else(|| app.app_id.clone()),
            merchant_client_id: merchant.clone().unwrap_or_default(),
            whitelist: Vec::new(),
            trade_pay_fail_routing: false,
            http_error_as_fail: false,
            url: String::new(),
        });
        row.url = app_url(addr, &app.app_id);
        store.upsert_mini_program(&row)?;
    }
    Ok(())
}

/// `defaultTitle` of app.json's `window`, else mini.project.json's `name`... in that order of
/// what a developer most likely set for the app's name.
fn display_name(root: &Path) -> Option<String> {
    let read = |file: &str| -> Option<serde_json::Value> {
        serde_json::from_str(&std::fs::read_to_string(root.join(file)).ok()?).ok()
    };
    let from_project = read("mini.project.json")
        .and_then(|p| p.get("name").and_then(|n| n.as_str()).map(str::to_string));
    let from_window = read("app.json").and_then(|a| {
        a.pointer("/window/defaultTitle")
            .and_then(|n| n.as_str())
            .map(str::to_string)
    });
    from_project
        .or(from_window)
        .filter(|n| !n.trim().is_empty())
}

/// The lines `print_banner` shows for the served folders.
pub fn banner_lines(apps: &[NativeApp], superapp: SocketAddr) -> Vec<String> {
    apps.iter()
        .map(|a| {
            format!(
                "native mini program {} (appId {}): http://{superapp}/?appId={}",
                a.root.display(),
                a.app_id,
                a.app_id
            )
        })
        .collect()
}

/// The routes of the mini program origin for the served folders and the native runtime.
pub fn router<S: Clone + Send + Sync + 'static>(args: &NativeArgs, www: &Path) -> Router<S> {
    let apps: Arc<BTreeMap<String, PathBuf>> = Arc::new(
        args.apps
            .iter()
            .map(|a| (a.app_id.clone(), a.root.clone()))
            .collect(),
    );
    let host_page = www.join("native").join("index.html");
    let (a, b, c) = (apps.clone(), apps.clone(), apps.clone());
    let cache = Arc::new(ModuleCache::default());
    let watchers = Arc::new(watch::Watchers::default());
    Router::new()
        .nest_service("/native/runtime", ServeDir::new(www.join("native")))
        .nest_service("/native/axml", ServeDir::new(&args.axml_pkg_dir))
        .route(
            "/native/{app_id}/",
            get(
                move |UrlPath(app_id): UrlPath<String>, request: axum::extract::Request| {
                    let known = apps.contains_key(&app_id);
                    let page = ServeFile::new(host_page.clone());
                    async move {
                        if !known {
                            return not_found(&app_id);
                        }
                        use tower::ServiceExt;
                        match page.oneshot(request).await {
                            Ok(r) => r.into_response(),
                            Err(e) => match e {},
                        }
                    }
                },
            ),
        )
        .route(
            "/native/{app_id}/bundle.json",
            get(
                move |UrlPath(app_id): UrlPath<String>,
                      Query(ask): Query<BTreeMap<String, String>>| {
                    let cache = cache.clone();
                    async move {
                        let Some(root) = a.get(&app_id).cloned() else {
                            return not_found(&app_id);
                        };
                        let made = tokio::task::spawn_blocking(move || {
                            let layout = app_layout(&root)?;
                            let package = match (ask.get("package"), ask.get("entry")) {
                                (Some(name), _) => layout
                                    .package_root(name)
                                    .ok_or_else(|| BundleError::NoPackage(name.clone()))?,
                                (None, Some(entry)) => layout.launch_package(entry),
                                (None, None) => packages::MAIN.to_string(),
                            };
                            let files = bundle(&root, &cache, &layout, &package)?;
                            Ok::<_, BundleError>(json!({
                                "appId": app_id, "package": package, "layout": layout, "files": files,
                            }))
                        })
                        .await;
                        match made {
                            Ok(Ok(body)) => Json(body).into_response(),
                            Ok(Err(e)) => e.into_response(),
                            Err(e) => BundleError::Io(e.to_string()).into_response(),
                        }
                    }
                },
            ),
        )
        .route(
            "/native/{app_id}/events",
            get(move |UrlPath(app_id): UrlPath<String>| {
                let root = c.get(&app_id).cloned();
                let watchers = watchers.clone();
                async move {
                    match root {
                        Some(root) => watchers.stream(&app_id, root).await,
                        None => not_found(&app_id),
                    }
                }
            }),
        )
        .route(
            "/native/{app_id}/files/{*path}",
            get(
                move |UrlPath((app_id, path)): UrlPath<(String, String)>,
                      request: axum::extract::Request| async move {
                    let Some(root) = b.get(&app_id).cloned() else {
                        return not_found(&app_id);
                    };
                    let file = match safe_path(&root, &path) {
                        Ok(file) => file,
                        Err(why) => return (StatusCode::NOT_FOUND, why).into_response(),
                    };
                    // Audio is served with byte ranges: a browser seeks in a media file only
                    // when its server answers `Range` (my.createInnerAudioContext's seek()).
                    let kind = content_type(&file);
                    if kind.starts_with("audio/") {
                        use tower::ServiceExt;
                        return match ServeFile::new(&file).oneshot(request).await {
                            Ok(response) => {
                                let mut response = response.into_response();
                                response
                                    .headers_mut()
                                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
                                response
                            }
                            Err(_) => (StatusCode::NOT_FOUND, "no such file").into_response(),
                        };
                    }
                    match tokio::fs::read(&file).await {
                        Ok(bytes) => (
                            [(
                                header::CONTENT_TYPE,
                                HeaderValue::from_static(content_type(&file)),
                            )],
                            bytes,
                        )
                            .into_response(),
                        Err(_) => (StatusCode::NOT_FOUND, "no such file").into_response(),
                    }
                },
            ),
        )
}

fn not_found(app_id: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("no native mini program is served as {app_id:?} (superapp-sandbox --app <dir>)"),
    )
        .into_response()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        // Audio the app plays (my.createInnerAudioContext, my.getBackgroundAudioManager).
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "m4a" | "aac" => "audio/mp4",
        "ogg" => "audio/ogg",
        "json" => "application/json",
        "js" | "sjs" => "text/javascript; charset=utf-8",
        "axml" | "acss" | "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file `request` names inside `root` (canonical), or why not. Refuses `..`, `.`, empty and
/// hidden segments, backslashes and NUL before touching the file system; then resolves symlinks
/// and refuses anything whose real path is outside `root`, and anything not a regular file.
pub fn safe_path(root: &Path, request: &str) -> Result<PathBuf, &'static str> {
    let mut path = root.to_path_buf();
    for segment in request.split('/') {
        if segment.is_empty()
            || segment.starts_with('.')
            || segment.contains('\\')
            || segment.contains('\0')
            || segment.contains(':')
        {
            return Err("not a path inside the app");
        }
        path.push(segment);
    }
    let real = std::fs::canonicalize(&path).map_err(|_| "no such file")?;
    if !real.starts_with(root) {
        return Err("not a path inside the app");
    }
    if !real.is_file() {
        return Err("no such file");
    }
    Ok(real)
}

/// Why a bundle could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// More than [`MAX_BUNDLE_FILES`] files or [`MAX_BUNDLE_BYTES`] bytes of sources.
    #[error("the app's sources are over the limit of {MAX_BUNDLE_FILES} files or {MAX_BUNDLE_BYTES} bytes")]
    TooLarge,
    /// Reading the folder failed.
    #[error("reading the app's folder failed: {0}")]
    Io(String),
    /// app.json is missing, not JSON, or has a bad `pages`/`subPackages`/`preloadRule` entry.
    #[error(transparent)]
    Layout(#[from] packages::LayoutError),
    /// `?package=` names no package of app.json.
    #[error("app.json has no subpackage {0:?} (a root or name of subPackages, or \"__APP__\")")]
    NoPackage(String),
    /// A file uses a file of a package it may not use: `(file, why)`.
    #[error("{1}")]
    Reach(String, String),
}

impl IntoResponse for BundleError {
    fn into_response(self) -> Response {
        let (status, file, field) = match &self {
            BundleError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, None, None),
            BundleError::Io(_) => (StatusCode::INTERNAL_SERVER_ERROR, None, None),
            BundleError::Layout(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("app.json".to_string()),
                Some(e.field.clone()),
            ),
            BundleError::NoPackage(_) => {
                (StatusCode::NOT_FOUND, Some("app.json".to_string()), None)
            }
            BundleError::Reach(file, _) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Some(file.clone()), None)
            }
        };
        let body = json!({ "error": self.to_string(), "file": file, "field": field });
        (status, Json(body)).into_response()
    }
}

/// The checked package layout of the app at `root` (its `app.json`).
pub fn app_layout(root: &Path) -> Result<packages::Layout, BundleError> {
    let text =
        std::fs::read_to_string(root.join("app.json")).map_err(|e| packages::LayoutError {
            field: "(the file)".into(),
            message: format!("cannot be read: {e}"),
        })?;
    Ok(packages::Layout::parse(&text)?)
}

/// Every source file of the package `package` (a subpackage's root or [`packages::MAIN`]) of
/// the app at `root` (canonical): `{ "pages/index/index.axml": text }`, with `app.json` always.
/// Hidden entries are skipped, and under `node_modules` every file but custom components' and
/// templates' (`.axml`, `.acss`, `.sjs`);
/// symlinks are followed only when their target stays inside `root`; a file that is not UTF-8
/// is skipped. The scripts are then transformed for the logic layer and the modules they reach
/// are added (`scripts.rs`), `cache` keeping the transforms; a script or a page's
/// `usingComponents` that uses another package's file is refused ([`BundleError::Reach`]).
pub fn bundle(
    root: &Path,
    cache: &ModuleCache,
    layout: &packages::Layout,
    package: &str,
) -> Result<BTreeMap<String, String>, BundleError> {
    let mut files = BTreeMap::new();
    let mut bytes = 0u64;
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, prefix, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| BundleError::Io(e.to_string()))?;
        for entry in entries {
            let entry = entry.map_err(|e| BundleError::Io(e.to_string()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Ok(real) = std::fs::canonicalize(entry.path()) else {
                continue; // a dangling symlink
            };
            if !real.starts_with(root) {
                continue; // a symlink out of the folder
            }
            let rel = format!("{prefix}{name}");
            if real.is_dir() {
                // A subpackage's folder belongs to it alone; the main package is the rest.
                if package == packages::MAIN && layout.owner(&format!("{rel}/x")).is_some() {
                    continue;
                }
                if depth + 1 < MAX_DEPTH {
                    stack.push((real, format!("{rel}/"), depth + 1));
                }
                continue;
            }
            let ext = Path::new(&name)
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("");
            if !SOURCE_EXTENSIONS.contains(&ext)
                || !(layout.holds(package, &rel) || rel == "app.json")
            {
                continue;
            }
            // Under node_modules only custom components' files (beside an `.axml` of the same
            // name) and what templates read (`.axml`, `.acss`, `.sjs`: `<import>`, `@import`,
            // `<import-sjs>`, which no script reaches): the modules scripts reach are added by
            // `link_scripts`.
            if (prefix.starts_with("node_modules/") || prefix.contains("/node_modules/"))
                && !matches!(ext, "axml" | "acss" | "sjs")
                && !real.with_extension("axml").is_file()
            {
                continue;
            }
            let len = real.metadata().map(|m| m.len()).unwrap_or(0);
            bytes = bytes.saturating_add(len);
            if files.len() >= MAX_BUNDLE_FILES || bytes > MAX_BUNDLE_BYTES {
                return Err(BundleError::TooLarge);
            }
            if let Ok(text) = std::fs::read_to_string(&real) {
                files.insert(rel, text);
            }
        }
    }
    for (file, text) in &files {
        if let Some(e) = components_reach(layout, file, text) {
            return Err(BundleError::Reach(file.clone(), e));
        }
    }
    scripts::link_scripts(
        root,
        &mut files,
        cache,
        (MAX_BUNDLE_FILES, MAX_BUNDLE_BYTES, bytes),
        &|from, to| layout.reach_error(from, to),
    )
    .map_err(|e| match e {
        scripts::LinkError::OverLimit => BundleError::TooLarge,
        scripts::LinkError::Reach(file, why) => BundleError::Reach(file, why),
    })?;
    Ok(files)
}

/// Why a page's or component's `.json` (`file`) may not use one of its `usingComponents`, if
/// it may not: the component's path (from the root for `/x`, from the file's folder for `./x`
/// and `../x`, under `node_modules` for an npm name) must be a file its package may use.
fn components_reach(layout: &packages::Layout, file: &str, text: &str) -> Option<String> {
    if !file.ends_with(".json") || file == "app.json" || file.starts_with("node_modules/") {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let using = json.get("usingComponents")?.as_object()?;
    for spec in using.values().filter_map(|v| v.as_str()) {
        let target = if let Some(abs) = spec.strip_prefix('/') {
            abs.to_string()
        } else if spec.starts_with("./") || spec.starts_with("../") {
            let dir: Vec<&str> = file.split('/').collect();
            // A path above the app's root names no file of any package: resolving it fails.
            let Some(parts) = resolve::join(&dir[..dir.len() - 1], spec) else {
                continue;
            };
            parts.join("/")
        } else {
            format!("node_modules/{spec}")
        };
        if let Some(why) = layout.reach_error(file, &target) {
            return Some(format!("{why} (usingComponents {spec:?})"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_from_folder_names() {
        assert_eq!(
            app_id_for(Path::new("/x/demo-native")).as_deref(),
            Some("demo-native")
        );
        assert_eq!(
            app_id_for(Path::new("/x/My App (2)")).as_deref(),
            Some("My-App--2")
        );
        assert_eq!(app_id_for(Path::new("/x/...")), None);
        assert!(valid_app_id("a/b").is_none());
    }
}
