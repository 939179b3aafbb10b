//! The AXML/ACSS template compiler of native Alipay mini programs.
//!
//! Pure Rust (no browser bindings), so it runs natively in the sandbox and compiles to wasm for
//! the simulator. The pipeline:
//!
//! 1. [`compile`] reads a page's `.axml` (and what it imports or includes) through a
//!    [`FileProvider`] into a [`CompiledTemplate`], or fails with a [`Diagnostic`] naming the
//!    file, line and column;
//! 2. [`render`] evaluates it against the page's `data` (JSON) into a [`VNode`] tree;
//! 3. [`CompiledTemplate::dependencies`] / [`CompiledTemplate::affected_by`] say which bindings
//!    read which data paths, so `setData('list[3].name')` can update only those;
//! 4. [`acss::compile_acss`] turns ACSS into CSS (`rpx`, `@import`, `page`, component scoping).
//!
//! ```
//! use axml::{compile, render, to_html, MemoryFiles};
//! let mut files = MemoryFiles::new();
//! files.insert("pages/index/index.axml", r#"<view a:for="{{list}}" a:key="id">{{index}}: {{item.name}}</view>"#);
//! let page = compile("pages/index/index.axml", &files).unwrap();
//! let data = serde_json::json!({ "list": [{ "id": 7, "name": "tea" }] });
//! assert_eq!(to_html(&render(&page, &data)), r#"<view key="7">0: tea</view>"#);
//! // The loop and the text read `list[0].name`; nothing else would need updating.
//! let what: Vec<_> = page.affected_by("list[0].name").iter().map(|d| d.what.as_str()).collect();
//! assert_eq!(what, ["a:for", "text"]);
//! assert!(page.affected_by("title").is_empty());
//! ```

#![warn(missing_docs)]

pub mod acss;
mod compile;
mod diagnostic;
pub mod expr;
mod files;
mod parser;
mod render;
pub mod sjs;

pub use compile::{
    compile, compile_source, CompiledTemplate, Dependency, SjsImport, MAX_FILE_DEPTH,
};
pub use diagnostic::{Diagnostic, Span};
pub use expr::{DataPath, PathSegment, SjsHost};
pub use files::{resolve, DirFiles, FileProvider, MemoryFiles};
pub use parser::MAX_NESTING;
pub use render::{
    render, render_loop_item, render_traced, render_with, to_html, LoopRun, Slots, VElement,
    VEvent, VNode, MAX_RENDER_DEPTH, MAX_TEMPLATE_DEPTH,
};
