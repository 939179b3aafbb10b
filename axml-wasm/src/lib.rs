//! The template pipeline of native mini programs for the simulator's render side: the `axml`
//! compiler built to its own wasm module (`pkg-axml/`), separate from the `my` runtime's
//! (`pkg/`), whose size budget it would otherwise eat.
//!
//! Pure parts, tested natively: [`path`] (`setData` keys) and [`view`] (a page's template,
//! data and tree, diffed into DOM patches). The `#[wasm_bindgen]` surface is [`Templates`]:
//! JSON strings in and out, a diagnostic as a JSON string thrown on error.

#![warn(missing_docs)]

pub mod path;
pub mod view;

use std::collections::HashMap;

use axml::acss::{compile_acss, AcssOptions, Rpx};
use axml::{Diagnostic, MemoryFiles};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::view::PageView;

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

/// A mini program's sources and its open page views.
#[wasm_bindgen]
pub struct Templates {
    files: MemoryFiles,
    views: HashMap<u32, PageView>,
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
            },
        )
        .map_err(|d| JsValue::from_str(&diagnostic_json(&d)))
    }

    /// Compiles `axml_path`, renders it against `data_json` as view `id`, and returns the tree
    /// (JSON array of nodes).
    pub fn open(&mut self, id: u32, axml_path: &str, data_json: &str) -> Result<String, JsValue> {
        let data: Value = serde_json::from_str(data_json)
            .map_err(|e| error("data", format!("page data is not JSON: {e}")))?;
        let view = PageView::open(axml_path, &self.files, data)
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
        let update = view.set_data(changes).map_err(|e| error("setData", e))?;
        serde_json::to_string(&update).map_err(|e| error("data", e))
    }

    /// Forgets view `id` (the page was unloaded).
    pub fn close(&mut self, id: u32) {
        self.views.remove(&id);
    }
}
