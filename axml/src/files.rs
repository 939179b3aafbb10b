//! Where templates and styles come from: a [`FileProvider`], so the compiler never touches a
//! file system itself (tests use [`MemoryFiles`]; the sandbox can use [`DirFiles`]).

use std::collections::HashMap;
use std::path::PathBuf;

/// Reads source files by their path inside the mini program (`/`-separated, no leading `/`,
/// e.g. `pages/index/index.axml`).
pub trait FileProvider {
    /// The file's text, or `None` when there is no such file.
    fn read(&self, path: &str) -> Option<String>;
}

/// Files held in memory, keyed by path inside the mini program.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    files: HashMap<String, String>,
}

impl MemoryFiles {
    /// No files.
    pub fn new() -> MemoryFiles {
        MemoryFiles::default()
    }

    /// Adds (or replaces) `path` with `text`; `path` is normalized as imports are.
    pub fn insert(&mut self, path: &str, text: impl Into<String>) -> &mut MemoryFiles {
        let path = resolve("", path).unwrap_or_else(|| path.to_string());
        self.files.insert(path, text.into());
        self
    }
}

impl FileProvider for MemoryFiles {
    fn read(&self, path: &str) -> Option<String> {
        self.files.get(path).cloned()
    }
}

/// Files under a directory on disk (the mini program's root folder).
#[derive(Clone, Debug)]
pub struct DirFiles {
    root: PathBuf,
}

impl DirFiles {
    /// Files under `root`.
    pub fn new(root: impl Into<PathBuf>) -> DirFiles {
        DirFiles { root: root.into() }
    }
}

impl FileProvider for DirFiles {
    fn read(&self, path: &str) -> Option<String> {
        // `resolve` never yields `..` segments, so the path stays under the root.
        let path = resolve("", path)?;
        std::fs::read_to_string(self.root.join(path)).ok()
    }
}

/// Resolves `reference` (as written in `src`/`from`/`@import`) against the file `from`:
/// `./a` and `a` are relative to `from`'s folder, `/a` to the mini program's root, `..` goes up.
/// `None` when the path climbs above the root or is empty.
pub fn resolve(from: &str, reference: &str) -> Option<String> {
    let reference = reference.trim();
    if reference.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    if !reference.starts_with('/') {
        parts.extend(from.split('/').filter(|s| !s.is_empty()));
        parts.pop(); // the file name of `from`
    }
    for segment in reference.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// Reads what `reference` (written in the file `from`) names: resolved against `from`, and for
/// a bare reference (`third-party/x.axml`: neither `./`, `../` nor `/`), also the package of
/// that name under the root `node_modules`, as the AXML and ACSS docs allow. `extension` is
/// added to a last segment without one. Returns the path found and the text, or every path
/// looked at.
pub(crate) fn read_reference(
    files: &dyn FileProvider,
    from: &str,
    reference: &str,
    extension: Option<&str>,
) -> Result<(String, String), Vec<String>> {
    let with_extension = |p: String| match extension {
        Some(ext) if !p.rsplit('/').next().is_some_and(|f| f.contains('.')) => format!("{p}.{ext}"),
        _ => p,
    };
    let trimmed = reference.trim();
    let mut candidates: Vec<String> = resolve(from, trimmed)
        .into_iter()
        .map(with_extension)
        .collect();
    let bare =
        !trimmed.starts_with("./") && !trimmed.starts_with("../") && !trimmed.starts_with('/');
    if bare {
        if let Some(p) = resolve("", &format!("node_modules/{trimmed}")) {
            candidates.push(with_extension(p));
        }
    }
    for path in &candidates {
        if let Some(text) = files.read(path) {
            return Ok((path.clone(), text));
        }
    }
    Err(candidates)
}

/// `` `a` `` or `` `a` or `b` ``, for "not found" messages.
pub(crate) fn looked_for(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::{read_reference, resolve, MemoryFiles};

    #[test]
    fn bare_references_also_look_in_node_modules() {
        let mut files = MemoryFiles::new();
        files.insert("node_modules/ui/card.axml", "npm");
        files.insert("pages/a/local.axml", "local");
        let read = |r: &str| read_reference(&files, "pages/a/index.axml", r, Some("axml"));
        assert_eq!(
            read("ui/card"),
            Ok(("node_modules/ui/card.axml".into(), "npm".into()))
        );
        assert_eq!(
            read("local"),
            Ok(("pages/a/local.axml".into(), "local".into()))
        );
        assert_eq!(
            read("./ui/card"),
            Err(vec!["pages/a/ui/card.axml".to_string()])
        );
        assert_eq!(read("missing.axml").map_err(|e| e.len()), Err(2));
    }

    #[test]
    fn resolves_relative_absolute_and_parent_paths() {
        let cases = [
            (
                "pages/a/index.axml",
                "./item.axml",
                Some("pages/a/item.axml"),
            ),
            ("pages/a/index.axml", "item.axml", Some("pages/a/item.axml")),
            ("pages/a/index.axml", "../b/x.axml", Some("pages/b/x.axml")),
            (
                "pages/a/index.axml",
                "/common/x.axml",
                Some("common/x.axml"),
            ),
            ("index.axml", "../x.axml", None),
            ("index.axml", "  ", None),
        ];
        for (from, reference, want) in cases {
            assert_eq!(
                resolve(from, reference).as_deref(),
                want,
                "{from} + {reference}"
            );
        }
    }
}
