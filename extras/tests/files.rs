//! Browser tests of the per-app file store (IndexedDB) and the image JSAPIs: `my.saveFile`,
//! `getSavedFileList`, `getSavedFileInfo`, `removeSavedFile`, `getFileInfo`, `openDocument`,
//! `chooseImage`, `previewImage`, `saveImage`, `getImageInfo`, `compressImage` — their success
//! and fail shapes, bad options (error 2 naming them), cancel codes, the quota, the log, and
//! the attack: one app reading, saving or removing another app's files; and `my.scan` reading
//! a QR code from an image (the devtools' `device.scanImage`, or one chosen from the album).
//! The fixture images are the simulator's own (`www/simulator/fixtures/`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use miniprogram_shim_extras::files::DigestAlgorithm;
use miniprogram_shim_extras::{configure, create_my};
use shim_core::file_store::store_temp_file;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[path = "../../tests/common/mod.rs"]
mod common;
use common::{js, settle, show, Outcome};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/sheets.js")]
extern "C" {
    fn operate(my: &JsValue, api: &str, options: &JsValue, steps: &JsValue, kind: &str) -> Promise;
}

#[wasm_bindgen(module = "/tests/fixtures/files.js")]
extern "C" {
    fn file(bytes: &Uint8Array, name: &str, kind: &str) -> JsValue;
    fn pdf(name: &str) -> JsValue;
    fn zeros(n: f64, kind: &str) -> JsValue;
    #[wasm_bindgen(js_name = dataUrl)]
    fn data_url(bytes: &Uint8Array, kind: &str) -> String;
    fn recorder() -> JsValue;
}

const SHOP: &[u8] = include_bytes!("../../www/simulator/fixtures/shop.jpg");
const ROTATED: &[u8] = include_bytes!("../../www/simulator/fixtures/rotated.jpg");
const RECEIPT: &[u8] = include_bytes!("../../www/simulator/fixtures/receipt.png");

fn image(bytes: &[u8], name: &str) -> JsValue {
    let kind = if name.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    file(&Uint8Array::from(bytes), name, kind)
}

fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// A fresh app (IndexedDB outlives each test), with these chooser images preset.
fn app(name: &str, images: &[JsValue]) -> String {
    let id = format!("{name}-{}", js_sys::Date::now());
    let list: Array = images.iter().collect();
    let device = obj(&[("images", list.into())]);
    configure(obj(&[
        ("appId", s(&id)),
        ("logger", JsValue::NULL),
        ("device", device),
    ]))
    .expect("configure");
    id
}

fn switch_to(id: &str) {
    configure(obj(&[("appId", s(id))])).expect("configure appId");
}

async fn run(api: &str, options: JsValue, steps: &str) -> Outcome {
    let my: JsValue = create_my().into();
    Outcome(settle(operate(&my, api, &options, &js(steps), "viewer")).await)
}

async fn call(api: &str, options: JsValue) -> Outcome {
    run(api, options, "[]").await
}

fn assert_named(o: &Outcome, code: u32, named: &str) {
    o.assert_fail_code(code);
    let message = o.text("value.errorMessage");
    assert!(message.contains(named), "{named} not in {message}");
}

async fn choose(count: u32) -> Vec<String> {
    let o = call("chooseImage", obj(&[("count", JsValue::from(count))])).await;
    o.assert_success();
    Array::from(&o.get("value.apFilePaths"))
        .iter()
        .map(|p| p.as_string().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn choose_image_returns_the_preset_images_as_temporary_files() {
    app(
        "choose",
        &[image(SHOP, "shop.jpg"), image(RECEIPT, "receipt.png")],
    );
    let o = call("chooseImage", js(r#"{"count":2,"sourceType":["album"]}"#)).await;
    o.assert_success();
    assert!(o.get("seen").is_null(), "no sheet with preset images");
    let paths = Array::from(&o.get("value.apFilePaths"));
    assert_eq!(paths.length(), 2);
    for p in paths.iter() {
        let p = p.as_string().unwrap_or_default();
        assert!(
            p.starts_with("https://resource/apml") && p.ends_with(".image"),
            "{p}"
        );
    }
    assert_eq!(
        show(&o.get("value.tempFilePaths")),
        show(&o.get("value.apFilePaths"))
    );
    assert_eq!(
        o.get("value.tempFiles.0.size").as_f64(),
        Some(SHOP.len() as f64)
    );
    assert_eq!(
        o.get("value.tempFiles.1.size").as_f64(),
        Some(RECEIPT.len() as f64)
    );
    // count defaults to 1
    assert_eq!(choose(1).await.len(), 1);
    for (options, named) in [
        (r#"{"count":10}"#, "`count`"),
        (r#"{"count":0}"#, "`count`"),
        (r#"{"sourceType":["roll"]}"#, "`sourceType[0]`"),
        (r#"{"sizeType":["huge"]}"#, "`sizeType[0]`"),
    ] {
        assert_named(&call("chooseImage", js(options)).await, 2, named);
    }
}

#[wasm_bindgen_test]
async fn choose_image_without_presets_asks_in_a_sheet_and_cancel_is_11() {
    app("chooser", &[]);
    let o = run("chooseImage", js("{}"), r#"[{"key":"Escape"}]"#).await;
    assert_named(&o, 11, "cancel");
    assert_eq!(o.text("seen.label"), "Choose an image");
    assert_eq!(o.text("seen.focused"), "BUTTON choose");
    assert_eq!(
        show(&o.get("seen.fileInput")),
        r#"{"accept":"image/*","multiple":false,"capture":null}"#
    );
    assert!(o.get("removed").is_truthy() && o.get("focusRestored").is_truthy());
    let o = run(
        "chooseImage",
        js(r#"{"count":3,"sourceType":"camera"}"#),
        r#"[{"click":"[data-action=cancel]"}]"#,
    )
    .await;
    o.assert_fail_code(11);
    assert_eq!(o.text("seen.label"), "Choose images");
    assert_eq!(
        show(&o.get("seen.fileInput")),
        r#"{"accept":"image/*","multiple":true,"capture":"environment"}"#
    );
    // The user picks two images (one of them twice the count allows is cut to `count`).
    let my: JsValue = create_my().into();
    let steps = Array::of1(&obj(&[(
        "files",
        Array::of3(
            &image(SHOP, "a.jpg"),
            &image(RECEIPT, "b.png"),
            &image(ROTATED, "c.jpg"),
        )
        .into(),
    )]));
    let o = Outcome(
        settle(operate(
            &my,
            "chooseImage",
            &js(r#"{"count":2}"#),
            &steps.into(),
            "viewer",
        ))
        .await,
    );
    o.assert_success();
    assert_eq!(Array::from(&o.get("value.apFilePaths")).length(), 2);
    assert_eq!(
        o.get("value.tempFiles.1.size").as_f64(),
        Some(RECEIPT.len() as f64)
    );
}

#[wasm_bindgen_test]
async fn files_are_saved_listed_described_and_removed() {
    let (log_holder, logger) = {
        let r = recorder();
        let logger = Reflect::get(&r, &"logger".into()).unwrap_or_default();
        (r, logger)
    };
    app("store", &[image(SHOP, "shop.jpg"), image(RECEIPT, "r.png")]);
    configure(obj(&[("logger", logger)])).expect("logger");
    let paths = choose(2).await;
    let (temp, other) = (paths[0].clone(), paths[1].clone());

    let o = call("getFileInfo", obj(&[("apFilePath", s(&temp))])).await;
    o.assert_success();
    assert_eq!(
        show(&o.get("value")),
        format!(
            r#"{{"size":{},"digest":"{}"}}"#,
            SHOP.len(),
            DigestAlgorithm::Md5.hex(SHOP)
        )
    );
    let o = call(
        "getFileInfo",
        obj(&[("filePath", s(&temp)), ("digestAlgorithm", s("sha1"))]),
    )
    .await;
    assert_eq!(o.text("value.digest"), DigestAlgorithm::Sha1.hex(SHOP));

    let o = call("getSavedFileList", JsValue::UNDEFINED).await;
    o.assert_success();
    assert_eq!(show(&o.get("value")), r#"{"success":true,"fileList":[]}"#);

    let o = call("saveFile", obj(&[("apFilePath", s(&temp))])).await;
    o.assert_success();
    assert_eq!(o.get("value.success"), JsValue::TRUE);
    let saved = o.text("value.apFilePath");
    assert!(
        saved.starts_with("https://resource/apml") && saved.ends_with(".image") && saved != temp
    );
    // The temporary path moved: it names nothing now.
    assert_named(
        &call("getFileInfo", obj(&[("apFilePath", s(&temp))])).await,
        2,
        "no file of this mini program",
    );
    // Saving a saved file answers its own path.
    let o = call("saveFile", obj(&[("filePath", s(&saved))])).await;
    assert_eq!(o.text("value.apFilePath"), saved);

    let o = call("getSavedFileList", js("{}")).await;
    assert_eq!(Array::from(&o.get("value.fileList")).length(), 1);
    assert_eq!(o.text("value.fileList.0.apFilePath"), saved);
    assert_eq!(
        o.get("value.fileList.0.size").as_f64(),
        Some(SHOP.len() as f64)
    );
    let created = o.get("value.fileList.0.createTime").as_f64().unwrap_or(0.0);
    let now = js_sys::Date::now() / 1000.0;
    assert!(
        created <= now && created > now - 120.0,
        "createTime {created} is in seconds"
    );

    let o = call("getSavedFileInfo", obj(&[("apFilePath", s(&saved))])).await;
    o.assert_success();
    assert_eq!(o.get("value.size").as_f64(), Some(SHOP.len() as f64));
    assert_eq!(o.get("value.createTime").as_f64(), Some(created));
    // A temporary file is not a saved one.
    assert_named(
        &call("getSavedFileInfo", obj(&[("apFilePath", s(&other))])).await,
        2,
        "temporary file",
    );
    assert_named(
        &call("removeSavedFile", obj(&[("apFilePath", s(&other))])).await,
        2,
        "temporary file",
    );

    let o = call("removeSavedFile", obj(&[("apFilePath", s(&saved))])).await;
    o.assert_success();
    assert_eq!(show(&o.get("value")), r#"{"success":true}"#);
    let o = call("getSavedFileList", js("{}")).await;
    assert_eq!(Array::from(&o.get("value.fileList")).length(), 0);
    assert_named(
        &call("getSavedFileInfo", obj(&[("apFilePath", s(&saved))])).await,
        2,
        "`apFilePath`",
    );
    // Every call is in the devtools' log.
    let entries = show(&Reflect::get(&log_holder, &"entries".into()).unwrap_or_default());
    for api in [
        "chooseImage",
        "getFileInfo",
        "getSavedFileList",
        "saveFile",
        "getSavedFileInfo",
        "removeSavedFile",
    ] {
        assert!(
            entries.contains(&format!(r#""api":"{api}""#)),
            "{api} not in {entries}"
        );
    }
    assert!(
        entries.contains(r#"{"api":"removeSavedFile","ok":false,"error":2}"#),
        "{entries}"
    );
    configure(obj(&[("logger", JsValue::NULL)])).expect("logger off");
}

#[wasm_bindgen_test]
async fn bad_file_options_fail_with_2_naming_the_option() {
    let id = app("bad", &[]);
    let pdf_path = store_temp_file("test", &id, &pdf("menu.pdf"), "menu.pdf")
        .await
        .expect("pdf stored");
    let png_path = store_temp_file("test", &id, &image(RECEIPT, "r.png"), "r.png")
        .await
        .expect("png stored");
    let good = "https://resource/apml0123456789abcdef0123456789abcdef.image";
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("saveFile", js("{}"), "`apFilePath`"),
        ("saveFile", js(r#"{"filePath":"/tmp/a.png"}"#), "`filePath`"),
        (
            "saveFile",
            js(r#"{"apFilePath":"https://resource/apmlXYZ.image"}"#),
            "`apFilePath`",
        ),
        ("getSavedFileInfo", js("{}"), "`apFilePath`"),
        ("removeSavedFile", js(r#"{"apFilePath":7}"#), "`apFilePath`"),
        (
            "getFileInfo",
            obj(&[("apFilePath", s(good)), ("digestAlgorithm", s("sha256"))]),
            "`digestAlgorithm`",
        ),
        (
            "getFileInfo",
            obj(&[("apFilePath", s(good))]),
            "`apFilePath`",
        ),
        (
            "openDocument",
            obj(&[("filePath", s(&pdf_path)), ("fileType", s("docx"))]),
            "`fileType`",
        ),
        (
            "openDocument",
            obj(&[("filePath", s(&png_path))]),
            "`filePath`",
        ),
        ("openDocument", js("{}"), "`apFilePath`"),
    ];
    for (api, options, named) in cases {
        let o = call(api, options).await;
        assert!(o.get("seen").is_null(), "{api}: no sheet for bad options");
        assert_named(&o, 2, named);
    }
}

#[wasm_bindgen_test]
async fn one_app_never_reads_saves_or_removes_another_apps_files() {
    let alice = app("alice", &[image(SHOP, "shop.jpg"), image(RECEIPT, "r.png")]);
    let paths = choose(2).await;
    let o = call("saveFile", obj(&[("apFilePath", s(&paths[0]))])).await;
    let saved = o.text("value.apFilePath");
    let temp = paths[1].clone();
    let doc = store_temp_file("test", &alice, &pdf("secret.pdf"), "secret.pdf")
        .await
        .expect("stored");

    app("mallory", &[]);
    let o = call("getSavedFileList", js("{}")).await;
    assert_eq!(
        show(&o.get("value.fileList")),
        "[]",
        "another app's files are not listed"
    );
    let guessed = "https://resource/apml00000000000000000000000000000000.image";
    for path in [saved.as_str(), temp.as_str(), doc.as_str(), guessed] {
        let p = || obj(&[("apFilePath", s(path))]);
        for api in [
            "getFileInfo",
            "getSavedFileInfo",
            "removeSavedFile",
            "saveFile",
        ] {
            assert_named(&call(api, p()).await, 2, "no file of this mini program");
        }
        assert_named(
            &call("openDocument", obj(&[("filePath", s(path))])).await,
            2,
            "no file of this mini program",
        );
        assert_named(
            &call("getImageInfo", obj(&[("src", s(path))])).await,
            2,
            "`src`: no file of this mini program",
        );
        assert_named(
            &call("saveImage", obj(&[("url", s(path))])).await,
            2,
            "`url`: no file of this mini program",
        );
        let list = || Array::of1(&s(path)).into();
        assert_named(
            &call("compressImage", obj(&[("apFilePaths", list())])).await,
            2,
            "`apFilePaths[0]`",
        );
        let o = call("previewImage", obj(&[("urls", list())])).await;
        assert!(o.get("seen").is_null(), "no viewer for another app's file");
        assert_named(&o, 2, "`urls[0]`");
    }
    // Alice's files are all still there.
    switch_to(&alice);
    let o = call("getSavedFileList", js("{}")).await;
    assert_eq!(o.text("value.fileList.0.apFilePath"), saved);
    for path in [&saved, &temp, &doc] {
        call("getFileInfo", obj(&[("apFilePath", s(path))]))
            .await
            .assert_success();
    }
}

#[wasm_bindgen_test]
async fn saved_files_stop_at_the_10_mb_quota_with_a_clear_error() {
    let id = app("quota", &[]);
    let mb = 1024.0 * 1024.0;
    let big = store_temp_file("test", &id, &zeros(6.0 * mb, "video/mp4"), "a.mp4")
        .await
        .expect("stored");
    let more = store_temp_file("test", &id, &zeros(5.0 * mb, "video/mp4"), "b.mp4")
        .await
        .expect("stored");
    assert!(big.ends_with(".video"), "{big}");
    call("saveFile", obj(&[("apFilePath", s(&big))]))
        .await
        .assert_success();
    let o = call("saveFile", obj(&[("apFilePath", s(&more))])).await;
    o.assert_fail_code(3);
    let message = o.text("value.errorMessage");
    assert!(
        message.starts_with("saveFile:fail over quota")
            && message.contains("10485760 bytes (10 MB)")
            && message.contains("6291456 are used")
            && message.contains("my.removeSavedFile"),
        "{message}"
    );
    // Nothing changed: the temporary file is still there, one file is saved.
    call("getFileInfo", obj(&[("apFilePath", s(&more))]))
        .await
        .assert_success();
    let o = call("getSavedFileList", js("{}")).await;
    assert_eq!(Array::from(&o.get("value.fileList")).length(), 1);
}

#[wasm_bindgen_test]
async fn open_document_shows_the_pdf_in_a_viewer_until_closed() {
    let id = app("doc", &[]);
    let path = store_temp_file("test", &id, &pdf("menu.pdf"), "menu.pdf")
        .await
        .expect("stored");
    assert!(path.ends_with(".pdf"), "{path}");
    let o = run(
        "openDocument",
        obj(&[("filePath", s(&path)), ("fileType", s("pdf"))]),
        r#"[{"key":"Tab"},{"click":"[data-action=cancel]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(show(&o.get("value")), "{}");
    assert_eq!(o.text("seen.label"), "menu.pdf");
    assert_eq!(o.text("seen.frameSrc"), "blob:");
    assert_eq!(o.text("seen.frameTitle"), "menu.pdf");
    assert_eq!(o.text("seen.focused"), "BUTTON cancel");
    assert!(o.get("removed").is_truthy() && o.get("focusRestored").is_truthy());
    let o = run(
        "openDocument",
        obj(&[("apFilePath", s(&path))]),
        r#"[{"key":"Escape"}]"#,
    )
    .await;
    o.assert_success();
}

#[wasm_bindgen_test]
async fn get_image_info_reads_size_type_and_orientation_from_the_bytes() {
    app(
        "info",
        &[image(ROTATED, "rotated.jpg"), image(RECEIPT, "r.png")],
    );
    let paths = choose(2).await;
    let o = call("getImageInfo", obj(&[("src", s(&paths[0]))])).await;
    o.assert_success();
    assert_eq!(
        show(&o.get("value")),
        format!(
            r#"{{"width":80,"height":60,"path":"{}","size":{},"type":"jpeg","orientation":"right"}}"#,
            paths[0],
            ROTATED.len()
        )
    );
    let o = call("getImageInfo", obj(&[("src", s(&paths[1]))])).await;
    assert_eq!(
        (o.text("value.type"), o.text("value.orientation")),
        ("png".to_owned(), "up".to_owned())
    );
    assert_eq!(o.get("value.width").as_f64(), Some(40.0));
    // A URL's image is read with fetch and kept as a temporary file.
    let url = data_url(&Uint8Array::from(SHOP), "image/jpeg");
    let o = call("getImageInfo", obj(&[("src", s(&url))])).await;
    o.assert_success();
    assert_eq!(o.get("value.height").as_f64(), Some(60.0));
    assert!(o.text("value.path").starts_with("https://resource/apml"));
    let o = call(
        "getImageInfo",
        obj(&[("src", s("http://127.0.0.1:9/none.png"))]),
    )
    .await;
    assert_named(
        &o,
        18,
        "getImageInfo:fail cannot read http://127.0.0.1:9/none.png",
    );
    let text = data_url(&Uint8Array::from(&b"hello"[..]), "text/plain");
    assert_named(
        &call("getImageInfo", obj(&[("src", s(&text))])).await,
        18,
        "is not an image",
    );
    assert_named(&call("getImageInfo", js("{}")).await, 2, "`src`");
}

#[wasm_bindgen_test]
async fn compress_image_reencodes_with_the_canvas() {
    let id = app("compress", &[image(SHOP, "shop.jpg")]);
    let original = choose(1).await.remove(0);
    let o = call(
        "compressImage",
        obj(&[
            ("apFilePaths", Array::of1(&s(&original)).into()),
            ("compressLevel", JsValue::from(0)),
            ("compressedWidth", JsValue::from(40)),
        ]),
    )
    .await;
    o.assert_success();
    let small = o.text("value.apFilePaths.0");
    assert!(small.starts_with("https://resource/apml") && small != original);
    let info = call("getImageInfo", obj(&[("src", s(&small))])).await;
    assert_eq!(
        (
            info.get("value.width").as_f64(),
            info.get("value.height").as_f64(),
            info.text("value.type")
        ),
        (Some(40.0), Some(30.0), "jpeg".to_owned())
    );
    // Level 3 without a size keeps the original bytes.
    let o = call(
        "compressImage",
        obj(&[
            ("apFilePaths", Array::of1(&s(&original)).into()),
            ("compressLevel", JsValue::from(3)),
        ]),
    )
    .await;
    let kept = o.text("value.apFilePaths.0");
    let digest = call("getFileInfo", obj(&[("apFilePath", s(&kept))])).await;
    assert_eq!(digest.text("value.digest"), DigestAlgorithm::Md5.hex(SHOP));
    let pdf_path = store_temp_file("test", &id, &pdf("x.pdf"), "x.pdf")
        .await
        .expect("stored");
    let list = |p: &str| -> JsValue { Array::of1(&s(p)).into() };
    for (options, named) in [
        (js("{}"), "`apFilePaths`"),
        (js(r#"{"apFilePaths":[]}"#), "`apFilePaths`"),
        (
            obj(&[
                ("apFilePaths", list(&original)),
                ("compressLevel", JsValue::from(7)),
            ]),
            "`compressLevel`",
        ),
        (
            obj(&[
                ("apFilePaths", list(&original)),
                ("maxWidth", JsValue::from(0)),
            ]),
            "`maxWidth`",
        ),
        (obj(&[("apFilePaths", list(&pdf_path))]), "`apFilePaths[0]`"),
    ] {
        assert_named(&call("compressImage", options).await, 2, named);
    }
}

#[wasm_bindgen_test]
async fn preview_image_steps_through_the_images_by_keys_and_buttons() {
    app("preview", &[image(SHOP, "a.jpg"), image(RECEIPT, "b.png")]);
    let paths = choose(2).await;
    let urls: Array = paths.iter().map(|p| s(p)).collect();
    let o = run(
        "previewImage",
        obj(&[("urls", urls.clone().into()), ("current", JsValue::from(1))]),
        r#"[{"key":"ArrowLeft"},{"click":"[data-action=next]"},{"key":"ArrowRight"},{"key":"Escape"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(show(&o.get("value")), "{}");
    assert_eq!(o.text("seen.label"), "Preview");
    assert_eq!(o.text("seen.counter"), "2 / 2");
    assert_eq!(o.text("seen.imgAlt"), "Image 2 of 2");
    assert_eq!(o.text("seen.imgSrc"), "blob:");
    assert_eq!(show(&o.get("seen.disabled")), r#"["next"]"#);
    assert_eq!(o.text("seen.focused"), "BUTTON cancel");
    assert_eq!(o.text("trace.0.counter"), "1 / 2");
    assert_eq!(show(&o.get("trace.0.disabled")), r#"["previous"]"#);
    assert_eq!(o.text("trace.1.counter"), "2 / 2");
    assert_eq!(
        o.text("trace.2.counter"),
        "2 / 2",
        "stops at the last image"
    );
    assert!(o.get("removed").is_truthy() && o.get("focusRestored").is_truthy());
    // `current` may be one of the urls, as WeChat-style code passes it.
    let o = run(
        "previewImage",
        obj(&[("urls", urls.clone().into()), ("current", s(&paths[1]))]),
        r#"[{"click":"[data-action=cancel]"}]"#,
    )
    .await;
    assert_eq!(o.text("seen.counter"), "2 / 2");
    for (options, named) in [
        (js(r#"{"urls":[]}"#), "`urls`"),
        (js("{}"), "`urls`"),
        (js(r#"{"urls":[{}]}"#), "`urls[0]`"),
        (
            obj(&[("urls", urls.clone().into()), ("current", JsValue::from(2))]),
            "`current`",
        ),
    ] {
        assert_named(&call("previewImage", options).await, 2, named);
    }
}

#[wasm_bindgen_test]
async fn save_image_offers_the_image_as_a_download() {
    let id = app("save", &[image(SHOP, "a.jpg")]);
    let path = choose(1).await.remove(0);
    let o = call("saveImage", obj(&[("url", s(&path))])).await;
    o.assert_success();
    assert_eq!(show(&o.get("value")), "{}");
    let pdf_path = store_temp_file("test", &id, &pdf("x.pdf"), "x.pdf")
        .await
        .expect("stored");
    assert_named(&call("saveImage", js("{}")).await, 2, "`url`");
    assert_named(
        &call("saveImage", obj(&[("url", s(&pdf_path))])).await,
        2,
        "is not an image",
    );
    assert_named(
        &call("saveImage", obj(&[("url", s("http://127.0.0.1:9/x.png"))])).await,
        17,
        "saveImage:fail cannot read",
    );
}

#[wasm_bindgen_test]
async fn bad_chooser_images_are_refused_naming_the_entry() {
    let not_array: JsValue = js(r#"{"images":{}}"#);
    for (device, named) in [
        (
            obj(&[("images", Array::of1(&s("shop.jpg")).into())]),
            "`device.images[0]`",
        ),
        (
            obj(&[(
                "images",
                Array::of2(&image(SHOP, "a.jpg"), &pdf("x.pdf")).into(),
            )]),
            "`device.images[1]`",
        ),
        (not_array, "`device.images`"),
    ] {
        let err: JsValue = configure(obj(&[("device", device)]))
            .expect_err("refused")
            .into();
        let message = Reflect::get(&err, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        assert!(message.contains(named), "{named} not in {message}");
    }
}

// ---- my.scan reading a QR image -------------------------------------------------------------

const QR_TABLE: &[u8] = include_bytes!("../../www/simulator/fixtures/qr-table-12.png");
const QR_PAY: &[u8] = include_bytes!("../../www/simulator/fixtures/qr-pay.png");
const QR_DAMAGED: &[u8] = include_bytes!("../../www/simulator/fixtures/qr-damaged.png");

/// Sets (or clears, with `None`) the devtools' QR image; no code preset.
fn scan_image(image: Option<JsValue>) {
    let device = obj(&[
        ("scanImage", image.unwrap_or(JsValue::NULL)),
        ("scan", JsValue::NULL),
    ]);
    configure(obj(&[("logger", JsValue::NULL), ("device", device)])).expect("scanImage");
}

#[wasm_bindgen_test]
async fn scan_decodes_the_devtools_qr_image_at_once() {
    scan_image(Some(image(QR_TABLE, "qr-table-12.png")));
    let o = call("scan", obj(&[])).await;
    o.assert_success();
    assert!(o.get("seen").is_null(), "no sheet with a QR image set");
    assert_eq!(
        show(&o.get("value")),
        r#"{"code":"https://example.com/table/12","qrCode":"https://example.com/table/12","imageChannel":"camera","result":"https://example.com/table/12","scanType":"qrCode","rawData":"aHR0cHM6Ly9leGFtcGxlLmNvbS90YWJsZS8xMg=="}"#
    );
    assert_eq!(o.events(), ["success", "complete"]);
    // scanType with qrCode among others reads it too.
    let o = call(
        "scan",
        js(r#"{"scanType":["barCode","qrCode"],"hideAlbum":true}"#),
    )
    .await;
    assert_eq!(o.text("value.qrCode"), "https://example.com/table/12");
}

#[wasm_bindgen_test]
async fn scan_of_an_image_without_a_readable_qr_code_fails_with_11_saying_why() {
    for (bytes, name, why) in [
        (QR_DAMAGED, "qr-damaged.png", "could not be read"),
        (SHOP, "shop.jpg", "no QR code was found in the image"),
    ] {
        scan_image(Some(image(bytes, name)));
        let o = call("scan", obj(&[])).await;
        o.assert_fail_code(11);
        let message = o.text("value.errorMessage");
        assert!(
            message.starts_with("scan:fail ") && message.contains(why) && message.contains(name),
            "{name}: {message}"
        );
        assert_eq!(o.events(), ["fail", "complete"]);
    }
    // Not an image at all (a file that claims to be one).
    scan_image(Some(file(
        &Uint8Array::from(&b"not a png"[..]),
        "fake.png",
        "image/png",
    )));
    let o = call("scan", obj(&[])).await;
    o.assert_fail_code(11);
    assert!(
        o.text("value.errorMessage")
            .contains("could not be decoded"),
        "{}",
        o.debug()
    );
}

#[wasm_bindgen_test]
async fn a_qr_image_does_not_answer_a_bar_code_scan() {
    scan_image(Some(image(QR_TABLE, "qr-table-12.png")));
    let o = run(
        "scan",
        js(r#"{"scanType":["barCode"]}"#),
        r#"[{"key":"Escape"}]"#,
    )
    .await;
    o.assert_fail_code(10);
    assert_eq!(o.text("seen.label"), "Scan");
    // A bar code scan has no album of QR images to offer.
    assert!(o.get("seen.fileInput").is_null(), "{}", o.debug());
}

#[wasm_bindgen_test]
async fn scan_reads_a_qr_image_chosen_from_the_album_unless_hide_album() {
    scan_image(None);
    let steps = Array::of1(&obj(&[(
        "files",
        Array::of1(&image(QR_PAY, "qr-pay.png")).into(),
    )]));
    let my: JsValue = create_my().into();
    let o = Outcome(settle(operate(&my, "scan", &obj(&[]), &steps, "viewer")).await);
    o.assert_success();
    assert_eq!(o.text("seen.label"), "Scan");
    assert_eq!(
        show(&o.get("seen.buttons")),
        r#"["album","cancel","confirm"]"#
    );
    assert_eq!(o.text("seen.fileInput.accept"), "image/*");
    assert_eq!(o.text("value.imageChannel"), "album");
    assert_eq!(
        o.text("value.qrCode"),
        "alipays://platformapi/startapp?appId=2102020000000002&page=pages/pay/pay"
    );
    assert_eq!(o.get("removed"), JsValue::TRUE);

    for hide in [r#"{"hideAlbum":true}"#, r#"{"onlyFromCamera":true}"#] {
        let o = run("scan", js(hide), r#"[{"click":"[data-action=cancel]"}]"#).await;
        o.assert_fail_code(10);
        assert_eq!(
            show(&o.get("seen.buttons")),
            r#"["cancel","confirm"]"#,
            "{hide}"
        );
        assert!(o.get("seen.fileInput").is_null(), "{hide}");
    }
}

#[wasm_bindgen_test]
async fn scan_bad_options_and_a_bad_scan_image_are_refused_naming_them() {
    scan_image(None);
    for (options, named) in [
        (r#"{"hideAlbum":"yes"}"#, "`hideAlbum`"),
        (r#"{"onlyFromCamera":1}"#, "`onlyFromCamera`"),
        (r#"{"scanType":["qr"]}"#, "`scanType[0]`"),
    ] {
        let o = call("scan", js(options)).await;
        assert_named(&o, 2, named);
        assert!(o.get("seen").is_null());
    }
    for bad in [s("qr-table-12.png"), pdf("code.pdf")] {
        let err: JsValue = configure(obj(&[("device", obj(&[("scanImage", bad)]))]))
            .expect_err("a scanImage that is not an image")
            .into();
        let message = Reflect::get(&err, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        assert!(message.contains("`device.scanImage`"), "{message}");
    }
}
