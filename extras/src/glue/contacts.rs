//! `my.chooseContact` (`crate::contacts`): the devtools' address book (the one
//! `my.choosePhoneContact` and `my.addPhoneContact` use) in a sheet at the bottom of the page,
//! one row per contact: radio buttons for `chooseType: "single"` (the first is chosen when it
//! opens), checkboxes for `"multi"`, where a choice past `multiChooseMax` is undone and
//! `multiChooseMaxTips` shown in the sheet's status line. Keyboard: Tab moves between the rows
//! and the buttons, Space ticks a checkbox, the arrows move a radio choice, Enter confirms,
//! Escape cancels. OK stays disabled while nothing is chosen.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use super::adapter::{run_api, Failure};
use super::host::{element, Listener};
use super::inputs::{contacts, WHERE_TO_SET};
use super::options::{check_object, number, text};
use super::pickers::{boolean, to_js, Answer, Sheet};
use crate::contacts::{ChooseContact, ChooseType};
use crate::error::ApiError;
use crate::inputs::{Contact, MAX_CONTACTS};

const STATUS_STYLE: &str = "margin:0;padding:8px 16px;min-height:1.45em;font-size:13px;color:#888;\
text-align:center;";
const LIST_STYLE: &str = "max-height:50vh;overflow:auto;padding-bottom:12px;";
const ROW_STYLE: &str = "display:flex;align-items:center;gap:12px;padding:12px 16px;\
border-bottom:1px solid #eee;cursor:pointer;";
const BOX_STYLE: &str = "width:20px;height:20px;margin:0;accent-color:#1677ff;";

/// `my.chooseContact({ chooseType, includeMe, includeMobileContactMode, multiChooseMax,
/// multiChooseMaxTips })` → `{ contactsDicArray }`; fail 11 when cancelled, 3 when the book is
/// empty, 2 naming a bad option.
pub(crate) fn choose_contact(options: &JsValue) -> Promise {
    let read = check_object(options).and_then(|()| {
        ChooseContact::new(
            text(options, "chooseType")?,
            boolean(options, "includeMe")?,
            text(options, "includeMobileContactMode")?,
            number(options, "multiChooseMax"),
            text(options, "multiChooseMaxTips")?,
        )
    });
    run_api("chooseContact", options, async move {
        let choice = read?;
        let book = contacts();
        if book.is_empty() {
            return Err(ApiError::Device {
                code: 3,
                message: format!("chooseContact:fail the address book is empty: add contacts {WHERE_TO_SET} (?contacts=Name:number;…)"),
            }
            .into());
        }
        let chosen = sheet(&choice, &book).await?;
        to_js(&choice.result(&book, &chosen)?)
    })
}

/// Whether a checkbox or radio button is ticked.
fn checked(input: &Element) -> bool {
    Reflect::get(input, &"checked".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The status line of a `multi` choice with `count` chosen.
fn status(choice: &ChooseContact, count: usize) -> String {
    match (count, choice.max < MAX_CONTACTS) {
        (0, true) => format!("Choose up to {}", choice.max),
        (0, false) => "Choose one or more".into(),
        (n, true) => format!("{n} of {} chosen", choice.max),
        (n, false) => format!("{n} chosen"),
    }
}

/// The sheet; the indexes of the contacts chosen when the user confirmed.
async fn sheet(choice: &ChooseContact, book: &[Contact]) -> Result<Vec<usize>, Failure> {
    let multi = choice.choose_type == ChooseType::Multi;
    let title = if multi {
        "Choose contacts"
    } else {
        "Choose a contact"
    };
    let mut ui = Sheet::new("miniprogram-shim-choose-contact", title, title, true)?;
    ui.bar(title, "Cancel", "OK")?;
    let document = ui.document.clone();
    let line = element(&document, "p", STATUS_STYLE)?;
    let _ = line.set_attribute("role", "status");
    let _ = line.set_attribute("aria-live", "polite");
    if multi {
        line.set_text_content(Some(&status(choice, 0)));
    }
    let _ = ui.panel.append_child(&line);
    let list = element(&document, "div", LIST_STYLE)?;
    let _ = list.set_attribute("role", if multi { "group" } else { "radiogroup" });
    let _ = list.set_attribute("aria-label", "Contacts");
    let mut boxes = Vec::with_capacity(book.len());
    for (i, contact) in book.iter().enumerate() {
        let row = element(&document, "label", ROW_STYLE)?;
        let _ = row.set_attribute("data-index", &i.to_string());
        let input = element(&document, "input", BOX_STYLE)?;
        let _ = input.set_attribute("type", if multi { "checkbox" } else { "radio" });
        let _ = input.set_attribute("name", "miniprogram-shim-contact");
        if !multi && i == 0 {
            let _ = Reflect::set(&input, &"checked".into(), &JsValue::TRUE);
        }
        let _ = row.append_child(&input);
        let name = element(&document, "span", "flex:1;")?;
        name.set_text_content(Some(&format!("{} · {}", contact.name, contact.mobile)));
        let _ = row.append_child(&name);
        let _ = list.append_child(&row);
        boxes.push(input);
    }
    let _ = ui.panel.append_child(&list);
    let ok = ui
        .panel
        .query_selector("[data-action=confirm]")
        .ok()
        .flatten();
    if let (true, Some(ok)) = (multi, &ok) {
        let _ = ok.set_attribute("disabled", "");
    }
    // A tick past the limit is undone and the tips shown; OK follows whether any is ticked.
    let _on_change = multi.then(|| {
        let boxes = boxes.clone();
        let (max, tips) = (choice.max, choice.max_tips.clone());
        let choice = choice.clone();
        Listener::new(&list, "change", move |e: Event| {
            let mut count = boxes.iter().filter(|b| checked(b)).count();
            if count > max {
                if let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                    let _ = Reflect::set(&target, &"checked".into(), &JsValue::FALSE);
                }
                count = max;
                line.set_text_content(Some(&tips));
            } else {
                line.set_text_content(Some(&status(&choice, count)));
            }
            if let Some(ok) = &ok {
                if count == 0 {
                    let _ = ok.set_attribute("disabled", "");
                } else {
                    let _ = ok.remove_attribute("disabled");
                }
            }
        })
    });
    let first = boxes
        .first()
        .cloned()
        .ok_or_else(|| ApiError::Unknown("no contacts".into()))?;
    let answer = ui.answer(&first).await?;
    let chosen: Vec<usize> = boxes
        .iter()
        .enumerate()
        .filter(|(_, b)| checked(b))
        .map(|(i, _)| i)
        .collect();
    drop(ui);
    match answer {
        Answer::Confirm => Ok(chosen),
        _ => Err(ApiError::UserCancelled.into()),
    }
}

// ---- exports, the `my` method and its TypeScript declarations --------------------------------

/// The `my.*` methods of this file, for `createMy()` (`glue::MY`).
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![(
        "chooseContact",
        Closure::new(|o: JsValue| JsValue::from(choose_contact(&o))),
    )]
}

/// `my.chooseContact(options)`: contacts chosen from the devtools' address book.
#[wasm_bindgen(js_name = chooseContact, unchecked_return_type = "Promise<ChooseContactSuccess>")]
pub fn choose_contact_export(
    #[wasm_bindgen(unchecked_param_type = "ChooseContactOptions")] options: JsValue,
) -> Promise {
    choose_contact(&options)
}

#[wasm_bindgen(typescript_custom_section)]
const CONTACT_TYPES: &'static str = r#"
/** `my.chooseContact` options. Cancelled: error 11; an empty address book: error 3. */
export interface ChooseContactOptions extends AsyncCallbacks<ChooseContactSuccess> {
  chooseType: 'single' | 'multi';
  /** Checked; the simulator's book has no entry for the user themself. */
  includeMe?: boolean;
  /** Checked; the simulator's book is one list, shown whole in every mode. */
  includeMobileContactMode?: 'none' | 'known' | 'all';
  /** At most this many in a `multi` choice (an integer from 1 to 1000). */
  multiChooseMax?: number;
  /** Shown in the sheet when a choice would pass `multiChooseMax`. */
  multiChooseMaxTips?: string;
}
/** One chosen contact: `userId` is `2088` and the number's last twelve digits; no avatar. */
export interface ChooseContactEntry {
  userId: string;
  avatar: string;
  mobile: string;
  realName: string;
  displayName: string;
}
export interface ChooseContactSuccess { contactsDicArray: ChooseContactEntry[] }
export interface My {
  chooseContact(options: ChooseContactOptions): Promise<ChooseContactSuccess>;
}
"#;
