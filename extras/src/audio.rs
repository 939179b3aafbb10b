//! The audio JSAPIs' rules: `my.createInnerAudioContext()` (an InnerAudioContext) and
//! `my.getBackgroundAudioManager()` (the app's one BackgroundAudioManager). Plain Rust, tested
//! natively; the `<audio>` element and the listener lists are `glue/audio.rs` and
//! `glue/audio.js` (DESIGN.md "Audio").
//!
//! - [`source`]: what a `src` may be (the media URL rules of the images and transfers: an
//!   `http(s)` URL, an apFilePath, a `data:audio/…` or `blob:` URL, or a path the page
//!   resolves; no other scheme, so no `javascript:`);
//! - [`Setting::check`]: the writable properties and the values each accepts (a refused value
//!   leaves the property as it was and is reported naming the property);
//! - [`Events`]: which of the element's media events become which context events, so the
//!   order is the documented one (`stop` instead of the element's `pause` and `seeking`/`seeked`
//!   back to 0, no `pause` before `ended`, `canplay` once per source, the `startTime` jump and
//!   the return to 0 of a `play()` after the end silent);
//! - [`error_code`]: the element's `MediaError` as the documented `errCode`;
//! - [`Slots`]: at most [`MAX_INNER_AUDIO_CONTEXTS`] live InnerAudioContexts per app.

use shim_core::encoding::Quoted;

/// At most this many InnerAudioContexts are live (created and not destroyed) in one app at
/// once; the one BackgroundAudioManager is not counted. A device has a similar limit of
/// players; one more context is made but plays nothing: its `play()` reports error 10001
/// naming the limit (DESIGN.md "Audio").
pub const MAX_INNER_AUDIO_CONTEXTS: usize = 16;

/// The longest `src` accepted (a `data:` URL of a short sound fits).
pub const MAX_SRC_LEN: usize = 2 * 1024 * 1024;

/// The documented `errCode`s of `onError`.
pub mod code {
    /// System error (also: over the limit of live contexts, or a destroyed context).
    pub const SYSTEM: i32 = 10001;
    /// Network error.
    pub const NETWORK: i32 = 10002;
    /// File error (not found, not readable, a refused `src`).
    pub const FILE: i32 = 10003;
    /// Format error (the file does not decode).
    pub const FORMAT: i32 = 10004;
    /// Unknown error (an aborted load).
    pub const UNKNOWN: i32 = -1;
}

/// Which object: an InnerAudioContext or the BackgroundAudioManager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Inner,
    Background,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Inner => "InnerAudioContext",
            Kind::Background => "BackgroundAudioManager",
        }
    }

    /// The events its `on…`/`off…` methods name (the background manager has `prev`/`next`:
    /// the simulator has no lock screen controls, so they are never emitted).
    pub fn events(self) -> &'static [&'static str] {
        const INNER: &[&str] = &[
            "Canplay",
            "Play",
            "Pause",
            "Stop",
            "Ended",
            "TimeUpdate",
            "Error",
            "Waiting",
            "Seeking",
            "Seeked",
        ];
        const BACKGROUND: &[&str] = &[
            "Canplay",
            "Play",
            "Pause",
            "Stop",
            "Ended",
            "TimeUpdate",
            "Error",
            "Waiting",
            "Seeking",
            "Seeked",
            "Prev",
            "Next",
        ];
        match self {
            Kind::Inner => INNER,
            Kind::Background => BACKGROUND,
        }
    }

    /// The writable properties.
    pub fn settings(self) -> &'static [&'static str] {
        const INNER: &[&str] = &[
            "src",
            "startTime",
            "autoplay",
            "loop",
            "volume",
            "obeyMuteSwitch",
            "playbackRate",
        ];
        const BACKGROUND: &[&str] = &[
            "src",
            "startTime",
            "title",
            "epname",
            "singer",
            "coverImgUrl",
            "webUrl",
            "protocol",
            "playbackRate",
        ];
        match self {
            Kind::Inner => INNER,
            Kind::Background => BACKGROUND,
        }
    }
}

/// What a `src` is, for the glue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Empty: nothing loaded (the element's source is removed).
    None,
    /// An apFilePath of the file store: the glue plays the stored blob.
    File(String),
    /// A URL (absolute `http(s)`, `data:audio/…`, `blob:`) or a path relative to the page,
    /// given to the element as it is.
    Url(String),
}

/// Reads a `src`: error 10003 naming what is wrong for anything else than an `http(s)` URL, an
/// apFilePath, a `data:audio/…` URL, a `blob:` URL or a path (no scheme).
pub fn source(src: &str) -> Result<Source, String> {
    let text = src.trim();
    if text.is_empty() {
        return Ok(Source::None);
    }
    if text.len() > MAX_SRC_LEN {
        return Err(format!(
            "src is {} bytes, over the {MAX_SRC_LEN} bytes a src may have",
            text.len()
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("src {} has a control character", Quoted(text)));
    }
    if text.starts_with(shim_core::files::PATH_PREFIX) {
        return Ok(Source::File(text.to_owned()));
    }
    let Some(scheme) = scheme(text) else {
        return Ok(Source::Url(text.to_owned()));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => {
            if text[scheme.len() + 1..].starts_with("//") {
                Ok(Source::Url(text.to_owned()))
            } else {
                Err(format!("src {}: an http(s) URL needs a host", Quoted(text)))
            }
        }
        "blob" => Ok(Source::Url(text.to_owned())),
        "data" if text[5..].to_ascii_lowercase().starts_with("audio/") => {
            Ok(Source::Url(text.to_owned()))
        }
        "data" => Err(format!(
            "src {}: a data: URL must be of an audio/ type",
            Quoted(short(text))
        )),
        other => Err(format!(
            "src {}: the scheme {other}: is not allowed (an audio src is an http(s) URL, an \
             apFilePath, a data:audio/ or blob: URL, or a path)",
            Quoted(short(text))
        )),
    }
}

/// The scheme of `text` (letters, digits, `+`, `-`, `.` after a letter, then `:`), if any.
fn scheme(text: &str) -> Option<&str> {
    let end = text.find(':')?;
    let name = &text[..end];
    let mut chars = name.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(name)
}

/// At most 80 characters of `text`, for messages.
fn short(text: &str) -> &str {
    match text.char_indices().nth(80) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// `n` as JavaScript writes it for the values met here (integers, and up to 6 decimals),
/// without Rust's float printing, which would add ≈ 10 KB to the wasm.
pub fn number_text(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    if a >= 1e19 {
        return format!("{sign}a number over 1e19");
    }
    if a >= 1e15 {
        return format!("{sign}{}", a as u64);
    }
    let micros = (a * 1e6).round() as u64;
    let (whole, frac) = (micros / 1_000_000, micros % 1_000_000);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{frac:06}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

/// A value given to a writable property (what the glue read from JavaScript).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
    /// `undefined`, `null`, an object: named by its type in the message.
    Other(&'static str),
}

/// A writable property, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    Src(Source, String),
    StartTime(f64),
    Autoplay(bool),
    Loop(bool),
    Volume(f64),
    ObeyMuteSwitch(bool),
    PlaybackRate(f64),
    /// `title`, `epname`, `singer`, `coverImgUrl`, `webUrl`, `protocol` (the background
    /// manager's descriptions, shown by the simulator).
    Text(&'static str, String),
}

impl Setting {
    /// Checks `value` for the property `name` of a `kind` object: the setting, or a message
    /// naming the property and what it accepts (the property then keeps its value).
    pub fn check(kind: Kind, name: &str, value: Value) -> Result<Setting, String> {
        let Some(&name) = kind.settings().iter().find(|n| **n == name) else {
            return Err(format!("{}.{name} is not a writable property", kind.name()));
        };
        let what = |accepts: &str| -> String {
            let got = match &value {
                Value::Text(t) => format!("the string {}", Quoted(short(t))),
                Value::Number(n) => number_text(*n),
                Value::Bool(b) => format!("{b}"),
                Value::Other(t) => (*t).to_owned(),
            };
            format!("{}.{name} must be {accepts}, not {got}", kind.name())
        };
        let number = |min: f64, max: f64, accepts: &str| match value {
            Value::Number(n) if n.is_finite() && n >= min && n <= max => Ok(n),
            _ => Err(what(accepts)),
        };
        let flag = || match &value {
            Value::Bool(b) => Ok(*b),
            // A flag written as the string "true"/"false" (a page's data often has them).
            Value::Text(t) if t == "true" || t == "false" => Ok(t == "true"),
            _ => Err(what("a boolean")),
        };
        match name {
            "src" => match &value {
                Value::Text(t) => Ok(Setting::Src(source(t)?, t.trim().to_owned())),
                _ => Err(what("a string")),
            },
            "startTime" => number(0.0, f64::MAX, "a number of seconds ≥ 0").map(Setting::StartTime),
            "volume" => number(0.0, 1.0, "a number from 0 to 1").map(Setting::Volume),
            "playbackRate" => number(0.5, 2.0, "a number from 0.5 to 2").map(Setting::PlaybackRate),
            "autoplay" => flag().map(Setting::Autoplay),
            "loop" => flag().map(Setting::Loop),
            "obeyMuteSwitch" => flag().map(Setting::ObeyMuteSwitch),
            "protocol" => match &value {
                Value::Text(t) if t == "http" || t == "hls" => {
                    Ok(Setting::Text("protocol", t.clone()))
                }
                _ => Err(what("\"http\" or \"hls\"")),
            },
            _ => match value {
                Value::Text(t) if t.chars().count() <= 1024 => Ok(Setting::Text(name, t)),
                Value::Text(_) => Err(what("a string of at most 1024 characters")),
                Value::Number(n) if n.is_finite() => Ok(Setting::Text(name, number_text(n))),
                _ => Err(what("a string")),
            },
        }
    }
}

/// A seek position: a finite number of seconds ≥ 0.
pub fn seek_position(kind: Kind, value: Option<f64>) -> Result<f64, String> {
    match value {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n),
        Some(n) => Err(format!(
            "{}.seek(position): position must be a number of seconds ≥ 0, not {}",
            kind.name(),
            number_text(n)
        )),
        None => Err(format!(
            "{}.seek(position): position must be a number of seconds ≥ 0",
            kind.name()
        )),
    }
}

/// The `errCode` of the element's `MediaError.code` (1 aborted, 2 network, 3 decode, 4 source
/// not supported: not found or not a format the browser plays).
pub fn error_code(media_error: u32) -> i32 {
    match media_error {
        2 => code::NETWORK,
        3 => code::FORMAT,
        4 => code::FILE,
        _ => code::UNKNOWN,
    }
}

/// The element's media events the glue listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    LoadedMetadata,
    CanPlay,
    Play,
    Pause,
    Ended,
    TimeUpdate,
    Waiting,
    Seeking,
    Seeked,
    Error,
}

impl Media {
    pub fn parse(name: &str) -> Option<Media> {
        Some(match name {
            "loadedmetadata" => Media::LoadedMetadata,
            "canplay" => Media::CanPlay,
            "play" => Media::Play,
            "pause" => Media::Pause,
            "ended" => Media::Ended,
            "timeupdate" => Media::TimeUpdate,
            "waiting" => Media::Waiting,
            "seeking" => Media::Seeking,
            "seeked" => Media::Seeked,
            "error" => Media::Error,
            _ => return None,
        })
    }

    /// The names, for the glue's listeners.
    pub const NAMES: &'static [&'static str] = &[
        "loadedmetadata",
        "canplay",
        "play",
        "pause",
        "ended",
        "timeupdate",
        "waiting",
        "seeking",
        "seeked",
        "error",
    ];
}

/// What the glue does after a media event: emit a context event, and/or jump to a position
/// silently (the `startTime`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    Emit(&'static str),
    /// Set the element's `currentTime` to this, without `seeking`/`seeked` events.
    Jump(f64),
}

/// One context's event state: turns the element's media events into the context's events.
#[derive(Debug, Clone, Default)]
pub struct Events {
    /// `canplay` was emitted for the current source.
    canplay_sent: bool,
    /// The `startTime` (seconds) to jump to once the metadata is there, for the current source.
    start_time: f64,
    /// `seeking`/`seeked` pairs to swallow (a `stop()`'s return to 0, a `startTime` jump).
    silent_seeks: u32,
    /// A `pause` event to swallow: `stop()` emitted `stop` for it.
    silent_pause: bool,
    destroyed: bool,
}

impl Events {
    pub fn new() -> Events {
        Events::default()
    }

    /// A new source was set (or the same one reloaded): `canplay` may come again, and
    /// `start_time` applies to it.
    pub fn source_set(&mut self, start_time: f64) {
        self.canplay_sent = false;
        self.start_time = start_time;
        self.silent_seeks = 0;
        self.silent_pause = false;
    }

    /// `startTime` changed before the metadata came.
    pub fn start_time(&mut self, start_time: f64) {
        self.start_time = start_time;
    }

    /// `stop()`: the `stop` event at once; the element's `pause` (when it was playing) and its
    /// `seeking`/`seeked` back to 0 (when not at 0 already) are swallowed.
    pub fn stop(&mut self, playing: bool, at_zero: bool) -> Option<&'static str> {
        if self.destroyed {
            return None;
        }
        self.silent_pause = playing;
        if !at_zero {
            self.silent_seeks += 1;
        }
        Some("stop")
    }

    /// `play()` of an element that has ended: the element goes back to 0 by itself (its
    /// `seeking`, `waiting` and `seeked` are swallowed; the context only reports `play`).
    pub fn replay_from_end(&mut self) {
        if !self.destroyed {
            self.silent_seeks += 1;
        }
    }

    /// `destroy()`: nothing is emitted any more.
    pub fn destroy(&mut self) {
        self.destroyed = true;
    }

    pub fn destroyed(&self) -> bool {
        self.destroyed
    }

    /// One media event of the element; `ended` is the element's `ended` flag at that moment.
    pub fn media(&mut self, event: Media, ended: bool) -> Option<Step> {
        if self.destroyed {
            return None;
        }
        let emit = |name| Some(Step::Emit(name));
        match event {
            Media::LoadedMetadata => {
                let at = std::mem::take(&mut self.start_time);
                if at > 0.0 {
                    self.silent_seeks += 1;
                    Some(Step::Jump(at))
                } else {
                    None
                }
            }
            Media::CanPlay if self.canplay_sent => None,
            Media::CanPlay => {
                self.canplay_sent = true;
                emit("canplay")
            }
            Media::Play => emit("play"),
            Media::Pause if std::mem::take(&mut self.silent_pause) => None,
            // The element pauses as it reaches the end: the context only reports `ended`.
            Media::Pause if ended => None,
            Media::Pause => emit("pause"),
            Media::Ended => emit("ended"),
            Media::TimeUpdate if self.silent_seeks > 0 => None,
            Media::TimeUpdate => emit("timeUpdate"),
            Media::Waiting if self.silent_seeks > 0 => None,
            Media::Waiting => emit("waiting"),
            Media::Seeking if self.silent_seeks > 0 => None,
            Media::Seeking => emit("seeking"),
            Media::Seeked if self.silent_seeks > 0 => {
                self.silent_seeks -= 1;
                None
            }
            Media::Seeked => emit("seeked"),
            Media::Error => emit("error"),
        }
    }
}

/// The live InnerAudioContexts of the app, by id; at most [`MAX_INNER_AUDIO_CONTEXTS`].
#[derive(Debug, Default)]
pub struct Slots {
    live: Vec<u32>,
}

impl Slots {
    /// Takes a slot for the context `id`: the message naming the limit when all are taken.
    pub fn take(&mut self, id: u32) -> Result<(), String> {
        if self.live.contains(&id) {
            return Ok(());
        }
        if self.live.len() >= MAX_INNER_AUDIO_CONTEXTS {
            return Err(format!(
                "{MAX_INNER_AUDIO_CONTEXTS} InnerAudioContexts are live in this app, the limit: \
                 destroy() one that is no longer used before creating another"
            ));
        }
        self.live.push(id);
        Ok(())
    }

    /// Frees the slot of `id` (its `destroy()`).
    pub fn free(&mut self, id: u32) {
        self.live.retain(|l| *l != id);
    }

    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }
}

#[cfg(test)]
mod tests;
