//! No input makes the compiler panic or overflow its stack: corpus inputs mutated at random
//! (deterministic seed, bounded count), and hostile shapes (deep nesting, long chains).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use axml::acss::{compile_acss, AcssOptions, Rpx};
use axml::{compile, expr, render, MemoryFiles};
use serde_json::json;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SNIPPETS: [&str; 34] = [
    "{{",
    "}}",
    "<",
    ">",
    "</",
    "/>",
    "\"",
    "'",
    "a:if=\"{{x}}\"",
    "a:elif",
    "a:else",
    "a:for=\"{{list}}\"",
    "<block>",
    "</block>",
    "</view>",
    "<view>",
    "<template is=\"t\"/>",
    "<template name=\"t\">",
    "<slot/>",
    "<include src=\"./a.axml\"/>",
    "<import src=\"./a.axml\"/>",
    "...",
    "[",
    "]",
    "(",
    ")",
    "价",
    "&#x1F600;",
    "{{a.b[c] ? 1 : {x: [...y]}}}",
    "<!--",
    "-->",
    "rpx",
    "@import \"./a.acss\";",
    "}",
];

fn mutate(rng: &mut Rng, input: &str) -> String {
    let mut chars: Vec<char> = input.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(4) {
            0 if !chars.is_empty() => {
                let end = (at + rng.below(8)).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            1 => {
                let s = SNIPPETS[rng.below(SNIPPETS.len())];
                chars.splice(at..at, s.chars());
            }
            2 if !chars.is_empty() => {
                let end = (at + rng.below(16)).min(chars.len());
                let copy: Vec<char> = chars[at.min(end)..end].to_vec();
                chars.splice(at..at, copy);
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

/// Every file section of every corpus case, with the case's other files.
fn corpus_inputs() -> Vec<Vec<(String, String)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut cases = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).expect("case");
        let mut files = Vec::new();
        let mut current: Option<(String, String)> = None;
        for line in text.split_inclusive('\n') {
            if let Some(h) = line.strip_prefix("--- ") {
                files.extend(current.take());
                if let Some(path) = h.trim().strip_prefix("file ") {
                    current = Some((path.trim().to_string(), String::new()));
                }
            } else if let Some(c) = current.as_mut() {
                c.1.push_str(line);
            }
        }
        files.extend(current);
        if !files.is_empty() {
            cases.push(files);
        }
    }
    cases
}

fn exercise(files: &[(String, String)]) {
    let mut mem = MemoryFiles::new();
    for (p, t) in files {
        mem.insert(p, t.as_str());
    }
    let entry = &files[0].0;
    let data = json!({ "x": 1, "list": [{ "a": 1 }, "s", [2]], "a": { "b": [1, 2] }, "c": 0, "y": { "z": null } });
    if entry.ends_with(".acss") {
        for rpx in [Rpx::Var, Rpx::Px(375.0)] {
            let _ = compile_acss(
                entry,
                &mem,
                &AcssOptions {
                    rpx,
                    scope: Some("s".into()),
                    outside: Some("o".into()),
                },
            );
        }
    } else if let Ok(t) = compile(entry, &mem) {
        let _ = render(&t, &data);
        let _ = t.affected_by("list[1].a");
        // Row updates: which row, that row alone, and where the rows went.
        let _ = t.row_of("list[1].a");
        let _ = axml::render_traced(&t, &data, &mut axml::expr::NoSjs);
        for id in 0..3 {
            let _ = axml::render_loop_item(&t, &data, &mut axml::expr::NoSjs, id, 1);
        }
    } else if let Err(d) = compile(entry, &mem) {
        let _ = d.to_string();
    }
}

#[test]
fn mutated_corpus_inputs_never_panic() {
    let cases = corpus_inputs();
    assert!(cases.len() > 40);
    let mut rng = Rng(0x5EED_A11B_A5E5_0001);
    for round in 0..4000 {
        let case = &cases[rng.below(cases.len())];
        let mut files = case.clone();
        let target = rng.below(files.len());
        files[target].1 = mutate(&mut rng, &files[target].1);
        let result = catch_unwind(AssertUnwindSafe(|| exercise(&files)));
        assert!(result.is_ok(), "round {round} panicked on {files:?}");
    }
}

#[test]
fn random_expressions_never_panic() {
    let mut rng = Rng(42);
    let alphabet: Vec<char> = "ab01.5e+-*/%!?:()[]{},'\"` <>=&|?.$_\\u价x"
        .chars()
        .collect();
    for round in 0..20_000 {
        let len = rng.below(24);
        let src: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let result = catch_unwind(|| {
            if let Ok(e) = expr::parse(&src) {
                let data = json!({ "a": [1, "2", { "b": null }], "b": "str", "x": 3 });
                let scope = expr::Frames {
                    root: &data,
                    vars: vec![],
                };
                let _ = expr::eval(&e, &scope, &mut expr::NoSjs);
            }
            let _ = expr::parse_template_data(&src);
            let _ = expr::parse_interpolated(&src, 0);
        });
        assert!(result.is_ok(), "round {round} panicked on {src:?}");
    }
}

#[test]
fn hostile_shapes_are_refused_or_bounded_not_overflowed() {
    let deep_elements = "<view>".repeat(100_000);
    // Each file under the limit, but nested through includes beyond it.
    let mut chain = MemoryFiles::new();
    for i in 0..8 {
        chain.insert(
            &format!("f{i}.axml"),
            format!(
                "{}<include src=\"./f{}.axml\"/>{}",
                "<view>".repeat(40),
                i + 1,
                "</view>".repeat(40)
            ),
        );
    }
    chain.insert("f8.axml", "<text>end</text>");
    let err = compile("f0.axml", &chain)
        .err()
        .map(|d| d.message)
        .unwrap_or_default();
    assert!(
        err.contains("more than 128 deep (counting included files)"),
        "{err}"
    );
    let deep_parens = format!(
        "<view>{{{{{}1{}}}}}</view>",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let long_chain = format!("<view>{{{{{}1}}}}</view>", "a + ".repeat(100_000));
    let long_member = format!("<view>{{{{a{}}}}}</view>", ".b".repeat(100_000));
    let deep_object = format!(
        "<view>{{{{{}1{}}}}}</view>",
        "{a: ".repeat(50_000),
        "}".repeat(50_000)
    );
    let unary = format!("<view>{{{{{}1}}}}</view>", "!-".repeat(100_000));
    for (name, input) in [
        ("deep elements", deep_elements),
        ("deep parentheses", deep_parens),
        ("long + chain", long_chain),
        ("long member chain", long_member),
        ("deep object literal", deep_object),
        ("long unary chain", unary),
    ] {
        let mut files = MemoryFiles::new();
        files.insert("a.axml", input);
        let err = compile("a.axml", &files)
            .err()
            .map(|d| d.message)
            .unwrap_or_default();
        assert!(
            err.contains("too deep")
                || err.contains("nests too deeply")
                || err.contains("more than"),
            "{name}: {err}"
        );
    }
    // Templates calling each other render to a bounded depth.
    let mut files = MemoryFiles::new();
    let body = format!(
        "{}<template is=\"t\"/>{}",
        "<view>".repeat(100),
        "</view>".repeat(100)
    );
    files.insert(
        "a.axml",
        format!("<template name=\"t\">{body}</template><template is=\"t\"/>"),
    );
    let t = compile("a.axml", &files).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(render(&t, &json!({})).len(), 1);
    // The deepest accepted nesting still compiles and renders.
    let mut files = MemoryFiles::new();
    let depth = axml::MAX_NESTING;
    files.insert(
        "a.axml",
        format!(
            "{}{{{{{}1{}}}}}{}",
            "<view>".repeat(depth),
            "(".repeat(40),
            ")".repeat(40),
            "</view>".repeat(depth)
        ),
    );
    let t = compile("a.axml", &files).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(render(&t, &json!({})).len(), 1);
}

#[test]
fn deeply_nested_style_blocks_are_refused_not_overflowed() {
    let mut files = MemoryFiles::new();
    files.insert(
        "a.acss",
        format!(
            "{}.a {{ width: 1rpx; }}{}",
            "@media screen {".repeat(100_000),
            "}".repeat(100_000)
        ),
    );
    let err = compile_acss("a.acss", &files, &AcssOptions::default())
        .err()
        .map(|d| d.message)
        .unwrap_or_default();
    assert!(err.contains("nest more than"), "{err}");
    // A chain of imports, each file importing the next, is bounded too.
    let mut files = MemoryFiles::new();
    for i in 0..10_000 {
        files.insert(
            &format!("s{i}.acss"),
            format!("@import \"./s{}.acss\";", i + 1),
        );
    }
    let err = compile_acss("s0.acss", &files, &AcssOptions::default())
        .err()
        .map(|d| d.message)
        .unwrap_or_default();
    assert!(err.contains("nest more than"), "{err}");
}

#[test]
fn long_chains_of_imports_and_includes_are_refused_not_overflowed() {
    for tag in ["import", "include"] {
        let mut files = MemoryFiles::new();
        for i in 0..10_000 {
            files.insert(
                &format!("t{i}.axml"),
                format!(
                    "<{tag} src=\"./t{}.axml\"/><template name=\"t{i}\"><text/></template>",
                    i + 1
                ),
            );
        }
        let err = compile("t0.axml", &files)
            .err()
            .map(|d| d.message)
            .unwrap_or_default();
        assert!(err.contains("nest more than"), "{tag}: {err}");
    }
}
