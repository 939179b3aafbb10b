//! Browser tests of `my.createInnerAudioContext()` and `my.getBackgroundAudioManager()` through
//! the start module's `my` (the objects are made at once; the extras module's driver plays a
//! real `<audio>` element): the documented event order (canplay, play, timeUpdate, pause,
//! seeking/seeked, ended without a pause, stop instead of the element's pause and seek back),
//! `currentTime` after a seek and a `startTime`, refused values, the limit of live contexts and
//! the background manager. The WAV is made by the fixture (`tests/fixtures/audio.js`). Playing
//! without a user's gesture needs the browsers' autoplay policy opened by the test harness
//! (`webdriver.json`), not by the runtime.
#![cfg(target_arch = "wasm32")]

use js_sys::Promise;
use miniprogram_shim::{configure, create_my};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod common;
use common::{js, pick, settle, show};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/audio.js")]
extern "C" {
    #[wasm_bindgen(js_name = playPauseSeekEnd)]
    fn play_pause_seek_end(my: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = startTime)]
    fn start_time(my: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = refusedValues)]
    fn refused_values(my: &JsValue) -> Promise;
    fn limit(my: &JsValue, max: u32) -> Promise;
    fn background(my: &JsValue) -> Promise;
}

const EXTRAS: &str =
    r#"{"appId":"test-app","logger":null,"extrasUrl":"/pkg/extras/miniprogram_shim_extras.js"}"#;

fn my() -> JsValue {
    configure(js(EXTRAS)).expect("config");
    create_my().into()
}

fn number(r: &JsValue, path: &str) -> f64 {
    pick(r, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path}: {}", show(r)))
}

#[wasm_bindgen_test]
async fn play_pause_seek_end_and_stop_come_in_the_documented_order() {
    let r = settle(play_pause_seek_end(&my())).await;
    assert_eq!(pick(&r, "before.paused"), JsValue::TRUE, "{}", show(&r));
    assert_eq!(number(&r, "before.volume"), 1.0);
    assert!((number(&r, "duration") - 1.0).abs() < 0.01, "{}", show(&r));
    assert_eq!(pick(&r, "pausedWhilePlaying"), JsValue::FALSE);
    assert!((number(&r, "afterSeek") - 0.5).abs() < 0.01, "{}", show(&r));
    assert_eq!(pick(&r, "pausedAtEnd"), JsValue::TRUE);
    assert_eq!(number(&r, "afterStop.currentTime"), 0.0, "{}", show(&r));
    assert_eq!(pick(&r, "afterStop.paused"), JsValue::TRUE);
    assert_eq!(
        show(&pick(&r, "log")),
        r#"["canplay","play","pause","|","seeking","seeked","|","play","ended","|","play","stop"]"#,
    );
    assert!(number(&r, "timeUpdates") >= 2.0, "{}", show(&r));
}

#[wasm_bindgen_test]
async fn start_time_is_where_playing_starts_without_seek_events() {
    let r = settle(start_time(&my())).await;
    assert!(number(&r, "at") >= 0.6, "{}", show(&r));
    assert_eq!(number(&r, "startTime"), 0.6);
    let log = show(&pick(&r, "log"));
    assert!(!log.contains("seek"), "{log}");
    // play() came before the source had loaded: canplay may come after play.
    assert!(
        log.contains(r#""play""#) && log.contains(r#""canplay""#),
        "{log}"
    );
}

#[wasm_bindgen_test]
async fn refused_values_name_what_was_wrong_and_keep_the_property() {
    let r = settle(refused_values(&my())).await;
    assert_eq!(number(&r, "errCode"), 10003.0, "{}", show(&r));
    let message = pick(&r, "errMsg").as_string().unwrap_or_default();
    assert!(
        message.contains("the scheme javascript: is not allowed"),
        "{message}"
    );
    assert_eq!(pick(&r, "src").as_string().as_deref(), Some(""));
    assert_eq!(number(&r, "volume"), 0.25);
    assert_eq!(number(&r, "playbackRate"), 1.0);
    assert_eq!(pick(&r, "loop"), JsValue::TRUE);
    assert_eq!(pick(&r, "autoplay"), JsValue::FALSE);
    assert_eq!(number(&r, "noSrc"), 10003.0);
}

#[wasm_bindgen_test]
async fn live_contexts_are_bounded_and_destroy_frees_one() {
    let r = settle(limit(&my(), 16)).await;
    assert_eq!(number(&r, "errCode"), 10001.0, "{}", show(&r));
    let message = pick(&r, "errMsg").as_string().unwrap_or_default();
    assert!(
        message.contains("16 InnerAudioContexts are live in this app, the limit"),
        "{message}"
    );
    assert_eq!(pick(&r, "anotherLoaded"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn the_background_manager_is_one_object_that_plays_a_new_src() {
    let r = settle(background(&my())).await;
    assert_eq!(pick(&r, "same"), JsValue::TRUE, "{}", show(&r));
    assert_eq!(pick(&r, "playing"), JsValue::TRUE);
    assert_eq!(pick(&r, "title").as_string().as_deref(), Some("A tone"));
    assert_eq!(pick(&r, "singer").as_string().as_deref(), Some("The test"));
    assert_eq!(
        pick(&r, "cover").as_string().as_deref(),
        Some("https://example.com/cover.png")
    );
    assert_eq!(pick(&r, "paused"), JsValue::TRUE);
    assert_eq!(pick(&r, "prev").as_string().as_deref(), Some("function"));
    let log = show(&pick(&r, "log"));
    assert!(log.contains(r#""play""#), "{log}");
    assert!(log.ends_with(r#""stop"]"#), "{log}");
}

/// `my.canIUse('<api>.return.<member>')` is true exactly for the members the object has (the
/// table in src/can_i_use.rs is written by hand beside the loader's object, src/glue/extras.js).
#[wasm_bindgen_test]
fn can_i_use_lists_exactly_the_members_of_the_audio_objects() {
    let my = my();
    for api in ["createInnerAudioContext", "getBackgroundAudioManager"] {
        let listed = miniprogram_shim::can_i_use::SUPPORTED
            .iter()
            .find(|s| s.name == api)
            .unwrap_or_else(|| panic!("{api} is not in the canIUse table"))
            .returns;
        let make = js_sys::Reflect::get(&my, &JsValue::from_str(api))
            .expect("my has the API")
            .dyn_into::<js_sys::Function>()
            .expect("a function");
        let object = make.call0(&my).expect("the object");
        let mut members: Vec<String> =
            js_sys::Object::get_own_property_names(object.unchecked_ref::<js_sys::Object>())
                .iter()
                .filter_map(|n| n.as_string())
                .collect();
        members.sort();
        let mut expected: Vec<String> = listed.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(
            members, expected,
            "{api}: the object's members against canIUse's"
        );
        if let Ok(destroy) = js_sys::Reflect::get(&object, &JsValue::from_str("destroy"))
            .and_then(|d| d.dyn_into::<js_sys::Function>())
        {
            let _ = destroy.call0(&object);
        }
    }
}
