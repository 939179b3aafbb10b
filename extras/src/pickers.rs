//! The picker JSAPIs' options, state and results, in plain Rust: `my.showActionSheet`,
//! `my.prompt`, `my.showModal`, `my.datePicker`, `my.optionsSelect`, `my.multiLevelSelect`,
//! `my.chooseCity`. The sheets themselves (DOM, keyboard, focus) live in `glue::pickers`.
//!
//! Every wheel picker is a [`Wheels`]: columns of options where a choice in one column may
//! change the columns after it (a month changes the days, a province its cities). The glue
//! renders [`Wheels::columns`] and calls [`Wheels::select`] on every change; this module
//! decides what each column holds, so it is tested natively.
//!
//! Results and cancel codes (DESIGN.md "Pickers"): showActionSheet `{ index, success: true }`
//! with `index: -1` on cancel; prompt `{ ok, inputValue }`; showModal `{ confirm }` (plus
//! `content` when `editable`); datePicker `{ date }` or fail 11 on cancel; optionsSelect
//! `{ selectedOneIndex, selectedOneOption[, selectedTwoIndex, selectedTwoOption] }` with empty
//! strings on cancel; multiLevelSelect `{ success: true, result: [{ name }] }` and
//! `{ success: false, result: [] }` on cancel; chooseCity `{ city, adCode }` or fail 11.

use serde::Serialize;

use crate::error::ApiError;

/// The label of a cancel button when the mini program gives none.
pub const DEFAULT_CANCEL_TEXT: &str = "Cancel";
/// The label of a confirming button when the mini program gives none.
pub const DEFAULT_OK_TEXT: &str = "OK";
/// Most entries a list option may hold (a bigger one is a mistake, not a picker).
pub const MAX_ITEMS: usize = 1000;

fn label(given: Option<String>, default: &str) -> String {
    given
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// A list option that must hold at least one entry (`items`, `optionsOne`, `list`).
pub fn required_list<T>(name: &str, list: Option<Vec<T>>) -> Result<Vec<T>, ApiError> {
    let list = list.ok_or_else(|| ApiError::invalid(name, "is required and must be an array"))?;
    if list.is_empty() {
        return Err(ApiError::invalid(name, "must not be empty"));
    }
    if list.len() > MAX_ITEMS {
        return Err(ApiError::invalid(
            name,
            format!("has {} entries; at most {MAX_ITEMS}", list.len()),
        ));
    }
    Ok(list)
}

/// An index option (`destructiveBtnIndex`, `selectedOneIndex`): absent → `None`; a whole
/// number in `0..len` → it; anything else → error 2. `given` = present at all.
pub fn index(
    name: &str,
    value: Option<f64>,
    given: bool,
    len: usize,
) -> Result<Option<usize>, ApiError> {
    match value {
        None if !given => Ok(None),
        Some(n) if n.fract() == 0.0 && n >= 0.0 && n < len as f64 => Ok(Some(n as usize)),
        _ => Err(ApiError::invalid(
            name,
            format!("must be a whole number from 0 to {}", len.saturating_sub(1)),
        )),
    }
}

// ---- my.showActionSheet -----------------------------------------------------------------

/// A badge on one action sheet item (`badges: [{ index, type, text }]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    /// The item it marks.
    pub index: usize,
    /// What it shows: `point` a red dot, `num`/`text` its text, `more` "…", `none` nothing.
    pub text: String,
}

/// What `my.showActionSheet` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSheet {
    /// Heading (empty: none).
    pub title: String,
    /// The items, in order; the result is the chosen one's index.
    pub items: Vec<String>,
    /// The cancel button's label.
    pub cancel_text: String,
    /// The item shown in red (`destructiveBtnIndex`).
    pub destructive: Option<usize>,
    /// Badges by item.
    pub badges: Vec<Badge>,
}

impl ActionSheet {
    /// `items` is required and not empty; `destructive` is `(value, given)` of
    /// `destructiveBtnIndex`; `badges` are `(index, type, text)` as given.
    pub fn new(
        title: Option<String>,
        items: Option<Vec<String>>,
        cancel_text: Option<String>,
        destructive: (Option<f64>, bool),
        badges: Vec<(Option<f64>, Option<String>, Option<String>)>,
    ) -> Result<Self, ApiError> {
        let items = required_list("items", items)?;
        let destructive = index(
            "destructiveBtnIndex",
            destructive.0,
            destructive.1,
            items.len(),
        )?;
        let mut parsed = Vec::with_capacity(badges.len());
        for (i, (at, kind, text)) in badges.into_iter().enumerate() {
            let name = format!("badges[{i}].index");
            let at = index(&name, at, true, items.len())?.unwrap_or_default();
            let text = match kind.as_deref().unwrap_or("none") {
                "none" => continue,
                "point" => "●".to_owned(),
                "more" => "…".to_owned(),
                "num" | "text" => text.unwrap_or_default(),
                other => {
                    return Err(ApiError::invalid(
                        format!("badges[{i}].type"),
                        format!("must be one of none, point, num, text, more (got {other:?})"),
                    ))
                }
            };
            parsed.push(Badge { index: at, text });
        }
        Ok(ActionSheet {
            title: title.unwrap_or_default(),
            items,
            cancel_text: label(cancel_text, DEFAULT_CANCEL_TEXT),
            destructive,
            badges: parsed,
        })
    }
}

/// `my.showActionSheet` success: the chosen index, `-1` when cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActionSheetResult {
    /// The chosen item, or -1 (`i32`: an `i64` would pull serde's BigInt path into the wasm).
    pub index: i32,
    /// Always `true` (Alipay's field).
    pub success: bool,
}

impl ActionSheetResult {
    /// The item at `chosen`, or cancel (`None`) as -1.
    pub fn new(chosen: Option<usize>) -> Self {
        ActionSheetResult {
            index: chosen.map_or(-1, |i| i32::try_from(i).unwrap_or(i32::MAX)),
            success: true,
        }
    }
}

// ---- my.prompt and my.showModal -----------------------------------------------------------

/// Text alignment of the prompt's message (`align`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The default.
    Left,
    /// Centred.
    Center,
    /// Right.
    Right,
}

impl Align {
    /// `left | center | right`; absent → left.
    pub fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        match value.unwrap_or("left") {
            "" | "left" => Ok(Align::Left),
            "center" => Ok(Align::Center),
            "right" => Ok(Align::Right),
            other => Err(ApiError::invalid(
                "align",
                format!("must be one of left, center, right (got {other:?})"),
            )),
        }
    }

    /// The CSS `text-align` value.
    pub fn css(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        }
    }
}

/// A dialog with a message, an optional text field and one or two buttons: what
/// `my.prompt` and `my.showModal` show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// Heading (empty: none).
    pub title: String,
    /// The text under the heading (empty: none).
    pub message: String,
    /// How `message` is aligned.
    pub align: Align,
    /// `Some(placeholder)` when there is a text field.
    pub input: Option<String>,
    /// The confirming button's label.
    pub ok_text: String,
    /// The cancel button's label; `None` when there is none (`showCancel: false`).
    pub cancel_text: Option<String>,
}

impl Ask {
    /// `my.prompt`: `title`, `message` (default "Enter text"), `align`, `placeholder`,
    /// `okButtonText`, `cancelButtonText`; always a text field and two buttons.
    pub fn prompt(
        title: Option<String>,
        message: Option<String>,
        align: Option<&str>,
        placeholder: Option<String>,
        ok_text: Option<String>,
        cancel_text: Option<String>,
    ) -> Result<Self, ApiError> {
        Ok(Ask {
            title: title.unwrap_or_default(),
            message: message.unwrap_or_else(|| "Enter text".to_owned()),
            align: Align::parse(align)?,
            input: Some(placeholder.unwrap_or_default()),
            ok_text: label(ok_text, DEFAULT_OK_TEXT),
            cancel_text: Some(label(cancel_text, DEFAULT_CANCEL_TEXT)),
        })
    }

    /// `my.showModal`: `title`, `content`, `showCancel` (default true), `confirmText`,
    /// `cancelText`, `editable` (a text field, default false) with `placeholderText`.
    pub fn modal(
        title: Option<String>,
        content: Option<String>,
        show_cancel: Option<bool>,
        confirm_text: Option<String>,
        cancel_text: Option<String>,
        editable: Option<bool>,
        placeholder: Option<String>,
    ) -> Self {
        Ask {
            title: title.unwrap_or_default(),
            message: content.unwrap_or_default(),
            align: Align::Center,
            input: editable
                .unwrap_or(false)
                .then(|| placeholder.unwrap_or_default()),
            ok_text: label(confirm_text, DEFAULT_OK_TEXT),
            cancel_text: show_cancel
                .unwrap_or(true)
                .then(|| label(cancel_text, DEFAULT_CANCEL_TEXT)),
        }
    }
}

/// `my.prompt` success: `ok` is the button pressed; `inputValue` what was typed (empty when
/// cancelled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptResult {
    /// `true` for the OK button.
    pub ok: bool,
    /// The text field's value.
    pub input_value: String,
}

/// `my.showModal` success: `confirm`, `cancel` (its opposite, as pages ported from WeChat
/// read it), and `content` (the typed text) only when the modal was `editable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModalResult {
    /// `true` for the confirm button.
    pub confirm: bool,
    /// `true` for the cancel button, Escape or a tap outside.
    pub cancel: bool,
    /// The typed text, when editable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

// ---- wheels -------------------------------------------------------------------------------

/// One column of a wheel picker as the glue shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its accessible name (`Year`, `Level 2`, …).
    pub label: String,
    /// The options, in order.
    pub options: Vec<String>,
    /// The selected option's index.
    pub selected: usize,
}

/// A node of a cascading list (`multiLevelSelect`'s `list`, each with `subList`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Shown and returned.
    pub name: String,
    /// The next level (empty: a leaf).
    pub children: Vec<Node>,
}

/// The fields of a date/time, in the order of [`DateFormat`]'s columns.
const FIELDS: [&str; 6] = ["Year", "Month", "Day", "Hour", "Minute", "Second"];

/// `my.datePicker`'s `format`: which contiguous run of year, month, day, hour, minute,
/// second it shows and returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateFormat {
    /// The first field shown (0 = year … 5 = second).
    pub first: usize,
    /// One past the last field shown.
    pub end: usize,
}

impl DateFormat {
    /// One of Alipay's seven formats; default `yyyy-MM-dd`.
    pub fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        let (first, end) = match value.unwrap_or("yyyy-MM-dd") {
            "" | "yyyy-MM-dd" => (0, 3),
            "HH:mm" => (3, 5),
            "yyyy-MM" => (0, 2),
            "yyyy" => (0, 1),
            "HH:mm:ss" => (3, 6),
            "yyyy-MM-dd HH:mm:ss" => (0, 6),
            "yyyy-MM-dd HH:mm" => (0, 5),
            other => {
                return Err(ApiError::invalid(
                    "format",
                    format!(
                        "must be one of yyyy-MM-dd, HH:mm, yyyy-MM, yyyy, HH:mm:ss, \
                         yyyy-MM-dd HH:mm:ss, yyyy-MM-dd HH:mm (got {other:?})"
                    ),
                ))
            }
        };
        Ok(DateFormat { first, end })
    }

    /// `values` written in this format (`2016-10-09`, `08:05`, `2016-10-09 08:05:00`).
    pub fn write(self, values: &[u32; 6]) -> String {
        let mut out = String::new();
        for (field, &v) in values.iter().enumerate().take(self.end).skip(self.first) {
            let separator = match field {
                1 | 2 => "-",
                3 => " ",
                _ => ":",
            };
            if field > self.first {
                out.push_str(separator);
            }
            if field == 0 {
                out.push_str(&format!("{v:04}"));
            } else {
                out.push_str(&format!("{v:02}"));
            }
        }
        out
    }
}

/// Days in `month` (1–12) of `year` (proleptic Gregorian).
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses a date option (`currentDate`, `startDate`, `endDate`) over `base` (the fields it
/// does not give): `yyyy[-M[-d]]` and/or `H:m[:s]`, separated by a space or `T`
/// (`2016-10-9`, `12:30`, `2016-10-09 08:05:00`). Error 2 names `name`.
pub fn parse_date(name: &str, text: &str, base: [u32; 6]) -> Result<[u32; 6], ApiError> {
    let bad = |why: &str| ApiError::invalid(name, format!("{why} (got {text:?})"));
    let mut values = base;
    let mut date_given = false;
    let mut time_given = false;
    for part in text.trim().split([' ', 'T']).filter(|p| !p.is_empty()) {
        let (fields, start, seen) = if part.contains(':') {
            (part.split(':').collect::<Vec<_>>(), 3, &mut time_given)
        } else {
            (
                part.split(['-', '/']).collect::<Vec<_>>(),
                0,
                &mut date_given,
            )
        };
        if *seen || fields.len() > 3 {
            return Err(bad(
                "is not a date like 2016-10-09, a time like 12:30, or both",
            ));
        }
        *seen = true;
        for (i, field) in fields.iter().enumerate() {
            if field.is_empty() || field.len() > 4 || !field.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("has a part that is not a number"));
            }
            values[start + i] = field
                .parse()
                .map_err(|_| bad("has a part that is not a number"))?;
        }
        if start == 0 {
            // A date without its day or month means the first one.
            for v in values.iter_mut().take(3).skip(fields.len()) {
                *v = 1;
            }
        } else {
            for v in values.iter_mut().skip(3 + fields.len()) {
                *v = 0;
            }
        }
    }
    if !date_given && !time_given {
        return Err(bad("is empty"));
    }
    let [y, mo, d, h, mi, s] = values;
    if !(1..=9999).contains(&y) || !(1..=12).contains(&mo) {
        return Err(bad("has a year or month out of range"));
    }
    if d == 0 || d > days_in_month(y, mo) {
        return Err(bad("has a day that month does not have"));
    }
    if h > 23 || mi > 59 || s > 59 {
        return Err(bad("has a time out of range"));
    }
    Ok(values)
}

/// What `my.datePicker` offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateSpec {
    /// The fields shown and returned.
    pub format: DateFormat,
    /// The earliest choice.
    pub start: [u32; 6],
    /// The latest choice.
    pub end: [u32; 6],
    /// The initial choice (within `start..=end`).
    pub current: [u32; 6],
}

/// The earliest year offered when there is no `startDate`.
pub const DEFAULT_FIRST_YEAR: u32 = 1900;
/// The latest year offered when there is no `endDate`.
pub const DEFAULT_LAST_YEAR: u32 = 2100;

impl DateSpec {
    /// `format`, `currentDate` (default `now`), `startDate`, `endDate`; error 2 when a date
    /// does not parse or `startDate` is after `endDate`. `now` is the local date and time.
    pub fn new(
        format: Option<&str>,
        current: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
        now: [u32; 6],
    ) -> Result<Self, ApiError> {
        let format = DateFormat::parse(format)?;
        let key = |v: &[u32; 6]| v[format.first..format.end].to_vec();
        let start = match start {
            Some(text) => parse_date("startDate", text, [DEFAULT_FIRST_YEAR, 1, 1, 0, 0, 0])?,
            None => [DEFAULT_FIRST_YEAR, 1, 1, 0, 0, 0],
        };
        let end = match end {
            Some(text) => parse_date("endDate", text, [DEFAULT_LAST_YEAR, 12, 31, 23, 59, 59])?,
            None => [DEFAULT_LAST_YEAR, 12, 31, 23, 59, 59],
        };
        if key(&start) > key(&end) {
            return Err(ApiError::invalid("startDate", "is after endDate"));
        }
        let current = match current {
            Some(text) => parse_date("currentDate", text, now)?,
            None => now,
        };
        let mut spec = DateSpec {
            format,
            start,
            end,
            current,
        };
        spec.clamp_from(0);
        Ok(spec)
    }

    /// The lowest and highest value of `field` given the fields before it.
    fn bounds(&self, field: usize) -> (u32, u32) {
        let shown = self.format.first..field;
        let at_start = shown.clone().all(|f| self.current[f] == self.start[f]);
        let at_end = { shown }.all(|f| self.current[f] == self.end[f]);
        let (min, max) = match field {
            0 => (self.start[0], self.end[0]),
            1 => (1, 12),
            2 => (1, days_in_month(self.current[0], self.current[1])),
            3 => (0, 23),
            _ => (0, 59),
        };
        let lo = if at_start && field != 0 {
            self.start[field].max(min)
        } else {
            min
        };
        let hi = if at_end && field != 0 {
            self.end[field].min(max)
        } else {
            max
        };
        (lo, hi.max(lo))
    }

    /// Brings `field` and every later one within bounds.
    fn clamp_from(&mut self, field: usize) {
        for f in field.max(self.format.first)..self.format.end {
            let (lo, hi) = self.bounds(f);
            // `bounds` gives lo ≤ hi; max/min rather than `clamp`, which keeps a panic path.
            self.current[f] = self.current[f].max(lo).min(hi);
        }
    }
}

/// The state of a wheel picker: what each column holds and which option is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wheels {
    /// Independent columns (`optionsSelect`, `chooseCity`).
    Lists {
        /// Each column's accessible name and options.
        columns: Vec<(String, Vec<String>)>,
        /// The selected index in each.
        chosen: Vec<usize>,
    },
    /// A cascading list (`multiLevelSelect`): column `k + 1` holds the children of the
    /// option selected in column `k`; columns stop at a leaf.
    Tree {
        /// The first column.
        roots: Vec<Node>,
        /// The selected index at each level.
        chosen: Vec<usize>,
        /// The columns' accessible names, level by level (`Level n` past the end).
        labels: &'static [&'static str],
    },
    /// Date and time fields (`datePicker`).
    Date(DateSpec),
}

impl Wheels {
    /// The columns to show now.
    pub fn columns(&self) -> Vec<Column> {
        match self {
            Wheels::Lists { columns, chosen } => columns
                .iter()
                .zip(chosen)
                .map(|((label, options), &selected)| Column {
                    label: label.clone(),
                    options: options.clone(),
                    selected,
                })
                .collect(),
            Wheels::Tree {
                roots,
                chosen,
                labels,
            } => {
                let mut out = Vec::new();
                let mut level = roots;
                let mut depth = 0;
                while !level.is_empty() {
                    let selected = chosen.get(depth).copied().unwrap_or(0).min(level.len() - 1);
                    out.push(Column {
                        label: labels
                            .get(depth)
                            .map_or_else(|| format!("Level {}", depth + 1), |l| (*l).to_owned()),
                        options: level.iter().map(|n| n.name.clone()).collect(),
                        selected,
                    });
                    level = &level[selected].children;
                    depth += 1;
                }
                out
            }
            Wheels::Date(spec) => (spec.format.first..spec.format.end)
                .map(|field| {
                    let (lo, hi) = spec.bounds(field);
                    Column {
                        label: FIELDS[field].to_owned(),
                        options: (lo..=hi)
                            .map(|v| {
                                if field == 0 {
                                    format!("{v:04}")
                                } else {
                                    format!("{v:02}")
                                }
                            })
                            .collect(),
                        selected: (spec.current[field] - lo) as usize,
                    }
                })
                .collect(),
        }
    }

    /// Selects option `index` of `column` (out-of-range values are clamped); the columns
    /// after it follow: a new parent starts its children at the first, a new month keeps the
    /// day when it exists.
    pub fn select(&mut self, column: usize, index: usize) {
        match self {
            Wheels::Lists { columns, chosen } => {
                if let (Some(slot), Some((_, options))) =
                    (chosen.get_mut(column), columns.get(column))
                {
                    *slot = index.min(options.len().saturating_sub(1));
                }
            }
            Wheels::Tree { chosen, .. } => {
                chosen.truncate(column);
                chosen.resize(column, 0);
                chosen.push(index);
                // Clamped when read (`columns`, `path`).
            }
            Wheels::Date(spec) => {
                let field = spec.format.first + column;
                if field < spec.format.end {
                    let (lo, hi) = spec.bounds(field);
                    spec.current[field] = (lo + index as u32).min(hi);
                    spec.clamp_from(field + 1);
                }
            }
        }
    }

    /// The selected option of each column, as shown.
    pub fn selection(&self) -> Vec<(usize, String)> {
        self.columns()
            .into_iter()
            .map(|c| {
                let text = c.options.get(c.selected).cloned().unwrap_or_default();
                (c.selected, text)
            })
            .collect()
    }
}

/// `my.optionsSelect` success. Cancel gives empty strings for every field (Alipay's
/// documented behaviour), so its index fields are numbers or `""`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionsSelectResult {
    /// The first column's index, or `""` when cancelled.
    pub selected_one_index: IndexOrEmpty,
    /// The first column's text (`""` when cancelled).
    pub selected_one_option: String,
    /// The second column's index, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_two_index: Option<IndexOrEmpty>,
    /// The second column's text, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_two_option: Option<String>,
}

/// A number, or the empty string of a cancelled `optionsSelect`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum IndexOrEmpty {
    /// The chosen index.
    Index(u32),
    /// Cancelled.
    Empty(&'static str),
}

impl OptionsSelectResult {
    /// From the selection (`None`: cancelled) of a one- or two-column picker.
    pub fn new(selection: Option<Vec<(usize, String)>>, two_columns: bool) -> Self {
        let pick = |i: usize| {
            selection
                .as_ref()
                .and_then(|s| s.get(i))
                .map(|(idx, text)| (IndexOrEmpty::Index(*idx as u32), text.clone()))
                .unwrap_or((IndexOrEmpty::Empty(""), String::new()))
        };
        let (one_index, one_text) = pick(0);
        let two = two_columns.then(|| pick(1));
        OptionsSelectResult {
            selected_one_index: one_index,
            selected_one_option: one_text,
            selected_two_index: two.as_ref().map(|t| t.0.clone()),
            selected_two_option: two.map(|t| t.1),
        }
    }
}

/// One level of a `multiLevelSelect` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// The chosen entry's `name`.
    pub name: String,
}

/// `my.multiLevelSelect` success: `success: false` and no result when cancelled (Alipay's
/// documented output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MultiLevelResult {
    /// Whether a choice was made.
    pub success: bool,
    /// The chosen name at each level.
    pub result: Vec<Named>,
}

/// A city `my.chooseCity` offers (`cities`, `hotCities`: `{ city, adCode, spell? }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct City {
    /// The city's name.
    pub city: String,
    /// Its administrative division code.
    pub ad_code: String,
}

/// The cities `my.chooseCity` lists when the mini program gives no `cities`: twelve large
/// cities with their GB/T 2260 codes (a real device lists every city; pass `cities` for
/// yours).
pub const DEFAULT_CITIES: &[(&str, &str)] = &[
    ("Beijing", "110100"),
    ("Shanghai", "310100"),
    ("Guangzhou", "440100"),
    ("Shenzhen", "440300"),
    ("Hangzhou", "330100"),
    ("Chengdu", "510100"),
    ("Chongqing", "500100"),
    ("Wuhan", "420100"),
    ("Nanjing", "320100"),
    ("Xi'an", "610100"),
    ("Tianjin", "120100"),
    ("Suzhou", "320500"),
];

/// The list `my.chooseCity` shows: `hotCities` first (unless `showHotCities` is false), then
/// `cities` (default [`DEFAULT_CITIES`]), each once.
pub fn city_list(
    cities: Option<Vec<City>>,
    hot: Option<Vec<City>>,
    show_hot: bool,
) -> Result<Vec<City>, ApiError> {
    let cities = match cities {
        Some(list) => required_list("cities", Some(list))?,
        None => DEFAULT_CITIES
            .iter()
            .map(|(city, code)| City {
                city: (*city).to_owned(),
                ad_code: (*code).to_owned(),
            })
            .collect(),
    };
    let mut out: Vec<City> = Vec::with_capacity(cities.len());
    for city in hot
        .filter(|_| show_hot)
        .unwrap_or_default()
        .into_iter()
        .chain(cities)
    {
        if !out.contains(&city) {
            out.push(city);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn action_sheet_needs_items_and_checks_indexes_and_badges() {
        let sheet = ActionSheet::new(
            Some("Share".into()),
            strings(&["Copy", "Delete"]),
            None,
            (Some(1.0), true),
            vec![
                (Some(0.0), Some("num".into()), Some("3".into())),
                (Some(1.0), Some("none".into()), None),
            ],
        )
        .unwrap();
        assert_eq!(sheet.cancel_text, "Cancel");
        assert_eq!(sheet.destructive, Some(1));
        assert_eq!(
            sheet.badges,
            vec![Badge {
                index: 0,
                text: "3".into()
            }]
        );
        type Case<'a> = (Option<Vec<String>>, (Option<f64>, bool), &'a str);
        let cases: &[Case] = &[
            (None, (None, false), "`items`"),
            (Some(vec![]), (None, false), "`items`"),
            (strings(&["a"]), (Some(1.0), true), "`destructiveBtnIndex`"),
            (strings(&["a"]), (Some(0.5), true), "`destructiveBtnIndex`"),
            (strings(&["a"]), (None, true), "`destructiveBtnIndex`"),
        ];
        for (items, destructive, named) in cases {
            let err =
                ActionSheet::new(None, items.clone(), None, *destructive, vec![]).unwrap_err();
            assert_eq!(err.code(), 2);
            assert!(err.to_string().contains(named), "{err}");
        }
        let err = ActionSheet::new(
            None,
            strings(&["a"]),
            None,
            (None, false),
            vec![(Some(0.0), Some("star".into()), None)],
        )
        .unwrap_err();
        assert!(err.to_string().contains("`badges[0].type`"), "{err}");
        assert_eq!(ActionSheetResult::new(None).index, -1);
        assert_eq!(ActionSheetResult::new(Some(2)).index, 2);
    }

    #[test]
    fn prompt_and_modal_apply_their_defaults() {
        let p = Ask::prompt(
            Some("Name".into()),
            None,
            Some("center"),
            None,
            None,
            Some(" ".into()),
        )
        .unwrap();
        assert_eq!(
            (p.message.as_str(), p.align, p.input.as_deref()),
            ("Enter text", Align::Center, Some(""))
        );
        assert_eq!(
            (p.ok_text.as_str(), p.cancel_text.as_deref()),
            ("OK", Some("Cancel"))
        );
        let err = Ask::prompt(None, None, Some("justify"), None, None, None).unwrap_err();
        assert!(err.to_string().contains("`align`"), "{err}");
        let m = Ask::modal(
            None,
            Some("Sure?".into()),
            Some(false),
            Some("Yes".into()),
            None,
            None,
            None,
        );
        assert_eq!(
            (m.cancel_text, m.input, m.ok_text.as_str()),
            (None, None, "Yes")
        );
        let m = Ask::modal(
            None,
            None,
            None,
            None,
            None,
            Some(true),
            Some("type".into()),
        );
        assert_eq!(
            (m.cancel_text.as_deref(), m.input.as_deref()),
            (Some("Cancel"), Some("type"))
        );
    }

    #[test]
    fn date_formats_parse_and_write() {
        let v = [2016, 10, 9, 8, 5, 0];
        let cases = [
            ("yyyy-MM-dd", "2016-10-09"),
            ("HH:mm", "08:05"),
            ("yyyy-MM", "2016-10"),
            ("yyyy", "2016"),
            ("HH:mm:ss", "08:05:00"),
            ("yyyy-MM-dd HH:mm:ss", "2016-10-09 08:05:00"),
            ("yyyy-MM-dd HH:mm", "2016-10-09 08:05"),
        ];
        for (format, written) in cases {
            assert_eq!(DateFormat::parse(Some(format)).unwrap().write(&v), written);
        }
        assert!(DateFormat::parse(Some("dd/MM/yyyy"))
            .unwrap_err()
            .to_string()
            .contains("`format`"));
    }

    #[test]
    fn dates_parse_liberally_and_reject_impossible_ones() {
        let base = [2000, 6, 15, 12, 30, 45];
        let ok: &[(&str, [u32; 6])] = &[
            ("2016-10-9", [2016, 10, 9, 12, 30, 45]),
            ("2016/10/09", [2016, 10, 9, 12, 30, 45]),
            ("2016-10", [2016, 10, 1, 12, 30, 45]),
            ("12:05", [2000, 6, 15, 12, 5, 0]),
            ("2016-02-29 23:59:59", [2016, 2, 29, 23, 59, 59]),
            ("2016-02-29T01:02", [2016, 2, 29, 1, 2, 0]),
        ];
        for (text, want) in ok {
            assert_eq!(
                parse_date("currentDate", text, base).unwrap(),
                *want,
                "{text}"
            );
        }
        for bad in [
            "",
            "2015-02-29",
            "2016-13-01",
            "24:00",
            "12:60",
            "soon",
            "2016-10-09-01",
            "1:2:3:4",
            "2016-1a",
        ] {
            let err = parse_date("startDate", bad, base).unwrap_err();
            assert_eq!(err.code(), 2);
            assert!(err.to_string().contains("`startDate`"), "{bad}: {err}");
        }
    }

    #[test]
    fn date_wheels_follow_the_month_and_the_range() {
        let now = [2024, 1, 31, 10, 0, 0];
        let spec = DateSpec::new(None, None, Some("2023-11-15"), Some("2024-03-10"), now).unwrap();
        let mut wheels = Wheels::Date(spec);
        let cols = wheels.columns();
        assert_eq!(
            cols.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(),
            ["Year", "Month", "Day"]
        );
        assert_eq!(cols[0].options, ["2023", "2024"]);
        assert_eq!(cols[1].options, ["01", "02", "03"]);
        assert_eq!((cols[2].options.len(), cols[2].selected), (31, 30));
        // February of a leap year: day 31 becomes 29.
        wheels.select(1, 1);
        assert_eq!(wheels.selection()[2].1, "29");
        assert_eq!(wheels.columns()[2].options.len(), 29);
        // March: only up to the 10th (endDate).
        wheels.select(1, 2);
        assert_eq!(wheels.columns()[2].options.len(), 10);
        // 2023: November from the 15th, December.
        wheels.select(0, 0);
        let cols = wheels.columns();
        assert_eq!(cols[1].options, ["11", "12"]);
        let Wheels::Date(spec) = &wheels else {
            unreachable!()
        };
        // March 10 moved into 2023 becomes its first allowed day, November 15.
        assert_eq!(spec.format.write(&spec.current), "2023-11-15");
        assert_eq!(
            wheels.columns()[2].options.first().map(String::as_str),
            Some("15")
        );
        // December is wholly in range: all 31 days, the 15th kept.
        wheels.select(1, 1);
        assert_eq!(wheels.columns()[2].options.len(), 31);
        assert_eq!(wheels.selection()[2].1, "15");
        let err =
            DateSpec::new(None, None, Some("2024-01-02"), Some("2024-01-01"), now).unwrap_err();
        assert!(err.to_string().contains("`startDate`"), "{err}");
        // A current date outside the range starts at its edge.
        let spec = DateSpec::new(
            Some("HH:mm"),
            Some("07:00"),
            Some("09:30"),
            Some("18:00"),
            now,
        )
        .unwrap();
        assert_eq!(spec.format.write(&spec.current), "09:30");
    }

    #[test]
    fn tree_wheels_cascade_and_lists_stay_independent() {
        let leaf = |n: &str| Node {
            name: n.into(),
            children: vec![],
        };
        let roots = vec![
            Node {
                name: "Zhejiang".into(),
                children: vec![Node {
                    name: "Hangzhou".into(),
                    children: vec![leaf("Xihu"), leaf("Binjiang")],
                }],
            },
            Node {
                name: "Macau".into(),
                children: vec![],
            },
        ];
        let mut wheels = Wheels::Tree {
            roots,
            chosen: vec![],
            labels: &[],
        };
        assert_eq!(wheels.columns().len(), 3);
        wheels.select(2, 1);
        assert_eq!(
            wheels
                .selection()
                .iter()
                .map(|s| s.1.as_str())
                .collect::<Vec<_>>(),
            ["Zhejiang", "Hangzhou", "Binjiang"]
        );
        wheels.select(0, 1);
        assert_eq!(wheels.selection(), vec![(1, "Macau".to_owned())]);
        wheels.select(0, 9);
        assert_eq!(wheels.selection()[0].1, "Macau");

        let mut lists = Wheels::Lists {
            columns: vec![
                ("A".into(), vec!["x".into(), "y".into()]),
                ("B".into(), vec!["1".into(), "2".into()]),
            ],
            chosen: vec![0, 1],
        };
        lists.select(0, 1);
        assert_eq!(lists.selection(), vec![(1, "y".into()), (1, "2".into())]);
        lists.select(1, 7);
        assert_eq!(lists.selection()[1].0, 1);
    }

    #[test]
    fn options_select_results_are_empty_strings_when_cancelled() {
        let r = OptionsSelectResult::new(Some(vec![(1, "b".into()), (0, "x".into())]), true);
        assert_eq!(r.selected_two_index, Some(IndexOrEmpty::Index(0)));
        let r = OptionsSelectResult::new(None, false);
        assert_eq!(
            (
                r.selected_one_index,
                r.selected_one_option.as_str(),
                r.selected_two_index
            ),
            (IndexOrEmpty::Empty(""), "", None)
        );
    }

    #[test]
    fn city_list_puts_hot_cities_first_once() {
        let c = |n: &str, code: &str| City {
            city: n.into(),
            ad_code: code.into(),
        };
        let list = city_list(
            Some(vec![c("A", "1"), c("B", "2")]),
            Some(vec![c("B", "2")]),
            true,
        )
        .unwrap();
        assert_eq!(list, vec![c("B", "2"), c("A", "1")]);
        assert_eq!(
            city_list(None, Some(vec![c("Z", "9")]), false)
                .unwrap()
                .len(),
            DEFAULT_CITIES.len()
        );
        assert!(city_list(Some(vec![]), None, true)
            .unwrap_err()
            .to_string()
            .contains("`cities`"));
    }
}
