//! The template compiler's throughput, in KB of AXML compiled per second, against baselines
//! measured in the same run on input of the same size: `serde_json` parsing a JSON document,
//! and a plain byte scan (counting `<`). Reported, never asserted.
//!
//! `cargo run --release -p axml --example throughput`

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use axml::{compile, render, MemoryFiles};
use serde_json::json;

/// Runs `f` repeatedly for at least `budget`; returns the mean time per run.
fn time(budget: Duration, mut f: impl FnMut()) -> Duration {
    f(); // warm up
    let start = Instant::now();
    let mut runs = 0u32;
    while start.elapsed() < budget || runs < 3 {
        f();
        runs += 1;
    }
    start.elapsed() / runs
}

fn kb_per_s(bytes: usize, per_run: Duration) -> f64 {
    bytes as f64 / 1024.0 / per_run.as_secs_f64()
}

/// A page of realistic AXML: lists, conditions, bindings, events, templates; about `kb` KB.
fn large_template(kb: usize) -> String {
    let mut s = String::from(
        r#"<import-sjs name="fmt" from="./fmt.sjs"/>
<template name="price"><text class="price {{discount ? 'red' : ''}}">{{fmt.money(amount)}} {{currency}}</text></template>
"#,
    );
    let mut i = 0;
    while s.len() < kb * 1024 {
        s.push_str(&format!(
            r#"<view class="section section-{i}" a:if="{{{{sections[{i}].visible}}}}">
  <view class="title" onTap="openSection" data-index="{i}">{{{{sections[{i}].title}}}} ({{{{sections[{i}].items.length}}}})</view>
  <view class="list" a:if="{{{{sections[{i}].items.length}}}}">
    <view a:for="{{{{sections[{i}].items}}}}" a:key="id" a:for-item="row" class="row {{{{row.selected ? 'selected' : ''}}}}">
      <image src="{{{{row.image}}}}" mode="aspectFill"/>
      <text>{{{{index + 1}}}}. {{{{row.name}}}}</text>
      <template is="price" data="{{{{amount: row.price, currency: 'CNY', discount: row.price > 100}}}}"/>
      <button size="mini" catchTap="addToCart" data-id="{{{{row.id}}}}" disabled="{{{{!row.stock}}}}">Add</button>
    </view>
  </view>
  <view a:elif="{{{{sections[{i}].loading}}}}">Loading…</view>
  <view a:else class="empty">Nothing here</view>
</view>
"#
        ));
        i += 1;
    }
    s
}

/// A JSON document of about `bytes` bytes, for the baseline.
fn json_of_size(bytes: usize) -> String {
    let mut items = Vec::new();
    let mut len = 0;
    let mut i = 0;
    while len < bytes {
        let item = json!({ "id": i, "name": format!("item {i}"), "price": i * 3, "tags": ["a", "b"], "stock": i % 2 == 0 });
        len += item.to_string().len() + 1;
        items.push(item);
        i += 1;
    }
    serde_json::Value::Array(items).to_string()
}

fn corpus() -> Vec<(MemoryFiles, String, usize)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let mut files = MemoryFiles::new();
        let (mut entry_path, mut bytes, mut current) = (None, 0, None::<(String, String)>);
        for line in text
            .split_inclusive('\n')
            .chain(std::iter::once("--- end\n"))
        {
            if let Some(h) = line.strip_prefix("--- ") {
                if let Some((p, t)) = current.take() {
                    bytes += t.len();
                    files.insert(&p, t);
                }
                if let Some(p) = h.trim().strip_prefix("file ") {
                    entry_path.get_or_insert_with(|| p.trim().to_string());
                    current = Some((p.trim().to_string(), String::new()));
                }
            } else if let Some(c) = current.as_mut() {
                c.1.push_str(line);
            }
        }
        // Only cases that compile: error cases stop early and would flatter the figure.
        if let Some(p) = entry_path.filter(|p| p.ends_with(".axml")) {
            if compile(&p, &files).is_ok() {
                out.push((files, p, bytes));
            }
        }
    }
    out
}

fn main() {
    let budget = Duration::from_millis(1500);
    println!(
        "axml throughput (mean per run; ≥ {} ms per figure)\n",
        budget.as_millis()
    );

    for kb in [64, 256, 1024] {
        let page = large_template(kb);
        let bytes = page.len();
        let mut files = MemoryFiles::new();
        files.insert("index.axml", page.clone());
        if let Err(d) = compile("index.axml", &files) {
            panic!("the generated page must compile:\n{d}");
        }
        let compile_t = time(budget, || {
            black_box(
                compile("index.axml", &files)
                    .map(|t| t.dependencies().len())
                    .unwrap_or(0),
            );
        });
        let doc = json_of_size(bytes);
        let json_t = time(budget, || {
            black_box(
                serde_json::from_str::<serde_json::Value>(&doc)
                    .map(|v| v.is_array())
                    .unwrap_or(false),
            );
        });
        let scan_t = time(budget, || {
            black_box(page.bytes().filter(|&b| b == b'<').count());
        });
        println!("generated page, {:.0} KB of AXML:", bytes as f64 / 1024.0);
        println!(
            "  axml compile            {:>10.0} KB/s  ({:.2} ms per compile)",
            kb_per_s(bytes, compile_t),
            compile_t.as_secs_f64() * 1e3
        );
        println!(
            "  baseline serde_json     {:>10.0} KB/s  (parse of a {:.0} KB JSON document)",
            kb_per_s(doc.len(), json_t),
            doc.len() as f64 / 1024.0
        );
        println!(
            "  baseline byte scan      {:>10.0} KB/s  (count of `<`)",
            kb_per_s(bytes, scan_t)
        );
        println!(
            "  compile / serde_json    {:>10.2}×",
            kb_per_s(bytes, compile_t) / kb_per_s(doc.len(), json_t)
        );
    }

    // Minified: the 256 KB page on one line (with non-ASCII text), where columns are counted.
    let page = large_template(256).replace('\n', " ");
    let mut files = MemoryFiles::new();
    files.insert("index.axml", page.clone());
    let one_line_t = time(budget, || {
        black_box(
            compile("index.axml", &files)
                .map(|t| t.dependencies().len())
                .unwrap_or(0),
        );
    });
    println!("\nthe 256 KB page minified to one line:");
    println!(
        "  axml compile            {:>10.0} KB/s",
        kb_per_s(page.len(), one_line_t)
    );

    let cases = corpus();
    let total: usize = cases.iter().map(|c| c.2).sum();
    let corpus_t = time(budget, || {
        for (files, entry, _) in &cases {
            black_box(compile(entry, files).is_ok());
        }
    });
    println!(
        "\ncorpus: {} compiling cases, {:.1} KB of AXML in all:",
        cases.len(),
        total as f64 / 1024.0
    );
    println!(
        "  axml compile            {:>10.0} KB/s  ({:.1} µs per case)",
        kb_per_s(total, corpus_t),
        corpus_t.as_secs_f64() * 1e6 / cases.len().max(1) as f64
    );

    // Rendering, for scale: a 1,000-row list, against building the same rows with serde_json.
    let mut files = MemoryFiles::new();
    files.insert("list.axml", r#"<view a:for="{{rows}}" a:key="id" class="row {{item.done ? 'done' : ''}}" onTap="toggle" data-id="{{item.id}}"><text>{{index + 1}}. {{item.title}}</text></view>"#);
    let list = compile("list.axml", &files).unwrap_or_else(|d| panic!("{d}"));
    let rows: Vec<_> = (0..1000)
        .map(|i| json!({ "id": i, "title": format!("row {i}"), "done": i % 3 == 0 }))
        .collect();
    let data = json!({ "rows": rows });
    let render_t = time(budget, || {
        black_box(render(&list, &data).len());
    });
    let build_t = time(budget, || {
        let built: Vec<_> = (0..1000).map(|i| json!({ "tag": "view", "key": i.to_string(), "class": "row", "text": format!("{}. row {i}", i + 1) })).collect();
        black_box(built.len());
    });
    println!("\nrender of a 1,000-row a:for list:");
    println!(
        "  axml render             {:>10.2} ms",
        render_t.as_secs_f64() * 1e3
    );
    println!(
        "  baseline: building 1,000 JSON row objects {:.2} ms",
        build_t.as_secs_f64() * 1e3
    );
}
