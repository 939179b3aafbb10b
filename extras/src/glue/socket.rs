//! The WebSocket JSAPIs in the browser (the extras module): `my.connectSocket` (the global
//! socket, or a SocketTask with `multiple: true`), `sendSocketMessage`, `closeSocket`, and the
//! SocketTask's methods. Rules (URL and whitelist, close codes, the bounded queue) are
//! `crate::socket`'s; the WebSocket itself and the listener lists are in
//! `extras/src/glue/socket.js`. The global socket's listeners (`my.onSocketOpen` …) register
//! in the start module at once (`src/glue/socket.rs`); the loader hands their lists here
//! (`useSocketListeners`) and gives each SocketTask its id (`connectSocketTask`), so a task has
//! it before this module has loaded (DESIGN.md "Sockets").

use std::cell::RefCell;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::{run_api, set, Failure};
use super::options::{check_object, get, number, text};
use super::runtime;
use crate::encoding::{base64_encode, encode_form};
use crate::error::ApiError;
use crate::socket::{
    check_pending, close_code, close_reason, outgoing, Outgoing, SendQueue, SocketInput,
    MAX_SOCKETS,
};

#[wasm_bindgen(module = "/src/glue/socket.js")]
extern "C" {
    /// One socket's listener lists.
    #[derive(Clone)]
    type Events;
    #[wasm_bindgen(js_name = socketEvents)]
    fn socket_events(lists: &JsValue) -> Events;
    #[wasm_bindgen(method)]
    fn emit(this: &Events, kind: &str, value: &JsValue);
    #[wasm_bindgen(js_name = makeSocketTask)]
    fn make_socket_task(id: u32, events: &Events, dispatch: &Function) -> Object;

    #[wasm_bindgen(catch, js_name = openSocket)]
    fn open_socket(url: &str, protocols: &Array, on_event: &Function) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = socketSend)]
    fn socket_send(ws: &JsValue, data: &JsValue) -> bool;
    #[wasm_bindgen(js_name = socketState)]
    fn socket_state(ws: &JsValue) -> u32;
    #[wasm_bindgen(js_name = socketBuffered)]
    fn socket_buffered(ws: &JsValue) -> f64;
    #[wasm_bindgen(js_name = socketClose)]
    fn socket_close(ws: &JsValue, code: u16, reason: &str);
}

/// The APIs this file adds to `my`.
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "connectSocket",
            Closure::new(|o: JsValue| connect_socket(&o, None)),
        ),
        (
            "sendSocketMessage",
            Closure::new(|o: JsValue| {
                let id = SOCKETS.with(|s| s.borrow().global);
                send(id, "sendSocketMessage", &o).into()
            }),
        ),
        (
            "closeSocket",
            Closure::new(|o: JsValue| {
                let id = SOCKETS.with(|s| s.borrow().global);
                close(id, "closeSocket", &o).into()
            }),
        ),
    ]
}

/// The start module's `my.onSocket*` listener lists (`{ open, message, error, close }`, arrays
/// of functions): the global socket's events go to them from now on. The loader
/// (`src/glue/extras.js`) calls it once, right after loading this module.
#[wasm_bindgen(js_name = useSocketListeners)]
pub fn use_socket_listeners(lists: JsValue) {
    SOCKETS.with(|s| s.borrow_mut().global_events = Some(socket_events(&lists)));
}

/// `my.connectSocket({ …, multiple: true })` with the SocketTask id `socket_task_id` (given by
/// the start module's loader, which answered the page with a task of that id at once): the
/// SocketTask.
#[wasm_bindgen(js_name = connectSocketTask, unchecked_return_type = "SocketTask")]
pub fn connect_socket_task(
    #[wasm_bindgen(unchecked_param_type = "ConnectSocketOptions")] options: JsValue,
    socket_task_id: String,
) -> JsValue {
    connect_socket(&options, Some(socket_task_id))
}

/// One open (or opening) socket.
struct Socket {
    id: u32,
    ws: JsValue,
    /// Messages sent while it opens.
    queue: SendQueue,
    /// Where its events go: the global listeners, or its SocketTask's.
    events: Events,
    /// `socketTaskID` of a SocketTask (`None`: the global socket).
    task_id: Option<String>,
    /// The WebSocket's event handler; dropped (after the `close` event) with the entry.
    _on_event: Closure<dyn FnMut(String, JsValue, JsValue)>,
}

/// `(socket id, method, options)` → the method's answer.
type TaskDispatch = Closure<dyn Fn(u32, String, JsValue) -> JsValue>;

#[derive(Default)]
struct Sockets {
    next_id: u32,
    open: Vec<Socket>,
    /// The global socket's id (`connectSocket` without `multiple`).
    global: Option<u32>,
    /// The global socket's listeners (the start module's `my.onSocket*` lists once the loader
    /// gave them; they outlive any one global socket).
    global_events: Option<Events>,
    /// `(id, method, options)` → `send`/`close` of a SocketTask (page lifetime).
    dispatch: Option<TaskDispatch>,
}

thread_local! {
    static SOCKETS: RefCell<Sockets> = RefCell::new(Sockets::default());
}

fn global_events() -> Events {
    SOCKETS.with(|s| {
        s.borrow_mut()
            .global_events
            .get_or_insert_with(|| socket_events(&JsValue::UNDEFINED))
            .clone()
    })
}

fn task_dispatch() -> Function {
    SOCKETS.with(|s| {
        let mut s = s.borrow_mut();
        let closure = s.dispatch.get_or_insert_with(|| {
            Closure::new(|id: u32, method: String, options: JsValue| -> JsValue {
                match method.as_str() {
                    "send" => send(Some(id), "SocketTask.send", &options).into(),
                    _ => close(Some(id), "SocketTask.close", &options).into(),
                }
            })
        });
        closure.as_ref().unchecked_ref::<Function>().clone()
    })
}

/// The URL with `data`'s fields appended as a query (as `my.request` does for GET).
fn with_data(url: &str, data: &JsValue) -> String {
    if !data.is_object() {
        return url.to_owned();
    }
    let fields: Vec<(String, String)> = Object::entries(data.unchecked_ref())
        .iter()
        .map(|entry| {
            let entry: Array = entry.unchecked_into();
            let holder = Object::new();
            set(&holder, "v", &entry.get(1));
            let value = text(&holder, "v").ok().flatten().unwrap_or_default();
            (entry.get(0).as_string().unwrap_or_default(), value)
        })
        .collect();
    if fields.is_empty() {
        return url.to_owned();
    }
    let sep = if url.contains('?') { "&" } else { "?" };
    format!("{url}{sep}{}", encode_form(&fields))
}

/// Reads and checks `connectSocket`'s options, then opens the WebSocket.
fn open(
    options: &JsValue,
    multiple: bool,
    task_id: Option<String>,
) -> Result<(String, Option<Object>), ApiError> {
    check_object(options)?;
    let protocols = match get(options, "protocols") {
        p if p.is_undefined() || p.is_null() => Vec::new(),
        p if Array::is_array(&p) => Array::from(&p)
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_string()
                    .ok_or_else(|| ApiError::invalid(format!("protocols[{i}]"), "must be a string"))
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(ApiError::invalid(
                "protocols",
                "must be an array of strings",
            ))
        }
    };
    let header = get(options, "header");
    if header.is_object() && Object::keys(header.unchecked_ref::<Object>()).length() > 0 {
        web_sys::console::warn_1(
            &"my.connectSocket: a browser's WebSocket cannot send custom headers; `header` is not sent (DESIGN.md \"Sockets\")".into(),
        );
    }
    let input = SocketInput {
        url: text(options, "url")?,
        protocols,
    };
    let valid = runtime::with_config(|config| input.validate_for(config))?;
    if runtime::with_config(|c| c.network_faults.offline) {
        return Err(ApiError::Network(
            "the device is offline (simulated)".into(),
        ));
    }
    if !multiple {
        // One global socket at a time: a new one closes the old (as a device does).
        let old = SOCKETS.with(|s| s.borrow_mut().global.take());
        if let Some(old) = old {
            if let Some(ws) = socket_ws(old) {
                socket_close(&ws, 1000, "replaced by a new connectSocket");
            }
        }
    }
    let count = SOCKETS.with(|s| {
        s.borrow()
            .open
            .iter()
            .filter(|k| socket_state(&k.ws) < 2)
            .count()
    });
    if count >= MAX_SOCKETS {
        return Err(ApiError::Limit {
            code: 12,
            message: format!(
                "connectSocket:fail {MAX_SOCKETS} sockets are open already, the simulator's limit; close one first"
            ),
        });
    }
    let url = with_data(&valid.url, &get(options, "data"));
    let id = SOCKETS.with(|s| {
        let mut s = s.borrow_mut();
        s.next_id += 1;
        s.next_id
    });
    let on_event = Closure::<dyn FnMut(String, JsValue, JsValue)>::new(
        move |kind: String, a: JsValue, b: JsValue| on_socket_event(id, &kind, a, b),
    );
    let protocols: Array = valid
        .protocols
        .iter()
        .map(|p| JsValue::from_str(p))
        .collect();
    let ws = open_socket(&url, &protocols, on_event.as_ref().unchecked_ref()).map_err(|e| {
        let message = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "the browser refused the URL".into());
        ApiError::invalid("url", message)
    })?;
    let name = task_id.unwrap_or_else(|| id.to_string());
    let (events, task_id, task) = if multiple {
        let events = socket_events(&JsValue::UNDEFINED);
        let task = make_socket_task(id, &events, &task_dispatch());
        set(&task, "socketTaskID", &JsValue::from_str(&name));
        (events, Some(name.clone()), Some(task))
    } else {
        (global_events(), None, None)
    };
    SOCKETS.with(|s| {
        let mut s = s.borrow_mut();
        if !multiple {
            s.global = Some(id);
        }
        s.open.push(Socket {
            id,
            ws,
            queue: SendQueue::default(),
            events,
            task_id,
            _on_event: on_event,
        });
    });
    Ok((name, task))
}

/// `my.connectSocket(options)`: a Promise (success once the socket is created; `onSocketOpen`
/// says when it opens), or with `multiple: true` the SocketTask (its callbacks still run), whose
/// `socketTaskID` is `task_id` when given.
fn connect_socket(options: &JsValue, task_id: Option<String>) -> JsValue {
    let multiple = get(options, "multiple").is_truthy();
    let given = task_id.clone();
    let opened = open(options, multiple, task_id);
    let task = match &opened {
        Ok((_, Some(task))) => Some(task.clone()),
        _ => None,
    };
    let promise = run_api("connectSocket", options, async move {
        let (task_id, _) = opened?;
        let result = Object::new();
        if multiple {
            set(&result, "socketTaskID", &JsValue::from_str(&task_id));
        }
        Ok::<_, Failure>(result.into())
    });
    match (multiple, task) {
        (true, Some(task)) => task.into(),
        (true, None) => {
            // The call failed (its fail callback and log say why): a task that never opens, so
            // code written against the typings does not meet a TypeError.
            let events = socket_events(&JsValue::UNDEFINED);
            let task = make_socket_task(0, &events, &task_dispatch());
            if let Some(task_id) = given {
                set(&task, "socketTaskID", &JsValue::from_str(&task_id));
            }
            task.into()
        }
        (false, _) => promise.into(),
    }
}

fn socket_ws(id: u32) -> Option<JsValue> {
    SOCKETS.with(|s| {
        s.borrow()
            .open
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.ws.clone())
    })
}

/// Gives `kind` to the socket's listeners: the global socket's payload is `fields` as one
/// object; a SocketTask's is `{ data: { socketTaskID, ...fields } }` (plus `error` on errors).
fn emit(id: u32, kind: &str, fields: &[(&str, JsValue)]) {
    let Some((events, task_id)) = SOCKETS.with(|s| {
        s.borrow()
            .open
            .iter()
            .find(|k| k.id == id)
            .map(|k| (k.events.clone(), k.task_id.clone()))
    }) else {
        return;
    };
    let object = |fields: &[(&str, JsValue)]| {
        let o = Object::new();
        for (k, v) in fields {
            set(&o, k, v);
        }
        o
    };
    let value = match task_id {
        None => object(fields),
        Some(task_id) => {
            let data = object(fields);
            set(&data, "socketTaskID", &JsValue::from_str(&task_id));
            let event = Object::new();
            set(&event, "data", &data);
            if let Some((_, error)) = fields.iter().find(|(k, _)| *k == "error") {
                set(&event, "error", error);
            }
            event
        }
    };
    events.emit(kind, &value);
}

fn on_socket_event(id: u32, kind: &str, a: JsValue, b: JsValue) {
    match kind {
        "open" => {
            let queued = SOCKETS.with(|s| {
                let mut s = s.borrow_mut();
                s.open
                    .iter_mut()
                    .find(|k| k.id == id)
                    .map(|k| (k.ws.clone(), k.queue.drain()))
            });
            if let Some((ws, queued)) = queued {
                for message in queued {
                    socket_send(&ws, &frame(message));
                }
            }
            emit(id, "open", &[]);
        }
        "message" => {
            let binary = a.is_instance_of::<ArrayBuffer>();
            let is_task = SOCKETS.with(|s| {
                s.borrow()
                    .open
                    .iter()
                    .any(|k| k.id == id && k.task_id.is_some())
            });
            // The global socket gives binary frames as base64 (Alipay's documented form); a
            // SocketTask gives the ArrayBuffer.
            let data = if binary && !is_task {
                JsValue::from_str(&base64_encode(&Uint8Array::new(&a).to_vec()))
            } else {
                a
            };
            emit(
                id,
                "message",
                &[("data", data), ("isBuffer", JsValue::from_bool(binary))],
            );
        }
        "error" => emit(
            id,
            "error",
            &[
                ("error", JsValue::from(12)),
                (
                    "errorMessage",
                    JsValue::from_str("the WebSocket connection failed or broke"),
                ),
            ],
        ),
        _ => {
            let code = a.as_f64().unwrap_or(1006.0);
            let reason = b.as_string().unwrap_or_default();
            emit(
                id,
                "close",
                &[
                    ("code", JsValue::from(code)),
                    ("reason", JsValue::from_str(&reason)),
                ],
            );
            // Dropped after this handler returns (its closure is running now).
            wasm_bindgen_futures::spawn_local(async move {
                let gone = SOCKETS.with(|s| {
                    let mut s = s.borrow_mut();
                    if s.global == Some(id) {
                        s.global = None;
                    }
                    let i = s.open.iter().position(|k| k.id == id)?;
                    Some(s.open.remove(i))
                });
                drop(gone);
            });
        }
    }
}

fn frame(message: Outgoing) -> JsValue {
    match message {
        Outgoing::Text(t) => JsValue::from_str(&t),
        Outgoing::Binary(b) => Uint8Array::from(b.as_slice()).buffer().into(),
    }
}

fn not_connected(api: &str) -> ApiError {
    ApiError::Network(format!(
        "{api}:fail the socket is not connected (call connectSocket first, or it was closed)"
    ))
}

/// `sendSocketMessage({ data, isBuffer })` / `SocketTask.send`: queued while the socket opens,
/// sent when open; `{ success: true }`.
fn send(id: Option<u32>, api: &'static str, options: &JsValue) -> Promise {
    let outcome = (|| {
        check_object(options)?;
        let data = get(options, "data");
        let message = if data.is_instance_of::<ArrayBuffer>() {
            Outgoing::Binary(Uint8Array::new(&data).to_vec())
        } else {
            outgoing(text(options, "data")?, get(options, "isBuffer").is_truthy())?
        };
        let id = id.ok_or_else(|| not_connected(api))?;
        SOCKETS.with(|s| {
            let mut s = s.borrow_mut();
            let socket = s
                .open
                .iter_mut()
                .find(|k| k.id == id)
                .ok_or_else(|| not_connected(api))?;
            match socket_state(&socket.ws) {
                0 => socket.queue.push(message),
                1 => {
                    check_pending(socket_buffered(&socket.ws) as usize, message.len())?;
                    if socket_send(&socket.ws, &frame(message)) {
                        Ok(())
                    } else {
                        Err(not_connected(api))
                    }
                }
                _ => Err(not_connected(api)),
            }
        })
    })();
    run_api(api, options, async move {
        outcome?;
        let result = Object::new();
        set(&result, "success", &JsValue::TRUE);
        Ok::<_, Failure>(result.into())
    })
}

/// `closeSocket({ code, reason })` / `SocketTask.close`: `{ message }` once closing started;
/// `onSocketClose` follows when it has closed.
fn close(id: Option<u32>, api: &'static str, options: &JsValue) -> Promise {
    let outcome = (|| {
        check_object(options)?;
        let (code, given) = number(options, "code");
        if given && code.is_none() {
            return Err(ApiError::invalid("code", "must be a number"));
        }
        let code = close_code(code)?;
        let reason = close_reason(text(options, "reason")?)?;
        let ws = id.and_then(socket_ws).ok_or_else(|| not_connected(api))?;
        socket_close(&ws, code, &reason);
        Ok(())
    })();
    run_api(api, options, async move {
        outcome?;
        let result = Object::new();
        set(
            &result,
            "message",
            &JsValue::from_str("the socket is closing"),
        );
        Ok::<_, Failure>(result.into())
    })
}
