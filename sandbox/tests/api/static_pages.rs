//! Pages: the simulator at `/`, the cashier at `/cashier/`, the runtime at `/my.js` and `/pkg/`,
//! the demo mini program on the second origin; the right MIME types; revalidated caching
//! (`no-cache` + `ETag`, 304 when unchanged) and compression. Missing directories do not stop
//! the server.

use crate::common;

use common::spawn_app_with;
use superapp_sandbox::config::OptionalAddr;

#[tokio::test]
async fn serves_both_origins_with_mime_and_no_cache() {
    let www = tempfile::tempdir().unwrap();
    let pkg = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("simulator/index.html", "<h1>simulator</h1>"),
        ("cashier/index.html", "<h1>cashier</h1>"),
        ("cashier/cashier.js", "console.log(1)"),
        ("demo/index.html", "<h1>demo</h1>"),
        ("my.js", "window.my = {}"),
    ] {
        let p = www.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::write(
        pkg.path().join("miniprogram_shim_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(pkg.path().join("miniprogram_shim.js"), "export default 1").unwrap();
    std::fs::write(pkg.path().join("x.mjs"), "export {}").unwrap();
    // The extras module, loaded on first use from a subfolder (DESIGN.md "Size of the start wasm").
    std::fs::create_dir_all(pkg.path().join("extras")).unwrap();
    std::fs::write(
        pkg.path().join("extras/miniprogram_shim_extras_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(
        pkg.path().join("extras/miniprogram_shim_extras.js"),
        "export default 2",
    )
    .unwrap();
    let (w, p) = (www.path().to_path_buf(), pkg.path().to_path_buf());
    let app = spawn_app_with(move |c| {
        c.www_dir = w;
        c.pkg_dir = p;
        c.mini_program_listen = OptionalAddr(Some("127.0.0.1:0".parse().unwrap()));
    })
    .await;
    let get = |base: String, path: &'static str| async move {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        let st = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let cc = r
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (st, ct, cc, r.text().await.unwrap_or_default())
    };
    let base = app.base.clone();
    let (st, ct, cc, body) = get(base.clone(), "/").await;
    assert_eq!((st, body.as_str()), (200, "<h1>simulator</h1>"));
    assert!(ct.starts_with("text/html"));
    assert_eq!(cc, "no-cache");
    let (st, _, _, body) = get(base.clone(), "/cashier/?paymentId=1&token=2").await;
    assert_eq!((st, body.as_str()), (200, "<h1>cashier</h1>"));
    let (st, ct, _, _) = get(base.clone(), "/cashier/cashier.js").await;
    assert_eq!(st, 200);
    assert!(ct.contains("javascript"), "{ct}");
    let (st, ct, _, _) = get(base.clone(), "/pkg/miniprogram_shim_bg.wasm").await;
    assert_eq!((st, ct.as_str()), (200, "application/wasm"));
    let (_, ct, _, _) = get(base.clone(), "/pkg/x.mjs").await;
    assert!(ct.contains("javascript"), "{ct}");
    let (st, ct, cc, _) = get(base.clone(), "/pkg/extras/miniprogram_shim_extras_bg.wasm").await;
    assert_eq!(
        (st, ct.as_str(), cc.as_str()),
        (200, "application/wasm", "no-cache")
    );
    let (st, ct, cc, body) = get(base.clone(), "/pkg/extras/miniprogram_shim_extras.js").await;
    assert_eq!(
        (st, body.as_str(), cc.as_str()),
        (200, "export default 2", "no-cache")
    );
    assert!(ct.contains("javascript"), "{ct}");
    let (st, _, _, body) = get(base.clone(), "/my.js").await;
    assert_eq!((st, body.as_str()), (200, "window.my = {}"));
    // The cashier API still answers under /cashier/.
    let (st, _, _, _) = get(base.clone(), "/cashier/api/payments/nope").await;
    assert_eq!(st, 404);
    app.stop().await;
}

#[tokio::test]
async fn mini_program_origin_and_missing_dirs() {
    let www = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(www.path().join("demo")).unwrap();
    std::fs::write(www.path().join("demo/index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(www.path().join("my.js"), "window.my = {}").unwrap();
    let mut config = superapp_sandbox::Config::for_tests();
    config.www_dir = www.path().to_path_buf();
    config.pkg_dir = "/nonexistent/pkg".into();
    config.mini_program_listen = OptionalAddr(Some("127.0.0.1:0".parse().unwrap()));
    let app = superapp_sandbox::build(config).await.unwrap();
    let mini = format!("http://{}", app.mini_program_addr().unwrap());
    let base = app.public_base().to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let r = reqwest::get(format!("{mini}/")).await.unwrap();
    assert_eq!(r.text().await.unwrap(), "<h1>demo</h1>");
    let r = reqwest::get(format!("{mini}/my.js")).await.unwrap();
    assert_eq!(r.headers().get("access-control-allow-origin").unwrap(), "*");
    assert_eq!(r.text().await.unwrap(), "window.my = {}");
    // Missing dirs: 404s, not a crash.
    assert_eq!(status_of(format!("{mini}/pkg/x.wasm")).await, 404);
    assert_eq!(status_of(format!("{base}/")).await, 404);
    assert_eq!(status_of(format!("{base}/sandbox/health")).await, 200);
    let _ = tx.send(());
    task.await.unwrap().unwrap();
}

/// A running sandbox (both origins) serving `my.js`, a demo page and a pkg/ with a
/// compressible wasm-sized file from temp dirs.
struct StaticApp {
    base: String,
    mini: String,
    www: tempfile::TempDir,
    _pkg: tempfile::TempDir,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn static_app() -> StaticApp {
    let www = tempfile::tempdir().unwrap();
    let pkg = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(www.path().join("demo")).unwrap();
    std::fs::write(www.path().join("demo/index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(www.path().join("my.js"), "window.my = 1;").unwrap();
    std::fs::write(pkg.path().join("miniprogram_shim_bg.wasm"), big_file()).unwrap();
    std::fs::create_dir_all(pkg.path().join("extras")).unwrap();
    std::fs::write(
        pkg.path().join("extras/miniprogram_shim_extras_bg.wasm"),
        big_file(),
    )
    .unwrap();
    let mut config = superapp_sandbox::Config::for_tests();
    config.www_dir = www.path().to_path_buf();
    config.pkg_dir = pkg.path().to_path_buf();
    config.mini_program_listen = OptionalAddr(Some("127.0.0.1:0".parse().unwrap()));
    let app = superapp_sandbox::build(config).await.unwrap();
    let mini = format!("http://{}", app.mini_program_addr().unwrap());
    let base = app.public_base().to_string();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    StaticApp {
        base,
        mini,
        www,
        _pkg: pkg,
        stop,
        task,
    }
}

impl StaticApp {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

/// 64 KB of repetitive bytes (compresses well, as wasm and JS do).
fn big_file() -> Vec<u8> {
    b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..65536u32).map(|i| (i % 61) as u8))
        .collect()
}

async fn get_with(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn runtime_files_revalidate_by_etag_and_edits_show_at_once() {
    let app = static_app().await;
    for url in [
        format!("{}/my.js", app.base),
        format!("{}/pkg/miniprogram_shim_bg.wasm", app.base),
        format!("{}/pkg/extras/miniprogram_shim_extras_bg.wasm", app.base),
        format!("{}/", app.mini),
        format!("{}/my.js", app.mini),
    ] {
        let first = get_with(&url, &[]).await;
        assert_eq!(first.status(), 200, "{url}");
        assert_eq!(header(&first, "cache-control").as_deref(), Some("no-cache"));
        let tag = header(&first, "etag").unwrap_or_else(|| panic!("{url}: no ETag"));
        assert!(tag.starts_with("W/\""), "{tag}");
        let again = get_with(&url, &[("if-none-match", &tag)]).await;
        assert_eq!(again.status(), 304, "{url}");
        assert_eq!(header(&again, "etag").as_deref(), Some(tag.as_str()));
        assert_eq!(header(&again, "cache-control").as_deref(), Some("no-cache"));
        assert!(again.bytes().await.unwrap().is_empty());
        // Another tag, or a list holding ours, by weak comparison.
        let other = get_with(&url, &[("if-none-match", "W/\"0123\"")]).await;
        assert_eq!(other.status(), 200, "{url}");
        let listed = format!("\"x\", {}", tag.trim_start_matches("W/"));
        let listed = get_with(&url, &[("if-none-match", &listed)]).await;
        assert_eq!(listed.status(), 304, "{url}");
    }
    // An edit of the same length within the same second (same Last-Modified) shows at once:
    // the tag is of the content, and If-None-Match wins over If-Modified-Since.
    let url = format!("{}/my.js", app.base);
    let first = get_with(&url, &[]).await;
    let (tag, modified) = (
        header(&first, "etag").unwrap(),
        header(&first, "last-modified"),
    );
    std::fs::write(app.www.path().join("my.js"), "window.my = 2;").unwrap();
    let mut conditional = vec![("if-none-match", tag.as_str())];
    if let Some(m) = modified.as_deref() {
        conditional.push(("if-modified-since", m));
    }
    let edited = get_with(&url, &conditional).await;
    assert_eq!(edited.status(), 200);
    assert_ne!(header(&edited, "etag").as_deref(), Some(tag.as_str()));
    assert_eq!(edited.text().await.unwrap(), "window.my = 2;");
    app.stop().await;
}

#[tokio::test]
async fn static_files_are_compressed_when_the_browser_accepts_it() {
    use std::io::Read;
    let app = static_app().await;
    let url = format!("{}/pkg/miniprogram_shim_bg.wasm", app.base);
    let gz = get_with(&url, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.status(), 200);
    assert_eq!(header(&gz, "content-encoding").as_deref(), Some("gzip"));
    assert!(header(&gz, "vary")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    assert_eq!(
        header(&gz, "content-type").as_deref(),
        Some("application/wasm")
    );
    let packed = gz.bytes().await.unwrap();
    assert!(
        packed.len() < big_file().len() / 4,
        "{} bytes",
        packed.len()
    );
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&packed[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, big_file());
    let br = get_with(&url, &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(header(&br, "content-encoding").as_deref(), Some("br"));
    assert!(br.bytes().await.unwrap().len() < big_file().len() / 4);
    // The extras module (pkg/extras/, loaded on first use) is compressed the same way.
    let extras = format!("{}/pkg/extras/miniprogram_shim_extras_bg.wasm", app.base);
    let r = get_with(&extras, &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&r, "content-encoding").as_deref(), Some("gzip"));
    assert_eq!(
        header(&r, "content-type").as_deref(),
        Some("application/wasm")
    );
    assert!(r.bytes().await.unwrap().len() < big_file().len() / 4);
    // The mini program origin serves the runtime files the same way.
    let mini = format!("{}/pkg/miniprogram_shim_bg.wasm", app.mini);
    let r = get_with(&mini, &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&r, "content-encoding").as_deref(), Some("gzip"));
    let identity = get_with(&url, &[]).await;
    assert_eq!(header(&identity, "content-encoding"), None);
    assert_eq!(identity.bytes().await.unwrap().to_vec(), big_file());
    app.stop().await;
}

/// The HTTP status a plain GET of `url` gets.
async fn status_of(url: String) -> u16 {
    reqwest::get(url).await.unwrap().status().as_u16()
}

/// `/money.mjs`, on both origins: the repository's one money formatter (`www/cashier/money.js`)
/// as an ES module — the same text, read at each request, with its exports appended — so a
/// native mini program's logic Worker can import what the pages load as a script.
#[tokio::test]
async fn the_money_formatter_is_served_as_an_es_module_on_both_origins() {
    let www = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
    let script = std::fs::read_to_string(www.join("cashier/money.js")).unwrap();
    let mut config = superapp_sandbox::Config::for_tests();
    config.www_dir = www;
    config.mini_program_listen = OptionalAddr(Some("127.0.0.1:0".parse().unwrap()));
    let app = superapp_sandbox::build(config).await.unwrap();
    let mini = format!("http://{}", app.mini_program_addr().unwrap());
    let base = app.public_base().to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    for origin in [&base, &mini] {
        let r = reqwest::get(format!("{origin}/money.mjs")).await.unwrap();
        assert_eq!(r.status(), 200, "{origin}");
        assert_eq!(
            header(&r, "content-type").as_deref(),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(
            header(&r, "access-control-allow-origin").as_deref(),
            Some("*")
        );
        let body = r.text().await.unwrap();
        assert!(body.starts_with(&script), "the same file, not a copy");
        let tail = &body[script.len()..];
        assert!(tail.contains("export default Money;"), "{tail}");
        assert!(tail.contains("displayMoney"), "{tail}");
    }
    let _ = tx.send(());
    task.await.unwrap().unwrap();
}
