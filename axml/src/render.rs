//! Compiled template + data → a virtual node tree, and that tree as HTML-like text.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::compile::{AttrValue, CompiledTemplate, IrElement, IrNode, KeySpec};
use crate::expr::{eval, get, to_display, to_js_string, Expr, Frames, NoSjs, Part, SjsHost, Val};

/// How deep `<template is>` calls may nest (a template may call itself); deeper calls render
/// nothing, so a runaway recursion cannot overflow the stack.
pub const MAX_TEMPLATE_DEPTH: usize = 32;

/// How deep rendering may recurse in all (elements, blocks, template calls); deeper content is
/// not rendered. Bounds the stack whatever templates call each other.
pub const MAX_RENDER_DEPTH: usize = 2 * crate::MAX_NESTING;

/// A rendered node.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum VNode {
    /// An element (a built-in component such as `view`, or a custom component).
    Element(VElement),
    /// Text content, entities decoded, `{{ }}` evaluated.
    Text {
        /// The text.
        text: String,
    },
}

/// A rendered element.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VElement {
    /// The tag as written (`view`, `button`, `my-card`).
    pub tag: String,
    /// Attributes in source order, evaluated: `"{{x}}"` keeps x's JSON type, anything mixed is
    /// a string, a bare attribute is `true`. `data-*` and `slot` are here too.
    pub attrs: Vec<(String, Value)>,
    /// Event bindings (`onTap`, `catchTap`, …).
    pub events: Vec<VEvent>,
    /// The key from `a:key` of the `a:for` that produced this element, if any.
    pub key: Option<String>,
    /// Children.
    pub children: Vec<VNode>,
    /// Set by a host that expands custom components (`axml-wasm`): the component instance
    /// whose template made this element and whose methods handle its events; `None` (or 0,
    /// the page, not serialized) for the page's own elements.
    #[serde(skip_serializing_if = "is_page")]
    pub owner: Option<u32>,
    /// Set by a host that expands custom components: the instance this element hosts (its
    /// children are then that component's rendered template).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<u32>,
}

fn is_page(owner: &Option<u32>) -> bool {
    matches!(owner, None | Some(0))
}

/// An event binding on an element.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VEvent {
    /// The event, first letter lowered: `onTap` → `tap`, `catchLongTap` → `longTap`.
    pub event: String,
    /// The handler's name (a method of the page or component).
    pub handler: String,
    /// `catchXxx`: the event does not bubble past this element.
    pub catch: bool,
}

impl VElement {
    /// The attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// `event.currentTarget.dataset`: the `data-*` attributes, names camel-cased
    /// (`data-user-id` → `userId`).
    pub fn dataset(&self) -> Map<String, Value> {
        self.attrs
            .iter()
            .filter_map(|(n, v)| Some((camel_case(n.strip_prefix("data-")?), v.clone())))
            .collect()
    }

    /// The children grouped by the slot they fill (`slot="header"`); children without `slot`
    /// fill the default slot, named `""`. Pass this to [`render_with`] for the component.
    pub fn slots(&self) -> Slots {
        let mut slots = Slots::new();
        for child in &self.children {
            let name = match child {
                VNode::Element(e) => e
                    .attr("slot")
                    .map(|v| to_js_string(&Some(Cow::Borrowed(v)))),
                VNode::Text { .. } => None,
            };
            slots
                .entry(name.unwrap_or_default())
                .or_default()
                .push(child.clone());
        }
        slots
    }
}

/// Slot contents by slot name (`""` is the default slot).
pub type Slots = BTreeMap<String, Vec<VNode>>;

fn camel_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = false;
    for c in s.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Renders `template` against `data` (the page's `data`, a JSON object). SJS calls are
/// `undefined` and `<slot>`s show their fallback content; see [`render_with`].
pub fn render(template: &CompiledTemplate, data: &Value) -> Vec<VNode> {
    render_with(template, data, &mut NoSjs, &Slots::new())
}

/// Renders with a host for SJS calls and, for a component's template, the slot contents its
/// parent passed (from [`VElement::slots`]).
pub fn render_with(
    template: &CompiledTemplate,
    data: &Value,
    sjs: &mut dyn SjsHost,
    slots: &Slots,
) -> Vec<VNode> {
    let mut r = Renderer {
        t: template,
        sjs,
        slots,
        depth: 0,
        nesting: 0,
        trace: None,
    };
    let frames = Frames {
        root: data,
        vars: vec![],
    };
    let mut out = Vec::new();
    r.nodes(&template.nodes, &frames, &mut out);
    out
}

/// Where a page-level `a:for` put its rows in the last render (see [`render_traced`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopRun {
    /// The loop's id ([`CompiledTemplate::row_of`]).
    pub id: usize,
    /// Child indexes from the root to the element whose children the rows are (empty: the root).
    pub parent: Vec<usize>,
    /// The first row's index among those children.
    pub start: usize,
    /// How many items the list had.
    pub items: usize,
    /// Whether every item made exactly one node (only then is row `i` the node `start + i`).
    pub one_node_each: bool,
}

/// [`render`], and where each page-level loop over a fixed path put its rows, so a later
/// `setData` of one row can re-render that row alone ([`render_loop_item`]).
pub fn render_traced(
    template: &CompiledTemplate,
    data: &Value,
    sjs: &mut dyn SjsHost,
) -> (Vec<VNode>, Vec<LoopRun>) {
    let mut trace = Trace::default();
    let mut r = Renderer {
        t: template,
        sjs,
        slots: &Slots::new(),
        depth: 0,
        nesting: 0,
        trace: Some(&mut trace),
    };
    let frames = Frames {
        root: data,
        vars: vec![],
    };
    let mut out = Vec::new();
    r.nodes(&template.nodes, &frames, &mut out);
    (out, trace.runs)
}

/// Renders row `index` of the page-level loop `id` alone (against the page's `data`), as the
/// whole render would: the nodes that item makes, keyed. `None` when there is no such loop or
/// row.
pub fn render_loop_item(
    template: &CompiledTemplate,
    data: &Value,
    sjs: &mut dyn SjsHost,
    id: usize,
    index: usize,
) -> Option<Vec<VNode>> {
    template.loops.get(id)?.as_ref()?;
    let node = find_loop(&template.nodes, id, 0)?;
    let IrNode::For {
        list,
        item,
        index: index_name,
        key,
        body,
        ..
    } = node
    else {
        return None;
    };
    let mut r = Renderer {
        t: template,
        sjs,
        slots: &Slots::new(),
        depth: 0,
        nesting: 0,
        trace: None,
    };
    let frames = Frames {
        root: data,
        vars: vec![],
    };
    let list = r.value(list, &frames);
    let Some(Value::Array(items)) = list.as_deref() else {
        return None;
    };
    let v = items.get(index)?.clone();
    let mut out = Vec::new();
    r.for_item(
        item,
        index_name,
        key.as_ref(),
        body,
        &frames,
        Value::from(index),
        Some(Cow::Owned(v)),
        &mut out,
    );
    Some(out)
}

/// The `a:for` with this id among page-level nodes (not inside template definitions).
fn find_loop(nodes: &[IrNode], id: usize, depth: usize) -> Option<&IrNode> {
    if depth > MAX_RENDER_DEPTH {
        return None;
    }
    nodes.iter().find_map(|n| match n {
        IrNode::For { id: i, .. } if *i == id => Some(n),
        IrNode::For { body, .. } => find_loop(body, id, depth + 1),
        IrNode::Element(e) => find_loop(&e.children, id, depth + 1),
        IrNode::If(branches) => branches
            .iter()
            .find_map(|(_, body)| find_loop(body, id, depth + 1)),
        IrNode::Slot { fallback, .. } => find_loop(fallback, id, depth + 1),
        IrNode::Text(_) | IrNode::Call { .. } => None,
    })
}

#[derive(Default)]
struct Trace {
    /// Child indexes from the root to the element being rendered.
    path: Vec<usize>,
    runs: Vec<LoopRun>,
}

struct Renderer<'t, 'h> {
    t: &'t CompiledTemplate,
    sjs: &'h mut dyn SjsHost,
    slots: &'h Slots,
    /// `<template is>` calls in progress.
    depth: usize,
    /// `nodes` calls in progress.
    nesting: usize,
    /// For [`render_traced`].
    trace: Option<&'h mut Trace>,
}

impl Renderer<'_, '_> {
    fn nodes<'a>(&mut self, nodes: &[IrNode], frames: &Frames<'a>, out: &mut Vec<VNode>) {
        if self.nesting >= MAX_RENDER_DEPTH {
            return;
        }
        self.nesting += 1;
        for node in nodes {
            self.node(node, frames, out);
        }
        self.nesting -= 1;
    }

    fn value<'a>(&mut self, v: &AttrValue, frames: &Frames<'a>) -> Val<'a> {
        match v {
            AttrValue::Bare => Some(Cow::Owned(Value::Bool(true))),
            AttrValue::Static(s) => Some(Cow::Owned(Value::String(s.clone()))),
            AttrValue::Single(e) => eval(e, frames, self.sjs),
            AttrValue::Mixed(parts) => Some(Cow::Owned(Value::String(self.text(parts, frames)))),
        }
    }

    fn text<'a>(&mut self, parts: &[Part], frames: &Frames<'a>) -> String {
        let mut s = String::new();
        for p in parts {
            match p {
                Part::Text(t) => s.push_str(t),
                Part::Expr(e, _) => s.push_str(&to_display(&eval(e, frames, self.sjs))),
            }
        }
        s
    }

    fn node<'a>(&mut self, node: &IrNode, frames: &Frames<'a>, out: &mut Vec<VNode>) {
        match node {
            IrNode::Text(parts) => {
                let text = self.text(parts, frames);
                if !text.is_empty() {
                    out.push(VNode::Text { text });
                }
            }
            IrNode::Element(el) => {
                if let Some(t) = self.trace.as_deref_mut() {
                    t.path.push(out.len());
                }
                let e = self.element(el, frames);
                if let Some(t) = self.trace.as_deref_mut() {
                    t.path.pop();
                }
                out.push(VNode::Element(e));
            }
            IrNode::If(branches) => {
                for (cond, body) in branches {
                    let taken = match cond {
                        None => true,
                        Some(c) => crate::expr::truthy(&self.value(c, frames)),
                    };
                    if taken {
                        self.nodes(body, frames, out);
                        break;
                    }
                }
            }
            IrNode::For {
                id,
                list,
                item,
                index,
                key,
                body,
            } => {
                let start = out.len();
                let items = self.for_each(list, item, index, key.as_ref(), body, frames, out);
                // A page-level loop over a fixed path: remember where its rows went.
                if self.depth == 0 && self.t.loops.get(*id).is_some_and(Option::is_some) {
                    if let Some(t) = self.trace.as_deref_mut() {
                        t.runs.push(LoopRun {
                            id: *id,
                            parent: t.path.clone(),
                            start,
                            items: items.0,
                            one_node_each: items.1 && out.len() - start == items.0,
                        });
                    }
                }
            }
            IrNode::Call { is, data, scope } => self.call(is, data.as_ref(), *scope, frames, out),
            IrNode::Slot { name, fallback } => {
                let name = to_display(&self.value(name, frames));
                match self.slots.get(&name) {
                    Some(content) => out.extend(content.iter().cloned()),
                    None => self.nodes(fallback, frames, out),
                }
            }
        }
    }

    /// `a:for`: the body once per item, with the loop variables in scope.
    #[allow(clippy::too_many_arguments)]
    fn for_each<'a>(
        &mut self,
        list: &AttrValue,
        item: &str,
        index: &str,
        key: Option<&KeySpec>,
        body: &[IrNode],
        frames: &Frames<'a>,
        out: &mut Vec<VNode>,
    ) -> (usize, bool) {
        let list = self.value(list, frames);
        let entries: Vec<(Value, Val<'a>)> = match list {
            Some(Cow::Borrowed(Value::Array(a))) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i), Some(Cow::Borrowed(v))))
                .collect(),
            Some(Cow::Owned(Value::Array(a))) => a
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i), Some(Cow::Owned(v))))
                .collect(),
            Some(Cow::Borrowed(Value::Object(m))) => m
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), Some(Cow::Borrowed(v))))
                .collect(),
            Some(Cow::Owned(Value::Object(m))) => m
                .into_iter()
                .map(|(k, v)| (Value::String(k), Some(Cow::Owned(v))))
                .collect(),
            // A string iterates its characters, as `a:for="array"` (no braces) shows.
            Some(v) => match v.as_ref() {
                Value::String(s) => s
                    .chars()
                    .enumerate()
                    .map(|(i, c)| (Value::from(i), Some(Cow::Owned(Value::String(c.into())))))
                    .collect(),
                _ => vec![],
            },
            None => vec![],
        };
        let count = entries.len();
        let mut one_each = true;
        for (i, v) in entries {
            let before = out.len();
            self.for_item(item, index, key, body, frames, i, v, out);
            one_each &= out.len() - before == 1;
        }
        (count, one_each)
    }

    /// One item of `a:for`: the body with the loop variables bound, its nodes keyed.
    #[allow(clippy::too_many_arguments)]
    fn for_item<'a>(
        &mut self,
        item: &str,
        index: &str,
        key: Option<&KeySpec>,
        body: &[IrNode],
        frames: &Frames<'a>,
        i: Value,
        v: Val<'a>,
        out: &mut Vec<VNode>,
    ) {
        let mut inner = Frames {
            root: frames.root,
            vars: frames.vars.clone(),
        };
        inner.vars.push((item, v.clone()));
        inner.vars.push((index, Some(Cow::Owned(i))));
        let key = key.map(|k| match k {
            KeySpec::This => to_js_string(&v),
            KeySpec::Field(f) => {
                to_js_string(&get(v.clone(), &Some(Cow::Owned(Value::String(f.clone())))))
            }
            KeySpec::Expr(e) => to_js_string(&self.value(e, &inner)),
        });
        let start = out.len();
        self.nodes(body, &inner, out);
        if let Some(key) = key {
            let produced = out.len() - start;
            for (n, node) in out[start..].iter_mut().enumerate() {
                if let VNode::Element(e) = node {
                    // A `<block a:for>` may yield several nodes per item.
                    e.key = Some(if produced == 1 {
                        key.clone()
                    } else {
                        format!("{key}:{n}")
                    });
                }
            }
        }
    }

    /// `<template is data>`: the template's nodes against its own data.
    #[inline(never)]
    fn call<'a>(
        &mut self,
        is: &AttrValue,
        data: Option<&Expr>,
        scope: usize,
        frames: &Frames<'a>,
        out: &mut Vec<VNode>,
    ) {
        let name = to_display(&self.value(is, frames));
        let Some(&index) = self.t.scopes.get(scope).and_then(|s| s.get(name.trim())) else {
            return;
        };
        if self.depth >= MAX_TEMPLATE_DEPTH {
            return;
        }
        // A template sees only the data it is given.
        let data = match data {
            Some(d) => eval(d, frames, self.sjs).map_or(Value::Null, Cow::into_owned),
            None => Value::Object(Map::new()),
        };
        let inner = Frames {
            root: &data,
            vars: vec![],
        };
        let t = self.t;
        self.depth += 1;
        self.nodes(&t.templates[index].nodes, &inner, out);
        self.depth -= 1;
    }

    fn element<'a>(&mut self, el: &IrElement, frames: &Frames<'a>) -> VElement {
        let (attrs, events) = self.attrs(el, frames);
        let mut children = Vec::new();
        self.nodes(&el.children, frames, &mut children);
        VElement {
            tag: el.tag.clone(),
            attrs,
            events,
            key: None,
            children,
            owner: None,
            component: None,
        }
    }

    /// An element's evaluated attributes and event bindings.
    #[inline(never)]
    fn attrs<'a>(
        &mut self,
        el: &IrElement,
        frames: &Frames<'a>,
    ) -> (Vec<(String, Value)>, Vec<VEvent>) {
        let attrs = el
            .attrs
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    self.value(v, frames).map_or(Value::Null, Cow::into_owned),
                )
            })
            .collect();
        let events = el
            .events
            .iter()
            .map(|(event, catch, v)| VEvent {
                event: event.clone(),
                handler: to_display(&self.value(v, frames)),
                catch: *catch,
            })
            .collect();
        (attrs, events)
    }
}

/// The tree as compact HTML-like text, for tests, snapshots and debugging: string attributes
/// as `name="value"`, other values as `name={json}`, events as `on:tap="h"` / `catch:tap="h"`,
/// keys as `key="k"`; text escaped. Top-level nodes are separated by line breaks.
pub fn to_html(nodes: &[VNode]) -> String {
    let mut s = String::new();
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        write_node(n, &mut s);
    }
    s
}

fn write_node(n: &VNode, s: &mut String) {
    match n {
        VNode::Text { text } => s.push_str(&escape(text, false)),
        VNode::Element(e) => {
            s.push('<');
            s.push_str(&e.tag);
            if let Some(k) = &e.key {
                s.push_str(&format!(" key=\"{}\"", escape(k, true)));
            }
            for (name, v) in &e.attrs {
                match v {
                    Value::String(v) => s.push_str(&format!(" {name}=\"{}\"", escape(v, true))),
                    v => s.push_str(&format!(" {name}={{{v}}}")),
                }
            }
            for ev in &e.events {
                let kind = if ev.catch { "catch" } else { "on" };
                s.push_str(&format!(
                    " {kind}:{}=\"{}\"",
                    ev.event,
                    escape(&ev.handler, true)
                ));
            }
            s.push('>');
            for c in &e.children {
                write_node(c, s);
            }
            s.push_str(&format!("</{}>", e.tag));
        }
    }
}

fn escape(t: &str, attr: bool) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
