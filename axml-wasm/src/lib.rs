//! The template pipeline of native mini programs for the simulator's render side: the `axml`
//! compiler built to its own wasm module (`pkg-axml/`), separate from the `my` runtime's
//! (`pkg/`), whose size budget it would otherwise eat.
//!
//! Pure parts, tested natively: [`path`] (`setData` keys) and [`view`] (a page's template,
//! data and tree, diffed into DOM patches). The `#[wasm_bindgen]` surface is [`Templates`]:
//! JSON strings in and out, a diagnostic as a JSON string thrown on error.

#![warn(missing_docs)]

pub mod components;
pub mod path;
pub mod view;
pub mod webview;

use std::collections::HashMap;

use axml::acss::{compile_acss, AcssOptions, Rpx};
use axml::{Diagnostic, MemoryFiles};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::components::Registry;
use crate::view::{PageView, SetDataError, Update};

/// A diagnostic as the simulator shows it: file, line, column, message, the source line and
/// the compiler-style text with a caret.
pub fn diagnostic_json(d: &Diagnostic) -> String {
    json!({
        "kind": "compile",
        "file": &*d.span.file,
        "line": d.span.line,
        "column": d.span.column,
        "message": d.message,
        "sourceLine": d.source_line,
        "display": d.to_string(),
    })
    .to_string()
}

fn error(kind: &str, message: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&json!({ "kind": kind, "message": message.to_string() }).to_string())
}

/// Whether a `<web-view>` may load `src` ([`webview::check_src`]): its origin
/// (`scheme://host:port`), or an error naming why not. `whitelist` is the app's entries as JSON.
#[wasm_bindgen(js_name = webViewOrigin)]
pub fn web_view_origin(src: &str, whitelist: &str, page_origin: &str) -> Result<String, JsValue> {
    let entries: Vec<String> = serde_json::from_str(whitelist).unwrap_or_default();
    webview::check_src(src, &entries, page_origin).map_err(|e| error("web-view", e))
}

/// A mini program's sources and its open page views.
#[wasm_bindgen]
pub struct Templates {
    files: MemoryFiles,
    views: HashMap<u32, PageView>,
    defs: Registry,
}

fn update_json(result: Result<Update, SetDataError>) -> Result<String, JsValue> {
    let update = result.map_err(|e| match e {
        SetDataError::Compile(d) => JsValue::from_str(&diagnostic_json(&d)),
        SetDataError::NoInstance(_) => error("view", e),
        SetDataError::Path(e) => error("setData", e),
    })?;
    serde_json::to_string(&update).map_err(|e| error("data", e))
}

#[wasm_bindgen]
impl Templates {
    /// The mini program's text files: a JSON object `{ "pages/index/index.axml": "<view>…", … }`.
    #[wasm_bindgen(constructor)]
    pub fn new(files_json: &str) -> Result<Templates, JsValue> {
        let map: HashMap<String, String> = serde_json::from_str(files_json).map_err(|e| {
            error(
                "bundle",
                format!("the file bundle is not a JSON object of texts: {e}"),
            )
        })?;
        let mut files = MemoryFiles::new();
        for (path, text) in map {
            files.insert(&path, text);
        }
        Ok(Templates {
            files,
            views: HashMap::new(),
            defs: Registry::default(),
        })
    }

    /// ACSS → CSS. `rpx` scales with the frame (`var(--rpx)`); `scope` isolates a component.
    pub fn css(&self, path: &str, scope: Option<String>) -> Result<String, JsValue> {
        compile_acss(
            path,
            &self.files,
            &AcssOptions {
                rpx: Rpx::Var,
                scope,
                outside: None,
            },
        )
        .map_err(|d| JsValue::from_str(&diagnostic_json(&d)))
    }

    /// Compiles `axml_path`, renders it against `data_json` as view `id`, and returns the tree
    /// (JSON array of nodes).
    pub fn open(&mut self, id: u32, axml_path: &str, data_json: &str) -> Result<String, JsValue> {
        let data: Value = serde_json::from_str(data_json)
            .map_err(|e| error("data", format!("page data is not JSON: {e}")))?;
        let view = PageView::open_with(axml_path, &self.files, data, self.defs.clone())
            .map_err(|d| JsValue::from_str(&diagnostic_json(&d)))?;
        let tree = serde_json::to_string(view.tree()).map_err(|e| error("data", e))?;
        self.views.insert(id, view);
        Ok(tree)
    }

    /// Applies `changes_json` (`[[key, value], …]`) to view `id`; returns
    /// `{ rendered, patches }` as JSON.
    #[wasm_bindgen(js_name = setData)]
    pub fn set_data(&mut self, id: u32, changes_json: &str) -> Result<String, JsValue> {
        let view = self
            .views
            .get_mut(&id)
            .ok_or_else(|| error("view", format!("no page view {id}")))?;
        let changes: Vec<(String, Value)> = serde_json::from_str(changes_json).map_err(|e| {
            error(
                "data",
                format!("setData changes are not [[key, value], …]: {e}"),
            )
        })?;
        update_json(view.set_data(changes))
    }

    /// `setData` of component instance `component` of view `id`; returns `{ rendered, patches }`.
    #[wasm_bindgen(js_name = setComponentData)]
    pub fn set_component_data(
        &mut self,
        id: u32,
        component: u32,
        changes_json: &str,
    ) -> Result<String, JsValue> {
        let view = self
            .views
            .get_mut(&id)
            .ok_or_else(|| error("view", format!("no page view {id}")))?;
        let changes: Vec<(String, Value)> = serde_json::from_str(changes_json).map_err(|e| {
            error(
                "data",
                format!("setData changes are not [[key, value], …]: {e}"),
            )
        })?;
        update_json(view.set_component_data(component, changes))
    }

    /// Defines a page or component (`path` without extension) from the logic layer's JSON
    /// `{ component, data, props, using }` (`components::Registry::define`); the views opened
    /// after it see it.
    pub fn define(&mut self, path: &str, def_json: &str) -> Result<(), JsValue> {
        let def: Value = serde_json::from_str(def_json)
            .map_err(|e| error("data", format!("the definition of {path} is not JSON: {e}")))?;
        self.defs
            .define(path, &def, &self.files)
            .map_err(|e| error("data", e))
    }

    /// The components view `id` created, updated and removed since the last call:
    /// `{ created: [{id, path, owner, props, events}], updated: [{id, props, events}],
    /// removed: [{id, path}] }`.
    pub fn lifecycle(&mut self, id: u32) -> Result<String, JsValue> {
        let view = self
            .views
            .get_mut(&id)
            .ok_or_else(|| error("view", format!("no page view {id}")))?;
        serde_json::to_string(&view.take_lifecycle()).map_err(|e| error("data", e))
    }

    /// The scope class of the component at `path` (its styles: `css(path.acss, scope)`).
    #[wasm_bindgen(js_name = scopeOf)]
    pub fn scope_of(&self, path: &str) -> Option<String> {
        self.defs.get(path).map(|d| d.scope.clone())
    }

    /// A page's ACSS: its selectors match none of the elements its components make.
    #[wasm_bindgen(js_name = pageCss)]
    pub fn page_css(&self, path: &str) -> Result<String, JsValue> {
        compile_acss(
            path,
            &self.files,
            &AcssOptions {
                rpx: Rpx::Var,
                scope: None,
                outside: Some(components::COMPONENT_CLASS.to_string()),
            },
        )
        .map_err(|d| JsValue::from_str(&diagnostic_json(&d)))
    }

    /// Forgets view `id` (the page was unloaded).
    pub fn close(&mut self, id: u32) {
        self.views.remove(&id);
    }
}
