//! Native mini program folders (`--app`): registered by appId, served read-only on the mini
//! program origin, and nothing outside the folder reachable (path traversal, encoded dots,
//! symlinks out of the folder). Real server, real HTTP, raw requests where a client library
//! would normalize the attack away.

use crate::common;

use std::net::SocketAddr;

use common::{raw_http, raw_status, serve_native_app};
use superapp_sandbox::native_app::{parse_app, safe_path};

/// A folder like a real app, a secret beside it, and symlinks out of it.
fn app_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("coffee-app");
    std::fs::create_dir_all(app.join("pages/index")).unwrap();
    std::fs::write(
        app.join("app.json"),
        r#"{"pages":["pages/index/index"],"window":{"defaultTitle":"Coffee"}}"#,
    )
    .unwrap();
    std::fs::write(app.join("app.js"), "App({})").unwrap();
    std::fs::write(app.join("pages/index/index.axml"), "<view>{{x}}</view>").unwrap();
    std::fs::write(app.join("pages/index/index.js"), "Page({data:{x:1}})").unwrap();
    std::fs::write(app.join("logo.png"), b"\x89PNG fake").unwrap();
    std::fs::write(app.join(".env"), "TOKEN=hidden").unwrap();
    std::fs::create_dir_all(dir.path().join("outside")).unwrap();
    std::fs::write(dir.path().join("outside/secret.js"), "SECRET").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "SECRET").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), app.join("leak.js")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside"), app.join("linked")).unwrap();
        std::os::unix::fs::symlink(app.join("app.js"), app.join("inside.js")).unwrap();
    }
    dir
}

async fn start(dir: &std::path::Path) -> (common::TestApp, SocketAddr) {
    let (app, row) = serve_native_app(&dir.join("coffee-app"), |_| {}).await;
    let url = row["url"]
        .as_str()
        .expect("registered with a url")
        .to_string();
    assert!(url.ends_with("/native/coffee-app/"), "{url}");
    assert_eq!(
        row["name"], "Coffee",
        "the name comes from app.json's window"
    );
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (app, addr)
}

fn get(addr: SocketAddr, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes()
}

#[tokio::test]
async fn serves_the_folder_registered_by_app_id() {
    let dir = app_folder();
    let (app, addr) = start(dir.path()).await;
    let base = format!("http://{addr}");
    let bundle: serde_json::Value = app
        .http
        .get(format!("{base}/native/coffee-app/bundle.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let files = bundle["files"].as_object().unwrap();
    assert_eq!(files["pages/index/index.axml"], "<view>{{x}}</view>");
    assert_eq!(files["app.js"], "App({})");
    assert!(!files.contains_key("logo.png"), "only text sources");
    assert!(!files.contains_key(".env"), "hidden files stay hidden");
    #[cfg(unix)]
    {
        assert!(
            !files.contains_key("leak.js"),
            "a symlink out of the folder: {files:?}"
        );
        assert!(
            !files.keys().any(|k| k.starts_with("linked/")),
            "a symlinked dir out: {files:?}"
        );
        assert_eq!(
            files["inside.js"], "App({})",
            "a symlink inside the folder is fine"
        );
    }
    let logo = app
        .http
        .get(format!("{base}/native/coffee-app/files/logo.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/png");
    let host = app
        .http
        .get(format!("{base}/native/coffee-app/"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        host.status(),
        200,
        "the runtime's host page (www/native/index.html)"
    );
    let unknown = app
        .http
        .get(format!("{base}/native/nobody/bundle.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn attack_nothing_outside_the_folder_is_reachable() {
    let dir = app_folder();
    let (_app, addr) = start(dir.path()).await;
    for path in [
        "/native/coffee-app/files/../secret.txt",
        "/native/coffee-app/files/..%2fsecret.txt",
        "/native/coffee-app/files/%2e%2e/secret.txt",
        "/native/coffee-app/files/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/native/coffee-app/files/pages/..%2f..%2fsecret.txt",
        "/native/coffee-app/files//etc/passwd",
        "/native/coffee-app/files/%2fetc%2fpasswd",
        "/native/coffee-app/files/..%5csecret.txt",
        "/native/coffee-app/files/.env",
        "/native/coffee-app/files/leak.js",
        "/native/coffee-app/files/linked/secret.js",
        "/native/coffee-app/files/pages",
        "/native/..%2foutside/files/secret.js",
        "/native/runtime/..%2f..%2fCargo.toml",
    ] {
        let answer = raw_http(addr, &get(addr, path)).await;
        let status = raw_status(&answer);
        assert!(
            (400..500).contains(&status),
            "{path} answered {status}:\n{answer}"
        );
        assert!(
            !answer.contains("SECRET") && !answer.contains("TOKEN") && !answer.contains("root:"),
            "{path} leaked:\n{answer}"
        );
    }
}

#[test]
fn safe_path_refuses_escapes_before_and_after_resolving() {
    let dir = app_folder();
    let root = std::fs::canonicalize(dir.path().join("coffee-app")).unwrap();
    assert!(safe_path(&root, "pages/index/index.axml").is_ok());
    for bad in [
        "../secret.txt",
        "a/../../secret.txt",
        "",
        "/etc/passwd",
        ".env",
        "x\\..\\y",
        "c:/x",
        "pages",
    ] {
        assert!(safe_path(&root, bad).is_err(), "{bad:?}");
    }
    #[cfg(unix)]
    {
        assert!(safe_path(&root, "leak.js").is_err());
        assert!(safe_path(&root, "linked/secret.js").is_err());
        assert!(safe_path(&root, "inside.js").is_ok());
    }
}

#[test]
fn app_flag_values_are_checked_at_start() {
    let dir = app_folder();
    let app = dir.path().join("coffee-app");
    let named = parse_app(&format!("2021000000000042={}", app.display())).unwrap();
    assert_eq!(named.app_id, "2021000000000042");
    let derived = parse_app(&app.display().to_string()).unwrap();
    assert_eq!(derived.app_id, "coffee-app");
    let no_app_json = parse_app(&dir.path().join("outside").display().to_string()).unwrap_err();
    assert!(no_app_json.contains("app.json"), "{no_app_json}");
    let missing = parse_app("/no/such/folder").unwrap_err();
    assert!(missing.contains("/no/such/folder"), "{missing}");
    let bad_id = parse_app(&format!("bad id!={}", app.display())).unwrap_err();
    assert!(bad_id.contains("appId"), "{bad_id}");
    let reserved = parse_app(&format!("runtime={}", app.display())).unwrap_err();
    assert!(reserved.contains("appId"), "{reserved}");
}
