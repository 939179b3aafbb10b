//! `my.regionPicker` in the page: reads the options, loads the division data once (the file
//! beside the extras module, or the configured `regionsUrl`), applies the call's
//! `mergeOptions` to a copy (`crate::regions`), and shows the province / city / district wheels
//! of `glue::pickers`. The devtools' preset (`configure({ device: { region } })`, the
//! simulator's `?region=<code>`) answers at once without the sheet, as the scan and chooser
//! presets do.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use super::adapter::run_api;
use super::options::{check_object, get, js_string, text};
use super::pickers::{array, pick, strings, to_js};
use crate::error::ApiError;
use crate::pickers::Wheels;
use crate::regions::{
    self, AddRegion, Merge, Region, UpdateRegion, COLUMN_LABELS, LEVELS, MAX_MERGE,
};

#[wasm_bindgen(module = "/src/glue/regions.js")]
extern "C" {
    #[wasm_bindgen(js_name = regionsUrl)]
    fn regions_url(configured: &str) -> String;
    #[wasm_bindgen(catch, js_name = fetchText)]
    async fn fetch_text(url: &str) -> Result<JsValue, JsValue>;
}

thread_local! {
    /// The parsed data, once loaded (shared by every later call; each call merges into a copy).
    static DATA: RefCell<Option<Rc<Vec<Region>>>> = const { RefCell::new(None) };
    /// `regionsUrl` as configured (empty: beside the module).
    static URL: RefCell<String> = const { RefCell::new(String::new()) };
    /// The devtools' preset: the code `my.regionPicker` answers with at once.
    static PRESET: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A `configure` patch's keys of this file, read (and checked) before anything is applied.
pub(super) struct Patch {
    url: Option<String>,
    preset: Option<Option<String>>,
}

/// Reads `regionsUrl` (a string) and `device.region` (a division code of six digits, or
/// `null` to clear it); error naming the key.
pub(super) fn read(config: &JsValue) -> Result<Patch, ApiError> {
    let url = match get(config, "regionsUrl") {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(
            v.as_string()
                .ok_or_else(|| ApiError::invalid("regionsUrl", "must be a string"))?,
        ),
    };
    let device = get(config, "device");
    let preset = match get(&device, "region") {
        v if v.is_undefined() => None,
        v if v.is_null() => Some(None),
        v => {
            let code = v
                .as_string()
                .filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()));
            Some(Some(code.ok_or_else(|| {
                ApiError::invalid(
                    "device.region",
                    "must be a division code of six digits (330106) or null",
                )
            })?))
        }
    };
    Ok(Patch { url, preset })
}

/// Applies a patch [`read`] accepted.
pub(super) fn store(patch: Patch) {
    if let Some(url) = patch.url {
        URL.with(|u| *u.borrow_mut() = url);
        // Another file: read it again on the next call.
        DATA.with(|d| *d.borrow_mut() = None);
    }
    if let Some(preset) = patch.preset {
        PRESET.with(|p| *p.borrow_mut() = preset);
    }
}

/// The division data, fetched and parsed on the first call. A missing or broken file fails
/// the call with error 3 naming the URL and the reason.
async fn data() -> Result<Rc<Vec<Region>>, ApiError> {
    if let Some(data) = DATA.with(|d| d.borrow().clone()) {
        return Ok(data);
    }
    let url = regions_url(&URL.with(|u| u.borrow().clone()));
    let cannot = |why: String| {
        ApiError::Unknown(format!(
            "regionPicker:fail the division data did not load from {url}: {why}"
        ))
    };
    let text = fetch_text(&url)
        .await
        .map_err(|e| cannot(js_string(&e)))?
        .as_string()
        .unwrap_or_default();
    let parsed = Rc::new(regions::parse(&text).map_err(|e| cannot(e.to_string()))?);
    DATA.with(|d| *d.borrow_mut() = Some(parsed.clone()));
    Ok(parsed)
}

/// A required string field of a `mergeOptions` entry.
fn field(item: &JsValue, at: &str, key: &str) -> Result<String, ApiError> {
    text(item, key)
        .ok()
        .flatten()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            ApiError::invalid(
                format!("{at}.{key}"),
                "is required and must be a non-empty string",
            )
        })
}

/// An optional string field of a `mergeOptions` entry.
fn optional(item: &JsValue, at: &str, key: &str) -> Result<Option<String>, ApiError> {
    text(item, key).map_err(|_| ApiError::invalid(format!("{at}.{key}"), "must be a string"))
}

/// A `mergeOptions` list (`None` when absent), each entry an object.
fn entries(merge: &JsValue, key: &str) -> Result<Vec<(String, JsValue)>, ApiError> {
    let at = format!("mergeOptions.{key}");
    let Some(list) = array(merge, key).map_err(|_| ApiError::invalid(&at, "must be an array"))?
    else {
        return Ok(Vec::new());
    };
    if list.length() as usize > MAX_MERGE {
        return Err(ApiError::invalid(
            at,
            format!("has more than {MAX_MERGE} entries"),
        ));
    }
    let mut out = Vec::with_capacity(list.length() as usize);
    for (i, item) in list.iter().enumerate() {
        let here = format!("{at}[{i}]");
        if !item.is_object() {
            return Err(ApiError::invalid(here, "must be an object"));
        }
        out.push((here, item));
    }
    Ok(out)
}

/// A `subList` (`{ id, name, subList? }` entries), `depth` levels at most.
fn sub_list(item: &JsValue, at: &str, depth: usize) -> Result<Option<Vec<Region>>, ApiError> {
    let at = format!("{at}.subList");
    let Some(list) =
        array(item, "subList").map_err(|_| ApiError::invalid(&at, "must be an array"))?
    else {
        return Ok(None);
    };
    if depth == 0 {
        return Err(ApiError::invalid(
            at,
            "nests deeper than the district level",
        ));
    }
    let mut out = Vec::with_capacity(list.length() as usize);
    for (i, child) in list.iter().enumerate() {
        let here = format!("{at}[{i}]");
        if !child.is_object() {
            return Err(ApiError::invalid(
                here,
                "must be an object { id, name, subList? }",
            ));
        }
        out.push(Region {
            code: field(&child, &here, "id")?,
            name: field(&child, &here, "name")?,
            children: sub_list(&child, &here, depth - 1)?.unwrap_or_default(),
        });
    }
    Ok(Some(out))
}

/// Reads `mergeOptions` (`remove`, `add`, `update`; `change` is read as `update`).
fn read_merge(options: &JsValue) -> Result<Merge, ApiError> {
    let merge = get(options, "mergeOptions");
    let mut out = Merge::default();
    if merge.is_undefined() || merge.is_null() {
        return Ok(out);
    }
    if !merge.is_object() || Array::is_array(&merge) {
        return Err(ApiError::invalid(
            "mergeOptions",
            "must be an object { remove, add, update }",
        ));
    }
    for (at, item) in entries(&merge, "remove")? {
        out.remove.push(field(&item, &at, "id")?);
    }
    for (at, item) in entries(&merge, "add")? {
        out.add.push(AddRegion {
            pid: optional(&item, &at, "pid")?,
            next_id: optional(&item, &at, "nextId")?,
            region: Region {
                code: field(&item, &at, "id")?,
                name: field(&item, &at, "name")?,
                children: sub_list(&item, &at, LEVELS - 1)?.unwrap_or_default(),
            },
        });
    }
    let update_key = if get(&merge, "update").is_undefined() {
        "change"
    } else {
        "update"
    };
    out.update_key = update_key;
    for (at, item) in entries(&merge, update_key)? {
        out.update.push(UpdateRegion {
            id: field(&item, &at, "id")?,
            name: optional(&item, &at, "name")?.filter(|n| !n.trim().is_empty()),
            children: sub_list(&item, &at, LEVELS - 1)?,
        });
    }
    Ok(out)
}

/// What a call asks for, read before anything is shown.
struct Ask {
    title: String,
    custom: Option<String>,
    selected: Vec<String>,
    merge: Merge,
}

fn read_options(options: &JsValue) -> Result<Ask, ApiError> {
    check_object(options)?;
    // Accepted: one data version here (the file's), whatever the call asks for.
    text(options, "adVersion")?;
    let selected = strings(options, "selectedItem")?.unwrap_or_default();
    Ok(Ask {
        title: text(options, "title")?.unwrap_or_default(),
        custom: text(options, "customItem")?.filter(|c| !c.trim().is_empty()),
        selected,
        merge: read_merge(options)?,
    })
}

/// `my.regionPicker(options)` → `{ data: [province, city, district], code: [...] }`; fail 11
/// when cancelled, 2 naming a bad option, 3 when the data cannot load.
pub(crate) fn region_picker(options: &JsValue) -> Promise {
    let read = read_options(options);
    run_api("regionPicker", options, async move {
        let ask = read?;
        let mut tree: Vec<Region> = data().await?.as_ref().clone();
        regions::merge(&mut tree, ask.merge)?;
        if let Some(custom) = &ask.custom {
            regions::add_custom_item(&mut tree, custom);
        }
        let chosen = regions::path_of(&tree, &ask.selected)?;
        if let Some(code) = PRESET.with(|p| p.borrow().clone()) {
            if let Some(path) = regions::path_to_code(&tree, &code) {
                return to_js(&regions::result(&tree, &path));
            }
        }
        let wheels = Wheels::Tree {
            roots: regions::nodes(&tree),
            chosen,
            labels: &COLUMN_LABELS,
        };
        let (selection, _) = pick(
            "miniprogram-shim-region-picker",
            &ask.title,
            "Choose a region",
            "Cancel",
            "OK",
            wheels,
        )
        .await?;
        let path: Vec<usize> = selection
            .ok_or(ApiError::UserCancelled)?
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        to_js(&regions::result(&tree, &path))
    })
}

// ---- exports, the `my` methods and their TypeScript declarations ------------------------------

/// The `my.*` methods of this file, for `createMy()` (`glue::MY`).
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![(
        "regionPicker",
        Closure::new(|o: JsValue| JsValue::from(region_picker(&o))),
    )]
}

/// `my.regionPicker(options)`: province, city and district wheels; `{ data, code }`, fail 11
/// when cancelled.
#[wasm_bindgen(js_name = regionPicker, unchecked_return_type = "Promise<RegionPickerSuccess>")]
pub fn region_picker_export(
    #[wasm_bindgen(unchecked_param_type = "RegionPickerOptions | undefined")] options: JsValue,
) -> Promise {
    region_picker(&options)
}

#[wasm_bindgen(typescript_custom_section)]
const REGION_TYPES: &'static str = r#"
/** A region of `mergeOptions` (`subList`: its cities, or a city's districts). */
export interface RegionPickerRegion { id: string; name: string; subList?: RegionPickerRegion[] }
/** `my.regionPicker`'s `mergeOptions`, applied to this call only: `remove` regions of any level
 *  by `id`, `add` provinces between `pid` (above) and `nextId` (below), `update` (or `change`)
 *  a region's `name` and, with `subList`, all its cities or districts. */
export interface RegionPickerMergeOptions {
  remove?: { id: string }[];
  add?: { pid?: string; nextId?: string; id: string; name: string; subList?: RegionPickerRegion[] }[];
  update?: { id: string; name?: string; subList?: RegionPickerRegion[] }[];
  change?: { id: string; name?: string; subList?: RegionPickerRegion[] }[];
}
/** `my.regionPicker` options. */
export interface RegionPickerOptions extends AsyncCallbacks<RegionPickerSuccess> {
  /** Default "Choose a region". */
  title?: string;
  /** An entry at the top of every column; chosen, its code is "". */
  customItem?: string;
  mergeOptions?: RegionPickerMergeOptions;
  /** Names (or codes) from the province down; default the first of each column. */
  selectedItem?: string[];
  /** Accepted; the simulator has one data version (@vant/area-data's). */
  adVersion?: string;
}
/** The chosen names and GB/T 2260 codes, province first. Cancel fails with error 11. */
export interface RegionPickerSuccess { data: string[]; code: string[] }
export interface RuntimeConfig {
  /** Where `my.regionPicker`'s data is; default `regions.txt` beside the extras module. */
  regionsUrl?: string;
}
export interface DeviceInputs {
  /** The division code `my.regionPicker` answers with at once (automation); `null` clears it. */
  region?: string | null;
}
export interface My {
  regionPicker(options?: RegionPickerOptions): Promise<RegionPickerSuccess>;
}
"#;
