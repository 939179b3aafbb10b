//! Live reload of a native mini program folder: `/native/<appId>/events` streams which files
//! changed (server-sent events), debounced into one event per burst of edits; the number of open
//! streams is bounded. Real server, real HTTP, a real folder edited while a client listens.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::serve_native_app;
use superapp_sandbox::native_app::watch::MAX_CLIENTS;

async fn start(dir: &Path) -> (common::TestApp, String) {
    start_with(dir, |_| {}).await
}

async fn start_with(
    dir: &Path,
    tune: impl FnOnce(&mut superapp_sandbox::config::Config),
) -> (common::TestApp, String) {
    let app = dir.join("live-app");
    std::fs::create_dir_all(app.join("pages/index")).unwrap();
    std::fs::write(app.join("app.json"), r#"{"pages":["pages/index/index"]}"#).unwrap();
    std::fs::write(app.join("pages/index/index.axml"), "<view>1</view>").unwrap();
    let (test_app, row) = serve_native_app(&app, tune).await;
    let url = row["url"].as_str().unwrap().to_string();
    (test_app, format!("{url}events"))
}

/// Reads the stream until `needle` shows (or 20 s pass, then fails with what was read).
async fn read_until(response: &mut reqwest::Response, needle: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} in time; read:\n{seen}"))
            .unwrap()
            .unwrap_or_else(|| panic!("the stream ended; read:\n{seen}"));
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

#[tokio::test]
async fn an_edit_in_the_folder_is_one_change_event_naming_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let (app, events) = start(dir.path()).await;
    let mut stream = app.http.get(&events).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    read_until(&mut stream, "event: ready").await;
    let root = dir.path().join("live-app");
    std::fs::write(root.join("pages/index/index.axml"), "<view>2</view>").unwrap();
    std::fs::write(root.join("pages/index/index.acss"), "view { color: red; }").unwrap();
    std::fs::write(root.join(".hidden"), "not watched").unwrap();
    let seen = read_until(&mut stream, "event: change").await;
    let seen = read_until_data(&mut stream, seen).await;
    let data: serde_json::Value = serde_json::from_str(&seen).unwrap();
    let changed: Vec<&str> = data["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(changed.contains(&"pages/index/index.axml"), "{data}");
    assert!(!changed.contains(&".hidden"), "{data}");
}

/// The `data:` line of the first change event, reading more if it has not arrived yet.
async fn read_until_data(response: &mut reqwest::Response, mut seen: String) -> String {
    loop {
        if let Some(at) = seen.find("event: change") {
            if let Some(line) = seen[at..].lines().find_map(|l| l.strip_prefix("data: ")) {
                if seen[at..].contains("\n\n") {
                    return line.to_string();
                }
            }
        }
        let more = read_until(response, "\n\n").await;
        seen.push_str(&more);
    }
}

#[tokio::test]
async fn attack_streams_are_bounded_and_unknown_apps_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (app, events) = start(dir.path()).await;
    let mut open = Vec::new();
    for _ in 0..MAX_CLIENTS {
        let mut stream = app.http.get(&events).send().await.unwrap();
        assert_eq!(stream.status(), 200);
        read_until(&mut stream, "event: ready").await;
        open.push(stream);
    }
    let refused = app.http.get(&events).send().await.unwrap();
    assert_eq!(refused.status(), 503);
    // Closing one lets the next in.
    drop(open.pop());
    let mut admitted = None;
    for _ in 0..50 {
        let answer = app.http.get(&events).send().await.unwrap();
        if answer.status() == 200 {
            admitted = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(admitted.is_some(), "a closed stream frees its place");
    let unknown = app
        .http
        .get(events.replace("live-app", "nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

/// An open stream is a request in progress: the connections' idle rule (here 0.2 s, far under
/// the stream's 1 s keep-alive) must not cut it between comments, as it did on a loaded machine.
#[tokio::test]
async fn a_quiet_stream_outlives_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (app, events) = start_with(dir.path(), |c| c.idle_timeout = 0.2).await;
    let mut stream = app.http.get(&events).send().await.unwrap();
    read_until(&mut stream, "event: ready").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let root = dir.path().join("live-app");
    std::fs::write(root.join("pages/index/index.axml"), "<view>3</view>").unwrap();
    read_until(&mut stream, "event: change").await;
}
