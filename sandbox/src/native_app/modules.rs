//! The scripts of a native mini program, made ready for the logic layer's CommonJS loader
//! (`www/native/worker.mjs`), with a real JavaScript parser (oxc).
//!
//! A file with ES module syntax (`import`, `export`) becomes a CommonJS module:
//!
//! - each `import … from 'x'` becomes, at the top of the file, `var M = interop(require('x'))`,
//!   and every reference to an imported name becomes a read of `M` (`M.name`, `M.default`, or
//!   `M` for `* as ns`): the bindings stay live, as ES modules' are, so import cycles work;
//! - each export is a getter on `exports`, defined before anything runs (`export default
//!   <expression>` assigns `exports.default`); `export * from` copies getters;
//! - `import('x')` is `Promise.resolve().then(() => interop(require('x')))`, `import.meta` is
//!   `{ url: 'app:///<path>' }`;
//! - `interop` gives a CommonJS module a `default` (its `module.exports`) and its own fields.
//!
//! Every literal specifier (of `import`, `export … from`, `import()` and `require('…')` in any
//! file) is resolved here, inside the app's folder (`resolve.rs`), and rewritten to the
//! module's path from the root (`/node_modules/x/index.js`): the Worker loads exactly what the
//! sandbox resolved. A static `import` of a module that does not exist is a compile error at the
//! import; a `require` of one is left as written (code may `try { require('x') } catch {}`).
//!
//! The rewriting edits the source text in place and keeps every line where it was (removed
//! statements keep their line breaks; the added code goes at the start of line 1), so a runtime
//! error's line number is the line in the developer's file. Other syntax, modern or not, passes
//! through unchanged: the Worker runs in a current browser. A syntax error becomes a module that
//! throws a `SyntaxError` carrying `file`, `line`, `column` and a caret display, which the
//! simulator shows like a template's compile error.

use std::fmt::Write as _;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, Declaration, ExportDefaultDeclarationKind, Expression, ImportDeclarationSpecifier,
    ModuleExportName, Statement,
};
use oxc_ast::AstKind;
use oxc_parser::Parser;
use oxc_semantic::SemanticBuilder;
use oxc_span::{GetSpan, SourceType, Span};

pub use super::diagnostic::SourceError;

/// One part of a transformed file: text, or a specifier still to be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Specifier {
        /// As written.
        spec: String,
        /// Where it was written (for the error).
        offset: u32,
        /// A static import: a module that cannot be found is a compile error.
        required: bool,
    },
}

/// What parsing a file found; it depends on the file's text only, so it is what is cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    file: String,
    source_len: usize,
    result: Result<Vec<Piece>, SourceError>,
    /// The source, kept only when it is needed to place an unresolved import's error.
    source: Option<String>,
}

impl Analysis {
    /// Roughly how many bytes this analysis holds (for the cache's bound).
    pub fn weight(&self) -> usize {
        let pieces = match &self.result {
            Ok(pieces) => pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => t.len(),
                    Piece::Specifier { spec, .. } => spec.len() + 16,
                })
                .sum(),
            Err(e) => e.display.len() + e.message.len(),
        };
        pieces + self.source.as_ref().map_or(0, String::len) + 64
    }

    /// The module's code with every specifier resolved by `resolve` (which answers the path
    /// from the app's root, or why not), and the paths it depends on; or the error at the
    /// first static import that names no module, or the file's syntax error.
    pub fn link(
        &self,
        mut resolve: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<(String, Vec<String>), SourceError> {
        let pieces = self.result.as_ref().map_err(Clone::clone)?;
        let mut code = String::with_capacity(self.source_len + 256);
        let mut dependencies = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Text(text) => code.push_str(text),
                Piece::Specifier {
                    spec,
                    offset,
                    required,
                } => match resolve(spec) {
                    Ok(path) => {
                        code.push_str(&serde_json::Value::from(format!("/{path}")).to_string());
                        dependencies.push(path);
                    }
                    Err(why) if *required => {
                        let source = self.source.as_deref().unwrap_or("");
                        return Err(SourceError::at(&self.file, source, *offset, why));
                    }
                    Err(_) => code.push_str(&serde_json::Value::from(spec.as_str()).to_string()),
                },
            }
        }
        Ok((code, dependencies))
    }
}

/// An edit of the source: `span` replaced by pieces.
struct Edit {
    span: Span,
    pieces: Vec<Piece>,
}

fn text(s: impl Into<String>) -> Piece {
    Piece::Text(s.into())
}

/// Blank text with the line breaks of `source[span]`, so the lines below keep their numbers.
fn keep_lines(source: &str, span: Span) -> String {
    let n = source
        .get(span.start as usize..span.end as usize)
        .map_or(0, |s| s.matches('\n').count());
    "\n".repeat(n)
}

fn json(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// `.name` when `name` is an identifier, else `["name"]`.
fn member(name: &str) -> String {
    let ident = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        format!(".{name}")
    } else {
        format!("[{}]", json(name))
    }
}

fn export_name(name: &ModuleExportName) -> String {
    name.name().to_string()
}

/// Parses `source` (the file `file`) and plans its rewriting.
pub fn analyze(file: &str, source: &str) -> Analysis {
    let allocator = Allocator::default();
    let result = plan(&allocator, file, source);
    let keep_source = matches!(&result, Ok(pieces) if pieces.iter().any(|p| matches!(p, Piece::Specifier { required: true, .. })));
    Analysis {
        file: file.to_string(),
        source_len: source.len(),
        result,
        source: keep_source.then(|| source.to_string()),
    }
}

fn plan<'a>(
    allocator: &'a Allocator,
    file: &str,
    source: &'a str,
) -> Result<Vec<Piece>, SourceError> {
    if u32::try_from(source.len()).is_err() {
        return Err(SourceError::at(
            file,
            "",
            0,
            "the file is larger than 4 GiB".into(),
        ));
    }
    let parsed = Parser::new(allocator, source, SourceType::unambiguous()).parse();
    if let Some(error) = parsed.diagnostics.iter().next() {
        return Err(SourceError::at(
            file,
            source,
            place(error),
            error.message.to_string(),
        ));
    }
    let program = &parsed.program;
    let built = SemanticBuilder::new()
        .with_check_syntax_error(true)
        .with_build_nodes(true)
        .build(program);
    if let Some(error) = built.diagnostics.iter().next() {
        return Err(SourceError::at(
            file,
            source,
            place(error),
            error.message.to_string(),
        ));
    }
    let semantic = built.semantic;
    let is_module = program.source_type.is_module();

    // Names of the helpers: a prefix that occurs nowhere in the file.
    let mut prefix = String::from("__mp");
    while source.contains(prefix.as_str()) {
        prefix.push('_');
    }
    let mut edits: Vec<Edit> = Vec::new();
    let mut removed: Vec<Span> = Vec::new();
    // header parts: export getters, then the requires in order, then `export *` copies.
    let mut getters: Vec<(String, String)> = Vec::new();
    let mut requires: Vec<Vec<Piece>> = Vec::new();
    let mut star_exports: Vec<String> = Vec::new();
    // import binding symbol → the expression that reads it.
    let mut bindings: Vec<(oxc_semantic::SymbolId, String)> = Vec::new();
    let mut uses_interop = false;
    let mut uses_dynamic = false;

    let add_require =
        |spec: &oxc_ast::ast::StringLiteral, requires: &mut Vec<Vec<Piece>>| -> String {
            let name = format!("{prefix}_{}", requires.len());
            requires.push(vec![
                text(format!("var {name} = {prefix}.interop(require(")),
                Piece::Specifier {
                    spec: spec.value.to_string(),
                    offset: spec.span.start,
                    required: true,
                },
                text(")); "),
            ]);
            name
        };

    if is_module {
        for statement in &program.body {
            match statement {
                Statement::ImportDeclaration(import) => {
                    removed.push(import.span);
                    edits.push(Edit {
                        span: import.span,
                        pieces: vec![text(keep_lines(source, import.span))],
                    });
                    let module = add_require(&import.source, &mut requires);
                    uses_interop = true;
                    for specifier in import.specifiers.iter().flatten() {
                        let (local, read) = match specifier {
                            ImportDeclarationSpecifier::ImportSpecifier(s) => (
                                &s.local,
                                format!("{module}{}", member(&export_name(&s.imported))),
                            ),
                            ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                                (&s.local, format!("{module}.default"))
                            }
                            ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                                (&s.local, module.clone())
                            }
                        };
                        if let Some(symbol) = local.symbol_id.get() {
                            bindings.push((symbol, read));
                        }
                    }
                }
                Statement::ExportDeclaration(export) => {
                    let head = Span::new(export.span.start, export.declaration.span().start);
                    edits.push(Edit {
                        span: head,
                        pieces: vec![text(keep_lines(source, head))],
                    });
                    for name in declared_names(&export.declaration) {
                        getters.push((name.clone(), name));
                    }
                }
                Statement::ExportNamedDeclaration(export) => {
                    removed.push(export.span);
                    edits.push(Edit {
                        span: export.span,
                        pieces: vec![text(keep_lines(source, export.span))],
                    });
                    for specifier in &export.specifiers {
                        let local = export_name(&specifier.local);
                        let read = match &specifier.local {
                            ModuleExportName::IdentifierReference(r) => r
                                .reference_id
                                .get()
                                .and_then(|id| semantic.scoping().get_reference(id).symbol_id())
                                .and_then(|symbol| bindings.iter().find(|(s, _)| *s == symbol))
                                .map_or(local.clone(), |(_, read)| read.clone()),
                            _ => local.clone(),
                        };
                        getters.push((export_name(&specifier.exported), read));
                    }
                }
                Statement::ExportFromDeclaration(export) => {
                    removed.push(export.span);
                    edits.push(Edit {
                        span: export.span,
                        pieces: vec![text(keep_lines(source, export.span))],
                    });
                    let module = add_require(&export.source, &mut requires);
                    uses_interop = true;
                    for specifier in &export.specifiers {
                        let read = format!("{module}{}", member(&export_name(&specifier.local)));
                        getters.push((export_name(&specifier.exported), read));
                    }
                }
                Statement::ExportAllDeclaration(export) => {
                    removed.push(export.span);
                    edits.push(Edit {
                        span: export.span,
                        pieces: vec![text(keep_lines(source, export.span))],
                    });
                    let module = add_require(&export.source, &mut requires);
                    uses_interop = true;
                    match &export.exported {
                        Some(name) => getters.push((export_name(name), module)),
                        None => star_exports.push(module),
                    }
                }
                Statement::ExportDefaultDeclaration(export) => {
                    let named = match &export.declaration {
                        ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                            Some(f.id.as_ref().map(|id| id.name.to_string()))
                        }
                        ExportDefaultDeclarationKind::ClassDeclaration(c) => {
                            Some(c.id.as_ref().map(|id| id.name.to_string()))
                        }
                        _ => None,
                    };
                    let body = export.declaration.span();
                    let head = Span::new(export.span.start, body.start);
                    match named {
                        Some(Some(name)) => {
                            edits.push(Edit {
                                span: head,
                                pieces: vec![text(keep_lines(source, head))],
                            });
                            getters.push(("default".into(), name));
                        }
                        Some(None) => {
                            edits.push(Edit {
                                span: head,
                                pieces: vec![text(format!(
                                    "exports.default = {}",
                                    keep_lines(source, head)
                                ))],
                            });
                            edits.push(Edit {
                                span: Span::new(body.end, body.end),
                                pieces: vec![text(";")],
                            });
                        }
                        None => {
                            edits.push(Edit {
                                span: head,
                                pieces: vec![text(format!(
                                    "exports.default = {}",
                                    keep_lines(source, head)
                                ))],
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }

    // References to imported bindings read the module object (live bindings).
    for (symbol, read) in &bindings {
        for reference in semantic.symbol_references(*symbol) {
            let node = reference.node_id();
            let span = semantic.nodes().kind(node).span();
            if removed
                .iter()
                .any(|r| r.start <= span.start && span.end <= r.end)
            {
                continue;
            }
            let replacement = match semantic.nodes().parent_kind(node) {
                AstKind::ObjectProperty(p) if p.shorthand => format!(
                    "{}: {read}",
                    &source[span.start as usize..span.end as usize]
                ),
                AstKind::CallExpression(c) if c.callee.span() == span => format!("(0, {read})"),
                AstKind::TaggedTemplateExpression(t) if t.tag.span() == span => {
                    format!("(0, {read})")
                }
                _ => read.clone(),
            };
            edits.push(Edit {
                span,
                pieces: vec![text(replacement)],
            });
        }
    }

    // import(), import.meta, require('…') anywhere in the file.
    for node in semantic.nodes().iter() {
        match node.kind() {
            AstKind::ImportExpression(call) => {
                uses_dynamic = true;
                uses_interop = true;
                let keyword = Span::new(call.span.start, call.span.start + 6);
                edits.push(Edit {
                    span: keyword,
                    pieces: vec![text(format!("{prefix}.dynamic"))],
                });
                if let Expression::StringLiteral(spec) = &call.source {
                    edits.push(Edit {
                        span: spec.span,
                        pieces: vec![Piece::Specifier {
                            spec: spec.value.to_string(),
                            offset: spec.span.start,
                            required: false,
                        }],
                    });
                }
                if let Some(options) = &call.options {
                    // `import(x, { with: … })`: the options have no meaning here.
                    let span = Span::new(call.source.span().end, options.span().end);
                    edits.push(Edit {
                        span,
                        pieces: vec![text(keep_lines(source, span))],
                    });
                }
            }
            AstKind::ImportMeta(meta) => {
                edits.push(Edit {
                    span: meta.span,
                    pieces: vec![text(format!(
                        "({{ url: {} }})",
                        json(&format!("app:///{file}"))
                    ))],
                });
            }
            AstKind::CallExpression(call) => {
                let Expression::Identifier(callee) = &call.callee else {
                    continue;
                };
                if callee.name != "require" || call.arguments.len() != 1 {
                    continue;
                }
                let global = callee
                    .reference_id
                    .get()
                    .is_some_and(|id| semantic.scoping().get_reference(id).symbol_id().is_none());
                if let (true, Argument::StringLiteral(spec)) = (global, &call.arguments[0]) {
                    edits.push(Edit {
                        span: spec.span,
                        pieces: vec![Piece::Specifier {
                            spec: spec.value.to_string(),
                            offset: spec.span.start,
                            required: false,
                        }],
                    });
                }
            }
            _ => {}
        }
    }

    // The header, on line 1.
    let mut header: Vec<Piece> = Vec::new();
    if is_module {
        let mut h = String::from(
            "\"use strict\"; Object.defineProperty(exports, \"__esModule\", { value: true }); ",
        );
        if uses_interop {
            let _ = write!(
                h,
                "var {prefix} = {{ interop: function (m) {{ return m && m.__esModule ? m : Object.assign(Object.create(null), m, {{ default: m }}); }}, \
                 dynamic: function (s) {{ return Promise.resolve().then(function () {{ return {prefix}.interop(require(s)); }}); }}, \
                 star: function (t, m) {{ Object.keys(m).forEach(function (k) {{ if (k !== \"default\" && !Object.prototype.hasOwnProperty.call(t, k)) Object.defineProperty(t, k, {{ enumerable: true, get: function () {{ return m[k]; }} }}); }}); }} }}; "
            );
        }
        for (name, read) in &getters {
            let _ = write!(
                h,
                "Object.defineProperty(exports, {}, {{ enumerable: true, get: function () {{ return {read}; }} }}); ",
                json(name)
            );
        }
        header.push(text(h));
        for require in requires {
            header.extend(require);
        }
        let mut tail = String::new();
        for module in &star_exports {
            let _ = write!(tail, "{prefix}.star(exports, {module}); ");
        }
        header.push(text(tail));
    } else if uses_dynamic {
        header.push(text(format!(
            "var {prefix} = {{ interop: function (m) {{ return m && m.__esModule ? m : Object.assign(Object.create(null), m, {{ default: m }}); }}, \
             dynamic: function (s) {{ return Promise.resolve().then(function () {{ return {prefix}.interop(require(s)); }}); }} }}; "
        )));
    }

    // Apply the edits in order; they never overlap (an edit inside a removed statement was
    // skipped above), but an overlapping one is dropped rather than corrupting the text.
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = header;
    let mut at = 0u32;
    for edit in edits {
        if edit.span.start < at {
            continue;
        }
        out.push(text(&source[at as usize..edit.span.start as usize]));
        out.extend(edit.pieces);
        at = edit.span.end;
    }
    out.push(text(&source[at as usize..]));
    Ok(merge(out))
}

/// Where a diagnostic points: its primary label, else its last (a redeclaration's second place).
fn place(error: &oxc_diagnostics::OxcDiagnostic) -> u32 {
    let labels = &error.labels;
    labels
        .iter()
        .find(|l| l.primary())
        .or(labels.last())
        .map_or(0, |l| l.offset())
}

/// The names a `export <declaration>` binds.
fn declared_names(declaration: &Declaration) -> Vec<String> {
    use oxc_ecmascript::BoundNames;
    let mut names = Vec::new();
    declaration.bound_names(&mut |id| names.push(id.name.to_string()));
    names
}

/// Adjacent texts joined (fewer, larger pieces in the cache).
fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (out.last_mut(), piece) {
            (Some(Piece::Text(last)), Piece::Text(t)) => last.push_str(&t),
            (_, Piece::Text(t)) if t.is_empty() => {}
            (_, piece) => out.push(piece),
        }
    }
    out
}

#[cfg(test)]
mod tests;
