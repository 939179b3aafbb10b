//! Pages: the simulator at `/`, the cashier at `/cashier/`, the runtime at `/my.js` and `/pkg/`,
//! the demo mini program on the second origin; no-store caching and the right MIME types.
//! Missing directories do not stop the server.

mod common;

use common::spawn_app_with;
use superapp_sandbox::config::OptionalAddr;

#[tokio::test]
async fn serves_both_origins_with_mime_and_no_store() {
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
    assert_eq!(cc, "no-store");
    let (st, _, _, body) = get(base.clone(), "/cashier/?paymentId=1&token=2").await;
    assert_eq!((st, body.as_str()), (200, "<h1>cashier</h1>"));
    let (st, ct, _, _) = get(base.clone(), "/cashier/cashier.js").await;
    assert_eq!(st, 200);
    assert!(ct.contains("javascript"), "{ct}");
    let (st, ct, _, _) = get(base.clone(), "/pkg/miniprogram_shim_bg.wasm").await;
    assert_eq!((st, ct.as_str()), (200, "application/wasm"));
    let (_, ct, _, _) = get(base.clone(), "/pkg/x.mjs").await;
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

/// The HTTP status a plain GET of `url` gets.
async fn status_of(url: String) -> u16 {
    reqwest::get(url).await.unwrap().status().as_u16()
}
