//! The scripts of a native mini program, as the bundle serves them: ES modules made CommonJS
//! for the logic layer, specifiers resolved inside the folder, npm modules under
//! `node_modules` sent only when reached, syntax errors with their place, and the attacks:
//! specifiers that climb out of the folder (`../`, absolute paths, `node_modules/../..`) or
//! follow a symlink out of it never bring in a byte from outside. Real server, real HTTP.

use crate::common;

use std::path::Path;

use common::{serve_native_app, write_file as write};

/// An app with ES modules, an npm package, a syntax error, and escapes.
fn app_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("esm-app");
    write(&app, "app.json", r#"{"pages":["pages/index/index"]}"#);
    write(
        &app,
        "app.js",
        "import { greet } from './utils/greet';\nApp({ onLaunch() { greet(); } });\n",
    );
    write(&app, "utils/greet.js", "import dayjs from 'tiny-date';\nexport const greet = () => dayjs();\nexport default greet;\n");
    write(&app, "pages/index/index.axml", "<view>{{x}}</view>");
    write(&app, "pages/index/index.js", "import { greet } from '/utils/greet';\nconst { x } = require('../../data');\nPage({ data: { x } });\n");
    write(&app, "data/index.json", r#"{"x":1}"#);
    write(
        &app,
        "node_modules/tiny-date/package.json",
        r#"{"main":"cjs.js","module":"esm.js"}"#,
    );
    write(
        &app,
        "node_modules/tiny-date/esm.js",
        "export default function dayjs() { return 'now'; }\n",
    );
    write(
        &app,
        "node_modules/tiny-date/cjs.js",
        "module.exports = () => 'cjs';\n",
    );
    write(&app, "node_modules/unused/index.js", "UNUSED_MODULE\n");
    write(
        &app,
        "node_modules/mini-ui/es/badge/index.axml",
        "<view>badge</view>",
    );
    write(
        &app,
        "node_modules/mini-ui/es/badge/index.json",
        r#"{"component":true}"#,
    );
    write(
        &app,
        "node_modules/mini-ui/es/badge/index.js",
        "Component({});\n",
    );
    write(&app, "node_modules/mini-ui/es/util.js", "UNUSED_UTIL\n");
    // What a component's template reads beside it (mini-ali-ui's tabs: `<import-sjs
    // from="./util.sjs">`; a shared stylesheet it `@import`s; a template it `<import>`s).
    write(
        &app,
        "node_modules/mini-ui/es/badge/util.sjs",
        "export default {};\n",
    );
    write(&app, "node_modules/mini-ui/es/style/mixins.acss", ".x {}\n");
    write(
        &app,
        "node_modules/mini-ui/es/badge/parts.axml",
        "<template name=\"p\"/>\n",
    );
    write(&app, "broken/syntax.js", "const a = 1;\nconst b = ;\n");
    write(
        &app,
        "attacks/dotdot.js",
        "import s from '../../outside/secret';\n",
    );
    write(
        &app,
        "attacks/absolute.js",
        "import s from '/../outside/secret';\n",
    );
    write(
        &app,
        "attacks/through-npm.js",
        "import s from 'node_modules/../../outside/secret';\n",
    );
    write(
        &app,
        "attacks/required.js",
        "require('../../outside/secret');\n",
    );
    write(dir.path(), "outside/secret.js", "SECRET_OUTSIDE\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("outside"), app.join("node_modules/linked"))
            .unwrap();
        write(
            &app,
            "attacks/symlink.js",
            "import s from 'linked/secret';\n",
        );
    }
    dir
}

async fn bundle(dir: &Path) -> (common::TestApp, serde_json::Map<String, serde_json::Value>) {
    let (app, row) = serve_native_app(&dir.join("esm-app"), |_| {}).await;
    let url = row["url"].as_str().unwrap().to_string();
    let body: serde_json::Value = app
        .http
        .get(format!("{url}bundle.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let files = body["files"].as_object().unwrap().clone();
    (app, files)
}

fn code<'a>(files: &'a serde_json::Map<String, serde_json::Value>, path: &str) -> &'a str {
    files.get(path).and_then(|v| v.as_str()).unwrap_or_else(|| {
        panic!(
            "{path} is not in the bundle: {:?}",
            files.keys().collect::<Vec<_>>()
        )
    })
}

#[tokio::test]
async fn es_modules_become_the_logic_layers_modules_with_resolved_paths() {
    let dir = app_folder();
    let (_app, files) = bundle(dir.path()).await;
    let app_js = code(&files, "app.js");
    assert!(app_js.contains("require(\"/utils/greet.js\")"), "{app_js}");
    assert!(
        app_js.contains("onLaunch() { (0, __mp_0.greet)(); }"),
        "{app_js}"
    );
    assert_eq!(app_js.lines().count(), 2, "lines are kept: {app_js}");
    let page = code(&files, "pages/index/index.js");
    assert!(
        page.contains("require(\"/utils/greet.js\")")
            && page.contains("require(\"/data/index.json\")"),
        "{page}"
    );
    // The npm package's ES build ("module") is sent, transformed; what nothing imports is not.
    let greet = code(&files, "utils/greet.js");
    assert!(
        greet.contains("require(\"/node_modules/tiny-date/esm.js\")"),
        "{greet}"
    );
    let esm = code(&files, "node_modules/tiny-date/esm.js");
    assert!(
        esm.contains("Object.defineProperty(exports, \"default\""),
        "{esm}"
    );
    assert!(!files.contains_key("node_modules/tiny-date/cjs.js"));
    assert!(
        !files.contains_key("node_modules/unused/index.js"),
        "only reached modules are sent"
    );
    assert!(!files
        .values()
        .any(|v| v.as_str().is_some_and(|t| t.contains("UNUSED_MODULE"))));
    // An npm package's custom component comes whole (its files beside its .axml).
    for file in ["index.axml", "index.json", "index.js"] {
        assert!(
            files.contains_key(&format!("node_modules/mini-ui/es/badge/{file}")),
            "{file}"
        );
    }
    assert!(!files.contains_key("node_modules/mini-ui/es/util.js"));
    // Templates, styles and SJS modules of a package come too: only a template reads them.
    for file in ["badge/util.sjs", "style/mixins.acss", "badge/parts.axml"] {
        assert!(
            files.contains_key(&format!("node_modules/mini-ui/es/{file}")),
            "{file}"
        );
    }
}

#[tokio::test]
async fn a_syntax_error_is_a_module_that_throws_with_its_place() {
    let dir = app_folder();
    let (_app, files) = bundle(dir.path()).await;
    let broken = code(&files, "broken/syntax.js");
    assert!(
        broken.starts_with("throw Object.assign(new SyntaxError(\""),
        "{broken}"
    );
    assert!(
        broken.contains("line: 2, column: 11") && broken.contains("kind: 'compile'"),
        "{broken}"
    );
}

#[tokio::test]
async fn attack_specifiers_that_leave_the_folder_bring_nothing_in() {
    let dir = app_folder();
    let (_app, files) = bundle(dir.path()).await;
    for (file, expect) in [
        ("attacks/dotdot.js", "leaves the app's folder"),
        ("attacks/absolute.js", "leaves the app's folder"),
        ("attacks/through-npm.js", "leaves the app's folder"),
        #[cfg(unix)]
        ("attacks/symlink.js", "no module \\\"linked/secret\\\""),
    ] {
        let text = code(&files, file);
        assert!(
            text.starts_with("throw Object.assign(new SyntaxError("),
            "{file}: {text}"
        );
        assert!(text.contains(expect), "{file}: {text}");
    }
    // A require of a path outside is left as written: the logic layer finds no such module.
    assert!(code(&files, "attacks/required.js").contains("require(\"../../outside/secret\")"));
    for (path, value) in &files {
        assert!(
            !path.contains("outside") && !path.starts_with('/') && !path.contains(".."),
            "{path}"
        );
        assert!(
            !value.as_str().unwrap_or("").contains("SECRET_OUTSIDE"),
            "{path} leaked"
        );
    }
}

#[tokio::test]
async fn an_edit_is_seen_by_the_next_bundle() {
    let dir = app_folder();
    let (app, files) = bundle(dir.path()).await;
    assert!(code(&files, "broken/syntax.js").starts_with("throw"));
    write(
        &dir.path().join("esm-app"),
        "broken/syntax.js",
        "export const fixed = 2;\n",
    );
    let (_, row) = app.get_json("/sandbox/mini-programs/esm-app").await;
    let body: serde_json::Value = app
        .http
        .get(format!("{}bundle.json", row["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let fixed = body["files"]["broken/syntax.js"].as_str().unwrap();
    assert!(
        fixed.contains("Object.defineProperty(exports, \"fixed\"")
            && fixed.ends_with("const fixed = 2;\n"),
        "{fixed}"
    );
}
