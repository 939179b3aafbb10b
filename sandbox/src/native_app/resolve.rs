//! Where a module specifier of a native mini program's script points, inside its folder.
//!
//! `require(spec)` and `import … from spec` in the file `from` (a path relative to the app's
//! root, `pages/index/index.js`) name, in this order of trial:
//!
//! - `./x`, `../x`: relative to the file's folder; `/x`: relative to the app's root (as in the
//!   Alipay IDE);
//! - a bare `x` (or `@scope/x/sub`): first `x` next to the file (mini programs write
//!   `require('utils/x')` for their own folders), then `node_modules/x` and `miniprogram_npm/x`
//!   in the file's folder and each folder above it, up to the root (Node's lookup).
//!
//! Each base path is tried as a file, then with `.js` and `.json`, then as a package folder
//! (`package.json`'s `miniprogram` folder, `module`, then `main`) and as a folder with
//! `index.js` or `index.json`.
//!
//! Nothing outside the folder is reachable: a specifier that climbs above the root is refused
//! before the file system is asked, and every candidate's canonical path (symlinks resolved)
//! must stay under the root's canonical path (`sandbox/tests/api/native_modules.rs` has the
//! attacks: `../`, absolute paths, `node_modules/../..`, symlinks out of the folder).

use std::path::{Path, PathBuf};

/// The longest specifier looked up.
const MAX_SPECIFIER: usize = 1024;
/// `package.json` files larger than this are not read.
const MAX_PACKAGE_JSON: u64 = 1024 * 1024;

/// Why a specifier names no module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The specifier is empty, too long, or holds a NUL, a backslash or a URL scheme.
    #[error("{0:?} is not a module path")]
    Invalid(String),
    /// The specifier climbs above the app's folder.
    #[error("{0:?} leaves the app's folder")]
    OutsideApp(String),
    /// No candidate exists (or every one that exists is outside the folder).
    #[error("no module {spec:?} from {from} (tried {tried})")]
    NotFound {
        /// The specifier.
        spec: String,
        /// The file that named it.
        from: String,
        /// The first base paths tried, for the message.
        tried: String,
    },
}

/// The module `spec` names from the file `from` (relative to `root`, which is canonical): its
/// path relative to the root, with `/` separators.
pub fn resolve(root: &Path, from: &str, spec: &str) -> Result<String, ResolveError> {
    if spec.is_empty()
        || spec.len() > MAX_SPECIFIER
        || spec.contains(['\0', '\\'])
        || spec.contains("://")
        || spec.starts_with("//")
    {
        return Err(ResolveError::Invalid(spec.to_string()));
    }
    let dir: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let dir = &dir[..dir.len().saturating_sub(1)];
    let mut bases: Vec<Vec<String>> = Vec::new();
    if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
        bases.push(join(dir, spec).ok_or_else(|| ResolveError::OutsideApp(spec.to_string()))?);
    } else if let Some(rest) = spec.strip_prefix('/') {
        bases.push(join(&[], rest).ok_or_else(|| ResolveError::OutsideApp(spec.to_string()))?);
    } else {
        let outside = || ResolveError::OutsideApp(spec.to_string());
        bases.push(join(dir, spec).ok_or_else(outside)?);
        for depth in (0..=dir.len()).rev() {
            for folder in ["node_modules", "miniprogram_npm"] {
                let mut base: Vec<&str> = dir[..depth].to_vec();
                base.push(folder);
                // `node_modules/../..` climbs out of node_modules: it is refused, not followed.
                let joined = join(&base, spec).ok_or_else(outside)?;
                if !joined.starts_with(&base.iter().map(|s| s.to_string()).collect::<Vec<_>>()) {
                    return Err(outside());
                }
                bases.push(joined);
            }
        }
    }
    for base in &bases {
        if let Some(found) = as_file_or_folder(root, base) {
            return Ok(found);
        }
    }
    Err(ResolveError::NotFound {
        spec: spec.to_string(),
        from: from.to_string(),
        tried: bases
            .iter()
            .take(3)
            .map(|b| b.join("/"))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// `spec`'s segments applied to `dir`: None when `..` would climb above the root.
pub(crate) fn join(dir: &[&str], spec: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = dir.iter().map(|s| s.to_string()).collect();
    for segment in spec.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s.to_string()),
        }
    }
    Some(out)
}

fn as_file_or_folder(root: &Path, base: &[String]) -> Option<String> {
    if base.is_empty() {
        return None;
    }
    let path = base.join("/");
    for candidate in [path.clone(), format!("{path}.js"), format!("{path}.json")] {
        if let Some(found) = file_inside(root, &candidate) {
            return Some(found);
        }
    }
    let folder = inside(root, &path)?;
    if !folder.is_dir() {
        return None;
    }
    let mut entries = Vec::new();
    if let Some(manifest) = file_inside(root, &format!("{path}/package.json")) {
        if let Some(package) = read_package(&root.join(&manifest)) {
            entries.extend(package);
        }
    }
    entries.push("index".to_string());
    for entry in entries {
        let Some(target) = join(&[], &format!("{path}/{entry}")) else {
            continue;
        };
        // A package's entry may not climb out of its own folder.
        if !target.starts_with(base) {
            continue;
        }
        let target = target.join("/");
        for candidate in [
            target.clone(),
            format!("{target}.js"),
            format!("{target}.json"),
            format!("{target}/index.js"),
            format!("{target}/index.json"),
        ] {
            if let Some(found) = file_inside(root, &candidate) {
                return Some(found);
            }
        }
    }
    None
}

/// `package.json`'s entries, in order: the `miniprogram` folder's `index`, `module`, `main`.
fn read_package(path: &Path) -> Option<Vec<String>> {
    if std::fs::metadata(path).ok()?.len() > MAX_PACKAGE_JSON {
        return None;
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_string);
    let mut out = Vec::new();
    if let Some(folder) = field("miniprogram") {
        out.push(format!("{folder}/index"));
    }
    out.extend(field("module"));
    out.extend(field("main"));
    Some(out)
}

/// The canonical path of `rel` under `root`, when it exists and stays inside.
fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    let real = std::fs::canonicalize(root.join(rel)).ok()?;
    real.starts_with(root).then_some(real)
}

/// `rel` (or the file its symlinks lead to, inside the root) as a path relative to the root,
/// when it is a regular file.
fn file_inside(root: &Path, rel: &str) -> Option<String> {
    let real = inside(root, rel)?;
    if !real.is_file() {
        return None;
    }
    let relative = real.strip_prefix(root).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write("app.js", "");
        write("utils/format.js", "");
        write("utils/index.js", "");
        write("pages/index/index.js", "");
        write("pages/index/helper.js", "");
        write("data/list.json", "[]");
        write(
            "node_modules/lodash/package.json",
            r#"{"main":"lodash.js"}"#,
        );
        write("node_modules/lodash/lodash.js", "");
        write(
            "node_modules/es-pkg/package.json",
            r#"{"main":"cjs/index.js","module":"esm/index.js"}"#,
        );
        write("node_modules/es-pkg/esm/index.js", "");
        write("node_modules/es-pkg/cjs/index.js", "");
        write("node_modules/@scope/kit/index.js", "");
        write("node_modules/@scope/kit/sub/deep.js", "");
        write(
            "node_modules/escape/package.json",
            r#"{"main":"../../app.js"}"#,
        );
        write("miniprogram_npm/ui/button/index.js", "");
        write("pages/index/node_modules/local/index.js", "");
        (dir, root)
    }

    #[test]
    fn resolves_relative_absolute_bare_and_package_specifiers() {
        let (_dir, root) = app();
        let from = "pages/index/index.js";
        for (spec, expected) in [
            ("./helper", "pages/index/helper.js"),
            ("./helper.js", "pages/index/helper.js"),
            ("../../utils/format", "utils/format.js"),
            ("../../utils", "utils/index.js"),
            ("/utils/format", "utils/format.js"),
            ("/data/list", "data/list.json"),
            ("lodash", "node_modules/lodash/lodash.js"),
            ("es-pkg", "node_modules/es-pkg/esm/index.js"),
            ("@scope/kit", "node_modules/@scope/kit/index.js"),
            ("@scope/kit/sub/deep", "node_modules/@scope/kit/sub/deep.js"),
            ("ui/button", "miniprogram_npm/ui/button/index.js"),
            ("local", "pages/index/node_modules/local/index.js"),
        ] {
            assert_eq!(
                resolve(&root, from, spec).as_deref(),
                Ok(expected),
                "{spec}"
            );
        }
        assert_eq!(
            resolve(&root, "app.js", "utils/format").as_deref(),
            Ok("utils/format.js")
        );
    }

    #[test]
    fn refuses_what_leaves_the_folder() {
        let (_dir, root) = app();
        let from = "pages/index/index.js";
        for spec in [
            "../../../etc/passwd",
            "/../etc/passwd",
            "node_modules/../../../x",
            "lodash/../../../../x",
        ] {
            assert_eq!(
                resolve(&root, from, spec),
                Err(ResolveError::OutsideApp(spec.to_string())),
                "{spec}"
            );
        }
        for spec in ["", "a\0b", "..\\x", "http://example.com/x.js", "//host/x"] {
            assert_eq!(
                resolve(&root, from, spec),
                Err(ResolveError::Invalid(spec.to_string())),
                "{spec:?}"
            );
        }
        // A package whose main climbs out of its folder resolves to nothing.
        assert!(matches!(
            resolve(&root, from, "escape"),
            Err(ResolveError::NotFound { .. })
        ));
        assert!(matches!(
            resolve(&root, from, "nope"),
            Err(ResolveError::NotFound { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_folder_is_not_followed() {
        let (_dir, root) = app();
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret.js"), "").expect("write");
        std::fs::create_dir_all(outside.path().join("pkg")).expect("mkdir");
        std::fs::write(outside.path().join("pkg/index.js"), "").expect("write");
        std::os::unix::fs::symlink(
            outside.path().join("secret.js"),
            root.join("utils/secret.js"),
        )
        .expect("link");
        std::os::unix::fs::symlink(outside.path().join("pkg"), root.join("node_modules/evil"))
            .expect("link");
        std::os::unix::fs::symlink(root.join("utils/format.js"), root.join("utils/alias.js"))
            .expect("link");
        assert!(matches!(
            resolve(&root, "app.js", "./utils/secret"),
            Err(ResolveError::NotFound { .. })
        ));
        assert!(matches!(
            resolve(&root, "app.js", "evil"),
            Err(ResolveError::NotFound { .. })
        ));
        // A symlink inside the folder resolves to its target's path.
        assert_eq!(
            resolve(&root, "app.js", "./utils/alias").as_deref(),
            Ok("utils/format.js")
        );
    }
}
