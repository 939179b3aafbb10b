//! Browser tests of the pickers — `my.showActionSheet`, `my.prompt`, `my.showModal`,
//! `my.datePicker`, `my.optionsSelect`, `my.multiLevelSelect`, `my.chooseCity`,
//! `my.regionPicker` (its data from `extras/data/regions.txt`, its `mergeOptions`, the
//! devtools' preset), `my.hideKeyboard` — and their H5 bridge names: what the sheet shows, its accessibility
//! (dialog role, label, focus in, trapped and returned), the success and fail shapes, the
//! cancel codes, and bad options (error 2 naming the option, no sheet shown).
//!
//! Sheets are operated through `tests/fixtures/sheets.js`; real key presses in real
//! listboxes are in `tests/e2e/pickers.test.mjs`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise};
use miniprogram_shim_extras::{configure, create_my};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[path = "../../tests/common/mod.rs"]
mod common;
use common::{js, pick, settle, show, Outcome};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/sheets.js")]
extern "C" {
    fn operate(my: &JsValue, api: &str, options: &JsValue, steps: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = hideKeyboardWhileTyping)]
    fn hide_keyboard_while_typing(my: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = clickWhenShown)]
    fn click_when_shown(selector: &str, typed: Option<String>) -> Promise;
    #[wasm_bindgen(js_name = textUrl)]
    fn text_url(text: &str) -> String;
}

fn setup() {
    configure(js(r#"{"appId":"test-app","logger":null}"#)).expect("config");
}

/// Opens `api` with `options` (JSON), runs `steps` (JSON) on its sheet.
async fn run(api: &str, options: &str, steps: &str) -> Outcome {
    setup();
    let my: JsValue = create_my().into();
    Outcome(settle(operate(&my, api, &js(options), &js(steps))).await)
}

impl Outcome {
    /// The sheet was accessible: a labelled modal dialog, gone at the end, focus returned,
    /// and `success`/`fail` ran after it was removed.
    fn assert_accessible(&self, label: &str) -> &Self {
        assert_eq!(self.text("seen.label"), label, "{}", self.debug());
        assert_eq!(self.get("removed"), JsValue::TRUE, "{}", self.debug());
        assert_eq!(self.get("focusRestored"), JsValue::TRUE, "{}", self.debug());
        assert_eq!(
            pick(&self.get("events"), "0.2").as_f64(),
            Some(0.0),
            "the sheet was still there when the callback ran: {}",
            self.debug()
        );
        self
    }
    fn value(&self) -> String {
        show(&self.get("value"))
    }
    /// Fail with `code`, `errorMessage` naming `names`, and no sheet ever shown.
    fn assert_bad(&self, code: u32, names: &str) {
        self.assert_fail_code(code);
        let message = self.text("value.errorMessage");
        assert!(message.contains(names), "{names} not in {message}");
        assert!(
            self.get("seen").is_null(),
            "a sheet showed: {}",
            self.debug()
        );
    }
}

// ---- my.showActionSheet -------------------------------------------------------------------

const SHEET: &str = r#"{"title":"Photo","items":["Camera","Album","Delete"],"cancelButtonText":"Not now",
  "destructiveBtnIndex":2,"badges":[{"index":1,"type":"num","text":"3"}]}"#;

#[wasm_bindgen_test]
async fn action_sheet_shows_the_items_and_returns_the_chosen_index() {
    let o = run(
        "showActionSheet",
        SHEET,
        r#"[{"click":"[data-index=\"1\"]"}]"#,
    )
    .await;
    o.assert_success().assert_accessible("Photo");
    assert_eq!(o.value(), r#"{"index":1,"success":true}"#);
    assert_eq!(
        show(&o.get("seen.items")),
        r#"["Camera","Album3","Delete"]"#
    );
    assert_eq!(o.text("seen.itemColors.2"), "rgb(229, 69, 58)");
    assert_eq!(show(&o.get("seen.buttons")), r#"["cancel:Not now"]"#);
    assert_eq!(o.text("seen.focused"), "BUTTON item 0");
}

#[wasm_bindgen_test]
async fn action_sheet_cancel_escape_and_backdrop_give_minus_one() {
    for steps in [
        r#"[{"click":"[data-action=cancel]"}]"#,
        r#"[{"key":"Escape"}]"#,
        r#"[{"click":"overlay"}]"#,
    ] {
        let o = run("showActionSheet", r#"{"items":["A"]}"#, steps).await;
        o.assert_success().assert_accessible("Actions");
        assert_eq!(o.value(), r#"{"index":-1,"success":true}"#, "{steps}");
    }
}

#[wasm_bindgen_test]
async fn action_sheet_arrows_move_between_items_and_tab_stays_inside() {
    let o = run(
        "showActionSheet",
        r#"{"items":["A","B"]}"#,
        r#"[{"key":"ArrowDown"},{"key":"ArrowDown"},{"key":"ArrowDown"},{"key":"ArrowUp"},
            {"key":"Tab"},{"key":"Tab"},{"key":"Tab","shift":true},{"key":"Escape"}]"#,
    )
    .await;
    let focus: Vec<String> = Array::from(&o.get("trace"))
        .iter()
        .map(|t| pick(&t, "focused").as_string().unwrap_or_default())
        .collect();
    assert_eq!(
        focus[..7],
        [
            "BUTTON item 1",
            "BUTTON cancel",
            "BUTTON cancel", // arrows stop at the end
            "BUTTON item 1",
            "BUTTON cancel",
            "BUTTON item 0", // Tab wraps around inside the sheet
            "BUTTON cancel",
        ]
    );
    assert_eq!(o.value(), r#"{"index":-1,"success":true}"#);
}

#[wasm_bindgen_test]
async fn action_sheet_bad_options_fail_with_2_naming_them() {
    let cases = [
        (r#"{}"#, "`items`"),
        (r#"{"items":[]}"#, "`items`"),
        (r#"{"items":"A,B"}"#, "`items`"),
        (r#"{"items":["A",{}]}"#, "`items[1]`"),
        (
            r#"{"items":["A"],"destructiveBtnIndex":3}"#,
            "`destructiveBtnIndex`",
        ),
        (
            r#"{"items":["A"],"badges":[{"index":0,"type":"star"}]}"#,
            "`badges[0].type`",
        ),
    ];
    for (options, names) in cases {
        run("showActionSheet", options, "[]")
            .await
            .assert_bad(2, names);
    }
}

// ---- my.prompt and my.showModal -----------------------------------------------------------

#[wasm_bindgen_test]
async fn prompt_returns_what_was_typed_on_ok_and_nothing_on_cancel() {
    let options = r#"{"title":"Name","message":"Who?","align":"right","placeholder":"your name","okButtonText":"Save"}"#;
    let o = run("prompt", options, r#"[{"type":"Ada"},{"key":"Enter"}]"#).await;
    o.assert_success().assert_accessible("Name");
    assert_eq!(o.value(), r#"{"ok":true,"inputValue":"Ada"}"#);
    assert_eq!(
        (
            o.text("seen.input"),
            o.text("seen.message"),
            o.text("seen.textAlign")
        ),
        ("your name".into(), "Who?".into(), "right".into())
    );
    assert_eq!(o.text("seen.focused"), "INPUT");
    assert_eq!(
        show(&o.get("seen.buttons")),
        r#"["cancel:Cancel","confirm:Save"]"#
    );

    let o = run(
        "prompt",
        r#"{"title":"Name"}"#,
        r#"[{"type":"Ada"},{"click":"[data-action=cancel]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(o.value(), r#"{"ok":false,"inputValue":""}"#);
    assert_eq!(o.text("seen.message"), "Enter text");
}

#[wasm_bindgen_test]
async fn prompt_keeps_tab_inside_and_escape_cancels() {
    let o = run(
        "prompt",
        r#"{"title":"T"}"#,
        r#"[{"key":"Tab"},{"key":"Tab"},{"key":"Tab"},{"key":"Tab","shift":true},{"key":"Escape"}]"#,
    )
    .await;
    let focus: Vec<String> = Array::from(&o.get("trace"))
        .iter()
        .take(4)
        .map(|t| pick(&t, "focused").as_string().unwrap_or_default())
        .collect();
    assert_eq!(
        focus,
        ["BUTTON cancel", "BUTTON confirm", "INPUT", "BUTTON confirm"]
    );
    assert_eq!(o.value(), r#"{"ok":false,"inputValue":""}"#);
    run("prompt", r#"{"align":"justify"}"#, "[]")
        .await
        .assert_bad(2, "`align`");
    run("prompt", r#"{"title":{"a":1}}"#, "[]")
        .await
        .assert_bad(2, "`title`");
}

#[wasm_bindgen_test]
async fn show_modal_confirms_cancels_and_returns_typed_content_when_editable() {
    let o = run(
        "showModal",
        r#"{"title":"Delete?","content":"For ever","confirmText":"Delete","cancelText":"Keep"}"#,
        r#"[{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success().assert_accessible("Delete?");
    assert_eq!(o.value(), r#"{"confirm":true,"cancel":false}"#);
    assert_eq!(o.text("seen.focused"), "BUTTON confirm");

    let o = run(
        "showModal",
        r#"{"editable":true,"placeholderText":"why"}"#,
        r#"[{"type":"because"},{"key":"Enter"}]"#,
    )
    .await;
    assert_eq!(
        o.value(),
        r#"{"confirm":true,"cancel":false,"content":"because"}"#
    );
    assert_eq!(o.text("seen.label"), "Dialog");

    let o = run(
        "showModal",
        r#"{"showCancel":false}"#,
        r#"[{"key":"Escape"}]"#,
    )
    .await;
    assert_eq!(show(&o.get("seen.buttons")), r#"["confirm:OK"]"#);
    assert_eq!(o.value(), r#"{"confirm":false,"cancel":true}"#);

    run("showModal", r#"{"showCancel":"no"}"#, "[]")
        .await
        .assert_bad(2, "`showCancel`");
}

// ---- my.datePicker ------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn date_picker_columns_follow_the_month_and_confirm_gives_the_date() {
    let o = run(
        "datePicker",
        r#"{"currentDate":"2024-01-31","startDate":"2023-11-15","endDate":"2024-03-10"}"#,
        r#"[{"choose":[1,1]},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success().assert_accessible("Choose a date");
    assert_eq!(o.value(), r#"{"date":"2024-02-29"}"#);
    assert_eq!(
        show(&o.get("seen.columns.0")),
        r#"{"label":"Year","options":["2023","2024"],"selected":1}"#
    );
    assert_eq!(o.text("seen.focused"), "SELECT 0");
    // February 2024: 29 days, the 31st became the 29th.
    assert_eq!(
        pick(&o.get("trace.0.columns.2.options"), "length").as_f64(),
        Some(29.0)
    );
    assert_eq!(o.get("trace.0.columns.2.selected").as_f64(), Some(28.0));
}

#[wasm_bindgen_test]
async fn date_picker_time_formats_and_enter_in_a_column() {
    let o = run(
        "datePicker",
        r#"{"format":"HH:mm","currentDate":"07:05","startDate":"09:30","endDate":"18:00"}"#,
        r#"[{"key":"Enter"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(o.value(), r#"{"date":"09:30"}"#);
    assert_eq!(o.text("seen.columns.0.label"), "Hour");
    assert_eq!(o.text("seen.columns.0.options.0"), "09");
}

#[wasm_bindgen_test]
async fn date_picker_cancel_fails_with_11() {
    for steps in [
        r#"[{"key":"Escape"}]"#,
        r#"[{"click":"[data-action=cancel]"}]"#,
    ] {
        let o = run("datePicker", "{}", steps).await;
        o.assert_fail_code(11).assert_accessible("Choose a date");
    }
}

#[wasm_bindgen_test]
async fn date_picker_bad_options_fail_with_2_naming_them() {
    let cases = [
        (r#"{"format":"dd/MM/yyyy"}"#, "`format`"),
        (r#"{"currentDate":"2023-02-29"}"#, "`currentDate`"),
        (r#"{"startDate":"soon"}"#, "`startDate`"),
        (r#"{"endDate":"2024-13-01"}"#, "`endDate`"),
        (
            r#"{"startDate":"2024-01-02","endDate":"2024-01-01"}"#,
            "`startDate`",
        ),
    ];
    for (options, names) in cases {
        run("datePicker", options, "[]").await.assert_bad(2, names);
    }
}

// ---- my.optionsSelect ----------------------------------------------------------------------

#[wasm_bindgen_test]
async fn options_select_returns_both_columns_and_empty_strings_on_cancel() {
    let options = r#"{"title":"Size","optionsOne":["S","M","L"],"optionsTwo":["Red","Blue"],
      "selectedOneIndex":1,"positiveString":"Done","negativeString":"Back"}"#;
    let o = run(
        "optionsSelect",
        options,
        r#"[{"choose":[1,1]},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success().assert_accessible("Size");
    assert_eq!(
        o.value(),
        r#"{"selectedOneIndex":1,"selectedOneOption":"M","selectedTwoIndex":1,"selectedTwoOption":"Blue"}"#
    );
    assert_eq!(
        show(&o.get("seen.buttons")),
        r#"["cancel:Back","confirm:Done"]"#
    );

    let o = run("optionsSelect", options, r#"[{"key":"Escape"}]"#).await;
    o.assert_success();
    assert_eq!(
        o.value(),
        r#"{"selectedOneIndex":"","selectedOneOption":"","selectedTwoIndex":"","selectedTwoOption":""}"#
    );
    let o = run(
        "optionsSelect",
        r#"{"optionsOne":["x"]}"#,
        r#"[{"key":"Enter"}]"#,
    )
    .await;
    assert_eq!(
        o.value(),
        r#"{"selectedOneIndex":0,"selectedOneOption":"x"}"#
    );

    for (options, names) in [
        (r#"{}"#, "`optionsOne`"),
        (
            r#"{"optionsOne":["a"],"selectedOneIndex":1}"#,
            "`selectedOneIndex`",
        ),
        (
            r#"{"optionsOne":["a"],"optionsTwo":["b"],"selectedTwoIndex":-1}"#,
            "`selectedTwoIndex`",
        ),
    ] {
        run("optionsSelect", options, "[]")
            .await
            .assert_bad(2, names);
    }
}

// ---- my.multiLevelSelect -------------------------------------------------------------------

const LIST: &str = r#"{"title":"Where","list":[
  {"name":"Zhejiang","subList":[{"name":"Hangzhou","subList":[{"name":"Xihu"},{"name":"Binjiang"}]}]},
  {"name":"Macau"}]}"#;

#[wasm_bindgen_test]
async fn multi_level_select_cascades_and_returns_the_path() {
    let o = run(
        "multiLevelSelect",
        LIST,
        r#"[{"choose":[2,1]},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success().assert_accessible("Where");
    assert_eq!(
        o.value(),
        r#"{"success":true,"result":[{"name":"Zhejiang"},{"name":"Hangzhou"},{"name":"Binjiang"}]}"#
    );
    assert_eq!(pick(&o.get("seen.columns"), "length").as_f64(), Some(3.0));

    // Choosing a leaf in the first column removes the columns after it.
    let o = run(
        "multiLevelSelect",
        LIST,
        r#"[{"choose":[0,1]},{"key":"Enter"}]"#,
    )
    .await;
    assert_eq!(
        pick(&o.get("trace.0.columns"), "length").as_f64(),
        Some(1.0)
    );
    assert_eq!(o.value(), r#"{"success":true,"result":[{"name":"Macau"}]}"#);

    let o = run("multiLevelSelect", LIST, r#"[{"key":"Escape"}]"#).await;
    o.assert_success();
    assert_eq!(o.value(), r#"{"success":false,"result":[]}"#);

    for (options, names) in [
        (r#"{}"#, "`list`"),
        (r#"{"list":[{"title":"x"}]}"#, "`list[0].name`"),
        (
            r#"{"list":[{"name":"a","subList":{}}]}"#,
            "`list[0].subList`",
        ),
        (
            r#"{"list":[{"name":"a","subList":[7]}]}"#,
            "`list[0].subList[0]`",
        ),
    ] {
        run("multiLevelSelect", options, "[]")
            .await
            .assert_bad(2, names);
    }
}

// ---- my.chooseCity -------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn choose_city_lists_cities_and_cancel_fails_with_11() {
    let o = run(
        "chooseCity",
        "{}",
        r#"[{"choose":[0,4]},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success().assert_accessible("Choose a city");
    assert_eq!(o.value(), r#"{"city":"Hangzhou","adCode":"330100"}"#);
    assert_eq!(
        pick(&o.get("seen.columns.0.options"), "length").as_f64(),
        Some(12.0)
    );

    let o = run(
        "chooseCity",
        r#"{"cities":[{"city":"Lisbon","adCode":"PT-11"}],"hotCities":[{"city":"Porto","adCode":"PT-13"}]}"#,
        r#"[{"key":"Enter"}]"#,
    )
    .await;
    assert_eq!(o.value(), r#"{"city":"Porto","adCode":"PT-13"}"#);

    run("chooseCity", "{}", r#"[{"key":"Escape"}]"#)
        .await
        .assert_fail_code(11);
    run("chooseCity", r#"{"cities":[{"city":"X"}]}"#, "[]")
        .await
        .assert_bad(2, "`cities[0].adCode`");
}

// ---- my.hideKeyboard, the log, the H5 bridge -----------------------------------------------

#[wasm_bindgen_test]
async fn hide_keyboard_blurs_the_focused_text_field() {
    setup();
    let my: JsValue = create_my().into();
    let r = settle(hide_keyboard_while_typing(&my)).await;
    assert_eq!(pick(&r, "focusedBefore"), JsValue::TRUE);
    assert_eq!(pick(&r, "focusedAfter"), JsValue::FALSE);
    assert_eq!(show(&pick(&r, "value")), r#"{"success":true}"#);
}

#[wasm_bindgen_test]
async fn every_picker_call_reaches_the_devtools_log() {
    setup();
    let entries = Array::new();
    let logger = {
        let entries = entries.clone();
        Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
            entries.push(&e);
        })
    };
    let config = js("{}");
    js_sys::Reflect::set(&config, &"logger".into(), logger.as_ref()).unwrap();
    configure(config).unwrap();
    let my: JsValue = create_my().into();
    let o = Outcome(
        settle(operate(
            &my,
            "showActionSheet",
            &js(r#"{"items":["A"]}"#),
            &js(r#"[{"click":"[data-index=\"0\"]"}]"#),
        ))
        .await,
    );
    o.assert_success();
    configure(js(r#"{"logger":null}"#)).unwrap();
    let entry = entries.get(entries.length() - 1);
    assert_eq!(
        pick(&entry, "api").as_string().as_deref(),
        Some("showActionSheet")
    );
    assert_eq!(pick(&entry, "ok"), JsValue::TRUE);
    assert_eq!(
        show(&pick(&entry, "result")),
        r#"{"index":0,"success":true}"#
    );
}

// ---- my.regionPicker ------------------------------------------------------------------------

/// The committed division data, served to the module from a Blob URL (`regionsUrl`).
const REGIONS: &str = include_str!("../data/regions.txt");

fn regions_url() -> String {
    text_url(REGIONS)
}

thread_local! {
    static REGIONS_URL: String = regions_url();
}

/// `run` with the division data configured and no region preset.
async fn region(options: &str, steps: &str) -> Outcome {
    let url = REGIONS_URL.with(|u| u.clone());
    configure(js(&format!(
        r#"{{"regionsUrl":"{url}","device":{{"region":null}}}}"#
    )))
    .expect("regionsUrl");
    run("regionPicker", options, steps).await
}

#[wasm_bindgen_test]
async fn region_picker_cascades_province_city_district_and_returns_names_and_codes() {
    let o = region(
        r#"{"title":"Shipping to","selectedItem":["浙江省","杭州市"]}"#,
        r#"[{"choose":[2,1]},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success().assert_accessible("Shipping to");
    assert_eq!(
        show(&o.get("seen.columns.0.label")) + &show(&o.get("seen.columns.1.label")),
        r#""Province""City""#
    );
    assert_eq!(o.text("seen.columns.2.label"), "District");
    assert_eq!(
        pick(&o.get("seen.columns.0.options"), "length").as_f64(),
        Some(34.0)
    );
    assert_eq!(o.text("seen.columns.1.options.0"), "杭州市");
    assert_eq!(o.text("seen.focused"), "SELECT 0");
    let value = o.value();
    assert!(
        value.starts_with(r#"{"data":["浙江省","杭州市","#)
            && value.contains(r#""code":["330000","330100","3301"#),
        "{value}"
    );
    // The second district of Hangzhou in the data's order (上城区 330102, then 拱墅区 330105:
    // the 2021 divisions, where 下城区 330103 is gone).
    assert_eq!(o.text("value.code.2"), "330105");

    // A new province empties the columns after it to its first city and district.
    let o = region("{}", r#"[{"choose":[0,1]},{"key":"Enter"}]"#).await;
    assert_eq!(
        o.value(),
        r#"{"data":["天津市","天津市","和平区"],"code":["120000","120100","120101"]}"#
    );
}

#[wasm_bindgen_test]
async fn region_picker_cancel_is_error_11() {
    let o = region("{}", r#"[{"key":"Escape"}]"#).await;
    o.assert_fail_code(11);
    assert_eq!(o.get("removed"), JsValue::TRUE);
    let o = region("{}", r#"[{"click":"[data-action=cancel]"}]"#).await;
    o.assert_fail_code(11);
}

#[wasm_bindgen_test]
async fn region_picker_merges_its_options_into_this_call_only() {
    let merge = r#"{"selectedItem":["测试省"],"customItem":"全部","mergeOptions":{
      "remove":[{"id":"110000"}],
      "add":[{"pid":"330000","nextId":"340000","id":"990000","name":"测试省",
              "subList":[{"id":"990100","name":"测试市","subList":[{"id":"990101","name":"测试区"}]}]}],
      "update":[{"id":"120000","name":"天津"}]}}"#;
    // The city column starts at customItem (and the district column then offers only it):
    // choose the added city, then its district.
    let o = region(
        merge,
        r#"[{"choose":[1,1]},{"choose":[2,1]},{"key":"Enter"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(
        o.value(),
        r#"{"data":["测试省","测试市","测试区"],"code":["990000","990100","990101"]}"#
    );
    let firsts = show(&o.get("seen.columns.0.options"));
    assert!(firsts.starts_with(r#"["全部","天津","河北省""#), "{firsts}");
    assert!(firsts.contains(r#""浙江省","测试省","安徽省""#), "{firsts}");
    // customItem chosen: the columns after it offer only it; its code is "".
    let o = region(
        r#"{"customItem":"全部","selectedItem":["浙江省"]}"#,
        r#"[{"choose":[1,0]},{"key":"Enter"}]"#,
    )
    .await;
    assert_eq!(
        o.value(),
        r#"{"data":["浙江省","全部","全部"],"code":["330000","",""]}"#
    );
    // The next call sees the data unmerged.
    let o = region(r#"{"selectedItem":["110000"]}"#, r#"[{"key":"Enter"}]"#).await;
    assert_eq!(o.text("value.data.0"), "北京市");
}

#[wasm_bindgen_test]
async fn region_picker_bad_options_are_error_2_naming_them_and_show_nothing() {
    for (options, names) in [
        (r#"{"selectedItem":"浙江省"}"#, "`selectedItem`"),
        (
            r#"{"selectedItem":["浙江省","东城区"]}"#,
            "`selectedItem[1]`",
        ),
        (r#"{"mergeOptions":[]}"#, "`mergeOptions`"),
        (r#"{"mergeOptions":{"remove":{}}}"#, "`mergeOptions.remove`"),
        (
            r#"{"mergeOptions":{"remove":[{"id":"999999"}]}}"#,
            "`mergeOptions.remove[0].id`",
        ),
        (
            r#"{"mergeOptions":{"remove":[{}]}}"#,
            "`mergeOptions.remove[0].id`",
        ),
        (
            r#"{"mergeOptions":{"add":[{"id":"990000"}]}}"#,
            "`mergeOptions.add[0].name`",
        ),
        (
            r#"{"mergeOptions":{"add":[{"id":"330000","name":"x"}]}}"#,
            "`mergeOptions.add[0].id`",
        ),
        (
            r#"{"mergeOptions":{"add":[{"id":"990000","name":"x","pid":"1"}]}}"#,
            "`mergeOptions.add[0].pid`",
        ),
        (
            r#"{"mergeOptions":{"add":[{"id":"990000","name":"x","subList":[{"id":"1","name":"a","subList":[{"id":"2","name":"b","subList":[]}]}]}]}}"#,
            "`mergeOptions.add[0].subList[0].subList[0].subList`",
        ),
        (
            r#"{"mergeOptions":{"update":[{"id":"000000","name":"x"}]}}"#,
            "`mergeOptions.update[0].id`",
        ),
        (
            r#"{"mergeOptions":{"change":[{"id":"000000","name":"x"}]}}"#,
            "`mergeOptions.change[0].id`",
        ),
        (r#"{"title":{}}"#, "`title`"),
    ] {
        let o = region(options, "[]").await;
        o.assert_fail_code(2);
        let message = o.text("value.errorMessage");
        assert!(message.contains(names), "{names} not in {message}");
        assert!(o.get("seen").is_null(), "no sheet for {options}");
    }
}

#[wasm_bindgen_test]
async fn region_picker_answers_the_devtools_preset_at_once_and_fails_3_without_data() {
    let url = REGIONS_URL.with(|u| u.clone());
    configure(js(&format!(
        r#"{{"regionsUrl":"{url}","device":{{"region":"440305"}}}}"#
    )))
    .expect("preset");
    let o = run("regionPicker", "{}", "[]").await;
    o.assert_success();
    assert!(o.get("seen").is_null(), "no sheet for a preset region");
    assert_eq!(
        o.value(),
        r#"{"data":["广东省","深圳市","南山区"],"code":["440000","440300","440305"]}"#
    );
    // A preset the call's mergeOptions removed: the sheet asks.
    let o = run(
        "regionPicker",
        r#"{"mergeOptions":{"remove":[{"id":"440300"}]}}"#,
        r#"[{"key":"Escape"}]"#,
    )
    .await;
    o.assert_fail_code(11);
    for (bad, named) in [
        (r#"{"device":{"region":"4403"}}"#, "`device.region`"),
        (r#"{"device":{"region":440305}}"#, "`device.region`"),
        (r#"{"regionsUrl":7}"#, "`regionsUrl`"),
    ] {
        let err: JsValue = configure(js(bad)).expect_err(bad).into();
        let message = js_sys::Reflect::get(&err, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        assert!(message.contains(named), "{named} not in {message}");
    }
    configure(js(
        r#"{"regionsUrl":"/no-such-dir/regions.txt","device":{"region":null}}"#,
    ))
    .expect("a missing file is found out on the call");
    let o = run("regionPicker", "{}", "[]").await;
    o.assert_fail_code(3);
    let message = o.text("value.errorMessage");
    assert!(
        message.contains("did not load from") && message.contains("/no-such-dir/regions.txt"),
        "{message}"
    );
}
