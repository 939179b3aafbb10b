//! Custom components on the render side: their definitions (what the logic layer says of each:
//! default `data` and `props`, and the `usingComponents` of its `.json`), their instances in a
//! page, and the page's tree with every component expanded.
//!
//! A page and each component instance render their own template against their own data. An
//! element whose tag the template's `usingComponents` names is a *host*: its attributes are the
//! component's props (evaluated in the parent's scope), its `onXxx` bindings are function props
//! (the logic layer calls the parent's method), and its children are the slot content, already
//! rendered in the parent's scope. The instance renders its template with that slot content
//! ([`axml::render_with`]), and the expanded tree puts that output as the host's children.
//!
//! Every element records the instance whose template made it ([`VElement::owner`]: its events
//! go to that instance's methods), and a component's own elements carry its scope class and
//! [`COMPONENT_CLASS`], which is how its ACSS stays inside it and the page's stays out.
//!
//! An instance is matched across renders by where its host is in the parent's output, its tag
//! and its `a:key`, which is what the tree diff keeps in place: the same host, the same
//! instance; otherwise the old instance is removed and a new one created.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use axml::sjs::SjsModules;
use axml::{
    render_traced, render_with, CompiledTemplate, Diagnostic, FileProvider, LoopRun, Slots, VEvent,
    VNode,
};
use serde::Serialize;
use serde_json::{Map, Value};

/// The class every element a component's template makes carries, besides its own scope class
/// (pages' styles are compiled with `:not(.a-comp)`, so they stay out of components).
pub const COMPONENT_CLASS: &str = "a-comp";

/// The attribute a host element carries in the DOM: the component's path.
pub const HOST_ATTRIBUTE: &str = "a-component";

/// How deep components may nest in components (a component may use itself, as a tree does);
/// deeper hosts render nothing.
pub const MAX_COMPONENT_DEPTH: usize = 32;

/// How many component instances a page may hold; hosts beyond render nothing.
pub const MAX_INSTANCES: usize = 20_000;

/// A page's or component's definition, as the logic layer gave it.
#[derive(Debug)]
pub struct Definition {
    /// The path without extension (`components/card/index`).
    pub path: String,
    /// The scope class of a component's elements and styles (`a-c1`, `a-c2`, … in order of
    /// definition).
    pub scope: String,
    /// A component's default `data` (an object).
    pub data: Value,
    /// A component's default `props` (JSON values; function defaults stay in the logic layer).
    pub props: Map<String, Value>,
    /// `usingComponents`: tag → component path, resolved.
    pub using: BTreeMap<String, String>,
    /// A component's compiled template (`<path>.axml`) and its SJS modules, or why they did
    /// not compile.
    template: Option<Result<(Rc<CompiledTemplate>, SjsModules), Diagnostic>>,
}

/// Every definition the logic layer sent, by path.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    defs: HashMap<String, Rc<Definition>>,
}

impl Registry {
    /// Defines the page or component at `path` (no extension) from the logic layer's JSON:
    /// `{ "component": bool, "data": {}, "props": {}, "using": { "tag": "path" } }`. A
    /// component's template is compiled now (an error shows when an instance is made). A path
    /// defined already keeps its first definition.
    pub fn define(
        &mut self,
        path: &str,
        def: &Value,
        files: &dyn FileProvider,
    ) -> Result<(), String> {
        let Some(obj) = def.as_object() else {
            return Err(format!("the definition of {path} is not an object"));
        };
        if self.defs.contains_key(path) {
            return Ok(());
        }
        let object = |name: &str| -> Result<Map<String, Value>, String> {
            match obj.get(name) {
                None | Some(Value::Null) => Ok(Map::new()),
                Some(Value::Object(m)) => Ok(m.clone()),
                Some(_) => Err(format!("`{name}` of {path} is not an object")),
            }
        };
        let mut using = BTreeMap::new();
        for (tag, target) in object("using")? {
            let Value::String(target) = target else {
                return Err(format!(
                    "usingComponents `{tag}` of {path} is not a path string"
                ));
            };
            using.insert(tag, target);
        }
        let component = obj.get("component").and_then(Value::as_bool) == Some(true);
        let template = component.then(|| -> Result<_, Diagnostic> {
            let t = axml::compile(&format!("{path}.axml"), files)?;
            let sjs = SjsModules::for_template(&t, files)?;
            Ok((Rc::new(t), sjs))
        });
        let def = Definition {
            path: path.to_string(),
            scope: format!("a-c{}", self.defs.len() + 1),
            data: Value::Object(object("data")?),
            props: object("props")?,
            using,
            template,
        };
        self.defs.insert(path.to_string(), Rc::new(def));
        Ok(())
    }

    /// The definition at `path`.
    pub fn get(&self, path: &str) -> Option<&Rc<Definition>> {
        self.defs.get(path)
    }
}

/// A component created, updated or removed by a render, for the logic layer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Lifecycle {
    /// New instances, parents before children.
    pub created: Vec<Created>,
    /// Instances whose props (attributes or `onXxx` bindings) changed.
    pub updated: Vec<Updated>,
    /// Instances gone (with the instances inside them), children before parents.
    pub removed: Vec<Removed>,
}

impl Lifecycle {
    /// Nothing happened.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }
}

/// A new instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Created {
    /// Its id in the page (1, 2, …; the page is 0).
    pub id: u32,
    /// The component's path.
    pub path: String,
    /// The instance whose template has its host (0: the page): whose methods `onXxx` props call.
    pub owner: u32,
    /// The host's attributes as given (`ref` and `slot` included).
    pub props: Map<String, Value>,
    /// The host's `onXxx`/`catchXxx` bindings: the parent's methods.
    pub events: Vec<VEvent>,
}

/// An instance whose props changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Updated {
    /// The instance.
    pub id: u32,
    /// The host's attributes now.
    pub props: Map<String, Value>,
    /// The host's bindings now.
    pub events: Vec<VEvent>,
}

/// A removed instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Removed {
    /// The instance.
    pub id: u32,
    /// The component's path.
    pub path: String,
}

/// A host in an instance's output.
#[derive(Debug)]
struct Child {
    /// Child indexes from the instance's output root.
    at: Vec<usize>,
    tag: String,
    key: Option<String>,
    id: u32,
}

#[derive(Debug)]
struct Instance {
    /// `None`: the page.
    def: Option<Rc<Definition>>,
    template: Rc<CompiledTemplate>,
    /// Its template's `<import-sjs>` modules.
    sjs: SjsModules,
    depth: usize,
    /// The instance's own data (the page's `data`; a component's `data`).
    data: Value,
    /// The host's attributes as given (a component).
    given: Map<String, Value>,
    events: Vec<VEvent>,
    slots: Slots,
    /// The last output of its template, hosts marked (their children: slot content).
    raw: Vec<VNode>,
    children: Vec<Child>,
}

/// A page's instances: the page (0) and its components.
#[derive(Debug)]
pub struct Tree {
    defs: Registry,
    page_using: BTreeMap<String, String>,
    instances: HashMap<u32, Instance>,
    next_id: u32,
    lifecycle: Lifecycle,
    /// Where the page's loops put their rows in its last render (pages without components).
    runs: Vec<LoopRun>,
}

/// The attributes a host passes that are not props for rendering: `slot` (where the host goes
/// in its own parent) and `ref` (the logic layer's).
const NOT_PROPS: [&str; 2] = ["slot", "ref"];

impl Tree {
    /// A page's tree: `template` rendered against `data`, the components it uses expanded.
    /// Returns the tree and the expanded nodes.
    pub fn open(
        route: &str,
        template: Rc<CompiledTemplate>,
        sjs: SjsModules,
        data: Value,
        defs: Registry,
    ) -> Result<(Tree, Vec<VNode>), Box<Diagnostic>> {
        let page_using = defs.get(route).map(|d| d.using.clone()).unwrap_or_default();
        let mut tree = Tree {
            defs,
            page_using,
            instances: HashMap::new(),
            next_id: 1,
            lifecycle: Lifecycle::default(),
            runs: vec![],
        };
        tree.instances.insert(
            0,
            Instance {
                def: None,
                template,
                sjs,
                depth: 0,
                data,
                given: Map::new(),
                events: vec![],
                slots: Slots::new(),
                raw: vec![],
                children: vec![],
            },
        );
        let nodes = tree.refresh(0)?;
        Ok((tree, nodes))
    }

    /// The page's data.
    pub fn data(&self) -> &Value {
        &self.instances[&0].data
    }

    /// The page's data, to change.
    pub fn data_mut(&mut self) -> &mut Value {
        &mut self.instances.get_mut(&0).expect("the page instance").data
    }

    /// A component instance's template and data, to change (`None` for an unknown id or the page).
    pub fn component_mut(&mut self, id: u32) -> Option<(&CompiledTemplate, &mut Value)> {
        if id == 0 {
            return None;
        }
        let inst = self.instances.get_mut(&id)?;
        Some((&inst.template, &mut inst.data))
    }

    /// The page's template.
    pub fn page_template(&self) -> &CompiledTemplate {
        &self.instances[&0].template
    }

    /// The page's template and data, with its SJS modules to render with.
    pub fn page_parts(&self) -> (&CompiledTemplate, &Value, SjsModules) {
        let page = &self.instances[&0];
        (&page.template, &page.data, page.sjs.clone())
    }

    /// Whether the page's `usingComponents` names any component.
    pub fn uses_components(&self) -> bool {
        !self.page_using.is_empty()
    }

    /// Where the page's loops put their rows in its last whole render (empty for a page that
    /// uses components: its tree is not the page's output alone).
    pub fn loop_runs(&self) -> &[LoopRun] {
        &self.runs
    }

    /// What happened to components since the last call.
    pub fn take_lifecycle(&mut self) -> Lifecycle {
        std::mem::take(&mut self.lifecycle)
    }

    /// Renders instance `id` again and returns the page's expanded tree.
    pub fn rerender(&mut self, id: u32) -> Result<Vec<VNode>, Box<Diagnostic>> {
        if id == 0 {
            return self.refresh(0);
        }
        self.render_instance(id)?;
        Ok(self.expand(0, 0))
    }

    /// Renders the page again and returns the expanded tree. With no components in play, the
    /// page's output is the tree (no copy kept).
    fn refresh(&mut self, id: u32) -> Result<Vec<VNode>, Box<Diagnostic>> {
        debug_assert_eq!(id, 0);
        if self.page_using.is_empty() {
            let inst = &self.instances[&0];
            let mut sjs = inst.sjs.clone();
            let (nodes, runs) = render_traced(&inst.template, &inst.data, &mut sjs);
            self.runs = runs;
            return Ok(nodes);
        }
        self.render_instance(0)?;
        Ok(self.expand(0, 0))
    }

    /// Renders instance `id`'s template, marks its elements and hosts, and brings its child
    /// instances up to date (created, updated, re-rendered, removed).
    fn render_instance(&mut self, id: u32) -> Result<(), Box<Diagnostic>> {
        let Some(mut inst) = self.instances.remove(&id) else {
            return Ok(());
        };
        let result = self.render_into(id, &mut inst);
        self.instances.insert(id, inst);
        result
    }

    fn render_into(&mut self, id: u32, inst: &mut Instance) -> Result<(), Box<Diagnostic>> {
        let mut sjs = inst.sjs.clone();
        let mut raw = match &inst.def {
            None => render_with(&inst.template, &inst.data, &mut sjs, &Slots::new()),
            Some(def) => {
                let mut data = merged(def, &inst.given, &inst.data, id);
                if let Value::Object(map) = &mut data {
                    map.insert("$slots".into(), slots_given(&inst.slots));
                }
                render_with(&inst.template, &data, &mut sjs, &inst.slots)
            }
        };
        let (scope, using) = match &inst.def {
            None => (None, &self.page_using),
            Some(def) => (Some(def.scope.as_str()), &def.using),
        };
        let using = using.clone();
        stamp(&mut raw, id, scope, &using);
        // Pass 1: every host this template made gets its instance (existing or new).
        let mut hosts = Vec::new();
        find_hosts(&mut raw, id, &using, &mut Vec::new(), &mut hosts);
        let mut old: Vec<Option<Child>> = std::mem::take(&mut inst.children)
            .into_iter()
            .map(Some)
            .collect();
        let mut jobs = Vec::new();
        let mut children = Vec::new();
        for host in hosts {
            let found = old.iter_mut().find(|c| {
                c.as_ref()
                    .is_some_and(|c| c.at == host.at && c.tag == host.tag && c.key == host.key)
            });
            let existing = found.and_then(Option::take).map(|c| c.id);
            let too_deep = inst.depth + 1 > MAX_COMPONENT_DEPTH;
            let too_many = existing.is_none() && self.instances.len() + jobs.len() >= MAX_INSTANCES;
            let Some(el) = element_at(&mut raw, &host.at) else {
                continue;
            };
            if too_deep || too_many {
                el.children.clear();
                el.attrs.clear();
                el.events.clear();
                continue;
            }
            let cid = existing.unwrap_or_else(|| {
                let n = self.next_id;
                self.next_id += 1;
                n
            });
            let given: Map<String, Value> = el.attrs.drain(..).collect();
            let events = std::mem::take(&mut el.events);
            el.attrs
                .push((HOST_ATTRIBUTE.to_string(), Value::String(host.path.clone())));
            el.component = Some(cid);
            children.push(Child {
                at: host.at.clone(),
                tag: host.tag.clone(),
                key: host.key.clone(),
                id: cid,
            });
            jobs.push((cid, existing.is_some(), host, given, events));
        }
        // Pass 2: each host's slot content (inner hosts marked now), taken from the last host
        // to the first, so that a host inside another's slot content (`<list><list-item>…`)
        // gives up its own children before the outer host takes them; then the instances, in
        // tree order.
        let mut slot_lists: Vec<Slots> = jobs
            .iter()
            .rev()
            .map(|(_, _, host, _, _)| {
                element_at(&mut raw, &host.at)
                    .map(|el| std::mem::take(&mut el.children))
                    .map(slots_of)
                    .unwrap_or_default()
            })
            .collect();
        slot_lists.reverse();
        for ((cid, existed, host, given, events), slots) in jobs.into_iter().zip(slot_lists) {
            if existed {
                self.update(cid, given, events, slots)?;
            } else {
                self.create(cid, id, inst.depth + 1, &host.path, given, events, slots)?;
            }
        }
        for child in old.into_iter().flatten() {
            self.remove(child.id);
        }
        inst.raw = raw;
        inst.children = children;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn create(
        &mut self,
        id: u32,
        owner: u32,
        depth: usize,
        path: &str,
        given: Map<String, Value>,
        events: Vec<VEvent>,
        slots: Slots,
    ) -> Result<(), Box<Diagnostic>> {
        let Some(def) = self.defs.get(path).cloned() else {
            // The logic layer defines every component a page's closure uses; a path it did not
            // is a component whose definition failed there (and was reported there).
            return Ok(());
        };
        let (template, sjs) = match &def.template {
            Some(Ok((t, sjs))) => (t.clone(), sjs.clone()),
            Some(Err(d)) => return Err(Box::new(d.clone())),
            None => return Ok(()),
        };
        self.lifecycle.created.push(Created {
            id,
            path: def.path.clone(),
            owner,
            props: given.clone(),
            events: events.clone(),
        });
        self.instances.insert(
            id,
            Instance {
                data: def.data.clone(),
                def: Some(def),
                template,
                sjs,
                depth,
                given,
                events,
                slots,
                raw: vec![],
                children: vec![],
            },
        );
        self.render_instance(id)
    }

    fn update(
        &mut self,
        id: u32,
        given: Map<String, Value>,
        events: Vec<VEvent>,
        slots: Slots,
    ) -> Result<(), Box<Diagnostic>> {
        let Some(inst) = self.instances.get_mut(&id) else {
            return Ok(());
        };
        let props_changed = inst.given != given || inst.events != events;
        if !props_changed && inst.slots == slots {
            return Ok(());
        }
        if props_changed {
            self.lifecycle.updated.push(Updated {
                id,
                props: given.clone(),
                events: events.clone(),
            });
        }
        inst.given = given;
        inst.events = events;
        inst.slots = slots;
        self.render_instance(id)
    }

    fn remove(&mut self, id: u32) {
        let Some(inst) = self.instances.remove(&id) else {
            return;
        };
        for child in inst.children {
            self.remove(child.id);
        }
        if let Some(def) = inst.def {
            self.lifecycle.removed.push(Removed {
                id,
                path: def.path.clone(),
            });
        }
    }

    /// Instance `id`'s output with every host's children replaced by its instance's output.
    fn expand(&self, id: u32, depth: usize) -> Vec<VNode> {
        let Some(inst) = self.instances.get(&id) else {
            return vec![];
        };
        let mut out = inst.raw.clone();
        self.fill(&mut out, depth);
        out
    }

    fn fill(&self, nodes: &mut [VNode], depth: usize) {
        for node in nodes {
            if let VNode::Element(e) = node {
                match e.component {
                    Some(cid) if depth < MAX_COMPONENT_DEPTH => {
                        e.children = self.expand(cid, depth + 1);
                    }
                    Some(_) => e.children.clear(),
                    None => self.fill(&mut e.children, depth),
                }
            }
        }
    }
}

/// What a component's template sees: its props (defaults, then the host's attributes), its
/// data over them, and `$id`.
fn merged(def: &Definition, given: &Map<String, Value>, data: &Value, id: u32) -> Value {
    let mut out = def.props.clone();
    for (k, v) in given {
        if !NOT_PROPS.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    if let Value::Object(d) = data {
        for (k, v) in d {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert("$id".into(), Value::from(id));
    Value::Object(out)
}

/// Marks the elements instance `id`'s template made (those not marked yet: slot content came
/// marked by its own template): owner, and for a component, its scope class and `a-comp`.
/// A host gets no class: its attributes are the component's props.
fn stamp(nodes: &mut [VNode], id: u32, scope: Option<&str>, using: &BTreeMap<String, String>) {
    for node in nodes {
        let VNode::Element(e) = node else { continue };
        if e.owner.is_some() {
            continue;
        }
        e.owner = Some(id);
        if let Some(scope) = scope.filter(|_| !using.contains_key(&e.tag)) {
            let extra = format!("{scope} {COMPONENT_CLASS}");
            match e.attrs.iter_mut().find(|(n, _)| n == "class") {
                Some((_, v)) => {
                    let text = match &*v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    *v = Value::String(if text.trim().is_empty() {
                        extra
                    } else {
                        format!("{text} {extra}")
                    });
                }
                None => e.attrs.push(("class".into(), Value::String(extra))),
            }
        }
        stamp(&mut e.children, id, scope, using);
    }
}

struct Host {
    at: Vec<usize>,
    tag: String,
    key: Option<String>,
    path: String,
}

/// The hosts among the elements this template made (marked by `stamp` in this pass: not inside
/// slot content from a parent, which has hosts of its own instances already), in tree order.
fn find_hosts(
    nodes: &mut [VNode],
    id: u32,
    using: &BTreeMap<String, String>,
    at: &mut Vec<usize>,
    out: &mut Vec<Host>,
) {
    for (i, node) in nodes.iter_mut().enumerate() {
        let VNode::Element(e) = node else { continue };
        if e.owner != Some(id) || e.component.is_some() {
            continue; // slot content from a parent: its hosts are the parent's instances
        }
        at.push(i);
        if let Some(path) = using.get(&e.tag) {
            out.push(Host {
                at: at.clone(),
                tag: e.tag.clone(),
                key: e.key.clone(),
                path: path.clone(),
            });
        }
        find_hosts(&mut e.children, id, using, at, out);
        at.pop();
    }
}

fn element_at<'a>(nodes: &'a mut [VNode], at: &[usize]) -> Option<&'a mut axml::VElement> {
    let (first, rest) = at.split_first()?;
    let VNode::Element(e) = nodes.get_mut(*first)? else {
        return None;
    };
    if rest.is_empty() {
        Some(e)
    } else {
        element_at(&mut e.children, rest)
    }
}

/// `$slots` in a component's template: `true` under the name of each slot its host fills
/// (`$default` for the default slot), as Alipay's component2 gives it (`a:if="{{$slots.header}}"`).
/// Content that is only whitespace fills nothing.
fn slots_given(slots: &Slots) -> Value {
    let filled = slots.iter().filter(|(_, content)| {
        content.iter().any(|n| match n {
            VNode::Element(_) => true,
            VNode::Text { text, .. } => !text.trim().is_empty(),
        })
    });
    Value::Object(
        filled
            .map(|(name, _)| {
                let key = if name.is_empty() {
                    "$default"
                } else {
                    name.as_str()
                };
                (key.to_string(), Value::Bool(true))
            })
            .collect(),
    )
}

fn slots_of(children: Vec<VNode>) -> Slots {
    let host = axml::VElement {
        tag: String::new(),
        attrs: vec![],
        events: vec![],
        key: None,
        children,
        owner: None,
        component: None,
    };
    host.slots()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{PageView, Patch};
    use axml::{to_html, MemoryFiles};
    use serde_json::json;

    fn files(list: &[(&str, &str)]) -> MemoryFiles {
        let mut files = MemoryFiles::new();
        for (path, text) in list {
            files.insert(path, *text);
        }
        files
    }

    fn registry(files: &MemoryFiles, defs: &[(&str, Value)]) -> Registry {
        let mut r = Registry::default();
        for (path, def) in defs {
            r.define(path, def, files).unwrap();
        }
        r
    }

    fn page(files: &MemoryFiles, defs: Registry, data: Value) -> PageView {
        PageView::open_with("pages/p/p.axml", files, data, defs).unwrap()
    }

    #[test]
    fn props_defaults_data_and_id_render_with_scope_classes_and_owners() {
        let f = files(&[
            (
                "pages/p/p.axml",
                r#"<view class="top"><card title="{{t}}" onPick="picked" ref="keep"/></view>"#,
            ),
            (
                "c/card.axml",
                r#"<view class="card" onTap="tap">{{title}} {{size}} {{n}} {{$id}}</view>"#,
            ),
        ]);
        let defs = registry(
            &f,
            &[
                ("pages/p/p", json!({ "using": { "card": "c/card" } })),
                (
                    "c/card",
                    json!({ "component": true, "data": { "n": 1 }, "props": { "size": "m", "title": "none" } }),
                ),
            ],
        );
        let mut v = page(&f, defs, json!({ "t": "Hello" }));
        assert_eq!(
            to_html(v.tree()),
            r#"<view class="top"><card a-component="c/card"><view class="card a-c2 a-comp" on:tap="tap">Hello m 1 1</view></card></view>"#
        );
        let VNode::Element(top) = &v.tree()[0] else {
            panic!()
        };
        let VNode::Element(host) = &top.children[0] else {
            panic!()
        };
        assert_eq!((host.owner, host.component), (Some(0), Some(1)));
        let VNode::Element(inner) = &host.children[0] else {
            panic!()
        };
        assert_eq!(inner.owner, Some(1));
        let life = v.take_lifecycle();
        assert_eq!(life.created.len(), 1);
        let c = &life.created[0];
        assert_eq!((c.id, c.owner, c.path.as_str()), (1, 0, "c/card"));
        assert_eq!(
            c.props,
            json!({ "title": "Hello", "ref": "keep" })
                .as_object()
                .unwrap()
                .clone()
        );
        assert_eq!(c.events[0].event, "pick");
        assert_eq!(c.events[0].handler, "picked");
        // The JSON the render side gets: owner only for a component's elements.
        let json = serde_json::to_value(v.tree()).unwrap();
        assert_eq!(json[0].get("owner"), None);
        assert_eq!(json[0]["children"][0]["component"], 1);
        assert_eq!(json[0]["children"][0]["children"][0]["owner"], 1);
    }

    #[test]
    fn parent_data_updates_props_and_a_component_updates_its_own_data() {
        let f = files(&[
            (
                "pages/p/p.axml",
                r#"<card title="{{t}}"/><text>{{other}}</text>"#,
            ),
            ("c/card.axml", r#"<view>{{title}}: {{count}}</view>"#),
        ]);
        let defs = registry(
            &f,
            &[
                ("pages/p/p", json!({ "using": { "card": "c/card" } })),
                (
                    "c/card",
                    json!({ "component": true, "data": { "count": 0 } }),
                ),
            ],
        );
        let mut v = page(&f, defs, json!({ "t": "a", "other": 1 }));
        v.take_lifecycle();
        let u = v.set_data(vec![("t".into(), json!("b"))]).unwrap();
        assert_eq!(
            u.patches,
            vec![Patch::Text {
                path: vec![0, 0, 0],
                text: "b: 0".into()
            }]
        );
        let life = v.take_lifecycle();
        assert_eq!(life.updated.len(), 1);
        assert_eq!(life.updated[0].props["title"], "b");
        // A page change no prop reads: the component is not updated.
        v.set_data(vec![("other".into(), json!(2))]).unwrap();
        assert!(v.take_lifecycle().is_empty());
        // The component's own setData.
        let u = v
            .set_component_data(1, vec![("count".into(), json!(5))])
            .unwrap();
        assert_eq!(
            u.patches,
            vec![Patch::Text {
                path: vec![0, 0, 0],
                text: "b: 5".into()
            }]
        );
        // A key its template does not read: no render.
        let u = v
            .set_component_data(1, vec![("unused".into(), json!(1))])
            .unwrap();
        assert!(!u.rendered);
        assert!(matches!(
            v.set_component_data(9, vec![("count".into(), json!(1))]),
            Err(crate::view::SetDataError::NoInstance(9))
        ));
    }

    #[test]
    fn a_host_inside_another_hosts_slot_keeps_its_own_slot_content_and_slots_says_what_is_filled() {
        // mini-ali-ui: `<list><view slot="header">…</view><list-item>text</list-item></list>`,
        // list's template testing `$slots.header`.
        let f = files(&[
            (
                "pages/p/p.axml",
                r#"<list><view slot="header">H</view><block a:for="{{rows}}"><item><text>{{item}}</text></item></block></list><list/>"#,
            ),
            (
                "c/list.axml",
                r#"<view a:if="{{$slots.header}}" class="h"><slot name="header"/></view><slot/><text a:if="{{$slots.$default}}">has rows</text>"#,
            ),
            ("c/item.axml", r#"<view class="i"><slot/></view>"#),
        ]);
        let defs = registry(
            &f,
            &[
                (
                    "pages/p/p",
                    json!({ "using": { "list": "c/list", "item": "c/item" } }),
                ),
                ("c/list", json!({ "component": true })),
                ("c/item", json!({ "component": true })),
            ],
        );
        let v = page(&f, defs, json!({ "rows": ["x", "y"] }));
        assert_eq!(
            to_html(v.tree()),
            concat!(
                r#"<list a-component="c/list"><view class="h a-c2 a-comp"><view slot="header">H</view></view>"#,
                r#"<item a-component="c/item"><view class="i a-c3 a-comp"><text>x</text></view></item>"#,
                r#"<item a-component="c/item"><view class="i a-c3 a-comp"><text>y</text></view></item>"#,
                r#"<text class="a-c2 a-comp">has rows</text></list>"#,
                "\n",
                r#"<list a-component="c/list"></list>"#
            )
        );
    }

    #[test]
    fn slots_default_named_fallback_in_the_parents_scope() {
        let f = files(&[
            (
                "pages/p/p.axml",
                r#"<panel><view slot="head" onTap="h">{{title}}</view><text>{{body}}</text></panel><panel/>"#,
            ),
            (
                "c/panel.axml",
                r#"<view class="head"><slot name="head">no head</slot></view><view class="body"><slot><text>empty</text></slot></view>"#,
            ),
        ]);
        let defs = registry(
            &f,
            &[
                ("pages/p/p", json!({ "using": { "panel": "c/panel" } })),
                (
                    "c/panel",
                    json!({ "component": true, "data": { "title": "not this" } }),
                ),
            ],
        );
        let mut v = page(&f, defs, json!({ "title": "T", "body": "B" }));
        assert_eq!(
            to_html(v.tree()),
            concat!(
                r#"<panel a-component="c/panel"><view class="head a-c2 a-comp"><view slot="head" on:tap="h">T</view></view><view class="body a-c2 a-comp"><text>B</text></view></panel>"#,
                "\n",
                r#"<panel a-component="c/panel"><view class="head a-c2 a-comp">no head</view><view class="body a-c2 a-comp"><text class="a-c2 a-comp">empty</text></view></panel>"#
            )
        );
        // Slotted content is the page's: its events go to the page, its data is the page's.
        let VNode::Element(host) = &v.tree()[0] else {
            panic!()
        };
        let VNode::Element(head) = &host.children[0] else {
            panic!()
        };
        let VNode::Element(slotted) = &head.children[0] else {
            panic!()
        };
        assert_eq!(slotted.owner, Some(0));
        let u = v.set_data(vec![("body".into(), json!("B2"))]).unwrap();
        assert_eq!(
            u.patches,
            vec![Patch::Text {
                path: vec![0, 1, 0, 0],
                text: "B2".into()
            }]
        );
        // Slot content changed, props did not: no `updated` for the logic layer.
        assert!(v.take_lifecycle().updated.is_empty());
    }

    #[test]
    fn components_in_a_for_and_nested_are_created_and_removed() {
        let f = files(&[
            (
                "pages/p/p.axml",
                r#"<row a:for="{{rows}}" a:key="id" name="{{item.name}}"/>"#,
            ),
            (
                "c/row.axml",
                r#"<view>{{name}}<badge n="{{name.length}}"/></view>"#,
            ),
            ("c/badge.axml", r#"<text>{{n}}</text>"#),
        ]);
        let defs = registry(
            &f,
            &[
                ("pages/p/p", json!({ "using": { "row": "c/row" } })),
                (
                    "c/row",
                    json!({ "component": true, "using": { "badge": "c/badge" } }),
                ),
                ("c/badge", json!({ "component": true })),
            ],
        );
        let mut v = page(
            &f,
            defs,
            json!({ "rows": [{ "id": 1, "name": "ab" }, { "id": 2, "name": "cde" }] }),
        );
        assert_eq!(
            to_html(v.tree()),
            concat!(
                r#"<row key="1" a-component="c/row"><view class="a-c2 a-comp">ab<badge a-component="c/badge"><text class="a-c3 a-comp">2</text></badge></view></row>"#,
                "\n",
                r#"<row key="2" a-component="c/row"><view class="a-c2 a-comp">cde<badge a-component="c/badge"><text class="a-c3 a-comp">3</text></badge></view></row>"#
            )
        );
        let life = v.take_lifecycle();
        let created: Vec<(u32, u32)> = life.created.iter().map(|c| (c.id, c.owner)).collect();
        // Parents before children (ids are given to siblings first).
        assert_eq!(created, [(1, 0), (3, 1), (2, 0), (4, 2)]);
        // A row's name changes: that row and its badge update, nothing else.
        v.set_data(vec![("rows[1].name".into(), json!("xy"))])
            .unwrap();
        let life = v.take_lifecycle();
        let updated: Vec<u32> = life.updated.iter().map(|u| u.id).collect();
        assert_eq!(updated, [2, 4]);
        // The list shrinks: the second row and its badge go, badge first.
        v.set_data(vec![("rows".into(), json!([{ "id": 1, "name": "ab" }]))])
            .unwrap();
        let removed: Vec<u32> = v.take_lifecycle().removed.iter().map(|r| r.id).collect();
        assert_eq!(removed, [4, 2]);
        assert_eq!(v.tree().len(), 1);
    }

    #[test]
    fn a_component_in_slot_content_belongs_to_the_page() {
        let f = files(&[
            ("pages/p/p.axml", r#"<list><item label="{{a}}"/></list>"#),
            ("c/list.axml", r#"<view class="list"><slot/></view>"#),
            ("c/item.axml", r#"<text>{{label}}</text>"#),
        ]);
        let defs = registry(
            &f,
            &[
                (
                    "pages/p/p",
                    json!({ "using": { "list": "c/list", "item": "c/item" } }),
                ),
                ("c/list", json!({ "component": true })),
                ("c/item", json!({ "component": true })),
            ],
        );
        let mut v = page(&f, defs, json!({ "a": "one" }));
        assert_eq!(
            to_html(v.tree()),
            r#"<list a-component="c/list"><view class="list a-c2 a-comp"><item a-component="c/item"><text class="a-c3 a-comp">one</text></item></view></list>"#
        );
        let owners: Vec<(u32, u32)> = v
            .take_lifecycle()
            .created
            .iter()
            .map(|c| (c.id, c.owner))
            .collect();
        assert_eq!(owners, [(1, 0), (2, 0)]);
        let u = v.set_data(vec![("a".into(), json!("two"))]).unwrap();
        assert_eq!(
            u.patches,
            vec![Patch::Text {
                path: vec![0, 0, 0, 0, 0],
                text: "two".into()
            }]
        );
    }

    #[test]
    fn a_component_that_does_not_compile_is_a_diagnostic_naming_its_file() {
        let f = files(&[
            ("pages/p/p.axml", r#"<card/>"#),
            ("c/card.axml", "<view>\n  {{ a + }}\n</view>"),
        ]);
        let defs = registry(
            &f,
            &[
                ("pages/p/p", json!({ "using": { "card": "c/card" } })),
                ("c/card", json!({ "component": true })),
            ],
        );
        let err = PageView::open_with("pages/p/p.axml", &f, json!({}), defs).unwrap_err();
        assert_eq!((&*err.span.file, err.span.line), ("c/card.axml", 2));
    }

    #[test]
    fn a_component_using_itself_stops_at_the_depth_limit() {
        let f = files(&[
            ("pages/p/p.axml", r#"<node/>"#),
            ("c/node.axml", r#"<view><node/></view>"#),
        ]);
        let defs = registry(
            &f,
            &[
                ("pages/p/p", json!({ "using": { "node": "c/node" } })),
                (
                    "c/node",
                    json!({ "component": true, "using": { "node": "c/node" } }),
                ),
            ],
        );
        let mut v = page(&f, defs, json!({}));
        assert_eq!(v.take_lifecycle().created.len(), MAX_COMPONENT_DEPTH);
    }

    #[test]
    fn hostile_shapes_neither_panic_nor_grow_without_bound() {
        // More instances than the cap: the rest render as empty hosts.
        let f = files(&[
            ("pages/p/p.axml", r#"<c a:for="{{n}}" v="{{item}}"/>"#),
            ("c/c.axml", r#"<slot/><slot/><text>{{v}}</text>"#),
            ("c/undefined-user.axml", r#"<ghost/>"#),
        ]);
        let defs = registry(
            &f,
            &[
                ("pages/p/p", json!({ "using": { "c": "c/c" } })),
                ("c/c", json!({ "component": true, "props": { "v": null } })),
            ],
        );
        let n: Vec<u32> = (0..(MAX_INSTANCES as u32 + 50)).collect();
        let mut v = page(&f, defs, json!({ "n": n }));
        assert_eq!(v.take_lifecycle().created.len(), MAX_INSTANCES);
        // Shrinking removes them all but one; growing again is capped again.
        v.set_data(vec![("n".into(), json!([1]))]).unwrap();
        assert_eq!(v.take_lifecycle().removed.len(), MAX_INSTANCES - 1);
        // A tag naming a component nobody defined renders an empty host.
        let f = files(&[("pages/p/p.axml", r#"<ghost>x</ghost>"#)]);
        let defs = registry(
            &f,
            &[("pages/p/p", json!({ "using": { "ghost": "c/none" } }))],
        );
        let mut v = page(&f, defs, json!({}));
        assert_eq!(to_html(v.tree()), r#"<ghost a-component="c/none"></ghost>"#);
        assert!(v.take_lifecycle().is_empty());
        // Hostile setData keys on a component refuse without applying.
        assert!(v
            .set_component_data(1, vec![("a[".into(), json!(1))])
            .is_err());
    }

    #[test]
    fn sjs_modules_run_at_render_time_in_pages_and_components() {
        let f = files(&[
            (
                "pages/p/p.axml",
                r#"<import-sjs from="./fmt.sjs" name="fmt"/><text>{{fmt.money(total)}}</text><tag label="{{fmt.upper(name)}}"/>"#,
            ),
            ("pages/p/fmt.sjs", "export default { money: (c) => `$${(c / 100).toFixed(2)}`, upper: (s) => s.toUpperCase() };"),
            ("c/tag.axml", r#"<import-sjs from="/c/len.sjs" name="m"/><text>{{label}}:{{m.len(label)}}</text>"#),
            ("c/len.sjs", "function len(s) { return s.length; }\nmodule.exports = { len };"),
        ]);
        let defs = registry(
            &f,
            &[
                ("pages/p/p", json!({ "using": { "tag": "c/tag" } })),
                ("c/tag", json!({ "component": true })),
            ],
        );
        let mut v = page(&f, defs, json!({ "total": 1250, "name": "tea" }));
        assert_eq!(
            to_html(v.tree()),
            r#"<text>$12.50</text>
<tag a-component="c/tag"><text class="a-c2 a-comp">TEA:3</text></tag>"#
        );
        let u = v.set_data(vec![("total".into(), json!(5))]).unwrap();
        assert_eq!(
            u.patches,
            vec![Patch::Text {
                path: vec![0, 0],
                text: "$0.05".into()
            }]
        );
        // An SJS module that does not parse: a diagnostic naming it, when the component is used.
        let f2 = files(&[
            ("pages/q/q.axml", "<bad/>"),
            (
                "c/bad.axml",
                r#"<import-sjs from="./bad.sjs" name="m"/><view/>"#,
            ),
            ("c/bad.sjs", "export default {"),
        ]);
        let defs = registry(
            &f2,
            &[
                ("pages/q/q", json!({ "using": { "bad": "c/bad" } })),
                ("c/bad", json!({ "component": true })),
            ],
        );
        let err = PageView::open_with("pages/q/q.axml", &f2, json!({}), defs).unwrap_err();
        assert_eq!(&*err.span.file, "c/bad.sjs");
    }

    #[test]
    fn bad_definitions_are_refused_with_the_reason() {
        let f = files(&[]);
        let mut r = Registry::default();
        assert!(r
            .define("x", &json!([]), &f)
            .unwrap_err()
            .contains("not an object"));
        assert!(r
            .define("x", &json!({ "using": { "a": 1 } }), &f)
            .unwrap_err()
            .contains("usingComponents `a`"));
        assert!(r
            .define("x", &json!({ "data": "no" }), &f)
            .unwrap_err()
            .contains("`data`"));
    }
}
