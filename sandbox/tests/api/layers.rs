//! The layering of `sandbox/src` (DESIGN.md "Layers"), read from the source: every `crate::…`
//! and `super::…` path outside comments and the test module at the end of a file is an edge
//! from the file's module to the module it names. A check fails when
//!
//! - an edge points up the layers: `domain`, `signature` < `store` < `native_app` < `config`
//!   < `app` < `http` < `bootstrap` < the crate root (`lib.rs`);
//! - modules name each other in a circle (an edge between a module and its own parent or child
//!   does not count: a `mod.rs` declares its children and they use what it defines);
//! - a top-level module is in no layer (a new one must be placed here and in DESIGN.md);
//! - a file is longer than [`MAX_LINES`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The longest a source file of `sandbox/src` may be.
const MAX_LINES: usize = 600;

/// The layer of each top-level module; a module may use its own layer and the ones below.
const LAYERS: &[(&str, u8)] = &[
    ("domain", 0),
    ("signature", 0),
    ("store", 1),
    ("native_app", 2),
    ("config", 3),
    ("app", 4),
    ("http", 5),
    ("bootstrap", 6),
    ("", 7),
];

/// `a/b.rs` → `a::b`, `a/mod.rs` → `a`, `lib.rs` → the root (`""`); None for `main.rs`, which
/// is the binary crate and reaches the library only through `superapp_sandbox::`.
fn module_of(path: &str) -> Option<String> {
    let path = path.strip_suffix(".rs")?;
    if path == "main" {
        return None;
    }
    if path == "lib" {
        return Some(String::new());
    }
    let path = path.strip_suffix("/mod").unwrap_or(path);
    Some(path.replace('/', "::"))
}

fn parent(module: &str) -> &str {
    module.rfind("::").map_or("", |i| &module[..i])
}

fn is_ancestor(a: &str, b: &str) -> bool {
    a.is_empty() && !b.is_empty() || b.starts_with(a) && b[a.len()..].starts_with("::")
}

/// The code a file is checked on: no comments, nothing from its `#[cfg(test)]` module on.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start() == "#[cfg(test)]" && !line.starts_with(' ') {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        out.push_str(code);
        out.push('\n');
    }
    out
}

fn ident_path(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect::<String>()
        .trim_end_matches(':')
        .to_string()
}

/// The paths a file names below `crate::` and `super::`, as paths from the crate root.
fn named_paths(module: &str, code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (prefix, base) in [
        ("crate::", String::new()),
        ("super::", parent(module).to_string()),
    ] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut base = base.clone();
            while let Some(up) = rest.strip_prefix("super::") {
                base = parent(&base).to_string();
                rest = up;
            }
            let join = |p: &str| match (base.is_empty(), p.is_empty()) {
                (true, _) => p.to_string(),
                (false, true) => base.clone(),
                (false, false) => format!("{base}::{p}"),
            };
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',') {
                    paths.push(join(&ident_path(item.trim())));
                }
            } else {
                paths.push(join(&ident_path(rest)));
            }
        }
    }
    paths
}

/// The module a path names: the longest known module that starts it.
fn target_module<'a>(path: &str, modules: &'a BTreeSet<String>) -> &'a str {
    let mut best = "";
    for m in modules {
        if (path == m || path.starts_with(&format!("{m}::"))) && m.len() > best.len() {
            best = m;
        }
    }
    modules.get(best).map_or("", |m| m.as_str())
}

fn layer(module: &str) -> Option<u8> {
    let top = module.split("::").next().unwrap_or("");
    LAYERS
        .iter()
        .find(|(name, _)| *name == top)
        .map(|(_, l)| *l)
}

/// Every broken rule in a set of source files (path relative to `src`, text), one line each.
pub fn check(files: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let modules: BTreeSet<String> = files.keys().filter_map(|p| module_of(p)).collect();
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (path, text) in files {
        let lines = text.lines().count();
        if lines > MAX_LINES {
            problems.push(format!("{path}: {lines} lines, more than {MAX_LINES}"));
        }
        let Some(module) = module_of(path) else {
            continue;
        };
        let Some(from) = modules.get(&module) else {
            continue;
        };
        let Some(from_layer) = layer(from) else {
            problems.push(format!("{path}: module {from} is in no layer"));
            continue;
        };
        for named in named_paths(from, &code_of(text)) {
            let to = target_module(&named, &modules);
            if to == from {
                continue;
            }
            match layer(to) {
                Some(to_layer) if to_layer > from_layer => problems.push(format!(
                    "{path}: {from} uses {named}, a layer above it (DESIGN.md \"Layers\")"
                )),
                _ => {}
            }
            if !is_ancestor(to, from) && !is_ancestor(from, to) {
                edges.entry(from).or_default().insert(to);
            }
        }
    }
    for cycle in cycles(&edges) {
        problems.push(format!(
            "modules use each other in a circle: {}",
            cycle.join(" → ")
        ));
    }
    problems
}

/// One circle through each edge that is on one (`a → b → … → a`), each circle once.
fn cycles<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> BTreeSet<Vec<&'a str>> {
    fn path<'a>(
        from: &'a str,
        to: &'a str,
        edges: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        seen: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if from == to {
            return Some(vec![to]);
        }
        if !seen.insert(from) {
            return None;
        }
        for next in edges.get(from).into_iter().flatten() {
            if let Some(mut rest) = path(next, to, edges, seen) {
                rest.insert(0, from);
                return Some(rest);
            }
        }
        None
    }
    let mut found = BTreeSet::new();
    for (from, tos) in edges {
        for to in tos {
            if let Some(mut cycle) = path(to, from, edges, &mut BTreeSet::new()) {
                cycle.insert(0, from);
                // The same circle from its smallest module, so each is reported once.
                cycle.pop();
                let start = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
                cycle.rotate_left(start);
                cycle.push(cycle[0]);
                found.insert(cycle);
            }
        }
    }
    found
}

fn read_tree(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_tree(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn tree(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

#[test]
fn the_sandbox_imports_down_the_layers_only_without_circles_in_short_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_tree(&src, &src, &mut files);
    assert!(
        files.len() > 20,
        "read {} files from {}",
        files.len(),
        src.display()
    );
    let problems = check(&files);
    assert!(problems.is_empty(), "layering:\n{}", problems.join("\n"));
}

#[test]
fn a_planted_upward_import_is_caught_in_every_spelling() {
    for planted in [
        "use crate::store::Store;",
        "use crate::{domain::amount::Amount, store::Store};",
        "fn f() { crate::http::relay::relay(); }",
        "use super::super::super::app::State;",
    ] {
        let files = tree(&[
            ("lib.rs", "pub mod domain; pub mod store;"),
            ("domain/mod.rs", "pub mod amount; pub mod payment;"),
            ("domain/amount.rs", ""),
            ("domain/payment/mod.rs", "pub mod rules;"),
            ("domain/payment/rules.rs", planted),
            ("store/mod.rs", "use crate::domain::amount::Amount;"),
            ("app/mod.rs", ""),
            ("http/mod.rs", ""),
            ("http/relay.rs", ""),
        ]);
        let problems = check(&files);
        assert_eq!(problems.len(), 1, "{planted}: {problems:?}");
        assert!(problems[0].contains("a layer above it"), "{problems:?}");
    }
}

#[test]
fn comments_tests_and_downward_imports_pass() {
    let files = tree(&[
        ("lib.rs", "pub mod domain; pub mod http; use crate::http::router;"),
        ("domain/mod.rs", "//! Used by [`crate::http`].\npub mod amount;"),
        (
            "domain/amount.rs",
            "pub struct Amount; // see crate::http\n#[cfg(test)]\nmod tests { use crate::http::x; }",
        ),
        ("http/mod.rs", "use crate::domain::amount::Amount; use super::domain;"),
    ]);
    assert_eq!(check(&files), Vec::<String>::new());
}

#[test]
fn a_circle_between_siblings_is_caught_but_parent_and_child_are_not_one() {
    let files = tree(&[
        (
            "http/mod.rs",
            "mod cashier; mod identity; use cashier::get;",
        ),
        (
            "http/cashier.rs",
            "use super::identity::payer; use super::Router;",
        ),
        ("http/identity.rs", "use crate::http::cashier::bad_request;"),
    ]);
    let problems = check(&files);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("http::cashier → http::identity → http::cashier"),
        "{problems:?}"
    );

    let fixed = tree(&[
        ("http/mod.rs", "mod cashier; mod error; use cashier::get;"),
        (
            "http/cashier.rs",
            "use super::error::bad_request; use super::Router;",
        ),
        ("http/error.rs", ""),
    ]);
    assert_eq!(check(&fixed), Vec::<String>::new());
}

#[test]
fn long_files_and_modules_outside_the_layers_are_caught() {
    let long = "fn f() {}\n".repeat(MAX_LINES + 1);
    let files = tree(&[("store/mod.rs", &long), ("extra.rs", "")]);
    let problems = check(&files);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("601 lines")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("extra is in no layer")),
        "{problems:?}"
    );
}
