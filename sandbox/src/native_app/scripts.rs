//! The scripts of a bundle: each `.js` of the folder transformed (`modules.rs`), its specifiers
//! resolved (`resolve.rs`), and the modules they reach under `node_modules` added, transitively.
//!
//! `node_modules` is not walked whole (it holds build tools and their dependencies, often more
//! than the bundle's limit): only the modules the app's scripts reach are sent, as a bundler
//! would. Transforms are cached, keyed by a SHA-256 of the file's path and text (a transform
//! depends on nothing else; resolving is redone on each request, as files may have come or
//! gone), and the cache is bounded ([`MAX_CACHE_ENTRIES`], [`MAX_CACHE_BYTES`]): the least recently used
//! entries go first.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::modules::{analyze, Analysis};
use super::resolve::resolve;

/// At most this many transformed files are kept.
pub const MAX_CACHE_ENTRIES: usize = 8192;
/// At most about this many bytes of transformed files are kept.
pub const MAX_CACHE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug)]
struct Entry {
    analysis: Arc<Analysis>,
    used: u64,
}

/// Transforms by file, shared by every request of every served app.
#[derive(Debug)]
pub struct ModuleCache {
    inner: Mutex<CacheInner>,
    max_entries: usize,
    max_bytes: usize,
}

impl Default for ModuleCache {
    fn default() -> ModuleCache {
        ModuleCache::with_limits(MAX_CACHE_ENTRIES, MAX_CACHE_BYTES)
    }
}

#[derive(Debug, Default)]
struct CacheInner {
    entries: HashMap<[u8; 32], Entry>,
    bytes: usize,
    clock: u64,
    hits: u64,
    misses: u64,
}

impl ModuleCache {
    /// A cache of at most `max_entries` transforms and about `max_bytes` bytes.
    pub fn with_limits(max_entries: usize, max_bytes: usize) -> ModuleCache {
        ModuleCache {
            inner: Mutex::default(),
            max_entries,
            max_bytes,
        }
    }

    /// The analysis of the file `rel` whose text is `source`, from the cache when it was made
    /// before.
    pub fn analysis(&self, rel: &str, source: &str) -> Arc<Analysis> {
        let mut hasher = Sha256::new();
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update(source.as_bytes());
        let key: [u8; 32] = hasher.finalize().into();
        if let Ok(mut inner) = self.inner.lock() {
            inner.clock += 1;
            let clock = inner.clock;
            let hit = inner.entries.get_mut(&key).map(|e| {
                e.used = clock;
                e.analysis.clone()
            });
            if let Some(found) = hit {
                inner.hits += 1;
                return found;
            }
            inner.misses += 1;
        }
        let analysis = Arc::new(analyze(rel, source));
        if let Ok(mut inner) = self.inner.lock() {
            let weight = analysis.weight();
            let used = inner.clock;
            if let Some(old) = inner.entries.insert(
                key,
                Entry {
                    analysis: analysis.clone(),
                    used,
                },
            ) {
                inner.bytes = inner.bytes.saturating_sub(old.analysis.weight());
            }
            inner.bytes += weight;
            while inner.entries.len() > self.max_entries || inner.bytes > self.max_bytes {
                let Some(oldest) = inner
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.used)
                    .map(|(k, _)| *k)
                else {
                    break;
                };
                if let Some(e) = inner.entries.remove(&oldest) {
                    inner.bytes = inner.bytes.saturating_sub(e.analysis.weight());
                }
            }
        }
        analysis
    }

    /// (entries, bytes, hits, misses), for the tests and the log.
    pub fn stats(&self) -> (usize, usize, u64, u64) {
        self.inner
            .lock()
            .map(|i| (i.entries.len(), i.bytes, i.hits, i.misses))
            .unwrap_or_default()
    }
}

/// The modules the scripts reach are over the bundle's limits.
#[derive(Debug, thiserror::Error)]
#[error("the modules the app's scripts reach are over the bundle's limits")]
pub struct OverLimit;

/// Replaces each `.js` of `files` by its transform, and adds the `.js`/`.json` modules it
/// reaches that are not there yet (under `node_modules`), at most `max_files` files and
/// `max_bytes` bytes in all ([`OverLimit`] past them).
pub fn link_scripts(
    root: &Path,
    files: &mut BTreeMap<String, String>,
    cache: &ModuleCache,
    max_files: usize,
    max_bytes: u64,
    mut bytes: u64,
) -> Result<(), OverLimit> {
    let mut queue: Vec<String> = files
        .keys()
        .filter(|p| p.ends_with(".js"))
        .cloned()
        .collect();
    let mut done: HashSet<String> = HashSet::new();
    while let Some(rel) = queue.pop() {
        if !done.insert(rel.clone()) {
            continue;
        }
        let real = root.join(&rel);
        let Ok(meta) = std::fs::metadata(&real) else {
            continue;
        };
        let source = match files.get(&rel) {
            Some(text) => text.clone(),
            None => {
                // A module reached from a script: read it (resolve() checked it is inside).
                bytes = bytes.saturating_add(meta.len());
                if files.len() >= max_files || bytes > max_bytes {
                    return Err(OverLimit);
                }
                let Ok(text) = std::fs::read_to_string(&real) else {
                    continue;
                };
                if rel.ends_with(".json") {
                    files.insert(rel, text);
                    continue;
                }
                text
            }
        };
        let analysis = cache.analysis(&rel, &source);
        let code = match analysis.link(|spec| resolve(root, &rel, spec).map_err(|e| e.to_string()))
        {
            Ok((code, dependencies)) => {
                for dep in dependencies {
                    if (dep.ends_with(".js") && !done.contains(&dep))
                        || (dep.ends_with(".json") && !files.contains_key(&dep))
                    {
                        queue.push(dep);
                    }
                }
                code
            }
            Err(error) => error.as_module(),
        };
        files.insert(rel, code);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_reuses_transforms_and_stays_bounded() {
        let cache = ModuleCache::with_limits(3, 1 << 20);
        let first = cache.analysis("a.js", "export const a = 1;");
        let again = cache.analysis("a.js", "export const a = 1;");
        assert!(Arc::ptr_eq(&first, &again));
        let edited = cache.analysis("a.js", "export const a = 2;");
        assert!(!Arc::ptr_eq(&first, &edited), "an edit is a new transform");
        for n in 0..10 {
            cache.analysis(&format!("f{n}.js"), "x");
        }
        let (entries, _, hits, misses) = cache.stats();
        assert_eq!((entries, hits, misses), (3, 1, 12));
        // The least recently used went first: f9 is still there.
        cache.analysis("f9.js", "x");
        assert_eq!(cache.stats().2, 2);
        let small = ModuleCache::with_limits(100, 200);
        for n in 0..10 {
            small.analysis(&format!("f{n}.js"), "x");
        }
        assert!(small.stats().1 <= 200, "{:?}", small.stats());
    }
}
