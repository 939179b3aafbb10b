//! The picker JSAPIs in the page: `my.showActionSheet`, `my.prompt`, `my.showModal`,
//! `my.datePicker`, `my.optionsSelect`, `my.multiLevelSelect`, `my.chooseCity` and
//! `my.hideKeyboard`. Options, state and results are `crate::pickers`; this file reads the JS
//! options and draws the sheets (texts via `textContent`, never HTML).
//!
//! Every sheet is a `role=dialog`, `aria-modal` element labelled by its title; focus moves
//! into it, Tab and Shift+Tab stay inside it, Escape or a tap outside cancels, Enter in a
//! list or text field confirms, and focus returns where it was when it closes. Wheel
//! columns are native listboxes (`<select size>`, arrows move the choice); action sheet items
//! are buttons that ArrowUp/ArrowDown move between. In the simulator the page is inside the
//! phone frame, so the sheets show there, like `my.confirm`'s.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlElement, KeyboardEvent};

use super::adapter::{run_api, Failure};
use super::host::{element, Listener, Settle};
use super::options::{check_object, get, number, text};
use crate::error::ApiError;
use crate::pickers::{
    city_list, required_list, ActionSheet, ActionSheetResult, Ask, City, DateSpec, ModalResult,
    MultiLevelResult, Named, Node, OptionsSelectResult, PromptResult, Wheels,
};

// ---- reading options ----------------------------------------------------------------------

pub(super) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Failure> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| ApiError::Unknown(format!("cannot build the result: {e}")).into())
}

/// `options[name]` as a boolean; error 2 for another type.
pub(super) fn boolean(options: &JsValue, name: &str) -> Result<Option<bool>, ApiError> {
    let value = get(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_bool()
        .map(Some)
        .ok_or_else(|| ApiError::invalid(name, "must be true or false"))
}

/// `options[name]` as an array (`None` when absent); error 2 for another type.
pub(super) fn array(options: &JsValue, name: &str) -> Result<Option<Array>, ApiError> {
    let value = get(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !Array::is_array(&value) {
        return Err(ApiError::invalid(name, "must be an array"));
    }
    Ok(Some(value.unchecked_into()))
}

/// `options[name]` as an array of texts (strings or numbers).
pub(super) fn strings(options: &JsValue, name: &str) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = array(options, name)? else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(list.length() as usize);
    for (i, item) in list.iter().enumerate() {
        let holder = Object::new();
        let _ = Reflect::set(&holder, &"v".into(), &item);
        let text = text(&holder, "v")
            .ok()
            .flatten()
            .ok_or_else(|| ApiError::invalid(format!("{name}[{i}]"), "must be a string"))?;
        out.push(text);
    }
    Ok(Some(out))
}

fn read_nodes(list: &Array, path: &str, depth: usize) -> Result<Vec<Node>, ApiError> {
    if depth > 8 {
        return Err(ApiError::invalid(path, "nests more than 8 levels"));
    }
    let mut nodes = Vec::with_capacity(list.length() as usize);
    for (i, item) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        if !item.is_object() {
            return Err(ApiError::invalid(
                at,
                "must be an object { name, subList? }",
            ));
        }
        let name = text(&item, "name")
            .map_err(|_| ApiError::invalid(format!("{at}.name"), "must be a string"))?
            .ok_or_else(|| ApiError::invalid(format!("{at}.name"), "is required"))?;
        let sub = array(&item, "subList")
            .map_err(|_| ApiError::invalid(format!("{at}.subList"), "must be an array"))?;
        let children = match sub {
            Some(sub) => read_nodes(&sub, &format!("{at}.subList"), depth + 1)?,
            None => Vec::new(),
        };
        nodes.push(Node { name, children });
    }
    Ok(nodes)
}

fn read_cities(options: &JsValue, name: &str) -> Result<Option<Vec<City>>, ApiError> {
    let Some(list) = array(options, name)? else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(list.length() as usize);
    for (i, item) in list.iter().enumerate() {
        let field = |key: &str| {
            text(&item, key)
                .ok()
                .flatten()
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    ApiError::invalid(
                        format!("{name}[{i}].{key}"),
                        "is required and must be a string",
                    )
                })
        };
        out.push(City {
            city: field("city")?,
            ad_code: field("adCode")?,
        });
    }
    Ok(Some(out))
}

// ---- the sheet ------------------------------------------------------------------------------

/// How a sheet ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    Confirm,
    Cancel,
    Item(usize),
}

const OVERLAY_STYLE: &str = "position:fixed;inset:0;z-index:2147483647;display:flex;\
flex-direction:column;background:rgba(0,0,0,.45);font:15px/1.45 system-ui,sans-serif;";
const BOTTOM_STYLE: &str = "box-sizing:border-box;margin-top:auto;width:100%;max-height:80vh;\
overflow:auto;background:#fff;color:#111;border-radius:14px 14px 0 0;\
box-shadow:0 -8px 30px rgba(0,0,0,.25);";
const CENTER_STYLE: &str = "box-sizing:border-box;margin:auto;min-width:260px;\
max-width:min(86vw,360px);padding:20px 20px 0;border-radius:12px;background:#fff;color:#111;\
text-align:center;box-shadow:0 8px 30px rgba(0,0,0,.3);";
const BAR_STYLE: &str = "display:flex;align-items:center;justify-content:space-between;\
padding:6px 8px;border-bottom:1px solid #eee;";
const BAR_TITLE_STYLE: &str = "flex:1;margin:0;font-size:16px;font-weight:600;text-align:center;";
const BAR_BUTTON_STYLE: &str = "padding:8px 12px;border:0;background:none;color:#1677ff;\
font:inherit;cursor:pointer;";
const TITLE_STYLE: &str = "margin:0 0 8px;font-size:17px;font-weight:600;";
const SHEET_TITLE_STYLE: &str = "margin:0;padding:12px 16px;font-size:13px;font-weight:400;\
color:#888;text-align:center;border-bottom:1px solid #eee;";
const ITEM_STYLE: &str = "display:block;width:100%;padding:14px 16px;border:0;\
border-bottom:1px solid #eee;background:#fff;color:#111;font:inherit;font-size:17px;\
text-align:center;cursor:pointer;";
const CANCEL_ITEM_STYLE: &str = "display:block;width:100%;padding:14px 16px;border:0;\
border-top:8px solid #f2f2f2;background:#fff;color:#111;font:inherit;font-size:17px;cursor:pointer;";
const ROW_STYLE: &str = "display:flex;margin:0 -20px;border-top:1px solid #eee;";
const CANCEL_STYLE: &str = "flex:1;padding:12px;border:0;border-right:1px solid #eee;\
background:none;color:#333;font:inherit;cursor:pointer;";
const OK_STYLE: &str = "flex:1;padding:12px;border:0;background:none;color:#1677ff;\
font:inherit;font-weight:600;cursor:pointer;";
const INPUT_STYLE: &str = "box-sizing:border-box;width:100%;margin:0 0 16px;padding:8px 10px;\
border:1px solid #ccc;border-radius:6px;font:inherit;";
const WHEELS_STYLE: &str = "display:flex;gap:6px;padding:10px 8px 16px;";
const SELECT_STYLE: &str = "flex:1;min-width:0;height:12em;padding:4px 0;border:1px solid #eee;\
border-radius:8px;font:inherit;font-size:16px;text-align:center;background:#fff;color:#111;";

/// One open sheet: the overlay in the page, how it ends, and every listener it needs.
/// Dropping it removes the overlay and puts focus back.
pub(super) struct Sheet {
    pub(super) document: Document,
    overlay: Element,
    pub(super) panel: Element,
    settle: Settle<Answer>,
    filled: Option<Promise>,
    listeners: Vec<Listener>,
    previous_focus: Option<HtmlElement>,
}

impl Sheet {
    /// A dialog of `class`, at the bottom (`bottom`) or centred, labelled by `title` (or by
    /// `fallback_label` when there is no title).
    pub(super) fn new(
        class: &str,
        title: &str,
        fallback_label: &str,
        bottom: bool,
    ) -> Result<Self, ApiError> {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| ApiError::Unknown("this API needs a document".into()))?;
        let overlay = element(&document, "div", OVERLAY_STYLE)?;
        overlay.set_class_name(class);
        let panel = element(
            &document,
            "div",
            if bottom { BOTTOM_STYLE } else { CENTER_STYLE },
        )?;
        let _ = panel.set_attribute("role", "dialog");
        let _ = panel.set_attribute("aria-modal", "true");
        let _ = panel.set_attribute(
            "aria-label",
            if title.is_empty() {
                fallback_label
            } else {
                title
            },
        );
        let _ = overlay.append_child(&panel);
        let (settle, filled) = Settle::new()?;
        let previous_focus = document
            .active_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        let mut sheet = Sheet {
            document,
            overlay,
            panel,
            settle,
            filled: Some(filled),
            listeners: Vec::new(),
            previous_focus,
        };
        sheet.listen_outside_and_keys();
        Ok(sheet)
    }

    fn listen_outside_and_keys(&mut self) {
        let settle = self.settle.clone();
        let overlay = self.overlay.clone();
        self.listeners
            .push(Listener::new(&self.overlay, "click", move |e: Event| {
                let on_backdrop = e
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .is_some_and(|t| Object::is(&t, &overlay));
                if on_backdrop {
                    settle.set(Answer::Cancel);
                }
            }));
        let settle = self.settle.clone();
        let panel = self.panel.clone();
        let document = self.document.clone();
        self.listeners
            .push(Listener::new(&self.overlay, "keydown", move |e: Event| {
                let Some(key) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
                let tag = target.as_ref().map(Element::tag_name).unwrap_or_default();
                match key.key().as_str() {
                    "Escape" => {
                        e.prevent_default();
                        settle.set(Answer::Cancel);
                    }
                    "Enter" if tag == "SELECT" || tag == "INPUT" => {
                        e.prevent_default();
                        settle.set(Answer::Confirm);
                    }
                    "Tab" => {
                        e.prevent_default();
                        move_focus(
                            &panel,
                            &document,
                            "button, select, input",
                            key.shift_key(),
                            true,
                        );
                    }
                    "ArrowDown" | "ArrowUp"
                        if tag == "BUTTON" && panel.has_attribute("data-menu") =>
                    {
                        e.prevent_default();
                        move_focus(&panel, &document, "button", key.key() == "ArrowUp", false);
                    }
                    _ => {}
                }
            }));
    }

    /// A button that ends the sheet with `answer`.
    pub(super) fn button(
        &mut self,
        parent: &Element,
        label: &str,
        action: &str,
        style: &str,
        answer: Answer,
    ) -> Result<Element, ApiError> {
        let button = element(&self.document, "button", style)?;
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("data-action", action);
        button.set_text_content(Some(label));
        let _ = parent.append_child(&button);
        let settle = self.settle.clone();
        self.listeners
            .push(Listener::new(&button, "click", move |_| settle.set(answer)));
        Ok(button)
    }

    /// Ends the sheet with `answer` on `kind` events of `target` (an element the caller added).
    pub(super) fn answer_on(&mut self, target: &Element, kind: &'static str, answer: Answer) {
        let settle = self.settle.clone();
        self.listeners
            .push(Listener::new(target, kind, move |_| settle.set(answer)));
    }

    /// A titled bar with Cancel and OK, as the wheel pickers have.
    pub(super) fn bar(&mut self, title: &str, cancel: &str, ok: &str) -> Result<(), ApiError> {
        let bar = element(&self.document, "div", BAR_STYLE)?;
        self.button(&bar, cancel, "cancel", BAR_BUTTON_STYLE, Answer::Cancel)?;
        let heading = element(&self.document, "h2", BAR_TITLE_STYLE)?;
        heading.set_text_content(Some(title));
        let _ = bar.append_child(&heading);
        self.button(&bar, ok, "confirm", BAR_BUTTON_STYLE, Answer::Confirm)?;
        let _ = self.panel.append_child(&bar);
        Ok(())
    }

    /// Shows the sheet, focuses `focus`, and waits for its answer.
    pub(super) async fn answer(&mut self, focus: &Element) -> Result<Answer, ApiError> {
        let body = self
            .document
            .body()
            .ok_or_else(|| ApiError::Unknown("this API needs a <body>".into()))?;
        let _ = body.append_child(&self.overlay);
        if let Some(focus) = focus.dyn_ref::<HtmlElement>() {
            let _ = focus.focus();
        }
        let filled = self
            .filled
            .take()
            .ok_or_else(|| ApiError::Unknown("the sheet was already answered".into()))?;
        self.settle.wait(filled).await
    }
}

impl Drop for Sheet {
    fn drop(&mut self) {
        self.overlay.remove();
        if let Some(previous) = self.previous_focus.take() {
            let _ = previous.focus();
        }
    }
}

/// Moves focus to the next (or previous) element matching `selector` in `panel`, wrapping
/// around when `wrap` (Tab), stopping at the ends otherwise (arrows).
fn move_focus(panel: &Element, document: &Document, selector: &str, back: bool, wrap: bool) {
    let Ok(list) = panel.query_selector_all(selector) else {
        return;
    };
    let items: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect();
    if items.is_empty() {
        return;
    }
    let active = document.active_element();
    let at = items
        .iter()
        .position(|e| active.as_ref().is_some_and(|a| Object::is(a, e)));
    let last = items.len() - 1;
    let next = match (at, back) {
        (None, false) => 0,
        (None, true) => last,
        (Some(i), false) if i == last => {
            if wrap {
                0
            } else {
                last
            }
        }
        (Some(i), false) => i + 1,
        (Some(0), true) => {
            if wrap {
                last
            } else {
                0
            }
        }
        (Some(i), true) => i - 1,
    };
    let _ = items[next].focus();
}

// ---- wheel columns --------------------------------------------------------------------------

/// The columns of a wheel picker in the sheet, kept in step with their [`Wheels`].
struct WheelView {
    document: Document,
    row: Element,
    wheels: RefCell<Wheels>,
    selects: RefCell<Vec<(Element, Listener)>>,
}

impl WheelView {
    fn new(document: &Document, wheels: Wheels) -> Result<Rc<Self>, ApiError> {
        let row = element(document, "div", WHEELS_STYLE)?;
        let view = Rc::new(WheelView {
            document: document.clone(),
            row,
            wheels: RefCell::new(wheels),
            selects: RefCell::new(Vec::new()),
        });
        view.render(0)?;
        Ok(view)
    }

    /// Redraws the columns from `from` on (the ones before it are what the user is using).
    fn render(self: &Rc<Self>, from: usize) -> Result<(), ApiError> {
        let columns = self.wheels.borrow().columns();
        let mut selects = self.selects.borrow_mut();
        for (k, column) in columns.iter().enumerate().skip(from) {
            if k >= selects.len() {
                let select = element(&self.document, "select", SELECT_STYLE)?;
                let _ = select.set_attribute("size", "7");
                let _ = select.set_attribute("data-column", &k.to_string());
                let _ = self.row.append_child(&select);
                let weak: Weak<WheelView> = Rc::downgrade(self);
                let el = select.clone();
                let listener = Listener::new(&select, "change", move |_| {
                    let Some(view) = weak.upgrade() else { return };
                    let index = Reflect::get(&el, &"selectedIndex".into())
                        .ok()
                        .and_then(|v| v.as_f64())
                        .filter(|i| *i >= 0.0)
                        .unwrap_or(0.0) as usize;
                    view.wheels.borrow_mut().select(k, index);
                    let _ = view.render(k + 1);
                });
                selects.push((select, listener));
            }
            let select = &selects[k].0;
            let _ = select.set_attribute("aria-label", &column.label);
            select.set_text_content(None);
            for option in &column.options {
                let o = element(&self.document, "option", "")?;
                o.set_text_content(Some(option));
                let _ = select.append_child(&o);
            }
            let _ = Reflect::set(
                select,
                &"selectedIndex".into(),
                &JsValue::from(column.selected as u32),
            );
        }
        let keep = columns.len().min(selects.len());
        for (select, _) in selects.drain(keep..) {
            select.remove();
        }
        Ok(())
    }

    fn first(&self) -> Option<Element> {
        self.selects.borrow().first().map(|(s, _)| s.clone())
    }
}

/// Shows `wheels` in a bottom sheet under a Cancel / title / OK bar; the selection when
/// confirmed, `None` when cancelled.
pub(super) async fn pick(
    class: &str,
    title: &str,
    fallback: &str,
    cancel: &str,
    ok: &str,
    wheels: Wheels,
) -> Result<(Option<Vec<(usize, String)>>, Wheels), Failure> {
    let title = if title.is_empty() { fallback } else { title };
    let mut sheet = Sheet::new(class, title, fallback, true)?;
    sheet.bar(title, cancel, ok)?;
    let view = WheelView::new(&sheet.document, wheels)?;
    let _ = sheet.panel.append_child(&view.row);
    let first = view
        .first()
        .ok_or_else(|| ApiError::Unknown("the picker has no column".into()))?;
    let answer = sheet.answer(&first).await?;
    drop(sheet);
    let wheels = view.wheels.borrow().clone();
    let selection = (answer == Answer::Confirm).then(|| wheels.selection());
    Ok((selection, wheels))
}

// ---- the APIs -------------------------------------------------------------------------------

/// `my.showActionSheet(options)` → `{ index, success: true }`, `index: -1` when cancelled.
pub(crate) fn show_action_sheet(options: &JsValue) -> Promise {
    let sheet = read_action_sheet(options);
    run_api("showActionSheet", options, async move {
        let sheet = sheet?;
        let mut ui = Sheet::new(
            "miniprogram-shim-action-sheet",
            &sheet.title,
            "Actions",
            true,
        )?;
        let _ = ui.panel.set_attribute("data-menu", "");
        if !sheet.title.is_empty() {
            let heading = element(&ui.document, "h2", SHEET_TITLE_STYLE)?;
            heading.set_text_content(Some(&sheet.title));
            let _ = ui.panel.append_child(&heading);
        }
        let panel = ui.panel.clone();
        let mut first = None;
        for (i, item) in sheet.items.iter().enumerate() {
            let button = ui.button(&panel, item, "item", ITEM_STYLE, Answer::Item(i))?;
            let _ = button.set_attribute("data-index", &i.to_string());
            if sheet.destructive == Some(i) {
                let _ = button.set_attribute("style", &format!("{ITEM_STYLE}color:#e5453a;"));
            }
            for badge in sheet.badges.iter().filter(|b| b.index == i) {
                let mark = element(
                    &ui.document,
                    "span",
                    "margin-left:6px;padding:0 6px;border-radius:9px;\
background:#e5453a;color:#fff;font-size:12px;",
                )?;
                let _ = mark.set_attribute("data-badge", "");
                mark.set_text_content(Some(&badge.text));
                let _ = button.append_child(&mark);
            }
            first.get_or_insert(button);
        }
        ui.button(
            &panel,
            &sheet.cancel_text,
            "cancel",
            CANCEL_ITEM_STYLE,
            Answer::Cancel,
        )?;
        let first = first.ok_or_else(|| ApiError::Unknown("no items".into()))?;
        let answer = ui.answer(&first).await?;
        drop(ui);
        let chosen = match answer {
            Answer::Item(i) => Some(i),
            _ => None,
        };
        to_js(&ActionSheetResult::new(chosen))
    })
}

fn read_action_sheet(options: &JsValue) -> Result<ActionSheet, ApiError> {
    check_object(options)?;
    let mut badges = Vec::new();
    if let Some(list) = array(options, "badges")? {
        for (i, badge) in list.iter().enumerate() {
            let (at, _) = number(&badge, "index");
            let kind = text(&badge, "type")
                .map_err(|_| ApiError::invalid(format!("badges[{i}].type"), "must be a string"))?;
            let label = text(&badge, "text")
                .map_err(|_| ApiError::invalid(format!("badges[{i}].text"), "must be a string"))?;
            badges.push((at, kind, label));
        }
    }
    ActionSheet::new(
        text(options, "title")?,
        strings(options, "items")?,
        text(options, "cancelButtonText")?,
        number(options, "destructiveBtnIndex"),
        badges,
    )
}

/// A centred dialog with a message, maybe a text field, and its buttons: `(confirmed,
/// typed text)`.
pub(super) async fn ask(class: &str, fallback: &str, ask: Ask) -> Result<(bool, String), Failure> {
    let mut ui = Sheet::new(class, &ask.title, fallback, false)?;
    let panel = ui.panel.clone();
    if !ask.title.is_empty() {
        let heading = element(&ui.document, "h2", TITLE_STYLE)?;
        heading.set_text_content(Some(&ask.title));
        let _ = panel.append_child(&heading);
    }
    if !ask.message.is_empty() {
        let message = element(
            &ui.document,
            "p",
            &format!(
                "margin:0 0 12px;white-space:pre-wrap;word-break:break-word;text-align:{};",
                ask.align.css()
            ),
        )?;
        message.set_text_content(Some(&ask.message));
        let _ = panel.append_child(&message);
    }
    let input = match &ask.input {
        Some(placeholder) => {
            let input = element(&ui.document, "input", INPUT_STYLE)?;
            let _ = input.set_attribute("type", "text");
            let _ = input.set_attribute("placeholder", placeholder);
            let _ = input.set_attribute(
                "aria-label",
                if ask.message.is_empty() {
                    fallback
                } else {
                    &ask.message
                },
            );
            let _ = panel.append_child(&input);
            Some(input)
        }
        None => None,
    };
    let row = element(&ui.document, "div", ROW_STYLE)?;
    if let Some(cancel) = &ask.cancel_text {
        ui.button(&row, cancel, "cancel", CANCEL_STYLE, Answer::Cancel)?;
    }
    let ok = ui.button(&row, &ask.ok_text, "confirm", OK_STYLE, Answer::Confirm)?;
    let _ = panel.append_child(&row);
    let answer = ui.answer(input.as_ref().unwrap_or(&ok)).await?;
    let typed = input
        .and_then(|i| Reflect::get(&i, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    drop(ui);
    Ok((answer == Answer::Confirm, typed))
}

/// `my.prompt(options)` → `{ ok, inputValue }` (`ok: false`, `inputValue: ""` when cancelled).
pub(crate) fn prompt(options: &JsValue) -> Promise {
    let read = (|| {
        check_object(options)?;
        let align = text(options, "align")?;
        Ask::prompt(
            text(options, "title")?,
            text(options, "message")?,
            align.as_deref(),
            text(options, "placeholder")?,
            text(options, "okButtonText")?,
            text(options, "cancelButtonText")?,
        )
    })();
    run_api("prompt", options, async move {
        let (ok, typed) = ask("miniprogram-shim-prompt", "Prompt", read?).await?;
        to_js(&PromptResult {
            ok,
            input_value: if ok { typed } else { String::new() },
        })
    })
}

/// `my.showModal(options)` → `{ confirm, cancel }` (+ `content` when `editable`).
pub(crate) fn show_modal(options: &JsValue) -> Promise {
    let read = (|| {
        check_object(options)?;
        Ok::<_, ApiError>(Ask::modal(
            text(options, "title")?,
            text(options, "content")?,
            boolean(options, "showCancel")?,
            text(options, "confirmText")?,
            text(options, "cancelText")?,
            boolean(options, "editable")?,
            text(options, "placeholderText")?,
        ))
    })();
    run_api("showModal", options, async move {
        let modal = read?;
        let editable = modal.input.is_some();
        let (confirm, typed) = ask("miniprogram-shim-modal", "Dialog", modal).await?;
        to_js(&ModalResult {
            confirm,
            cancel: !confirm,
            content: editable.then_some(typed),
        })
    })
}

/// The local date and time now.
fn now() -> [u32; 6] {
    let d = js_sys::Date::new_0();
    [
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
    ]
}

/// `my.datePicker(options)` → `{ date }` in `format`; fail 11 when cancelled.
pub(crate) fn date_picker(options: &JsValue) -> Promise {
    let read = (|| {
        check_object(options)?;
        let format = text(options, "format")?;
        let current = text(options, "currentDate")?;
        let start = text(options, "startDate")?;
        let end = text(options, "endDate")?;
        DateSpec::new(
            format.as_deref(),
            current.as_deref(),
            start.as_deref(),
            end.as_deref(),
            now(),
        )
    })();
    run_api("datePicker", options, async move {
        let spec = read?;
        let (chosen, wheels) = pick(
            "miniprogram-shim-date-picker",
            "",
            "Choose a date",
            "Cancel",
            "OK",
            Wheels::Date(spec),
        )
        .await?;
        let Wheels::Date(spec) = wheels else {
            return Err(ApiError::Unknown("the date picker lost its dates".into()).into());
        };
        if chosen.is_none() {
            return Err(ApiError::UserCancelled.into());
        }
        let result = Object::new();
        let _ = Reflect::set(
            &result,
            &"date".into(),
            &spec.format.write(&spec.current).into(),
        );
        Ok(result.into())
    })
}

/// `my.optionsSelect(options)` → the selected index and text of each column (empty strings
/// when cancelled).
pub(crate) fn options_select(options: &JsValue) -> Promise {
    let read = (|| {
        check_object(options)?;
        let one = required_list("optionsOne", strings(options, "optionsOne")?)?;
        let two = strings(options, "optionsTwo")?.filter(|t| !t.is_empty());
        let (i1, g1) = number(options, "selectedOneIndex");
        let first = crate::pickers::index("selectedOneIndex", i1, g1, one.len())?.unwrap_or(0);
        let (i2, g2) = number(options, "selectedTwoIndex");
        let second = match &two {
            Some(two) => crate::pickers::index("selectedTwoIndex", i2, g2, two.len())?.unwrap_or(0),
            None => 0,
        };
        let mut columns = vec![("Option one".to_owned(), one)];
        let mut chosen = vec![first];
        if let Some(two) = two {
            columns.push(("Option two".to_owned(), two));
            chosen.push(second);
        }
        Ok::<_, ApiError>((
            text(options, "title")?.unwrap_or_default(),
            text(options, "positiveString")?,
            text(options, "negativeString")?,
            Wheels::Lists { columns, chosen },
        ))
    })();
    run_api("optionsSelect", options, async move {
        let (title, ok, cancel, wheels) = read?;
        let two = matches!(&wheels, Wheels::Lists { columns, .. } if columns.len() == 2);
        let ok = ok
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "OK".into());
        let cancel = cancel
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "Cancel".into());
        let (selection, _) = pick(
            "miniprogram-shim-options-select",
            &title,
            "Choose options",
            &cancel,
            &ok,
            wheels,
        )
        .await?;
        to_js(&OptionsSelectResult::new(selection, two))
    })
}

/// `my.multiLevelSelect(options)` → `{ success: true, result: [{ name }] }`
/// (`{ success: false, result: [] }` when cancelled).
pub(crate) fn multi_level_select(options: &JsValue) -> Promise {
    let read = (|| {
        check_object(options)?;
        let list = array(options, "list")?;
        let roots = match list {
            Some(list) => read_nodes(&list, "list", 0)?,
            None => Vec::new(),
        };
        let roots = required_list("list", Some(roots))?;
        Ok::<_, ApiError>((text(options, "title")?.unwrap_or_default(), roots))
    })();
    run_api("multiLevelSelect", options, async move {
        let (title, roots) = read?;
        let (selection, _) = pick(
            "miniprogram-shim-multi-level-select",
            &title,
            "Choose",
            "Cancel",
            "OK",
            Wheels::Tree {
                roots,
                chosen: Vec::new(),
                labels: &[],
            },
        )
        .await?;
        to_js(&MultiLevelResult {
            success: selection.is_some(),
            result: selection
                .unwrap_or_default()
                .into_iter()
                .map(|(_, name)| Named { name })
                .collect(),
        })
    })
}

/// `my.chooseCity(options)` → `{ city, adCode }`; fail 11 when cancelled.
pub(crate) fn choose_city(options: &JsValue) -> Promise {
    let read = (|| {
        check_object(options)?;
        let show_hot = boolean(options, "showHotCities")?.unwrap_or(true);
        city_list(
            read_cities(options, "cities")?,
            read_cities(options, "hotCities")?,
            show_hot,
        )
    })();
    run_api("chooseCity", options, async move {
        let cities = read?;
        let names = cities.iter().map(|c| c.city.clone()).collect();
        let wheels = Wheels::Lists {
            columns: vec![("City".to_owned(), names)],
            chosen: vec![0],
        };
        let (selection, _) = pick(
            "miniprogram-shim-choose-city",
            "Choose a city",
            "Choose a city",
            "Cancel",
            "OK",
            wheels,
        )
        .await?;
        let index = selection
            .and_then(|s| s.first().map(|(i, _)| *i))
            .ok_or(ApiError::UserCancelled)?;
        let city = cities
            .get(index)
            .ok_or_else(|| ApiError::Unknown("the chosen city is not in the list".into()))?;
        to_js(city)
    })
}

/// `my.hideKeyboard()`: takes focus away from the text field that has it (the on-screen
/// keyboard follows); `{ success: true }` whether or not one had it.
pub(crate) fn hide_keyboard(options: &JsValue) -> Promise {
    run_api("hideKeyboard", options, async move {
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        if let Some(active) = active {
            let editable = matches!(active.tag_name().as_str(), "INPUT" | "TEXTAREA")
                || active
                    .get_attribute("contenteditable")
                    .is_some_and(|v| v != "false");
            if editable {
                if let Some(el) = active.dyn_ref::<HtmlElement>() {
                    let _ = el.blur();
                }
            }
        }
        let result = Object::new();
        let _ = Reflect::set(&result, &"success".into(), &JsValue::TRUE);
        Ok(result.into())
    })
}

// ---- exports, the `my` methods and their TypeScript declarations ------------------------------

/// The `my.*` methods of this file, for `createMy()` (`glue::MY`).
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "showActionSheet",
            Closure::new(|o: JsValue| JsValue::from(show_action_sheet(&o))),
        ),
        (
            "prompt",
            Closure::new(|o: JsValue| JsValue::from(prompt(&o))),
        ),
        (
            "showModal",
            Closure::new(|o: JsValue| JsValue::from(show_modal(&o))),
        ),
        (
            "datePicker",
            Closure::new(|o: JsValue| JsValue::from(date_picker(&o))),
        ),
        (
            "optionsSelect",
            Closure::new(|o: JsValue| JsValue::from(options_select(&o))),
        ),
        (
            "multiLevelSelect",
            Closure::new(|o: JsValue| JsValue::from(multi_level_select(&o))),
        ),
        (
            "chooseCity",
            Closure::new(|o: JsValue| JsValue::from(choose_city(&o))),
        ),
        (
            "hideKeyboard",
            Closure::new(|o: JsValue| JsValue::from(hide_keyboard(&o))),
        ),
    ]
}

/// `my.showActionSheet(options)`: a menu of `items`; `{ index }` (-1 when cancelled).
#[wasm_bindgen(js_name = showActionSheet, unchecked_return_type = "Promise<ShowActionSheetSuccess>")]
pub fn show_action_sheet_export(
    #[wasm_bindgen(unchecked_param_type = "ShowActionSheetOptions")] options: JsValue,
) -> Promise {
    show_action_sheet(&options)
}

/// `my.prompt(options)`: a dialog with a text field; `{ ok, inputValue }`.
#[wasm_bindgen(js_name = prompt, unchecked_return_type = "Promise<PromptSuccess>")]
pub fn prompt_export(
    #[wasm_bindgen(unchecked_param_type = "PromptOptions")] options: JsValue,
) -> Promise {
    prompt(&options)
}

/// `my.showModal(options)`: a dialog with one or two buttons; `{ confirm, cancel }`.
#[wasm_bindgen(js_name = showModal, unchecked_return_type = "Promise<ShowModalSuccess>")]
pub fn show_modal_export(
    #[wasm_bindgen(unchecked_param_type = "ShowModalOptions | undefined")] options: JsValue,
) -> Promise {
    show_modal(&options)
}

/// `my.datePicker(options)`: date/time wheels; `{ date }`, fail 11 when cancelled.
#[wasm_bindgen(js_name = datePicker, unchecked_return_type = "Promise<DatePickerSuccess>")]
pub fn date_picker_export(
    #[wasm_bindgen(unchecked_param_type = "DatePickerOptions | undefined")] options: JsValue,
) -> Promise {
    date_picker(&options)
}

/// `my.optionsSelect(options)`: one or two option wheels.
#[wasm_bindgen(js_name = optionsSelect, unchecked_return_type = "Promise<OptionsSelectSuccess>")]
pub fn options_select_export(
    #[wasm_bindgen(unchecked_param_type = "OptionsSelectOptions")] options: JsValue,
) -> Promise {
    options_select(&options)
}

/// `my.multiLevelSelect(options)`: cascading wheels over `list`.
#[wasm_bindgen(js_name = multiLevelSelect, unchecked_return_type = "Promise<MultiLevelSelectSuccess>")]
pub fn multi_level_select_export(
    #[wasm_bindgen(unchecked_param_type = "MultiLevelSelectOptions")] options: JsValue,
) -> Promise {
    multi_level_select(&options)
}

/// `my.chooseCity(options)`: a city list; `{ city, adCode }`, fail 11 when cancelled.
#[wasm_bindgen(js_name = chooseCity, unchecked_return_type = "Promise<ChooseCitySuccess>")]
pub fn choose_city_export(
    #[wasm_bindgen(unchecked_param_type = "ChooseCityOptions | undefined")] options: JsValue,
) -> Promise {
    choose_city(&options)
}

/// `my.hideKeyboard()`: blurs the focused text field; `{ success: true }`.
#[wasm_bindgen(js_name = hideKeyboard, unchecked_return_type = "Promise<{ success: boolean }>")]
pub fn hide_keyboard_export(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<{ success: boolean }> | undefined")]
    options: JsValue,
) -> Promise {
    hide_keyboard(&options)
}

#[wasm_bindgen(typescript_custom_section)]
const PICKER_TYPES: &'static str = r#"
/** `my.showActionSheet` options. */
export interface ShowActionSheetOptions extends AsyncCallbacks<ShowActionSheetSuccess> {
  title?: string;
  /** The menu items (required, at least one). */
  items: string[];
  /** Default "Cancel". */
  cancelButtonText?: string;
  /** The item shown in red. */
  destructiveBtnIndex?: number;
  /** Marks on items: `point` a dot, `num`/`text` their `text`, `more` "…", `none` nothing. */
  badges?: { index: number; type: 'none' | 'point' | 'num' | 'text' | 'more'; text?: string }[];
}
/** The chosen item's index, -1 when cancelled. */
export interface ShowActionSheetSuccess { index: number; success: true }

/** `my.prompt` options. */
export interface PromptOptions extends AsyncCallbacks<PromptSuccess> {
  title?: string;
  /** Default "Enter text". */
  message?: string;
  align?: 'left' | 'center' | 'right';
  placeholder?: string;
  /** Accepted for compatibility; the buttons keep the simulator's colours. */
  confirmColor?: string;
  cancelColor?: string;
  /** Default "OK". */
  okButtonText?: string;
  /** Default "Cancel". */
  cancelButtonText?: string;
}
/** `ok`: the OK button; `inputValue`: what was typed (empty when cancelled). */
export interface PromptSuccess { ok: boolean; inputValue: string }

/** `my.showModal` options. */
export interface ShowModalOptions extends AsyncCallbacks<ShowModalSuccess> {
  title?: string;
  content?: string;
  /** Default true. */
  showCancel?: boolean;
  /** Default "Cancel". */
  cancelText?: string;
  cancelColor?: string;
  /** Default "OK". */
  confirmText?: string;
  confirmColor?: string;
  /** A text field (default false); its text comes back as `content`. */
  editable?: boolean;
  placeholderText?: string;
}
export interface ShowModalSuccess { confirm: boolean; cancel: boolean; content?: string }

export type DatePickerFormat = 'yyyy-MM-dd' | 'HH:mm' | 'yyyy-MM' | 'yyyy' | 'HH:mm:ss' | 'yyyy-MM-dd HH:mm:ss' | 'yyyy-MM-dd HH:mm';
/** `my.datePicker` options; dates like `2016-10-09`, times like `12:30`. */
export interface DatePickerOptions extends AsyncCallbacks<DatePickerSuccess> {
  /** Default `yyyy-MM-dd`. */
  format?: DatePickerFormat;
  /** Default now. */
  currentDate?: string;
  /** Default 1900-01-01. */
  startDate?: string;
  /** Default 2100-12-31. */
  endDate?: string;
}
/** The chosen date in `format`. Cancel fails with error 11. */
export interface DatePickerSuccess { date: string }

/** `my.optionsSelect` options. */
export interface OptionsSelectOptions extends AsyncCallbacks<OptionsSelectSuccess> {
  title?: string;
  optionsOne: string[];
  optionsTwo?: string[];
  selectedOneIndex?: number;
  selectedTwoIndex?: number;
  /** Default "OK". */
  positiveString?: string;
  /** Default "Cancel". */
  negativeString?: string;
}
/** The chosen index and text of each column; empty strings when cancelled. */
export interface OptionsSelectSuccess {
  selectedOneIndex: number;
  selectedOneOption: string;
  selectedTwoIndex?: number;
  selectedTwoOption?: string;
}

export interface MultiLevelSelectItem { name: string; subList?: MultiLevelSelectItem[] }
/** `my.multiLevelSelect` options. */
export interface MultiLevelSelectOptions extends AsyncCallbacks<MultiLevelSelectSuccess> {
  title?: string;
  list: MultiLevelSelectItem[];
}
/** `success: false` and an empty `result` when cancelled. */
export interface MultiLevelSelectSuccess { success: boolean; result: { name: string }[] }

export interface ChooseCityCity { city: string; adCode: string; spell?: string }
/** `my.chooseCity` options (without `cities`: twelve large cities). */
export interface ChooseCityOptions extends AsyncCallbacks<ChooseCitySuccess> {
  cities?: ChooseCityCity[];
  hotCities?: ChooseCityCity[];
  /** Default true. */
  showHotCities?: boolean;
  showLocatedCity?: boolean;
}
/** Cancel fails with error 11. */
export interface ChooseCitySuccess { city: string; adCode: string; longitude?: number; latitude?: number }

export interface My {
  showActionSheet(options: ShowActionSheetOptions): Promise<ShowActionSheetSuccess>;
  prompt(options: PromptOptions): Promise<PromptSuccess>;
  showModal(options?: ShowModalOptions): Promise<ShowModalSuccess>;
  datePicker(options?: DatePickerOptions): Promise<DatePickerSuccess>;
  optionsSelect(options: OptionsSelectOptions): Promise<OptionsSelectSuccess>;
  multiLevelSelect(options: MultiLevelSelectOptions): Promise<MultiLevelSelectSuccess>;
  chooseCity(options?: ChooseCityOptions): Promise<ChooseCitySuccess>;
  hideKeyboard(options?: AsyncCallbacks<{ success: boolean }>): Promise<{ success: boolean }>;
}
"#;
