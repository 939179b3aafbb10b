//! A page's view: its compiled template, the data the render side holds, the last rendered
//! tree, and the patches that bring the DOM from one tree to the next.
//!
//! `setData` applies its keys, asks [`CompiledTemplate::affected_by`] whether any binding reads
//! them, and only then renders and diffs: a key no binding reads costs neither a render nor a
//! DOM touch, and a key that one binding reads changes only the DOM nodes whose output changed.

use std::rc::Rc;

use axml::sjs::SjsModules;
use axml::{Diagnostic, FileProvider, VEvent, VNode};
use serde::Serialize;
use serde_json::Value;

use crate::components::{Lifecycle, Registry, Tree};
use crate::path::{self, PathError};

/// One change to the DOM. `path` is the child indexes from the page's root element to the
/// node (each element's DOM children are exactly its virtual children).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Patch {
    /// A text node's text.
    Text {
        /// The text node.
        path: Vec<usize>,
        /// Its new text.
        text: String,
    },
    /// Attributes set (new or changed) and removed.
    Attrs {
        /// The element.
        path: Vec<usize>,
        /// `[name, value]` to set.
        set: Vec<(String, Value)>,
        /// Names to remove.
        remove: Vec<String>,
    },
    /// The element's event bindings, all of them.
    Events {
        /// The element.
        path: Vec<usize>,
        /// The new bindings.
        events: Vec<VEvent>,
    },
    /// The node replaced by a new one (another tag, another key, text ↔ element).
    Replace {
        /// The node.
        path: Vec<usize>,
        /// What replaces it.
        node: VNode,
    },
    /// A node inserted into the element at `path` at `index`.
    Insert {
        /// The parent.
        path: Vec<usize>,
        /// Where among its children.
        index: usize,
        /// The node.
        node: VNode,
    },
    /// The child at `index` of the element at `path` removed (emitted from the last index down).
    Remove {
        /// The parent.
        path: Vec<usize>,
        /// Which child.
        index: usize,
    },
}

/// What one `setData` did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Update {
    /// False when no binding reads any of the keys: no render, no patches.
    pub rendered: bool,
    /// The DOM changes, in order.
    pub patches: Vec<Patch>,
}

/// A page's template, data, components and current tree.
#[derive(Debug)]
pub struct PageView {
    components: Tree,
    tree: Vec<VNode>,
}

/// Why a `setData` was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SetDataError {
    /// A bad key: nothing was applied.
    #[error(transparent)]
    Path(#[from] PathError),
    /// No such component instance in this page (it was removed).
    #[error("no component instance {0} in this page")]
    NoInstance(u32),
    /// A component the update created does not compile.
    #[error("{0}")]
    Compile(Box<Diagnostic>),
}

impl PageView {
    /// Compiles `axml_path` and renders it against `data` (an object; anything else counts as
    /// `{}`), with no custom components.
    pub fn open(
        axml_path: &str,
        files: &dyn FileProvider,
        data: Value,
    ) -> Result<PageView, Box<Diagnostic>> {
        PageView::open_with(axml_path, files, data, Registry::default())
    }

    /// As [`PageView::open`], with the components `defs` defines (the page's own definition,
    /// at its path without `.axml`, names the ones it uses).
    pub fn open_with(
        axml_path: &str,
        files: &dyn FileProvider,
        data: Value,
        defs: Registry,
    ) -> Result<PageView, Box<Diagnostic>> {
        let template = axml::compile(axml_path, files).map_err(Box::new)?;
        let data = if data.is_object() {
            data
        } else {
            Value::Object(Default::default())
        };
        let route = axml_path.strip_suffix(".axml").unwrap_or(axml_path);
        let sjs = SjsModules::for_template(&template, files).map_err(Box::new)?;
        let (components, tree) = Tree::open(route, Rc::new(template), sjs, data, defs)?;
        Ok(PageView { components, tree })
    }

    /// The current tree.
    pub fn tree(&self) -> &[VNode] {
        &self.tree
    }

    /// The data as the render side holds it.
    pub fn data(&self) -> &Value {
        self.components.data()
    }

    /// Components created, updated and removed since the last call, for the logic layer.
    pub fn take_lifecycle(&mut self) -> Lifecycle {
        self.components.take_lifecycle()
    }

    /// Applies `changes` (`[key, value]` in order) and returns the patches. A bad key refuses
    /// the whole call before anything is applied.
    pub fn set_data(&mut self, changes: Vec<(String, Value)>) -> Result<Update, SetDataError> {
        for (key, _) in &changes {
            path::parse(key)?;
        }
        // Each key one row of a page-level list that nothing else reads: those rows alone.
        let rows: Option<Vec<(usize, usize)>> = if self.components.uses_components() {
            None
        } else {
            let t = self.components.page_template();
            changes.iter().map(|(k, _)| t.row_of(k)).collect()
        };
        let mut affected = false;
        for (key, value) in changes {
            affected = affected || !self.components.page_template().affected_by(&key).is_empty();
            path::apply(self.components.data_mut(), &key, value)?;
        }
        if let Some(update) = rows.and_then(|rows| self.update_rows(&rows)) {
            return Ok(update);
        }
        if !affected {
            return Ok(Update {
                rendered: false,
                patches: Vec::new(),
            });
        }
        // A component first used now may not compile: its diagnostic is the answer.
        let tree = self.components.rerender(0).map_err(SetDataError::Compile)?;
        Ok(self.replace_tree(tree))
    }

    /// `setData` of component instance `id` (keys relative to its `data`).
    pub fn set_component_data(
        &mut self,
        id: u32,
        changes: Vec<(String, Value)>,
    ) -> Result<Update, SetDataError> {
        for (key, _) in &changes {
            path::parse(key)?;
        }
        let (template, data) = self
            .components
            .component_mut(id)
            .ok_or(SetDataError::NoInstance(id))?;
        let mut affected = false;
        for (key, value) in changes {
            affected = affected || !template.affected_by(&key).is_empty();
            path::apply(data, &key, value)?;
        }
        if !affected {
            return Ok(Update {
                rendered: false,
                patches: Vec::new(),
            });
        }
        let tree = self
            .components
            .rerender(id)
            .map_err(SetDataError::Compile)?;
        Ok(self.replace_tree(tree))
    }

    /// Re-renders rows `(loop, index)` alone and patches them, when the last whole
    /// render put each of those loops' rows one node per item and the rows exist; `None`
    /// (nothing changed) otherwise.
    fn update_rows(&mut self, rows: &[(usize, usize)]) -> Option<Update> {
        let (template, data, mut sjs) = self.components.page_parts();
        let mut fresh = Vec::new();
        for &(id, index) in rows {
            let run = self.components.loop_runs().iter().find(|r| r.id == id)?;
            if !run.one_node_each || index >= run.items {
                return None;
            }
            let mut nodes = axml::render_loop_item(template, data, &mut sjs, id, index)?;
            if nodes.len() != 1 {
                return None;
            }
            let mut at = run.parent.clone();
            at.push(run.start + index);
            node_at(&mut self.tree, &at)?;
            fresh.push((at, nodes.pop()?));
        }
        let mut patches = Vec::new();
        for (mut at, node) in fresh {
            let old = node_at(&mut self.tree, &at)?;
            diff_node(old, &node, &mut at, &mut patches);
            *old = node;
        }
        Some(Update {
            rendered: true,
            patches,
        })
    }

    fn replace_tree(&mut self, tree: Vec<VNode>) -> Update {
        let mut patches = Vec::new();
        diff_children(&self.tree, &tree, &mut Vec::new(), &mut patches);
        self.tree = tree;
        Update {
            rendered: true,
            patches,
        }
    }
}

fn node_at<'a>(nodes: &'a mut [VNode], at: &[usize]) -> Option<&'a mut VNode> {
    let (first, rest) = at.split_first()?;
    let node = nodes.get_mut(*first)?;
    if rest.is_empty() {
        return Some(node);
    }
    match node {
        VNode::Element(e) => node_at(&mut e.children, rest),
        VNode::Text { .. } => None,
    }
}

/// The patches from `old` to `new`, the children of the element at `path`.
pub fn diff_children(old: &[VNode], new: &[VNode], path: &mut Vec<usize>, out: &mut Vec<Patch>) {
    let common = old.len().min(new.len());
    for i in 0..common {
        path.push(i);
        diff_node(&old[i], &new[i], path, out);
        path.pop();
    }
    for (i, node) in new.iter().enumerate().skip(common) {
        out.push(Patch::Insert {
            path: path.clone(),
            index: i,
            node: node.clone(),
        });
    }
    for i in (common..old.len()).rev() {
        out.push(Patch::Remove {
            path: path.clone(),
            index: i,
        });
    }
}

fn diff_node(old: &VNode, new: &VNode, path: &mut Vec<usize>, out: &mut Vec<Patch>) {
    match (old, new) {
        (VNode::Text { text: a }, VNode::Text { text: b }) => {
            if a != b {
                out.push(Patch::Text {
                    path: path.clone(),
                    text: b.clone(),
                });
            }
        }
        (VNode::Element(a), VNode::Element(b))
            if a.tag == b.tag
                && a.key == b.key
                && a.owner == b.owner
                && a.component == b.component =>
        {
            let set: Vec<(String, Value)> = b
                .attrs
                .iter()
                .filter(|(name, value)| a.attr(name) != Some(value))
                .cloned()
                .collect();
            let remove: Vec<String> = a
                .attrs
                .iter()
                .filter(|(name, _)| b.attr(name).is_none())
                .map(|(name, _)| name.clone())
                .collect();
            if !set.is_empty() || !remove.is_empty() {
                out.push(Patch::Attrs {
                    path: path.clone(),
                    set,
                    remove,
                });
            }
            if a.events != b.events {
                out.push(Patch::Events {
                    path: path.clone(),
                    events: b.events.clone(),
                });
            }
            diff_children(&a.children, &b.children, path, out);
        }
        _ => out.push(Patch::Replace {
            path: path.clone(),
            node: new.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axml::MemoryFiles;
    use serde_json::json;

    fn view(axml: &str, data: Value) -> PageView {
        let mut files = MemoryFiles::new();
        files.insert("pages/p/p.axml", axml);
        PageView::open("pages/p/p.axml", &files, data).unwrap()
    }

    #[test]
    fn one_row_of_a_long_list_patches_one_text_node() {
        let rows: Vec<Value> = (0..1000)
            .map(|i| json!({ "id": i, "name": format!("row {i}") }))
            .collect();
        let mut v = view(
            r#"<view class="t">{{title}}</view><view a:for="{{rows}}" a:key="id" class="row">{{item.name}}</view>"#,
            json!({ "title": "T", "rows": rows }),
        );
        let update = v
            .set_data(vec![("rows[500].name".into(), json!("changed"))])
            .unwrap();
        assert!(update.rendered);
        assert_eq!(
            update.patches,
            vec![Patch::Text {
                path: vec![501, 0],
                text: "changed".into()
            }]
        );
    }

    #[test]
    fn one_row_is_rendered_alone_when_only_its_loop_reads_the_key() {
        let rows: Vec<Value> = (0..1000)
            .map(|i| json!({ "id": i, "name": format!("row {i}") }))
            .collect();
        let axml = r#"<view class="t">{{title}}</view><view class="list"><view a:for="{{rows}}" a:key="id" class="row" data-i="{{index}}">{{item.name}}</view></view>"#;
        let mut v = view(axml, json!({ "title": "T", "rows": rows }));
        let t = &v.components.page_template();
        assert_eq!(t.row_of("rows[500].name"), Some((0, 500)));
        assert_eq!(t.row_of("rows"), None, "the whole list");
        assert_eq!(t.row_of("title"), None);
        let update = v
            .set_data(vec![("rows[500].name".into(), json!("changed"))])
            .unwrap();
        assert_eq!(
            update.patches,
            vec![Patch::Text {
                path: vec![1, 500, 0],
                text: "changed".into()
            }]
        );
        // The same tree as a whole render gives, and the next whole render diffs from it.
        let whole = view(axml, v.data().clone());
        assert_eq!(v.tree(), whole.tree());
        // A new id: the row is replaced (another key), still alone.
        let update = v
            .set_data(vec![(
                "rows[3]".into(),
                json!({ "id": "x", "name": "new" }),
            )])
            .unwrap();
        assert!(
            matches!(&update.patches[..], [Patch::Replace { path, .. }] if path == &vec![1, 3])
        );
        // Past the end: the list grows, a whole render.
        let update = v
            .set_data(vec![("rows[1000].name".into(), json!("more"))])
            .unwrap();
        assert!(matches!(
            &update.patches[..],
            [Patch::Insert { index: 1000, .. }]
        ));
        assert_eq!(v.tree(), view(axml, v.data().clone()).tree());
    }

    #[test]
    fn a_row_read_elsewhere_too_takes_a_whole_render() {
        // Inside the loop, another row read through the list (not the item).
        let page = r#"<view a:for="{{rows}}">{{item}} {{rows[index + 1]}}</view>"#;
        let mut v = view(page, json!({ "rows": [1, 2] }));
        assert_eq!(v.components.page_template().row_of("rows[1]"), None);
        v.set_data(vec![("rows[1]".into(), json!(9))]).unwrap();
        assert_eq!(v.tree(), view(page, json!({ "rows": [1, 9] })).tree());
        let page = r#"<view a:for="{{rows}}">{{item}}</view><text>{{rows[0]}}</text>"#;
        let mut v = view(page, json!({ "rows": [1, 2] }));
        assert_eq!(v.components.page_template().row_of("rows[0]"), None);
        let update = v.set_data(vec![("rows[0]".into(), json!(9))]).unwrap();
        assert_eq!(update.patches.len(), 2);
        // Rows that are not one node each (an item-level a:if) take a whole render too.
        let page = r#"<view a:for="{{rows}}" a:if="{{item > 1}}">{{item}}</view>"#;
        let mut v = view(page, json!({ "rows": [1, 2, 3] }));
        let update = v.set_data(vec![("rows[0]".into(), json!(5))]).unwrap();
        assert_eq!(v.tree(), view(page, json!({ "rows": [5, 2, 3] })).tree());
        assert_eq!(update.patches.len(), 3);
        // A nested loop's rows: the outer row is re-rendered.
        let page =
            r#"<view a:for="{{g}}" a:for-item="r"><text a:for="{{r.xs}}">{{item}}</text></view>"#;
        let mut v = view(page, json!({ "g": [{ "xs": [1, 2] }, { "xs": [3] }] }));
        assert_eq!(
            v.components.page_template().row_of("g[1].xs[0]"),
            Some((0, 1))
        );
        let update = v.set_data(vec![("g[1].xs[0]".into(), json!(4))]).unwrap();
        assert_eq!(
            update.patches,
            vec![Patch::Text {
                path: vec![1, 0, 0],
                text: "4".into()
            }]
        );
    }

    #[test]
    fn a_key_no_binding_reads_neither_renders_nor_patches() {
        let mut v = view("<view>{{a}}</view>", json!({ "a": 1 }));
        let update = v.set_data(vec![("b".into(), json!(2))]).unwrap();
        assert_eq!(
            update,
            Update {
                rendered: false,
                patches: vec![]
            }
        );
        assert_eq!(v.data(), &json!({ "a": 1, "b": 2 }));
    }

    #[test]
    fn attributes_events_inserts_removes_and_replacements() {
        let mut v = view(
            r#"<view class="{{cls}}" onTap="{{h}}"><text a:for="{{xs}}">{{item}}</text></view><view a:if="{{on}}">on</view><text a:else>off</text>"#,
            json!({ "cls": "a", "h": "one", "xs": [1, 2, 3], "on": true }),
        );
        let update = v
            .set_data(vec![
                ("cls".into(), json!("b")),
                ("h".into(), json!("two")),
                ("xs".into(), json!([1])),
                ("on".into(), json!(false)),
            ])
            .unwrap();
        let ops: Vec<String> = update
            .patches
            .iter()
            .map(|p| serde_json::to_value(p).unwrap()["op"].to_string())
            .collect();
        assert_eq!(
            ops,
            [
                "\"attrs\"",
                "\"events\"",
                "\"remove\"",
                "\"remove\"",
                "\"replace\""
            ]
        );
        assert_eq!(
            update.patches[2],
            Patch::Remove {
                path: vec![0],
                index: 2
            }
        );
        // Growing again inserts at the end.
        let update = v.set_data(vec![("xs[1]".into(), json!(5))]).unwrap();
        assert!(matches!(
            &update.patches[..],
            [Patch::Insert { index: 1, .. }]
        ));
    }

    #[test]
    fn a_field_key_updates_a_computed_member_read() {
        let mut v = view(
            r#"<text a:for="{{goods}}" a:key="id">{{cart[item.id] || 0}}</text>"#,
            json!({ "goods": [{ "id": "latte" }, { "id": "tea" }], "cart": {} }),
        );
        let update = v.set_data(vec![("cart.tea".into(), json!(2))]).unwrap();
        assert_eq!(
            update.patches,
            vec![Patch::Text {
                path: vec![1, 0],
                text: "2".into()
            }]
        );
    }

    #[test]
    fn a_bad_key_changes_nothing() {
        let mut v = view("<view>{{a}}</view>", json!({ "a": 1 }));
        let err = v
            .set_data(vec![("a".into(), json!(2)), ("b[".into(), json!(3))])
            .unwrap_err();
        assert!(err.to_string().contains("b["));
        assert_eq!(v.data(), &json!({ "a": 1 }));
    }
}
