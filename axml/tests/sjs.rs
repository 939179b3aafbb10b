//! SJS modules (`<import-sjs>`): the interpreter, the host that renders with it, and hostile
//! modules (no panic, no hang).

use axml::sjs::{SjsModule, SjsModules};
use axml::{compile, render_with, to_html, MemoryFiles, Slots};
use serde_json::json;

fn module(text: &str) -> SjsModule {
    SjsModule::load("m.sjs", text).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn the_language_functions_control_flow_and_built_ins() {
    let m = module(
        r#"
// Comments, declarations, defaults, template literals.
const RATE = 0.5;
let calls = 0;
function price(cents, currency = 'USD') {
  calls += 1;
  return `${currency} ${(cents / 100).toFixed(2)}`;
}
function grade(n) {
  switch (true) {
    case n >= 90: return 'A';
    case n >= 80: return 'B';
    default: return 'C';
  }
}
function sum(list) {
  let total = 0;
  for (let i = 0; i < list.length; i++) { if (list[i] < 0) continue; total += list[i]; }
  return total;
}
const fmt = {
  upper: (s) => s.toUpperCase(),
  initials(name) { return name.split(' ').map(w => w.charAt(0)).join(''); },
};
function loops() { let n = 0; while (n < 10) { n++; if (n === 7) break; } return n; }
function misc(x) {
  return [typeof x, x == null, Math.max(1, 3, 2), Math.round(2.5), parseInt('42px'), parseFloat('3.5kg'),
    JSON.stringify({ a: [1, 'b'] }), Object.keys({ k: 1, j: 2 }).join('|'), 'abc'.indexOf('c'),
    'a-b-c'.replace('-', '+'), '7'.padStart(3, '0'), [3, 1, 2].filter(v => v > 1).length,
    [1, 2, 3].reduce((a, b) => a + b, 0), 'x' + 1 + 2, 1 + 2 + 'x', '3' * '4', RATE * 4, calls];
}
export default { price, grade, sum, fmt, loops, misc };
"#,
    );
    assert_eq!(m.call("price", &[json!(1250)]), Some(json!("USD 12.50")));
    assert_eq!(
        m.call("price", &[json!(5), json!("EUR")]),
        Some(json!("EUR 0.05"))
    );
    assert_eq!(m.call("grade", &[json!(85)]), Some(json!("B")));
    assert_eq!(m.call("sum", &[json!([1, -5, 2, 3])]), Some(json!(6)));
    assert_eq!(m.call("fmt.upper", &[json!("tea")]), Some(json!("TEA")));
    assert_eq!(
        m.call("fmt.initials", &[json!("Ada Lovelace")]),
        Some(json!("AL"))
    );
    assert_eq!(m.call("loops", &[]), Some(json!(7)));
    assert_eq!(
        m.call("misc", &[json!(null)]),
        Some(json!([
            "object",
            true,
            3,
            3,
            42,
            3.5,
            "{\"a\":[1,\"b\"]}",
            "k|j",
            2,
            "a+b-c",
            "007",
            2,
            6,
            "x12",
            "3x",
            12,
            2,
            2
        ]))
    );
    // Unknown functions and runtime errors are undefined.
    assert_eq!(m.call("nope", &[]), None);
    assert_eq!(m.call("fmt.upper", &[json!(null)]), None);
}

#[test]
fn named_exports_and_module_exports() {
    let m = module("export function double(x) { return x * 2; }\nexport const name = 'n';");
    assert_eq!(m.call("double", &[json!(4)]), Some(json!(8)));
    let m = module("function f(a) { return a.length; }\nmodule.exports = { f };");
    assert_eq!(m.call("f", &[json!([1, 2])]), Some(json!(2)));
}

#[test]
fn a_template_calls_its_modules_at_render_time() {
    let mut files = MemoryFiles::new();
    files.insert(
        "pages/p/p.axml",
        r#"<import-sjs from="./util.sjs" name="util"/><view a:for="{{items}}">{{util.price(item.cents)}}</view><text>{{util.nope(1)}}</text>"#,
    );
    files.insert(
        "pages/p/util.sjs",
        "export default { price: (c) => `$${(c / 100).toFixed(2)}` };",
    );
    let t = compile("pages/p/p.axml", &files).unwrap();
    let mut sjs = SjsModules::for_template(&t, &files).unwrap();
    let out = render_with(
        &t,
        &json!({ "items": [{ "cents": 350 }, { "cents": 5 }] }),
        &mut sjs,
        &Slots::new(),
    );
    assert_eq!(
        to_html(&out),
        "<view>$3.50</view>\n<view>$0.05</view>\n<text></text>"
    );
}

#[test]
fn errors_name_the_file_line_and_column() {
    let err = SjsModule::load("u.sjs", "function f() {\n  return 1 +;\n}").unwrap_err();
    assert_eq!(
        (&*err.span.file, err.span.line, err.span.column),
        ("u.sjs", 2, 13)
    );
    assert!(err.message.contains("SJS"), "{}", err.message);
    let err = SjsModule::load("u.sjs", "const a = `unclosed").unwrap_err();
    assert!(err.message.contains("template literal"), "{}", err.message);
    let err = SjsModule::load("u.sjs", "null.x;").unwrap_err();
    assert!(
        err.message.contains("failed while loading"),
        "{}",
        err.message
    );
    let mut files = MemoryFiles::new();
    files.insert(
        "p.axml",
        r#"<import-sjs from="./missing.sjs" name="m"/><view/>"#,
    );
    let t = compile("p.axml", &files).unwrap();
    let err = SjsModules::for_template(&t, &files).unwrap_err();
    assert!(err.message.contains("missing.sjs"), "{}", err.message);
}

#[test]
fn hostile_modules_neither_panic_nor_hang() {
    // Endless loops and recursion stop at the limits: undefined.
    let m = module(
        "export function spin() { while (true) {} }\nexport function deep(n) { return deep(n + 1); }\nexport function big() { return 'x'.repeat(10000000); }\nexport function grow() { const a = []; a[10000000] = 1; return a; }",
    );
    assert_eq!(m.call("spin", &[]), None);
    assert_eq!(m.call("deep", &[json!(0)]), None);
    assert_eq!(m.call("big", &[]), None);
    assert_eq!(m.call("grow", &[]), None);
    // Growth: doubling strings and arrays, shared structure expanding on output.
    let m = module(
        "export function dbl() { let s = 'x'; for (;;) { s = s + s; } }\nexport function arr() { let a = [1]; for (;;) { a = a.concat(a); } }\nexport function dag() { let a = [1]; for (let i = 0; i < 60; i++) { a = [a, a]; } return a; }\nexport function text() { let a = [1]; for (let i = 0; i < 60; i++) { a = [a, a]; } return `${a}`.length; }\nexport function pf() { return parseFloat('1'.repeat(900000)); }\nexport function find() { const a = 'a'.repeat(900000); return a.indexOf(a.slice(0, 400000) + 'b') + a.lastIndexOf('aab') + 'ÿa'.indexOf('a') + 'ÿa'.indexOf('a', 1); }",
    );
    assert_eq!(m.call("dbl", &[]), None);
    assert_eq!(m.call("arr", &[]), None);
    assert!(m.call("dag", &[]).is_some());
    assert!(m.call("text", &[]).is_some());
    assert!(m.call("pf", &[]).is_some());
    assert_eq!(m.call("find", &[]), Some(json!(0)));
    // Deeply nested source is refused, not overflowed.
    let deep = format!(
        "export default {}1{};",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert!(SjsModule::load("d.sjs", &deep).is_err());
    let deep = format!("export default `{}`;", "${`".repeat(10_000));
    assert!(SjsModule::load("d.sjs", &deep).is_err());
    // A self-referencing value still serializes.
    let m = module("export function cyc() { const o = {}; o.self = o; return o; }");
    assert!(m.call("cyc", &[]).is_some());
    // Mutated inputs: every prefix of a real module, and random bytes.
    let text = "function f(a, b = 2) { const s = `${a}-${b}`; switch (a) { case 1: return s.split('-'); default: return [a].map(x => x * 2); } }\nexport default { f };";
    for end in 0..=text.len() {
        if text.is_char_boundary(end) {
            if let Ok(m) = SjsModule::load("p.sjs", &text[..end]) {
                let _ = m.call("f", &[json!(1)]);
            }
        }
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let alphabet: Vec<char> =
        "(){}[];,.=+-*/%!?:<>&|'\"`${} \nabfnrx0123456789=>éconstletvarfunctionreturn"
            .chars()
            .collect();
    for _ in 0..3000 {
        let mut s = String::new();
        for _ in 0..40 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        if let Ok(m) = SjsModule::load("r.sjs", &s) {
            let _ = m.call("a", &[json!(1)]);
        }
    }
}
