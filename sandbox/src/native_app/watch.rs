//! Live reload: `GET /native/<appId>/events` is a server-sent event stream that says which files
//! of the app's folder changed, so the simulator reloads the page (`www/native/live-reload.mjs`).
//!
//! The folder is polled, not watched by the OS: every [`POLL`] its files' sizes and modification
//! times are compared with the last look (at most [`MAX_WATCHED_FILES`] files, hidden entries and
//! `node_modules` skipped, as the bundle skips them; no inotify limit to reach, the same on every
//! system). One poller per app runs only while a client listens; changes are debounced (the
//! poller waits until a look finds nothing new, at most [`MAX_DEBOUNCE_ROUNDS`] looks) and sent
//! as one event `{ "changed": [paths…], "more": n }` (at most [`MAX_PATHS_PER_EVENT`] paths).
//! At most [`MAX_CLIENTS`] streams are open at once over all apps; one more is refused (503).

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast;

/// How often a watched folder is looked at.
pub const POLL: Duration = Duration::from_millis(300);
/// At most this many looks while changes keep coming, before the event is sent anyway.
pub const MAX_DEBOUNCE_ROUNDS: usize = 5;
/// At most this many files are compared per folder.
pub const MAX_WATCHED_FILES: usize = 8000;
/// At most this many paths in one event.
pub const MAX_PATHS_PER_EVENT: usize = 50;
/// How often a stream sends a comment when nothing changes.
pub const KEEP_ALIVE: Duration = Duration::from_secs(1);
/// At most this many event streams open at once, over all apps.
pub const MAX_CLIENTS: usize = 32;

/// What one look at a folder saw: each file's size and modification time.
type Snapshot = BTreeMap<String, (u64, Option<SystemTime>)>;

/// The live-reload streams of the served apps.
#[derive(Debug, Default)]
pub struct Watchers {
    pollers: Mutex<HashMap<String, broadcast::Sender<Arc<String>>>>,
    clients: Arc<AtomicUsize>,
}

/// Counts an open stream; dropped when the stream closes.
struct Client(Arc<AtomicUsize>);

impl Drop for Client {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Watchers {
    /// An event stream of the changes under `root` for the app `app_id`, or 503 when
    /// [`MAX_CLIENTS`] streams are open.
    pub async fn stream(self: &Arc<Self>, app_id: &str, root: PathBuf) -> Response {
        let open = self.clients.fetch_add(1, Ordering::SeqCst);
        let client = Client(self.clients.clone());
        if open >= MAX_CLIENTS {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("too many live-reload streams are open (at most {MAX_CLIENTS})"),
            )
                .into_response();
        }
        let receiver = self.subscribe(app_id, root).await;
        let hello = Event::default().event("ready").data("{}");
        let first = futures_util::stream::once(async move { Ok::<_, Infallible>(hello) });
        let changes =
            futures_util::stream::unfold((receiver, client), |(mut rx, client)| async move {
                loop {
                    match rx.recv().await {
                        Ok(data) => {
                            let event = Event::default().event("change").data(data.as_str());
                            return Some((Ok::<_, Infallible>(event), (rx, client)));
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            });
        use futures_util::StreamExt;
        // A comment every KEEP_ALIVE keeps the connection from looking idle to the server
        // (`--idle-timeout`, 5 s by default) and to proxies.
        Sse::new(first.chain(changes))
            .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
            .into_response()
    }

    /// A receiver of the app's changes: the running poller's, or a new poller's whose first
    /// look is taken before this returns (so an edit made after the `ready` event is seen).
    async fn subscribe(
        self: &Arc<Self>,
        app_id: &str,
        root: PathBuf,
    ) -> broadcast::Receiver<Arc<String>> {
        if let Some(sender) = self.lock().get(app_id) {
            return sender.subscribe();
        }
        let first = look(&root).await;
        let mut pollers = self.lock();
        if let Some(sender) = pollers.get(app_id) {
            return sender.subscribe();
        }
        let (sender, receiver) = broadcast::channel(16);
        pollers.insert(app_id.to_string(), sender.clone());
        drop(pollers);
        let this = self.clone();
        let app_id = app_id.to_string();
        tokio::spawn(async move {
            poll(&this, &root, first, &app_id, &sender).await;
        });
        receiver
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, broadcast::Sender<Arc<String>>>> {
        self.pollers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Looks at `root` until no client listens, sending the changes.
async fn poll(
    watchers: &Watchers,
    root: &Path,
    first: Snapshot,
    app_id: &str,
    sender: &broadcast::Sender<Arc<String>>,
) {
    let mut last = first;
    loop {
        tokio::time::sleep(POLL).await;
        {
            // Under the lock that `subscribe` takes: no client can join a poller that stops.
            let mut pollers = watchers.lock();
            if sender.receiver_count() == 0 {
                pollers.remove(app_id);
                return;
            }
        }
        let mut now = look(root).await;
        let mut changed = diff(&last, &now);
        if changed.is_empty() {
            continue;
        }
        // Debounce: an editor's save, a git checkout, a build write several files.
        for _ in 0..MAX_DEBOUNCE_ROUNDS {
            tokio::time::sleep(POLL).await;
            let next = look(root).await;
            let more = diff(&now, &next);
            now = next;
            if more.is_empty() {
                break;
            }
            changed.extend(more);
        }
        changed.sort();
        changed.dedup();
        last = now;
        let shown: Vec<&String> = changed.iter().take(MAX_PATHS_PER_EVENT).collect();
        let data = serde_json::json!({ "changed": shown, "more": changed.len() - shown.len() });
        tracing::info!(
            app_id,
            changed = changed.len(),
            "native app changed: live reload"
        );
        // No receiver left: the next round removes this poller, under the lock.
        let _ = sender.send(Arc::new(data.to_string()));
    }
}

async fn look(root: &Path) -> Snapshot {
    let root = root.to_path_buf();
    tokio::task::spawn_blocking(move || snapshot(&root))
        .await
        .unwrap_or_default()
}

/// Each file under `root` (hidden entries, `node_modules` and symlinks out skipped), at most
/// [`MAX_WATCHED_FILES`].
pub fn snapshot(root: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, prefix, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "node_modules" {
                continue;
            }
            let Ok(real) = std::fs::canonicalize(entry.path()) else {
                continue;
            };
            if !real.starts_with(root) {
                continue;
            }
            let rel = format!("{prefix}{name}");
            let Ok(meta) = std::fs::metadata(&real) else {
                continue;
            };
            if meta.is_dir() {
                if depth < 32 {
                    stack.push((real, format!("{rel}/"), depth + 1));
                }
            } else if out.len() < MAX_WATCHED_FILES {
                out.insert(rel, (meta.len(), meta.modified().ok()));
            }
        }
    }
    out
}

/// The paths added, removed or changed from `before` to `after`.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut out: Vec<String> = after
        .iter()
        .filter(|(path, seen)| before.get(*path) != Some(seen))
        .map(|(path, _)| path.clone())
        .collect();
    out.extend(before.keys().filter(|p| !after.contains_key(*p)).cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_sees_edits_additions_and_removals_but_not_hidden_files_or_node_modules() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir_all(root.join("pages/a")).expect("mkdir");
        std::fs::create_dir_all(root.join("node_modules/x")).expect("mkdir");
        std::fs::write(root.join("app.js"), "1").expect("write");
        std::fs::write(root.join("pages/a/a.axml"), "<view/>").expect("write");
        let before = snapshot(&root);
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            ["app.js", "pages/a/a.axml"]
        );
        std::fs::write(root.join("app.js"), "12").expect("write");
        std::fs::write(root.join("pages/a/a.acss"), "").expect("write");
        std::fs::remove_file(root.join("pages/a/a.axml")).expect("rm");
        std::fs::write(root.join(".hidden"), "").expect("write");
        std::fs::write(root.join("node_modules/x/index.js"), "").expect("write");
        let mut changed = diff(&before, &snapshot(&root));
        changed.sort();
        assert_eq!(changed, ["app.js", "pages/a/a.acss", "pages/a/a.axml"]);
    }
}
