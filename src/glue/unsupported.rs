//! The answer for names `my` does not implement (rules in `crate::jsapi`): `createMy()` returns
//! a `Proxy` of the `my` object whose `get` gives, for an API-looking name it lacks, a function
//! that fails in that name's calling shape. `www/my.js` forwards the names it does not list to
//! this object, so both hosts answer alike.

use std::cell::OnceCell;

use js_sys::{Function, Object, Proxy, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::{log_sync, run_api_named, set, Failure};
use crate::jsapi::{self, Shape};

/// Answers one call of `name`: an API of `glue::core_apis`, `glue::socket` or of the extras
/// module (`glue::extras`), else the unsupported answer.
fn dispatch(name: &str, options: &JsValue) -> JsValue {
    super::core_apis::call(name, options)
        .or_else(|| super::socket::call(name, options))
        .or_else(|| super::extras::call(name, options))
        .unwrap_or_else(|| answer(name, options))
}

/// Puts `my[name]` = the dispatcher bound to `name`.
pub(crate) fn bind(my: &Object, name: &str) {
    ANSWERS.with(|a| {
        let bound = a.dispatch.bind1(&JsValue::NULL, &JsValue::from_str(name));
        set(my, name, &bound);
    });
}

/// Answers one call of the unimplemented API `name`.
pub(crate) fn answer(name: &str, options: &JsValue) -> JsValue {
    let failure = || Failure::from(jsapi::unsupported(name));
    match jsapi::shape(name) {
        Shape::Async => {
            let failure = failure();
            run_api_named(name.to_owned(), options, async move { Err(failure) }).into()
        }
        Shape::Sync => {
            let value = failure().into_js();
            log_sync(name, options, false, &value);
            value
        }
        Shape::Listener => {
            log_sync(name, options, false, &failure().into_js());
            JsValue::UNDEFINED
        }
    }
}

struct Answers {
    /// `(name, options) => answer(name, options)`, bound to each name on first use.
    dispatch: Function,
    /// name → the bound function, so `my.x === my.x`.
    cache: Object,
    /// The `get` trap.
    _get: Closure<dyn Fn(JsValue, JsValue, JsValue) -> JsValue>,
    handler: Object,
}

thread_local! {
    /// The page's one proxy of `my` (page lifetime, like `my` itself).
    static PROXY: OnceCell<Object> = const { OnceCell::new() };
    static ANSWERS: Answers = {
        let dispatch = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|name: JsValue, options: JsValue| {
            dispatch(&name.as_string().unwrap_or_default(), &options)
        });
        let dispatch_fn: Function = dispatch.as_ref().unchecked_ref::<Function>().clone();
        // Page lifetime: every bound answer refers to it.
        dispatch.forget();
        let get = Closure::<dyn Fn(JsValue, JsValue, JsValue) -> JsValue>::new(
            |target: JsValue, prop: JsValue, _receiver: JsValue| trap_get(&target, &prop),
        );
        let handler = Object::new();
        set(&handler, "get", get.as_ref());
        Answers { dispatch: dispatch_fn, cache: Object::new(), _get: get, handler }
    };
}

fn trap_get(target: &JsValue, prop: &JsValue) -> JsValue {
    let Some(target) = target.dyn_ref::<Object>() else {
        return JsValue::UNDEFINED;
    };
    let own = Reflect::has(target, prop).unwrap_or(false);
    match prop.as_string() {
        Some(name) if !own && jsapi::is_api_name(&name) => ANSWERS.with(|a| {
            let cached = Reflect::get(&a.cache, prop).unwrap_or(JsValue::UNDEFINED);
            if cached.is_function() {
                return cached;
            }
            let bound: JsValue = a.dispatch.bind1(&JsValue::NULL, prop).into();
            set(&a.cache, &name, &bound);
            bound
        }),
        // `my`'s members are plain functions: the receiver does not matter.
        _ => Reflect::get(target, prop).unwrap_or(JsValue::UNDEFINED),
    }
}

/// The proxy of `my` (made once).
pub(crate) fn proxy(target: &Object) -> Object {
    PROXY.with(|p| {
        p.get_or_init(|| {
            ANSWERS.with(|a| Proxy::new(target, &a.handler).unchecked_into::<Object>())
        })
        .clone()
    })
}
