//! Markup tree → the compiled form [`render`](crate::render) walks: directives applied,
//! `{{ }}` parsed, templates and imports resolved, includes inlined, SJS names bound, and the
//! data paths of every binding recorded.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use crate::diagnostic::{Diagnostic, Source, Span};
use crate::expr::{self, collect_paths, DataPath, Expr, NameBinding, Part, PathSegment};
use crate::files::{looked_for, read_reference, resolve, FileProvider};
use crate::parser::{self, Attr, Element, Node, MAX_NESTING};

/// A compiled page or component template, ready to [`render`](crate::render).
#[derive(Debug)]
pub struct CompiledTemplate {
    pub(crate) nodes: Vec<IrNode>,
    pub(crate) templates: Vec<TemplateDef>,
    /// Per file (or include context): template name → index into `templates`.
    pub(crate) scopes: Vec<BTreeMap<String, usize>>,
    sjs: Vec<SjsImport>,
    dependencies: Vec<Dependency>,
    files: Vec<String>,
    /// Per `a:for` (its id): the list's data path, when the list is a plain path (`{{rows}}`,
    /// `{{a.b}}`) and the loop is at page level (not in a `<template name>`, not in another loop).
    pub(crate) loops: Vec<Option<DataPath>>,
}

/// An `<import-sjs>`: the module the logic layer must load for this template.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SjsImport {
    /// The name expressions use (`name="util"` → `{{util.format(x)}}`).
    pub name: String,
    /// The module's path in the mini program, resolved (`pages/index/util.sjs`).
    pub from: String,
    /// Where the `<import-sjs>` is.
    #[serde(skip)]
    pub span: Span,
}

/// One dynamic part of the template and the data paths it reads.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dependency {
    /// Where the binding is (the `{{` of a text, the attribute, the directive).
    #[serde(skip)]
    pub span: Span,
    /// What it is: `text`, `attribute class`, `a:if`, `a:for`, `a:key`, `template is`, …
    pub what: String,
    /// `Some(name)` when the binding is inside `<template name>`: its paths are then relative
    /// to the data the template is called with, not to the page's data.
    pub template: Option<String>,
    /// The data paths it reads (`list[*].name`: any item's `name`).
    pub paths: Vec<DataPath>,
    /// The `a:for` loops (ids) it is in, outermost first; a loop's own `a:for` and `a:key`
    /// count as in it.
    #[serde(skip)]
    pub(crate) loops: Vec<usize>,
}

impl CompiledTemplate {
    /// The `<import-sjs>` modules this template (with its imports and includes) uses.
    pub fn sjs_imports(&self) -> &[SjsImport] {
        &self.sjs
    }

    /// Every binding of the template with the data paths it reads.
    pub fn dependencies(&self) -> &[Dependency] {
        &self.dependencies
    }

    /// The page-level bindings (not inside a `<template name>`) that a `setData` of `key`
    /// (e.g. `list[3].name`) can change. A malformed key conservatively matches every binding.
    pub fn affected_by(&self, key: &str) -> Vec<&Dependency> {
        let changed = DataPath::parse(key);
        self.dependencies
            .iter()
            .filter(|d| d.template.is_none())
            .filter(|d| {
                changed
                    .as_ref()
                    .is_none_or(|c| d.paths.iter().any(|p| p.overlaps(c)))
            })
            .collect()
    }

    /// Every file the template was compiled from (the entry first), for a file watcher.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// When a `setData` of `key` can change one row of one list and nothing else: the loop (an
    /// id for [`render_loop_item`](crate::render_loop_item)) and the row. That is, `key` is
    /// `P[i]…` for a page-level `a:for="{{P}}"`, and every page-level binding the key can
    /// change is inside that loop (or is its `a:for`/`a:key`). `None` otherwise (a whole
    /// render is needed).
    pub fn row_of(&self, key: &str) -> Option<(usize, usize)> {
        let changed = DataPath::parse(key)?;
        let (id, index) = self.loops.iter().enumerate().find_map(|(id, path)| {
            let p = path.as_ref()?;
            if changed.0.len() <= p.0.len() || changed.0[..p.0.len()] != p.0[..] {
                return None;
            }
            match &changed.0[p.0.len()] {
                PathSegment::Key(k) if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) => {
                    Some((id, k.parse::<usize>().ok()?))
                }
                _ => None,
            }
        })?;
        self.dependencies
            .iter()
            .filter(|d| d.template.is_none() && d.paths.iter().any(|p| p.overlaps(&changed)))
            .all(|d| d.loops.contains(&id))
            .then_some((id, index))
    }
}

#[derive(Debug)]
pub(crate) struct TemplateDef {
    pub nodes: Vec<IrNode>,
}

/// An attribute value: `a="x"`, `a="{{x}}"` (keeps the value's type), `a="x{{y}}"` (a string).
#[derive(Clone, Debug)]
pub(crate) enum AttrValue {
    Bare,
    Static(String),
    Single(Expr),
    Mixed(Vec<Part>),
}

#[derive(Debug)]
pub(crate) struct IrElement {
    pub tag: String,
    pub attrs: Vec<(String, AttrValue)>,
    /// `(event, catch, handler)`: `onTap="add"` → `("tap", false, "add")`.
    pub events: Vec<(String, bool, AttrValue)>,
    pub children: Vec<IrNode>,
}

#[derive(Debug)]
pub(crate) enum KeySpec {
    This,
    Field(String),
    Expr(AttrValue),
}

struct ForHead {
    list: AttrValue,
    item: String,
    index: String,
    key: Option<KeySpec>,
}

#[derive(Debug)]
pub(crate) enum IrNode {
    Element(IrElement),
    Text(Vec<Part>),
    /// Branches in order; `None` is `a:else`.
    If(Vec<(Option<AttrValue>, Vec<IrNode>)>),
    For {
        /// The loop's id (`CompiledTemplate::loops`).
        id: usize,
        list: AttrValue,
        item: String,
        index: String,
        key: Option<KeySpec>,
        body: Vec<IrNode>,
    },
    Call {
        is: AttrValue,
        data: Option<Expr>,
        scope: usize,
    },
    Slot {
        name: AttrValue,
        fallback: Vec<IrNode>,
    },
}

/// Compiles the template at `path` (e.g. `pages/index/index.axml`), reading it and everything
/// it imports or includes through `files`.
pub fn compile(path: &str, files: &dyn FileProvider) -> Result<CompiledTemplate, Diagnostic> {
    let path = resolve("", path).unwrap_or_else(|| path.to_string());
    let text = files.read(&path).ok_or_else(|| {
        Source::new(&path, String::new()).error(0, format!("template `{path}` does not exist"))
    })?;
    compile_source(&path, text, files)
}

/// Compiles `text` as the template at `path`; imports and includes are read through `files`.
pub fn compile_source(
    path: &str,
    text: String,
    files: &dyn FileProvider,
) -> Result<CompiledTemplate, Diagnostic> {
    let mut c = Compiler {
        files,
        out: CompiledTemplate {
            nodes: vec![],
            templates: vec![],
            scopes: vec![],
            sjs: vec![],
            dependencies: vec![],
            files: vec![],
            loops: vec![],
        },
        imported: HashMap::new(),
        // The entry counts as being imported and included, so a cycle back to it is caught.
        importing: vec![path.to_string()],
        including: vec![path.to_string()],
        depth: 0,
    };
    let src = Rc::new(Source::new(path, text));
    c.out.files.push(path.to_string());
    let tree = parser::parse(&src)?;
    let scope = c.new_scope();
    let mut ctx = Ctx {
        src: src.clone(),
        scope,
        sjs: HashSet::new(),
        template: None,
        names: vec![],
        loops: vec![],
    };
    c.declare(&mut ctx, &tree)?;
    c.out.nodes = c.nodes(&mut ctx, &tree)?;
    Ok(c.out)
}

struct Compiler<'f> {
    files: &'f dyn FileProvider,
    out: CompiledTemplate,
    /// Imported file → its scope (its own template definitions).
    imported: HashMap<String, usize>,
    importing: Vec<String>,
    including: Vec<String>,
    /// How deep `nodes` recurses now (elements, including those of included files).
    depth: usize,
}

/// What the code being compiled sees.
struct Ctx {
    src: Rc<Source>,
    /// Which templates `<template is>` finds.
    scope: usize,
    /// `<import-sjs>` module names.
    sjs: HashSet<String>,
    /// The `<template name>` being compiled, if any.
    template: Option<String>,
    /// Loop variables in scope, innermost last.
    names: Vec<(String, NameBinding)>,
    /// The `a:for` loops (ids) being compiled, innermost last.
    loops: Vec<usize>,
}

const EVENT_PREFIXES: [(&str, bool); 2] = [("on", false), ("catch", true)];

impl Compiler<'_> {
    fn new_scope(&mut self) -> usize {
        self.out.scopes.push(BTreeMap::new());
        self.out.scopes.len() - 1
    }

    fn read(
        &mut self,
        ctx: &Ctx,
        attr: &Attr,
        what: &str,
    ) -> Result<(String, Rc<Source>), Diagnostic> {
        let (reference, at) = attr.value.as_ref().ok_or_else(|| {
            ctx.src
                .error(attr.offset, format!("`{}` needs a path", attr.name))
        })?;
        let (path, text) = read_reference(self.files, &ctx.src.name, reference, Some("axml"))
            .map_err(|looked| {
                let message = if looked.is_empty() {
                    format!("`{reference}` is not a valid path")
                } else {
                    format!(
                        "{what} `{reference}` not found (looked for {})",
                        looked_for(&looked)
                    )
                };
                ctx.src.error(*at, message)
            })?;
        if !self.out.files.contains(&path) {
            self.out.files.push(path.clone());
        }
        Ok((path.clone(), Rc::new(Source::new(&path, text))))
    }

    /// First pass over a file's top level: `<import>`, `<import-sjs>`, `<template name>` and
    /// the templates of `<include>`d files' imports, so uses may come before definitions.
    /// Reads and parses the file an `<include src>` names (checking the depth and cycles of
    /// includes), then runs `f` on its tree with that file as the current source, and restores
    /// the includer's source whatever `f` answers.
    fn within_include<T>(
        &mut self,
        ctx: &mut Ctx,
        el: &Element,
        f: impl FnOnce(&mut Self, &mut Ctx, Vec<Node>) -> Result<T, Diagnostic>,
    ) -> Result<T, Diagnostic> {
        let attr = el
            .attr("src")
            .ok_or_else(|| ctx.src.error(el.offset, "`<include>` needs `src`"))?;
        let (path, src) = self.read(ctx, attr, "included file")?;
        check_file_depth(ctx, attr, &self.including, "includes")?;
        if self.including.contains(&path) {
            return Err(ctx
                .src
                .error(attr.offset, include_cycle(&self.including, &path)));
        }
        let tree = parser::parse(&src)?;
        self.including.push(path);
        let saved = std::mem::replace(&mut ctx.src, src);
        let r = f(self, ctx, tree);
        ctx.src = saved;
        self.including.pop();
        r
    }

    fn declare(&mut self, ctx: &mut Ctx, tree: &[Node]) -> Result<(), Diagnostic> {
        for node in tree {
            let Node::Element(el) = node else { continue };
            match el.name.as_str() {
                "import" => {
                    let attr = el
                        .attr("src")
                        .ok_or_else(|| ctx.src.error(el.offset, "`<import>` needs `src`"))?;
                    let (path, src) = self.read(ctx, attr, "imported file")?;
                    let imported = self.import(ctx, &path, src, attr)?;
                    let defs = self.out.scopes[imported].clone();
                    self.out.scopes[ctx.scope].extend(defs);
                }
                "import-sjs" => {
                    let name = el
                        .attr("name")
                        .and_then(|a| a.value.as_ref())
                        .map(|v| v.0.trim().to_string());
                    let from = el.attr("from").and_then(|a| a.value.as_ref());
                    let (Some(name), Some((from, at))) = (name, from) else {
                        return Err(ctx
                            .src
                            .error(el.offset, "`<import-sjs>` needs both `name` and `from`"));
                    };
                    if !is_identifier(&name) {
                        return Err(ctx.src.error(
                            el.offset,
                            format!(
                                "`<import-sjs name=\"{name}\">`: the name must be an identifier"
                            ),
                        ));
                    }
                    let from = resolve(&ctx.src.name, from).ok_or_else(|| {
                        ctx.src.error(*at, format!("`{from}` is not a valid path"))
                    })?;
                    ctx.sjs.insert(name.clone());
                    if !self
                        .out
                        .sjs
                        .iter()
                        .any(|s| s.name == name && s.from == from)
                    {
                        self.out.sjs.push(SjsImport {
                            name,
                            from,
                            span: ctx.src.span(el.offset),
                        });
                    }
                }
                "template" if el.attr("name").is_some() => {
                    let name = static_value(el.attr("name")).unwrap_or_default();
                    if name.is_empty() || name.contains("{{") {
                        return Err(ctx
                            .src
                            .error(el.offset, "`<template name>` needs a plain, non-empty name"));
                    }
                    // Bodies are compiled after the whole file is declared; reserve the slot now.
                    self.out.templates.push(TemplateDef { nodes: vec![] });
                    let index = self.out.templates.len() - 1;
                    self.out.scopes[ctx.scope].insert(name, index);
                }
                "include" => {
                    // An included file's imports and SJS modules apply where it is included;
                    // its `<template name>`s do not (include copies everything but templates).
                    self.within_include(ctx, el, |this, ctx, tree| {
                        let only_imports: Vec<Node> = tree.into_iter().filter(is_import).collect();
                        this.declare(ctx, &only_imports)
                    })?;
                }
                _ => {}
            }
        }
        // Now every name is known: compile the template bodies defined in this file.
        for node in tree {
            let Node::Element(el) = node else { continue };
            if el.name != "template" {
                continue;
            }
            let Some(name) = static_value(el.attr("name")) else {
                continue;
            };
            let Some(&index) = self.out.scopes[ctx.scope].get(&name) else {
                continue;
            };
            let saved_names = std::mem::take(&mut ctx.names);
            let saved_template = ctx.template.replace(name);
            let body = self.nodes(ctx, &el.children);
            ctx.names = saved_names;
            ctx.template = saved_template;
            self.out.templates[index].nodes = body?;
        }
        Ok(())
    }

    /// Compiles an imported file for its templates; returns its scope.
    fn import(
        &mut self,
        ctx: &Ctx,
        path: &str,
        src: Rc<Source>,
        attr: &Attr,
    ) -> Result<usize, Diagnostic> {
        if let Some(&scope) = self.imported.get(path) {
            return Ok(scope);
        }
        check_file_depth(ctx, attr, &self.importing, "imports")?;
        if self.importing.iter().any(|p| p == path) {
            let mut chain = self.importing.clone();
            chain.push(path.to_string());
            return Err(ctx
                .src
                .error(attr.offset, format!("import cycle: {}", chain.join(" → "))));
        }
        let tree = parser::parse(&src)?;
        self.importing.push(path.to_string());
        let scope = self.new_scope();
        let mut inner = Ctx {
            src,
            scope,
            sjs: HashSet::new(),
            template: None,
            names: vec![],
            loops: vec![],
        };
        let r = self.declare(&mut inner, &tree);
        self.importing.pop();
        r?;
        // Import is not transitive: only the file's own definitions are visible to the importer.
        let own: BTreeMap<String, usize> = tree
            .iter()
            .filter_map(|n| match n {
                Node::Element(e) if e.name == "template" => static_value(e.attr("name")),
                _ => None,
            })
            .filter_map(|name| self.out.scopes[scope].get(&name).map(|&i| (name, i)))
            .collect();
        let own_scope = self.new_scope();
        self.out.scopes[own_scope] = own;
        self.imported.insert(path.to_string(), own_scope);
        Ok(own_scope)
    }

    /// Compiles sibling nodes, grouping `a:if`/`a:elif`/`a:else` chains.
    fn nodes(&mut self, ctx: &mut Ctx, tree: &[Node]) -> Result<Vec<IrNode>, Diagnostic> {
        if self.depth > MAX_NESTING {
            let at = tree.first().map_or(0, |n| match n {
                Node::Element(e) => e.offset,
                Node::Text(_, offset) => *offset,
            });
            return Err(ctx.src.error(
                at,
                format!("elements nest more than {MAX_NESTING} deep (counting included files)"),
            ));
        }
        self.depth += 1;
        let result = self.nodes_at_depth(ctx, tree);
        self.depth -= 1;
        result
    }

    fn nodes_at_depth(&mut self, ctx: &mut Ctx, tree: &[Node]) -> Result<Vec<IrNode>, Diagnostic> {
        let mut out: Vec<IrNode> = Vec::new();
        // Whether the last element sibling can take an `a:elif`/`a:else`.
        let mut open_chain = false;
        for node in tree {
            match node {
                Node::Text(text, offset) => {
                    // Whitespace between tags is layout, not content.
                    if text.trim().is_empty() {
                        continue;
                    }
                    let parts = self.interpolated(ctx, text, *offset, "text")?;
                    out.push(IrNode::Text(parts));
                }
                Node::Element(el) => {
                    let conditional = ["a:if", "a:elif", "a:else"]
                        .into_iter()
                        .find_map(|d| el.attr(d).map(|a| (d, a)));
                    if matches!(el.name.as_str(), "import" | "import-sjs")
                        || (el.name == "template" && el.attr("name").is_some())
                    {
                        continue; // handled by `declare`
                    }
                    match conditional {
                        Some(("a:if", attr)) if el.attr("a:for").is_none() => {
                            let cond = self.directive_value(ctx, attr)?;
                            let body = self.element(ctx, el)?;
                            out.push(IrNode::If(vec![(Some(cond), body)]));
                            open_chain = true;
                        }
                        Some((d @ ("a:elif" | "a:else"), attr)) => {
                            check_chain(ctx, el, d, attr, open_chain)?;
                            let cond = if d == "a:elif" {
                                Some(self.directive_value(ctx, attr)?)
                            } else {
                                None
                            };
                            let body = self.element(ctx, el)?;
                            if let Some(IrNode::If(branches)) = out.last_mut() {
                                branches.push((cond, body));
                            }
                            open_chain = d == "a:elif";
                        }
                        _ => {
                            out.extend(self.element(ctx, el)?);
                            open_chain = false;
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// One element with `a:for` (and an item-level `a:if`) applied; the If-chain directives of
    /// the element itself are handled by the caller.
    fn element(&mut self, ctx: &mut Ctx, el: &Element) -> Result<Vec<IrNode>, Diagnostic> {
        let Some(for_attr) = el.attr("a:for") else {
            return self.plain_element(ctx, el);
        };
        let id = self.out.loops.len();
        self.out.loops.push(None);
        ctx.loops.push(id);
        let head = self.for_head(ctx, el, for_attr);
        let head = match head {
            Ok(h) => h,
            Err(e) => {
                ctx.loops.pop();
                return Err(e);
            }
        };
        let body = match el.attr("a:if") {
            Some(cond) => self.directive_value(ctx, cond).and_then(|cond| {
                Ok(vec![IrNode::If(vec![(
                    Some(cond),
                    self.plain_element(ctx, el)?,
                )])])
            }),
            None => self.plain_element(ctx, el),
        };
        // `for_head` put the loop variables in scope.
        ctx.names.pop();
        ctx.names.pop();
        ctx.loops.pop();
        let ForHead {
            list,
            item,
            index,
            key,
        } = head;
        Ok(vec![IrNode::For {
            id,
            list,
            item,
            index,
            key,
            body: body?,
        }])
    }

    /// `a:for`'s list, variable names and key; on success the loop variables are in scope.
    /// (Kept out of `element` so the recursive path's stack frames stay small.)
    #[inline(never)]
    fn for_head(
        &mut self,
        ctx: &mut Ctx,
        el: &Element,
        for_attr: &Attr,
    ) -> Result<ForHead, Diagnostic> {
        let list = self.directive_value(ctx, for_attr)?;
        let name_of = |d: &str, default: &str| -> Result<String, Diagnostic> {
            match el.attr(d) {
                None => Ok(default.to_string()),
                Some(a) => {
                    let v = static_value(Some(a)).unwrap_or_default();
                    let v = v
                        .trim()
                        .trim_start_matches("{{")
                        .trim_end_matches("}}")
                        .trim()
                        .to_string();
                    if is_identifier(&v) {
                        Ok(v)
                    } else {
                        Err(ctx
                            .src
                            .error(a.offset, format!("`{d}` must name a variable, not `{v}`")))
                    }
                }
            }
        };
        let item = name_of("a:for-item", "item")?;
        let index = name_of("a:for-index", "index")?;

        // What the loop variables stand for, for dependency tracking.
        let mut list_paths = Vec::new();
        let item_binding = match &list {
            AttrValue::Single(e) => {
                collect_paths(e, &|n| resolve_name(ctx, n), &mut list_paths);
                match (e, list_paths.as_slice()) {
                    (Expr::Name(_) | Expr::Member(..) | Expr::Index(..), [single]) => {
                        // A page-level loop over a fixed path can update one row alone.
                        if ctx.template.is_none()
                            && ctx.loops.len() == 1
                            && !single.0.contains(&PathSegment::Any)
                        {
                            if let Some(slot) =
                                ctx.loops.last().and_then(|&id| self.out.loops.get_mut(id))
                            {
                                *slot = Some(single.clone());
                            }
                        }
                        let mut p = single.clone();
                        p.0.push(PathSegment::Any);
                        NameBinding::Path(p)
                    }
                    _ => NameBinding::Derived(list_paths.clone()),
                }
            }
            other => {
                self.value_paths(ctx, other, &mut list_paths);
                NameBinding::Derived(list_paths.clone())
            }
        };
        ctx.names.push((item.clone(), item_binding));
        ctx.names
            .push((index.clone(), NameBinding::Derived(list_paths)));
        let key = (|| -> Result<Option<KeySpec>, Diagnostic> {
            let key = match el.attr("a:key") {
                None => None,
                Some(a) => {
                    let raw = static_value(Some(a)).unwrap_or_default();
                    let raw = raw.trim();
                    Some(if raw == "*this" {
                        KeySpec::This
                    } else if raw.contains("{{") {
                        KeySpec::Expr(self.directive_value(ctx, a)?)
                    } else {
                        // `a:key="id"` reads the item's `id`.
                        let read =
                            Expr::Member(Box::new(Expr::Name(item.clone())), raw.to_string());
                        let mut paths = Vec::new();
                        collect_paths(&read, &|n| resolve_name(ctx, n), &mut paths);
                        self.record(ctx, a.offset, "a:key", paths);
                        KeySpec::Field(raw.to_string())
                    })
                }
            };
            Ok(key)
        })();
        if key.is_err() {
            ctx.names.pop();
            ctx.names.pop();
        }
        Ok(ForHead {
            list,
            item,
            index,
            key: key?,
        })
    }

    /// The element itself: built-ins `<block>`, `<template is>`, `<include>`, `<slot>`, or a
    /// component/element with attributes and children.
    fn plain_element(&mut self, ctx: &mut Ctx, el: &Element) -> Result<Vec<IrNode>, Diagnostic> {
        match el.name.as_str() {
            "block" => {
                check_top_level_only(ctx, el)?;
                self.nodes(ctx, &el.children)
            }
            "template" => self.template_call(ctx, el),
            // The included file's imports apply here, wherever the include sits (`declare`
            // saw them already when the include is at the top level; doing it twice is
            // harmless: imports are cached).
            "include" => self.within_include(ctx, el, |this, ctx, tree| {
                let imports: Vec<Node> = tree.iter().filter(|n| is_import(n)).cloned().collect();
                this.declare(ctx, &imports)?;
                this.nodes(ctx, &tree)
            }),
            "slot" => {
                let name = match el.attr("name") {
                    Some(a) => self.attr_value(ctx, a, "slot name")?,
                    None => AttrValue::Static(String::new()),
                };
                let fallback = self.nodes(ctx, &el.children)?;
                Ok(vec![IrNode::Slot { name, fallback }])
            }
            _ => {
                check_top_level_only(ctx, el)?;
                let (attrs, events) = self.element_attrs(ctx, el)?;
                let children = self.nodes(ctx, &el.children)?;
                Ok(vec![IrNode::Element(IrElement {
                    tag: el.name.clone(),
                    attrs,
                    events,
                    children,
                })])
            }
        }
    }

    /// `<template is data>`.
    #[inline(never)]
    fn template_call(&mut self, ctx: &Ctx, el: &Element) -> Result<Vec<IrNode>, Diagnostic> {
        let is_attr = el.attr("is").ok_or_else(|| {
            ctx.src.error(
                el.offset,
                "`<template>` needs `name` (to define) or `is` (to use)",
            )
        })?;
        let is = self.attr_value(ctx, is_attr, "template is")?;
        if let AttrValue::Static(name) = &is {
            if !self.out.scopes[ctx.scope].contains_key(name.trim()) {
                let at = is_attr.value.as_ref().map_or(is_attr.offset, |v| v.1);
                return Err(ctx.src.error(
                    at,
                    format!(
                        "template `{}` is not defined in this file or its imports",
                        name.trim()
                    ),
                ));
            }
        }
        let data = match el.attr("data") {
            None => None,
            Some(a) => Some(self.template_data(ctx, a)?),
        };
        Ok(vec![IrNode::Call {
            is,
            data,
            scope: ctx.scope,
        }])
    }

    /// An element's attributes and event bindings (directives checked, not applied).
    #[inline(never)]
    #[allow(clippy::type_complexity)]
    fn element_attrs(
        &mut self,
        ctx: &Ctx,
        el: &Element,
    ) -> Result<(Vec<(String, AttrValue)>, Vec<(String, bool, AttrValue)>), Diagnostic> {
        let mut attrs = Vec::new();
        let mut events = Vec::new();
        for a in &el.attrs {
            if a.name.starts_with("a:") {
                if !matches!(
                    a.name.as_str(),
                    "a:if" | "a:elif" | "a:else" | "a:for" | "a:for-item" | "a:for-index" | "a:key"
                ) {
                    return Err(ctx
                        .src
                        .error(a.offset, format!("unknown directive `{}`", a.name)));
                }
                if matches!(a.name.as_str(), "a:for-item" | "a:for-index" | "a:key")
                    && el.attr("a:for").is_none()
                {
                    return Err(ctx.src.error(
                        a.offset,
                        format!("`{}` is only meaningful with `a:for`", a.name),
                    ));
                }
                continue;
            }
            let event = EVENT_PREFIXES.iter().find_map(|(prefix, catch)| {
                let rest = a.name.strip_prefix(prefix)?;
                rest.starts_with(|c: char| c.is_ascii_uppercase())
                    .then(|| (lower_first(rest), *catch))
            });
            let value = self.attr_value(ctx, a, &format!("attribute {}", a.name))?;
            match event {
                Some((name, catch)) => events.push((name, catch, value)),
                None => attrs.push((a.name.clone(), value)),
            }
        }
        Ok((attrs, events))
    }

    /// A directive's value: like an attribute, but a bare directive is an error.
    fn directive_value(&mut self, ctx: &Ctx, attr: &Attr) -> Result<AttrValue, Diagnostic> {
        if attr.value.is_none() {
            return Err(ctx.src.error(
                attr.offset,
                format!(
                    "`{}` needs a value, e.g. `{}=\"{{{{condition}}}}\"`",
                    attr.name, attr.name
                ),
            ));
        }
        self.attr_value(ctx, attr, &attr.name)
    }

    fn attr_value(&mut self, ctx: &Ctx, attr: &Attr, what: &str) -> Result<AttrValue, Diagnostic> {
        let Some((raw, at)) = &attr.value else {
            return Ok(AttrValue::Bare);
        };
        let mut parts = self.interpolated(ctx, raw, *at, what)?;
        Ok(match parts.as_mut_slice() {
            [] => AttrValue::Static(String::new()),
            [Part::Text(t)] => AttrValue::Static(std::mem::take(t)),
            // `"{{x}}"` (spaces around allowed) keeps x's type: `checked="{{false}}"` is false.
            [Part::Expr(e, _)] => AttrValue::Single(std::mem::replace(e, Expr::Undefined)),
            _ => AttrValue::Mixed(parts),
        })
    }

    /// `data="{{...}}"` of `<template is>`.
    fn template_data(&mut self, ctx: &Ctx, attr: &Attr) -> Result<Expr, Diagnostic> {
        let Some((raw, at)) = &attr.value else {
            return Err(ctx
                .src
                .error(attr.offset, "`data` needs a value such as `{{...item}}`"));
        };
        let trimmed = raw.trim();
        let lead = raw.len() - raw.trim_start().len();
        let inner = trimmed
            .strip_prefix("{{")
            .and_then(|t| t.strip_suffix("}}"));
        let Some(inner) = inner.filter(|i| {
            expr::find_close(trimmed, 2) == Some(trimmed.len() - 2) && !i.trim().is_empty()
        }) else {
            return Err(ctx.src.error(
                *at,
                "`data` of `<template is>` must be one `{{ }}` expression, such as `{{...item}}`",
            ));
        };
        let base = at + lead + 2;
        let mut e = expr::parse_template_data(inner)
            .map_err(|e| ctx.src.error(base + e.offset, e.message))?;
        expr::bind_sjs(&mut e, &|n| ctx.sjs.contains(n));
        self.guard_rows(ctx, &e);
        let mut paths = Vec::new();
        collect_paths(&e, &|n| resolve_name(ctx, n), &mut paths);
        self.record(ctx, attr.offset, "template data", paths);
        Ok(e)
    }

    /// Parses `{{ }}` in `text` (at byte `at`), binds SJS names and records the paths read.
    fn interpolated(
        &mut self,
        ctx: &Ctx,
        text: &str,
        at: usize,
        what: &str,
    ) -> Result<Vec<Part>, Diagnostic> {
        let mut parts =
            expr::parse_interpolated(text, at).map_err(|e| ctx.src.error(e.offset, e.message))?;
        let mut paths = Vec::new();
        let mut first_expr = None;
        for part in &mut parts {
            match part {
                Part::Text(t) if t.contains('&') => *t = decode_entities(t),
                Part::Text(_) => {}
                Part::Expr(e, offset) => {
                    expr::bind_sjs(e, &|n| ctx.sjs.contains(n));
                    self.guard_rows(ctx, e);
                    collect_paths(e, &|n| resolve_name(ctx, n), &mut paths);
                    first_expr.get_or_insert(*offset);
                }
            }
        }
        if let Some(offset) = first_expr {
            self.record(ctx, offset.saturating_sub(2), what, paths);
        }
        Ok(parts)
    }

    fn value_paths(&self, ctx: &Ctx, v: &AttrValue, out: &mut Vec<DataPath>) {
        match v {
            AttrValue::Single(e) => collect_paths(e, &|n| resolve_name(ctx, n), out),
            AttrValue::Mixed(parts) => parts.iter().for_each(|p| {
                if let Part::Expr(e, _) = p {
                    collect_paths(e, &|n| resolve_name(ctx, n), out);
                }
            }),
            AttrValue::Bare | AttrValue::Static(_) => {}
        }
    }

    /// Inside a page-level loop over `P`, an expression that reads `P` other than through the
    /// loop's item (`{{rows[index + 1].name}}`) can change with another row: that loop's rows
    /// are then never re-rendered alone.
    fn guard_rows(&mut self, ctx: &Ctx, e: &Expr) {
        let Some(&outer) = ctx.loops.first() else {
            return;
        };
        let Some(Some(list)) = self.out.loops.get(outer) else {
            return;
        };
        let mut direct = Vec::new();
        let loop_var = |n: &str| {
            ctx.names
                .iter()
                .any(|(m, _)| m == n)
                .then(|| NameBinding::Derived(vec![]))
        };
        collect_paths(e, &loop_var, &mut direct);
        if direct.iter().any(|d| d.overlaps(list)) {
            self.out.loops[outer] = None;
        }
    }

    fn record(&mut self, ctx: &Ctx, offset: usize, what: &str, paths: Vec<DataPath>) {
        let span = ctx.src.span(offset);
        self.out.dependencies.push(Dependency {
            span,
            what: what.to_string(),
            template: ctx.template.clone(),
            paths,
            loops: ctx.loops.clone(),
        });
    }
}

/// Refuses an `a:elif`/`a:else` that follows no `a:if`, or that is combined with another.
/// (Kept out of `Compiler::nodes` so the recursive path's stack frames stay small.)
#[inline(never)]
fn check_chain(
    ctx: &Ctx,
    el: &Element,
    d: &str,
    attr: &Attr,
    open_chain: bool,
) -> Result<(), Diagnostic> {
    if !open_chain {
        return Err(ctx.src.error(
            attr.offset,
            format!("`{d}` must follow an element with `a:if` or `a:elif`"),
        ));
    }
    if let Some(other) = el
        .attr(if d == "a:elif" { "a:else" } else { "a:elif" })
        .or(el.attr("a:if"))
    {
        return Err(ctx.src.error(
            other.offset,
            format!("`{}` cannot be used together with `{d}`", other.name),
        ));
    }
    Ok(())
}

/// How deep chains of imports (a imports b imports c …) or includes may go; longer ones are
/// refused, so the recursion over them stays bounded.
pub const MAX_FILE_DEPTH: usize = 32;

fn check_file_depth(
    ctx: &Ctx,
    attr: &Attr,
    chain: &[String],
    what: &str,
) -> Result<(), Diagnostic> {
    if chain.len() > MAX_FILE_DEPTH {
        return Err(ctx.src.error(
            attr.offset,
            format!("{what} nest more than {MAX_FILE_DEPTH} deep"),
        ));
    }
    Ok(())
}

/// `<import>`, `<import-sjs>` and `<include>`: what `declare` reads of an included file.
fn is_import(n: &Node) -> bool {
    matches!(n, Node::Element(e) if matches!(e.name.as_str(), "import" | "import-sjs" | "include"))
}

/// `<template name>`, `<import>` and `<import-sjs>` count only at a file's top level; refuse
/// them inside an element rather than ignore them.
#[inline(never)]
fn check_top_level_only(ctx: &Ctx, el: &Element) -> Result<(), Diagnostic> {
    for child in &el.children {
        if let Node::Element(c) = child {
            let what = match c.name.as_str() {
                "template" if c.attr("name").is_some() => "`<template name>`",
                "import" => "`<import>`",
                "import-sjs" => "`<import-sjs>`",
                _ => continue,
            };
            return Err(ctx.src.error(
                c.offset,
                format!(
                    "{what} must be at the top level of the file, not inside `<{}>`",
                    el.name
                ),
            ));
        }
    }
    Ok(())
}

fn resolve_name(ctx: &Ctx, name: &str) -> Option<NameBinding> {
    ctx.names
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b.clone())
}

fn static_value(attr: Option<&Attr>) -> Option<String> {
    attr.and_then(|a| a.value.as_ref()).map(|v| v.0.clone())
}

fn include_cycle(stack: &[String], path: &str) -> String {
    let mut chain = stack.to_vec();
    chain.push(path.to_string());
    format!("include cycle: {}", chain.join(" → "))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Decodes the XML/HTML entities templates use: `&lt; &gt; &amp; &quot; &apos; &nbsp;` and
/// numeric `&#NN;`/`&#xNN;`; anything else is kept as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                _ => {
                    let n = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"));
                    let code = match n {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => name.strip_prefix('#').and_then(|d| d.parse().ok()),
                    };
                    char::from_u32(code?)?
                }
            };
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
