//! The audio JSAPIs in the browser (the extras module): the driver of each InnerAudioContext
//! and of the BackgroundAudioManager, over an `<audio>` element (`glue/audio.js`). The object
//! the mini program holds is the start module's (`src/glue/extras.js`: it exists at once, keeps
//! the listener lists and replays what was done before this module loaded); it calls the driver
//! made here (`audioContext`) for every property and method. The rules are `crate::audio`'s
//! (DESIGN.md "Audio").

use std::cell::RefCell;

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::{log_sync, set};
use super::files::current_app;
use crate::audio::{
    code, error_code, seek_position, Events, Kind, Media, Setting, Slots, Source, Step, Value,
};
use shim_core::file_store::{object_url, read_file, revoke_url};

#[wasm_bindgen(module = "/src/glue/audio.js")]
extern "C" {
    #[wasm_bindgen(js_name = audioElement)]
    fn audio_element(id: u32, on_media: &Function) -> JsValue;
    #[wasm_bindgen(js_name = audioDriver)]
    fn audio_driver(id: u32, dispatch: &Function) -> Object;
    #[wasm_bindgen(js_name = audioApply)]
    fn audio_apply(el: &JsValue, name: &str, value: &JsValue);
    #[wasm_bindgen(js_name = audioState)]
    fn audio_state(el: &JsValue, name: &str) -> JsValue;
    #[wasm_bindgen(js_name = audioPlay)]
    fn audio_play(el: &JsValue, id: u32, on_refused: &Function);
    #[wasm_bindgen(js_name = audioEmit)]
    fn audio_emit(lists: &JsValue, event: &str, arg: &JsValue);
    #[wasm_bindgen(js_name = audioLater)]
    fn audio_later(f: &Function);
    #[wasm_bindgen(js_name = audioOnPageHide)]
    fn audio_on_page_hide(f: &Function);
}

/// The shell's "now playing" message (the simulator shows the background audio).
const NOW_PLAYING: &str = "miniprogram-shim:now-playing";

/// One context: its element, the façade's listener lists, its properties and event state.
struct Context {
    kind: Kind,
    /// `None` when over the limit: the context plays nothing.
    el: Option<JsValue>,
    lists: JsValue,
    events: Events,
    /// Why it plays nothing (over the limit).
    refused: Option<String>,
    src: String,
    start_time: f64,
    autoplay: bool,
    looping: bool,
    volume: f64,
    obey_mute_switch: bool,
    playback_rate: f64,
    /// The background manager's descriptions (`title`, `singer`, …) and `protocol`.
    texts: Vec<(&'static str, String)>,
    /// The object URL of a stored file being played (revoked when the source changes).
    object_url: Option<String>,
    /// Counts `src` changes, so a stored file read after a newer `src` is dropped.
    generation: u32,
    /// `stop()` was called and nothing played since (the shell shows "stopped").
    stopped: bool,
}

impl Context {
    fn new(kind: Kind, lists: JsValue) -> Context {
        Context {
            kind,
            el: None,
            lists,
            events: Events::new(),
            refused: None,
            src: String::new(),
            start_time: 0.0,
            autoplay: false,
            looping: false,
            volume: 1.0,
            obey_mute_switch: true,
            playback_rate: 1.0,
            texts: Vec::new(),
            object_url: None,
            generation: 0,
            stopped: false,
        }
    }

    fn text(&self, name: &str) -> String {
        self.texts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| {
                if name == "protocol" {
                    "http".into()
                } else {
                    String::new()
                }
            })
    }
}

/// The live contexts by id (a few: a list, not a hash map, which would add its hasher).
#[derive(Default)]
struct Contexts(Vec<(u32, Context)>);

impl Contexts {
    fn get(&self, id: &u32) -> Option<&Context> {
        self.0.iter().find(|(i, _)| i == id).map(|(_, c)| c)
    }
    fn get_mut(&mut self, id: &u32) -> Option<&mut Context> {
        self.0.iter_mut().find(|(i, _)| i == id).map(|(_, c)| c)
    }
    fn insert(&mut self, id: u32, context: Context) {
        self.0.push((id, context));
    }
    fn remove(&mut self, id: &u32) {
        self.0.retain(|(i, _)| i != id);
    }
    fn values(&self) -> impl Iterator<Item = &Context> {
        self.0.iter().map(|(_, c)| c)
    }
}

#[derive(Default)]
struct Audio {
    next_id: u32,
    contexts: Contexts,
    slots: Slots,
    /// The one BackgroundAudioManager's driver, once made.
    background: Option<(u32, Object)>,
    hooks: Option<Hooks>,
}

/// The functions given to the JavaScript side, made once (page lifetime).
struct Hooks {
    dispatch: Function,
    on_media: Function,
    on_refused: Function,
}

thread_local! {
    static AUDIO: RefCell<Audio> = RefCell::new(Audio::default());
}

fn hooks() -> (Function, Function, Function) {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        let h = a.hooks.get_or_insert_with(|| {
            let dispatch = Closure::<dyn Fn(u32, String, String, JsValue) -> JsValue>::new(
                |id: u32, op: String, name: String, value: JsValue| {
                    dispatch(id, &op, &name, &value)
                },
            );
            let on_media = Closure::<dyn Fn(u32, String, bool, u32, String)>::new(on_media);
            let on_refused = Closure::<dyn Fn(u32, String, String)>::new(on_refused);
            let page_hide = Closure::<dyn Fn()>::new(page_hide);
            audio_on_page_hide(page_hide.as_ref().unchecked_ref());
            let f = |c: &JsValue| c.unchecked_ref::<Function>().clone();
            let hooks = Hooks {
                dispatch: f(dispatch.as_ref()),
                on_media: f(on_media.as_ref()),
                on_refused: f(on_refused.as_ref()),
            };
            // Page lifetime: every element and driver refers to them.
            dispatch.forget();
            on_media.forget();
            on_refused.forget();
            page_hide.forget();
            hooks
        });
        (h.dispatch.clone(), h.on_media.clone(), h.on_refused.clone())
    })
}

/// `audioContext(kind, lists)`: the driver of a new InnerAudioContext (`kind` "inner") or of
/// the app's one BackgroundAudioManager ("background", the same driver every time). `lists`
/// are the object's listener lists (`{ Canplay: [fn…], … }`), which the start module keeps.
#[wasm_bindgen(js_name = audioContext)]
pub fn audio_context(kind: &str, lists: JsValue) -> Result<Object, JsError> {
    let kind = match kind {
        "inner" => Kind::Inner,
        "background" => Kind::Background,
        other => return Err(JsError::new(&format!("audioContext: no kind {other}"))),
    };
    let api = match kind {
        Kind::Inner => "createInnerAudioContext",
        Kind::Background => "getBackgroundAudioManager",
    };
    if kind == Kind::Background {
        if let Some((_, driver)) = AUDIO.with(|a| a.borrow().background.clone()) {
            return Ok(driver);
        }
    }
    let (dispatch, on_media, _) = hooks();
    let (id, refused) = AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        a.next_id += 1;
        let id = a.next_id;
        let refused = match kind {
            Kind::Inner => a.slots.take(id).err(),
            Kind::Background => None,
        };
        (id, refused)
    });
    let mut context = Context::new(kind, lists);
    match &refused {
        Some(reason) => {
            web_sys::console::error_1(&JsValue::from_str(&format!(
                "my.{api}: {reason}; this one plays nothing (its play() reports error {})",
                code::SYSTEM
            )));
            context.refused = Some(reason.clone());
        }
        None => context.el = Some(audio_element(id, &on_media)),
    }
    let driver = audio_driver(id, &dispatch);
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        a.contexts.insert(id, context);
        if kind == Kind::Background {
            a.background = Some((id, driver.clone()));
        }
    });
    let result = match &refused {
        Some(reason) => JsValue::from_str(reason),
        None => JsValue::from_str(kind.name()),
    };
    log_sync(api, &JsValue::UNDEFINED, refused.is_none(), &result);
    Ok(driver)
}

/// Reads a JavaScript value for `Setting::check`.
fn value_of(v: &JsValue) -> Value {
    if let Some(s) = v.as_string() {
        Value::Text(s)
    } else if let Some(n) = v.as_f64() {
        Value::Number(n)
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if v.is_undefined() {
        Value::Other("undefined")
    } else if v.is_null() {
        Value::Other("null")
    } else {
        Value::Other("an object")
    }
}

/// Emits `event` to the listeners of `id` after the current task (never inside a borrow).
fn emit_later(id: u32, event: &'static str, arg: JsValue) {
    let f = Closure::once_into_js(move || emit(id, event, &arg));
    audio_later(f.unchecked_ref());
}

fn emit(id: u32, event: &str, arg: &JsValue) {
    let Some(lists) = AUDIO.with(|a| a.borrow().contexts.get(&id).map(|c| c.lists.clone())) else {
        return;
    };
    audio_emit(&lists, event, arg);
}

fn error_arg(code: i32, message: &str) -> JsValue {
    let o = Object::new();
    set(&o, "errCode", &JsValue::from(code));
    set(&o, "errMsg", &JsValue::from_str(message));
    // The names an Alipay fail callback has, for code written for those.
    set(&o, "error", &JsValue::from(code));
    set(&o, "errorMessage", &JsValue::from_str(message));
    o.into()
}

fn console_error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(&format!("miniprogram-shim: {message}")));
}

/// One call of the driver: `set` (the value kept), `get`, `call` (a method).
fn dispatch(id: u32, op: &str, name: &str, value: &JsValue) -> JsValue {
    let known = AUDIO.with(|a| a.borrow().contexts.get(&id).map(|c| c.kind));
    let Some(kind) = known else {
        if op == "call" {
            console_error(&format!(
                "InnerAudioContext.{name}(): this context was destroyed"
            ));
        }
        return JsValue::UNDEFINED;
    };
    match op {
        "set" => set_property(id, kind, name, value),
        "get" => get_property(id, name),
        "call" => {
            call_method(id, kind, name, value);
            JsValue::UNDEFINED
        }
        _ => JsValue::UNDEFINED,
    }
}

fn get_property(id: u32, name: &str) -> JsValue {
    AUDIO.with(|a| {
        let a = a.borrow();
        let Some(c) = a.contexts.get(&id) else {
            return JsValue::UNDEFINED;
        };
        match name {
            "src" => JsValue::from_str(&c.src),
            "startTime" => c.start_time.into(),
            "autoplay" => c.autoplay.into(),
            "loop" => c.looping.into(),
            "volume" => c.volume.into(),
            "obeyMuteSwitch" => c.obey_mute_switch.into(),
            "playbackRate" => c.playback_rate.into(),
            "currentTime" | "duration" | "buffered" | "paused" => match &c.el {
                Some(el) => audio_state(el, name),
                None if name == "paused" => true.into(),
                None => 0.into(),
            },
            "title" | "epname" | "singer" | "coverImgUrl" | "webUrl" | "protocol" => {
                JsValue::from_str(&c.text(name))
            }
            _ => JsValue::UNDEFINED,
        }
    })
}

fn set_property(id: u32, kind: Kind, name: &str, value: &JsValue) -> JsValue {
    let setting = match Setting::check(kind, name, value_of(value)) {
        Ok(s) => s,
        Err(message) => {
            console_error(&message);
            // A refused src is a file error of the context, as a device reports one.
            if name == "src" {
                emit_later(id, "error", error_arg(code::FILE, &message));
            }
            return get_property(id, name);
        }
    };
    let mut play_now = false;
    let mut load: Option<(JsValue, Option<String>, u32)> = None; // element, url, generation
    let mut stored: Option<(JsValue, String, u32)> = None;
    let mut now_playing = false;
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        let Some(c) = a.contexts.get_mut(&id) else {
            return;
        };
        let el = c.el.clone();
        let apply = |name: &str, v: JsValue| {
            if let Some(el) = &el {
                audio_apply(el, name, &v);
            }
        };
        match setting {
            Setting::Src(source, text) => {
                c.src = text;
                c.generation += 1;
                c.events.source_set(c.start_time);
                if let Some(url) = c.object_url.take() {
                    revoke_url(&url);
                }
                if let Some(el) = el.clone() {
                    match source {
                        Source::None => load = Some((el, None, c.generation)),
                        Source::Url(url) => load = Some((el, Some(url), c.generation)),
                        Source::File(path) => stored = Some((el, path, c.generation)),
                    }
                }
                // A new src of the background manager starts playing (as documented).
                play_now = kind == Kind::Background && !c.src.is_empty();
                now_playing = kind == Kind::Background;
            }
            Setting::StartTime(t) => {
                c.start_time = t;
                c.events.start_time(t);
            }
            Setting::Autoplay(b) => {
                c.autoplay = b;
                apply("autoplay", b.into());
            }
            Setting::Loop(b) => {
                c.looping = b;
                apply("loop", b.into());
            }
            Setting::Volume(v) => {
                c.volume = v;
                apply("volume", v.into());
            }
            // A browser has no mute switch: kept and reported, nothing else.
            Setting::ObeyMuteSwitch(b) => c.obey_mute_switch = b,
            Setting::PlaybackRate(r) => {
                c.playback_rate = r;
                apply("playbackRate", r.into());
                apply("defaultPlaybackRate", r.into());
            }
            Setting::Text(name, t) => {
                c.texts.retain(|(n, _)| *n != name);
                c.texts.push((name, t));
                now_playing = kind == Kind::Background;
            }
        }
    });
    if let Some((el, url, _)) = load {
        let url = url.map(|u| JsValue::from_str(&u)).unwrap_or(JsValue::NULL);
        audio_apply(&el, "src", &url);
    }
    if let Some((el, path, generation)) = stored {
        wasm_bindgen_futures::spawn_local(async move {
            match read_file(&current_app(), "src", &path).await {
                Ok(blob) => {
                    let url = object_url(&blob);
                    let current = AUDIO.with(|a| {
                        let mut a = a.borrow_mut();
                        match a.contexts.get_mut(&id) {
                            Some(c) if c.generation == generation => {
                                c.object_url = Some(url.clone());
                                true
                            }
                            _ => false,
                        }
                    });
                    if current {
                        audio_apply(&el, "src", &JsValue::from_str(&url));
                        if play_now {
                            play(id);
                        }
                    } else {
                        revoke_url(&url);
                    }
                }
                Err(e) => emit(id, "error", &error_arg(code::FILE, &e.to_string())),
            }
        });
        play_now = false;
    }
    if play_now {
        play(id);
    }
    if now_playing {
        tell_shell(id);
    }
    get_property(id, name)
}

fn play(id: u32) {
    let (_, _, on_refused) = hooks();
    let state = AUDIO.with(|a| {
        let a = a.borrow();
        a.contexts
            .get(&id)
            .map(|c| (c.el.clone(), c.refused.clone(), c.src.is_empty(), c.kind))
    });
    let Some((el, refused, no_src, kind)) = state else {
        return;
    };
    if let Some(reason) = refused {
        emit_later(
            id,
            "error",
            error_arg(code::SYSTEM, &format!("play(): {reason}")),
        );
        return;
    }
    if no_src {
        let message = format!("{}.play(): no src is set", kind.name());
        emit_later(id, "error", error_arg(code::FILE, &message));
        return;
    }
    if let Some(el) = el {
        if audio_state(&el, "ended").as_bool() == Some(true) {
            AUDIO.with(|a| {
                if let Some(c) = a.borrow_mut().contexts.get_mut(&id) {
                    c.events.replay_from_end();
                }
            });
        }
        audio_play(&el, id, &on_refused);
    }
}

fn call_method(id: u32, kind: Kind, method: &str, arg: &JsValue) {
    let el = AUDIO.with(|a| a.borrow().contexts.get(&id).and_then(|c| c.el.clone()));
    match method {
        "play" => play(id),
        "pause" => {
            if let Some(el) = &el {
                call0(el, "pause");
            }
        }
        "stop" => {
            let (playing, at_zero) = match &el {
                Some(el) => (
                    audio_state(el, "paused").as_bool() == Some(false),
                    audio_state(el, "currentTime").as_f64().unwrap_or(0.0) == 0.0,
                ),
                None => (false, true),
            };
            let event = AUDIO.with(|a| {
                let mut a = a.borrow_mut();
                a.contexts.get_mut(&id).and_then(|c| {
                    c.stopped = true;
                    c.events.stop(playing, at_zero)
                })
            });
            if let Some(el) = &el {
                call0(el, "pause");
                if !at_zero {
                    audio_apply(el, "currentTime", &0.into());
                }
            }
            if let Some(event) = event {
                emit_later(id, event, JsValue::UNDEFINED);
            }
            if kind == Kind::Background {
                tell_shell(id);
            }
        }
        "seek" => match seek_position(kind, arg.as_f64()) {
            Ok(at) => {
                if let Some(el) = &el {
                    audio_apply(el, "currentTime", &at.into());
                }
            }
            Err(message) => console_error(&message),
        },
        "destroy" if kind == Kind::Inner => {
            let url = AUDIO.with(|a| {
                let mut a = a.borrow_mut();
                a.slots.free(id);
                a.contexts.get_mut(&id).and_then(|c| {
                    c.events.destroy();
                    c.object_url.take()
                })
            });
            if let Some(el) = &el {
                call0(el, "pause");
                audio_apply(el, "src", &JsValue::NULL);
            }
            if let Some(url) = url {
                revoke_url(&url);
            }
            AUDIO.with(|a| a.borrow_mut().contexts.remove(&id));
        }
        other => console_error(&format!("{}.{other}() is not a method", kind.name())),
    }
}

fn call0(el: &JsValue, method: &str) {
    if let Some(f) = js_sys::Reflect::get(el, &JsValue::from_str(method))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    {
        let _ = f.call0(el);
    }
}

/// A media event of the element of `id`.
fn on_media(id: u32, kind: String, ended: bool, media_error: u32, message: String) {
    let Some(event) = Media::parse(&kind) else {
        return;
    };
    let step = AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        let c = a.contexts.get_mut(&id)?;
        let src = c.src.clone();
        let background = c.kind == Kind::Background;
        if event == Media::Play {
            c.stopped = false;
        }
        Some((c.events.media(event, ended), c.el.clone(), src, background))
    });
    let Some((step, el, src, background)) = step else {
        return;
    };
    match step {
        Some(Step::Jump(at)) => {
            if let Some(el) = el {
                audio_apply(&el, "currentTime", &at.into());
            }
        }
        Some(Step::Emit("error")) => {
            let code = error_code(media_error);
            let detail = if message.is_empty() {
                String::new()
            } else {
                format!(": {message}")
            };
            let text = format!("cannot play {src} (media error {media_error}{detail})");
            emit(id, "error", &error_arg(code, &text));
        }
        Some(Step::Emit(name)) => emit(id, name, &JsValue::UNDEFINED),
        None => {}
    }
    if background
        && matches!(
            event,
            Media::Play | Media::Pause | Media::Ended | Media::Error
        )
    {
        tell_shell(id);
    }
}

/// `el.play()` was refused (the autoplay policy; an `AbortError` of a newer `src` or `pause()`
/// is not an error, and a source that does not load reports its own `error` event).
fn on_refused(id: u32, name: String, message: String) {
    if name == "AbortError" || name == "NotSupportedError" {
        return;
    }
    let text = format!("play() was refused by the browser: {name}: {message}");
    emit(id, "error", &error_arg(code::SYSTEM, &text));
}

/// The page goes away (the app is closed): every context stops.
fn page_hide() {
    let els: Vec<JsValue> = AUDIO.with(|a| {
        a.borrow()
            .contexts
            .values()
            .filter_map(|c| c.el.clone())
            .collect()
    });
    for el in els {
        call0(&el, "pause");
    }
}

/// Tells the simulator's shell what the background manager plays (its "now playing" line).
fn tell_shell(id: u32) {
    let info = AUDIO.with(|a| {
        let a = a.borrow();
        let c = a.contexts.get(&id)?;
        let paused = match &c.el {
            Some(el) => audio_state(el, "paused").as_bool().unwrap_or(true),
            None => true,
        };
        let state = if c.src.is_empty() || c.stopped {
            "stopped"
        } else if !paused {
            "playing"
        } else {
            "paused"
        };
        Some((
            state,
            c.text("title"),
            c.text("singer"),
            c.text("epname"),
            c.src.clone(),
        ))
    });
    let Some((state, title, singer, epname, src)) = info else {
        return;
    };
    let Some(origin) = super::runtime::with_config(|c| c.shell_origin().map(str::to_owned)) else {
        return;
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(parent) = shim_core::host::shell_parent(&window) else {
        return;
    };
    let _ = shim_core::host::post(
        &parent,
        &origin,
        &[
            ("type", JsValue::from_str(NOW_PLAYING)),
            ("state", JsValue::from_str(state)),
            ("title", JsValue::from_str(&title)),
            ("singer", JsValue::from_str(&singer)),
            ("epname", JsValue::from_str(&epname)),
            ("src", JsValue::from_str(&src)),
        ],
    );
}
