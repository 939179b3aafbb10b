use super::*;

/// The transform of `source` with every specifier resolved to `resolved/<spec>`.
fn transform(source: &str) -> String {
    analyze("pages/a/a.js", source)
        .link(|spec| Ok(format!("resolved/{spec}")))
        .expect("links")
        .0
}

/// The body after the header (line 1 up to the original text).
fn lines(code: &str) -> Vec<&str> {
    code.lines().collect()
}

#[test]
fn a_commonjs_file_is_unchanged_but_for_its_require_specifiers() {
    let source = "const a = require('./a');\nconst b = require(name);\nfunction f(require) { return require('./x'); }\nmodule.exports = { a, b };\n";
    let out = transform(source);
    assert_eq!(
        out,
        "const a = require(\"/resolved/./a\");\nconst b = require(name);\nfunction f(require) { return require('./x'); }\nmodule.exports = { a, b };\n"
    );
}

#[test]
fn imports_read_the_module_object_and_keep_lines() {
    let source = "import def, { x, y as z } from './m';\nimport * as ns from 'pkg';\n\nconsole.log(def, x, z(1), ns.k, { x });\nx`t`;\n";
    let out = transform(source);
    let l = lines(&out);
    assert_eq!(l.len(), 5, "{out}");
    assert!(l[0].starts_with("\"use strict\";"), "{out}");
    assert!(
        l[0].contains("var __mp_0 = __mp.interop(require(\"/resolved/./m\"));"),
        "{out}"
    );
    assert!(
        l[0].contains("var __mp_1 = __mp.interop(require(\"/resolved/pkg\"));"),
        "{out}"
    );
    assert_eq!(l[1], "");
    assert_eq!(
        l[3],
        "console.log(__mp_0.default, __mp_0.x, (0, __mp_0.y)(1), __mp_1.k, { x: __mp_0.x });"
    );
    assert_eq!(l[4], "(0, __mp_0.x)`t`;");
}

#[test]
fn exports_are_getters_defined_before_the_body_runs() {
    let source = "export const a = 1, { b } = { b: 2 };\nexport function f() {}\nexport class C {}\nlet d = 4;\nexport { d, d as e };\nexport default f;\n";
    let out = transform(source);
    let l = lines(&out);
    assert_eq!(l.len(), 6, "{out}");
    for name in ["a", "b", "f", "C", "d"] {
        assert!(
            l[0].contains(&format!("Object.defineProperty(exports, \"{name}\", {{ enumerable: true, get: function () {{ return {name}; }} }});")),
            "{name}: {out}"
        );
    }
    assert!(l[0].contains("Object.defineProperty(exports, \"e\", { enumerable: true, get: function () { return d; } });"));
    assert!(l[0].ends_with("const a = 1, { b } = { b: 2 };"), "{out}");
    assert_eq!(l[1], "function f() {}");
    assert_eq!(l[4], "");
    assert_eq!(l[5], "exports.default = f;");
}

#[test]
fn default_exports_of_each_kind() {
    assert!(transform("export default function named() {}\n").contains("return named;"));
    assert!(transform("export default function () {}\n")
        .ends_with("exports.default = function () {};\n"));
    assert!(transform("export default class {}\n").ends_with("exports.default = class {};\n"));
    assert!(transform("export default { a: 1 };\n").ends_with("exports.default = { a: 1 };\n"));
}

#[test]
fn re_exports_and_dynamic_imports() {
    let out = transform("export { a, b as c } from './m';\nexport * from './all';\nexport * as ns from './ns';\nimport('./lazy').then(() => import.meta.url);\n");
    let l = lines(&out);
    assert!(l[0].contains("return __mp_0.a;"), "{out}");
    assert!(l[0].contains("Object.defineProperty(exports, \"c\", { enumerable: true, get: function () { return __mp_0.b; } });"), "{out}");
    assert!(l[0].contains("__mp.star(exports, __mp_1);"), "{out}");
    assert!(l[0].contains("Object.defineProperty(exports, \"ns\", { enumerable: true, get: function () { return __mp_2; } });"), "{out}");
    assert_eq!(
        l[3],
        "__mp.dynamic(\"/resolved/./lazy\").then(() => ({ url: \"app:///pages/a/a.js\" }).url);"
    );
}

#[test]
fn an_imported_name_re_exported_reads_the_module() {
    let out = transform("import { x } from './m';\nexport { x };\n");
    assert!(
        out.contains("get: function () { return __mp_0.x; }"),
        "{out}"
    );
}

#[test]
fn helper_names_avoid_the_files_own_names() {
    let out = transform("import a from './m';\nconst __mp = 1;\nconsole.log(a, __mp);\n");
    assert!(out.contains("var __mp_ = {"), "{out}");
    assert!(out.contains("console.log(__mp__0.default, __mp);"), "{out}");
}

#[test]
fn modern_syntax_passes_through() {
    let source = "class A { #p = 1; static { } get p() { return this.#p ?? 0; } }\nconst o = a?.b ?? { ...c };\nasync function* g() { for await (const x of y) yield x; }\nconst r = /(?<year>\\d{4})/u;\n";
    assert_eq!(transform(source), source);
}

#[test]
fn a_syntax_error_names_the_file_line_and_column() {
    let analysis = analyze("pages/a/a.js", "const a = 1;\nconst b = ;\n");
    let error = analysis
        .link(|_| Ok(String::new()))
        .expect_err("a syntax error");
    assert_eq!(
        (error.file.as_str(), error.line, error.column),
        ("pages/a/a.js", 2, 11)
    );
    assert!(
        error.display.contains("2 | const b = ;\n  |           ^"),
        "{}",
        error.display
    );
    let module = error.as_module();
    assert!(
        module.starts_with("throw Object.assign(new SyntaxError(\"Unexpected token\")"),
        "{module}"
    );
    assert!(
        module.contains("file: \"pages/a/a.js\", line: 2, column: 11"),
        "{module}"
    );
    assert!(module.contains("kind: 'compile'"));
}

#[test]
fn semantic_errors_are_syntax_errors_too() {
    let error = analyze("a.js", "let a = 1;\nlet a = 2;\n")
        .link(|_| Ok(String::new()))
        .expect_err("redeclared");
    assert_eq!((error.line, error.column), (2, 5), "{error:?}");
}

#[test]
fn an_import_that_names_no_module_is_an_error_at_the_import() {
    let analysis = analyze("app.js", "// first\nimport x from 'missing';\n");
    let error = analysis
        .link(|spec| Err(format!("no module {spec:?}")))
        .expect_err("unresolved");
    assert_eq!((error.line, error.column), (2, 15));
    assert_eq!(error.message, "no module \"missing\"");
    // A require of a missing module is left for the logic layer to report when it runs.
    let (code, deps) = analyze("app.js", "try { require('missing'); } catch (e) {}\n")
        .link(|spec| Err(format!("no module {spec:?}")))
        .expect("links");
    assert!(
        code.contains("require(\"missing\")") && deps.is_empty(),
        "{code}"
    );
}

#[test]
fn columns_count_characters() {
    let error = analyze("a.js", "const 价格 = '¥';\nconst x = ¥;\n")
        .link(|_| Ok(String::new()))
        .expect_err("error");
    assert_eq!((error.line, error.column), (2, 11));
}
