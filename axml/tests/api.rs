//! The compiler's API as the rendering glue and the logic layer use it: slots, SJS calls,
//! dependency paths for incremental `setData`, the JSON shape of the tree, files on disk.

use axml::{
    compile, render, render_with, to_html, DirFiles, MemoryFiles, SjsHost, VNode,
    MAX_TEMPLATE_DEPTH,
};
use serde_json::{json, Value};

fn files(list: &[(&str, &str)]) -> MemoryFiles {
    let mut f = MemoryFiles::new();
    for (path, text) in list {
        f.insert(path, *text);
    }
    f
}

fn page(text: &str) -> axml::CompiledTemplate {
    compile("index.axml", &files(&[("index.axml", text)])).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn component_slots_take_the_parents_children_by_name() {
    let parent = page(r#"<card><view slot="footer">{{f}}</view><text>body</text></card>"#);
    let nodes = render(&parent, &json!({ "f": "foot" }));
    let VNode::Element(card) = &nodes[0] else {
        panic!("not an element: {nodes:?}")
    };
    let slots = card.slots();
    assert_eq!(slots.keys().collect::<Vec<_>>(), ["", "footer"]);

    let component = page(
        r#"<view class="card"><slot name="footer"/><slot>empty</slot><slot name="none">fallback</slot></view>"#,
    );
    let html = to_html(&render_with(
        &component,
        &json!({}),
        &mut axml::expr::NoSjs,
        &slots,
    ));
    assert_eq!(
        html,
        r#"<view class="card"><view slot="footer">foot</view><text>body</text>fallback</view>"#
    );
}

struct Recorder(Vec<(String, String, Vec<Value>)>);

impl SjsHost for Recorder {
    fn call(&mut self, module: &str, function: &str, args: &[Value]) -> Option<Value> {
        self.0.push((module.into(), function.into(), args.to_vec()));
        Some(json!(format!("{}:{}", function, args.len())))
    }
}

#[test]
fn sjs_calls_go_to_the_host_with_module_function_and_arguments() {
    let t = compile(
        "pages/p/index.axml",
        &files(&[("pages/p/index.axml", r#"<import-sjs name="fmt" from="../../utils/fmt.sjs"/><text>{{fmt.money.format(price, 'CNY')}} {{other.call(1)}}</text>"#)]),
    )
    .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(t.sjs_imports().len(), 1);
    assert_eq!(
        (
            t.sjs_imports()[0].name.as_str(),
            t.sjs_imports()[0].from.as_str()
        ),
        ("fmt", "utils/fmt.sjs")
    );
    let mut host = Recorder(vec![]);
    let html = to_html(&render_with(
        &t,
        &json!({ "price": 12.5, "other": {} }),
        &mut host,
        &Default::default(),
    ));
    // A call on data (not an SJS module) has no value and never reaches the host.
    assert_eq!(html, "<text>money.format:2 </text>");
    assert_eq!(
        host.0,
        vec![(
            "fmt".to_string(),
            "money.format".to_string(),
            vec![json!(12.5), json!("CNY")]
        )]
    );
}

const LIST_PAGE: &str = r#"
<view class="{{active ? 'on' : ''}}">{{title}}</view>
<view a:for="{{list}}" a:key="id"><text>{{item.name}}</text><text>{{list[i].price}}</text></view>
<text>{{user.profile.name}} {{list.length}}</text>
<template name="row"><text>{{label}}</text></template>
<template is="row" data="{{label: title}}"/>
"#;

#[test]
fn each_binding_names_the_data_paths_it_reads() {
    let t = page(LIST_PAGE);
    let deps: Vec<String> = t
        .dependencies()
        .iter()
        .map(|d| {
            let paths: Vec<String> = d.paths.iter().map(|p| p.to_string()).collect();
            let scope = d
                .template
                .as_deref()
                .map(|t| format!(" (in template {t})"))
                .unwrap_or_default();
            format!(
                "{}:{} {}{scope} = {}",
                d.span.line,
                d.span.column,
                d.what,
                paths.join(", ")
            )
        })
        .collect();
    assert_eq!(
        deps,
        [
            "5:28 text (in template row) = label",
            "2:14 attribute class = active",
            "2:38 text = title",
            "3:14 a:for = list",
            "3:24 a:key = list[*].id",
            "3:41 text = list[*].name",
            "3:67 text = i, list[*].price",
            "4:7 text = user.profile.name, list",
            "6:20 template data = title",
        ]
    );
}

#[test]
fn set_data_of_one_path_affects_only_the_bindings_that_read_it() {
    let t = page(LIST_PAGE);
    let affected = |key: &str| -> Vec<String> {
        t.affected_by(key)
            .iter()
            .map(|d| format!("{}:{}", d.span.line, d.span.column))
            .collect()
    };
    assert_eq!(affected("title"), ["2:38", "6:20"]);
    assert_eq!(affected("active"), ["2:14"]);
    assert_eq!(affected("list[3].name"), ["3:14", "3:41", "4:7"]);
    assert_eq!(affected("list[3].price"), ["3:14", "3:67", "4:7"]);
    assert_eq!(affected("user.profile"), ["4:7"]);
    assert_eq!(affected("user.avatar"), Vec::<String>::new());
    assert_eq!(affected("i"), ["3:67"]);
    // A key that is not a path is treated as touching everything (never missing an update).
    assert_eq!(affected("list[").len(), 8);
    assert_eq!(affected("list[0].id"), ["3:14", "3:24", "4:7"]);
}

#[test]
fn the_tree_serializes_to_plain_json_for_the_browser() {
    let t =
        page(r#"<view a:for="{{[1]}}" a:key="*this" data-user-id="{{7}}" catchTap="go">x</view>"#);
    let nodes = render(&t, &json!({}));
    assert_eq!(
        serde_json::to_value(&nodes).unwrap_or_default(),
        json!([{
            "type": "element", "tag": "view", "key": "1",
            "attrs": [["data-user-id", 7]],
            "events": [{ "event": "tap", "handler": "go", "catch": true }],
            "children": [{ "type": "text", "text": "x" }]
        }])
    );
    let VNode::Element(e) = &nodes[0] else {
        panic!()
    };
    assert_eq!(Value::Object(e.dataset()), json!({ "userId": 7 }));
}

#[test]
fn self_calling_templates_stop_at_the_depth_limit() {
    let t = page(
        r#"<template name="loop"><view><template is="loop"/></view></template><template is="loop"/>"#,
    );
    let mut nodes = render(&t, &json!({}));
    let mut depth = 0;
    while let Some(VNode::Element(e)) = nodes.pop() {
        depth += 1;
        nodes = e.children;
    }
    assert_eq!(depth, MAX_TEMPLATE_DEPTH);
}

#[test]
fn compiles_from_a_folder_on_disk_and_lists_the_files_it_read() {
    let dir = std::env::temp_dir().join(format!("axml-test-{}", std::process::id()));
    let page_dir = dir.join("pages/index");
    std::fs::create_dir_all(&page_dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        page_dir.join("index.axml"),
        r#"<import src="/common/t.axml"/><template is="t" data="{{n}}"/>"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.join("common")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("common/t.axml"),
        r#"<template name="t"><text>{{n}}</text></template>"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let t = compile("pages/index/index.axml", &DirFiles::new(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    let t = t.unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(t.files(), ["pages/index/index.axml", "common/t.axml"]);
    assert_eq!(
        to_html(&render(&t, &json!({ "n": { "n": 5 } }))),
        "<text>5</text>"
    );
}

#[test]
fn a_missing_entry_is_a_diagnostic_naming_it() {
    let err = compile("pages/x/x.axml", &MemoryFiles::new())
        .err()
        .map(|d| d.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with("error: template `pages/x/x.axml` does not exist\n --> pages/x/x.axml:1:1"),
        "{err}"
    );
}

#[test]
fn compiled_templates_and_trees_can_cross_threads() {
    // The sandbox compiles on tokio's worker threads and may cache templates between them.
    fn send_sync<T: Send + Sync>() {}
    send_sync::<axml::CompiledTemplate>();
    send_sync::<VNode>();
    send_sync::<axml::Diagnostic>();
}
