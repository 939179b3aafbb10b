//! The packages of a native mini program, from its `app.json`: the main package, the
//! `subPackages` (`root`, `name`, `pages`, `independent`) and the `preloadRule`.
//!
//! The bundle is served one package at a time (`bundle.json?package=<root or name>`, the main
//! package by default, or the package of an independent subpackage's launch page with
//! `?entry=<page>`), as a wallet downloads them: the main package is every file outside the
//! subpackages' roots, a subpackage the files under its root. The layout is checked first, and
//! a bad entry is refused with the field that is wrong (`subPackages[1].root: …`), as the IDE
//! refuses it at compile time (DESIGN.md "subPackages, independent subpackages, preloadRule").
//! Pure: tested natively below.

use serde::Serialize;
use serde_json::{Map, Value};

/// The name that stands for the main package in `preloadRule` and `?package=`.
pub const MAIN: &str = "__APP__";

/// One entry of `subPackages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubPackage {
    /// Its folder, without leading or trailing `/` (`shop`, `path/to`).
    pub root: String,
    /// Its alias for `preloadRule` (`name`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its page routes, from the app's root (`shop/pages/list/list`).
    pub pages: Vec<String>,
    /// Runs without the main package (`independent: true`).
    pub independent: bool,
}

/// What entering a page preloads (`preloadRule[page]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preload {
    /// `all` or `wifi` (the default): on which network the packages are fetched.
    pub network: String,
    /// The packages, each as its root ([`MAIN`] for the main package).
    pub packages: Vec<String>,
}

/// The packages of an app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// The main package's page routes (`pages`).
    pub pages: Vec<String>,
    /// `subPackages`, in order.
    #[serde(rename = "subPackages")]
    pub sub_packages: Vec<SubPackage>,
    /// `preloadRule`, by page route.
    #[serde(rename = "preloadRule")]
    pub preload_rule: std::collections::BTreeMap<String, Preload>,
    /// Entries of app.json that a wallet passes over and the app is run without, each with its
    /// field (`preloadRule["p"].packages[0]: "x" names no subpackage …; ignored`): the render
    /// side prints them to the console, as the IDE warns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A bad entry of `app.json`: the field (`subPackages[1].pages[0]`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("app.json {field}: {message}")]
pub struct LayoutError {
    /// Where in app.json, as a path (`preloadRule["pages/index/index"].network`).
    pub field: String,
    /// What is wrong, and what to write instead.
    pub message: String,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> LayoutError {
    LayoutError {
        field: field.into(),
        message: message.into(),
    }
}

/// A path of app.json without its leading and trailing `/`, or why it is not one.
fn clean(value: &str) -> Result<String, &'static str> {
    let path = value.trim_matches('/');
    if path.is_empty() {
        return Err("is empty");
    }
    if path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
        || path.contains(['\\', '\0', ':'])
    {
        return Err("is not a path inside the app (no `..`, `.`, `//`, `\\` or `:`)");
    }
    Ok(path.to_string())
}

fn strings(value: &Value, field: &str) -> Result<Vec<String>, LayoutError> {
    let Some(list) = value.as_array() else {
        return Err(bad(field, "must be a list of page paths"));
    };
    list.iter()
        .enumerate()
        .map(|(k, v)| {
            let text = v
                .as_str()
                .ok_or_else(|| bad(format!("{field}[{k}]"), "must be a string"))?;
            clean(text).map_err(|why| bad(format!("{field}[{k}]"), format!("{text:?} {why}")))
        })
        .collect()
}

impl Layout {
    /// The layout of the app whose `app.json` is `text`, checked; a bad entry names its field.
    pub fn parse(text: &str) -> Result<Layout, LayoutError> {
        let json: Value = serde_json::from_str(text)
            .map_err(|e| bad("(the file)", format!("is not JSON: {e}")))?;
        let Some(app) = json.as_object() else {
            return Err(bad("(the file)", "must be a JSON object"));
        };
        let pages = match app.get("pages") {
            Some(v) => strings(v, "pages")?,
            None => Vec::new(),
        };
        let (key, subs) = match (app.get("subPackages"), app.get("subpackages")) {
            (Some(v), _) => ("subPackages", v),
            (None, Some(v)) => ("subpackages", v),
            (None, None) => ("subPackages", &Value::Null),
        };
        let sub_packages = match subs {
            Value::Null => Vec::new(),
            Value::Array(list) => list
                .iter()
                .enumerate()
                .map(|(n, sub)| sub_package(sub, &format!("{key}[{n}]")))
                .collect::<Result<_, _>>()?,
            _ => return Err(bad(key, "must be a list of { root, pages }")),
        };
        let mut layout = Layout {
            pages,
            sub_packages,
            preload_rule: Default::default(),
            warnings: Vec::new(),
        };
        layout.check_packages(key)?;
        layout.check_tab_bar(app)?;
        layout.preload_rule = layout.preload_rules(app.get("preloadRule"))?;
        Ok(layout)
    }

    /// Roots that nest or repeat, names that repeat, a page listed twice or in another
    /// package's folder.
    fn check_packages(&self, key: &str) -> Result<(), LayoutError> {
        let mut seen: Vec<(String, String)> = Vec::new(); // route → field that listed it
        for (k, page) in self.pages.iter().enumerate() {
            if let Some((n, sub)) = self.owner(page) {
                return Err(bad(
                    format!("pages[{k}]"),
                    format!(
                        "{page} is in the folder of {key}[{n}] ({}): a page belongs to one package; list it in {key}[{n}].pages",
                        sub.root
                    ),
                ));
            }
            seen.push((page.clone(), format!("pages[{k}]")));
        }
        for (n, sub) in self.sub_packages.iter().enumerate() {
            let field = format!("{key}[{n}]");
            for (m, other) in self.sub_packages[..n].iter().enumerate() {
                if other.root == sub.root {
                    return Err(bad(
                        format!("{field}.root"),
                        format!("{} is also the root of {key}[{m}]", sub.root),
                    ));
                }
                let (outer, inner) = if sub.root.len() > other.root.len() {
                    (&other.root, &sub.root)
                } else {
                    (&sub.root, &other.root)
                };
                if inner.starts_with(&format!("{outer}/")) {
                    return Err(bad(
                        format!("{field}.root"),
                        format!("{} and {key}[{m}].root {} nest: a subpackage's folder cannot be inside another's", sub.root, other.root),
                    ));
                }
                if let (Some(a), Some(b)) = (&sub.name, &other.name) {
                    if a == b {
                        return Err(bad(
                            format!("{field}.name"),
                            format!("{a:?} is also the name of {key}[{m}]"),
                        ));
                    }
                }
            }
            for (k, page) in sub.pages.iter().enumerate() {
                let here = format!("{field}.pages[{k}]");
                if let Some((_, first)) = seen.iter().find(|(route, _)| route == page) {
                    return Err(bad(
                        here,
                        format!("{page} is also listed at {first}: a page belongs to one package"),
                    ));
                }
                seen.push((page.clone(), here));
            }
        }
        Ok(())
    }

    /// Tab pages live in the main package (the tab bar shows before any subpackage loads).
    fn check_tab_bar(&self, app: &Map<String, Value>) -> Result<(), LayoutError> {
        let items = app
            .get("tabBar")
            .and_then(|t| t.get("items"))
            .and_then(Value::as_array);
        for (k, item) in items.into_iter().flatten().enumerate() {
            let Some(path) = item.get("pagePath").and_then(Value::as_str) else {
                continue;
            };
            let route = path.trim_matches('/');
            if let Some((_, sub)) = self.owner(route) {
                return Err(bad(
                    format!("tabBar.items[{k}].pagePath"),
                    format!(
                        "{route} is a page of subpackage {}: tab pages belong to the main package",
                        sub.root
                    ),
                ));
            }
        }
        Ok(())
    }

    fn preload_rules(
        &mut self,
        value: Option<&Value>,
    ) -> Result<std::collections::BTreeMap<String, Preload>, LayoutError> {
        let mut rules = std::collections::BTreeMap::new();
        let Some(value) = value else {
            return Ok(rules);
        };
        let Some(map) = value.as_object() else {
            return Err(bad(
                "preloadRule",
                "must be an object: { \"<page>\": { \"network\": \"all\" | \"wifi\", \"packages\": [\"<root or name>\"] } }",
            ));
        };
        for (page, rule) in map {
            let field = format!("preloadRule[{page:?}]");
            let route = page.trim_matches('/').to_string();
            if !self.has_page(&route) {
                return Err(bad(
                    field,
                    format!("{page} is not a page of app.json (pages or subPackages)"),
                ));
            }
            let Some(rule) = rule.as_object() else {
                return Err(bad(field, "must be an object { network, packages }"));
            };
            let network = match rule.get("network") {
                None => "wifi".to_string(),
                Some(Value::String(s)) if s == "all" || s == "wifi" => s.clone(),
                Some(other) => {
                    return Err(bad(
                        format!("{field}.network"),
                        format!("{other} is not \"all\" or \"wifi\""),
                    ))
                }
            };
            let Some(list) = rule.get("packages").and_then(Value::as_array) else {
                return Err(bad(
                    format!("{field}.packages"),
                    "is required: a list of subpackage roots or names (\"__APP__\" for the main package)",
                ));
            };
            let mut packages = Vec::new();
            for (k, entry) in list.iter().enumerate() {
                let Some(name) = entry.as_str() else {
                    return Err(bad(
                        format!("{field}.packages[{k}]"),
                        format!(
                            "{entry} is not a string: a subpackage's root or name, or \"__APP__\""
                        ),
                    ));
                };
                // A name that is no package preloads nothing on a device, and the app runs:
                // Alipay's own API demo ships one (`"page/API"` without subPackages).
                let Some(root) = self.package_root(name) else {
                    self.warnings.push(format!(
                        "app.json {field}.packages[{k}]: {entry} names no subpackage (a root or name of subPackages, or \"__APP__\"); ignored"
                    ));
                    continue;
                };
                if !packages.contains(&root) {
                    packages.push(root);
                }
            }
            if !packages.is_empty() {
                rules.insert(route, Preload { network, packages });
            }
        }
        Ok(rules)
    }

    /// The subpackage (and its index) whose folder holds `path`, if any.
    pub fn owner(&self, path: &str) -> Option<(usize, &SubPackage)> {
        self.sub_packages
            .iter()
            .enumerate()
            .find(|(_, s)| path.starts_with(&s.root) && path[s.root.len()..].starts_with('/'))
    }

    fn has_page(&self, route: &str) -> bool {
        self.pages.iter().any(|p| p == route)
            || self
                .sub_packages
                .iter()
                .any(|s| s.pages.iter().any(|p| p == route))
    }

    /// The root of the package `name` names (a subpackage's `name` first, then its root;
    /// [`MAIN`] for the main package).
    pub fn package_root(&self, name: &str) -> Option<String> {
        if name == MAIN {
            return Some(MAIN.to_string());
        }
        let name = name.trim_matches('/');
        self.sub_packages
            .iter()
            .find(|s| s.name.as_deref() == Some(name))
            .or_else(|| self.sub_packages.iter().find(|s| s.root == name))
            .map(|s| s.root.clone())
    }

    /// The package a bundle for the launch page `entry` starts with: an independent
    /// subpackage's root when the page is one of its pages, else [`MAIN`].
    pub fn launch_package(&self, entry: &str) -> String {
        let route = entry.trim_matches('/');
        match self.owner(route) {
            Some((_, sub)) if sub.independent => sub.root.clone(),
            _ => MAIN.to_string(),
        }
    }

    /// Whether the file `path` belongs to the package `package` (a root or [`MAIN`]).
    pub fn holds(&self, package: &str, path: &str) -> bool {
        match self.owner(path) {
            Some((_, sub)) => sub.root == package,
            None => package == MAIN,
        }
    }

    /// Why a file of one package may not use `to` (a file of the app), if it may not: a
    /// subpackage uses its own files and the main package's; an independent one only its own;
    /// the main package only its own.
    pub fn reach_error(&self, from: &str, to: &str) -> Option<String> {
        let here = self.owner(from).map(|(_, s)| s);
        let there = self.owner(to).map(|(_, s)| s);
        match (here, there) {
            (Some(a), Some(b)) if a.root == b.root => None,
            (Some(a), None) if !a.independent => None,
            (None, None) => None,
            (Some(a), None) => Some(format!(
                "{from} uses {to}, a file of the main package: subpackage {} is independent (it runs without the main package) and may use only its own files",
                a.root
            )),
            (_, Some(b)) => Some(format!(
                "{from} uses {to}, a file of subpackage {}: a package may use only its own files and the main package's",
                b.root
            )),
        }
    }
}

fn sub_package(value: &Value, field: &str) -> Result<SubPackage, LayoutError> {
    let Some(sub) = value.as_object() else {
        return Err(bad(field, "must be an object { root, pages }"));
    };
    let root = match sub.get("root") {
        Some(Value::String(s)) => {
            clean(s).map_err(|why| bad(format!("{field}.root"), format!("{s:?} {why}")))?
        }
        Some(_) => return Err(bad(format!("{field}.root"), "must be a string")),
        None => {
            return Err(bad(
                format!("{field}.root"),
                "is required (the subpackage's folder)",
            ))
        }
    };
    if root == MAIN {
        return Err(bad(
            format!("{field}.root"),
            "__APP__ names the main package",
        ));
    }
    let pages = match sub.get("pages") {
        Some(v) => strings(v, &format!("{field}.pages"))?,
        None => {
            return Err(bad(
                format!("{field}.pages"),
                "is required (a list of page paths under root)",
            ))
        }
    }
    .into_iter()
    .map(|p| format!("{root}/{p}"))
    .collect();
    let name = match sub.get("name") {
        None => None,
        Some(Value::String(s)) if !s.trim().is_empty() && s != MAIN => Some(s.clone()),
        Some(_) => {
            return Err(bad(
                format!("{field}.name"),
                "must be a non-empty string other than \"__APP__\"",
            ))
        }
    };
    let independent = match sub.get("independent") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(bad(
                format!("{field}.independent"),
                format!("must be true or false, not {other}"),
            ))
        }
    };
    Ok(SubPackage {
        root,
        name,
        pages,
        independent,
    })
}

#[cfg(test)]
mod tests;
