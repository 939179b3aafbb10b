//! Reads the object given to `configure(...)` into the core [`ConfigPatch`], by hand.
//!
//! serde's deserializer (and the float formatting its error messages pull in) cost more wasm
//! than these few lines; the keys are documented on [`ConfigPatch`]. `undefined`/`null` values
//! mean "leave as is"; unknown keys are ignored; a wrong type is an error naming the key.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use crate::config::{ConfigPatch, NetworkFaults, TradePayHost, Transport};
use crate::encoding::Quoted;

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    let value = Reflect::get(obj, &JsValue::from_str(key)).ok()?;
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

fn string(obj: &JsValue, key: &str) -> Result<Option<String>, String> {
    get(obj, key)
        .map(|v| {
            v.as_string()
                .ok_or_else(|| format!("`{key}` must be a string"))
        })
        .transpose()
}

fn boolean(obj: &JsValue, key: &str) -> Result<Option<bool>, String> {
    get(obj, key)
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| format!("`{key}` must be true or false"))
        })
        .transpose()
}

fn strings(obj: &JsValue, key: &str) -> Result<Option<Vec<String>>, String> {
    let Some(value) = get(obj, key) else {
        return Ok(None);
    };
    let wrong = || format!("`{key}` must be an array of strings");
    if !Array::is_array(&value) {
        return Err(wrong());
    }
    Array::from(&value)
        .iter()
        .map(|v| v.as_string().ok_or_else(wrong))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn one_of<T: Copy>(obj: &JsValue, key: &str, choices: &[(&str, T)]) -> Result<Option<T>, String> {
    let Some(name) = string(obj, key)? else {
        return Ok(None);
    };
    choices
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| Some(*v))
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!(
                "`{key}` must be one of {}, got {}",
                names.join(", "),
                Quoted(&name)
            )
        })
}

fn faults(obj: &JsValue) -> Result<Option<NetworkFaults>, String> {
    let Some(value) = get(obj, "networkFaults") else {
        return Ok(None);
    };
    if !value.is_object() {
        return Err("`networkFaults` must be an object".into());
    }
    let latency_ms = match get(&value, "latencyMs") {
        None => 0,
        Some(v) => match v.as_f64() {
            Some(ms) if ms.is_finite() && ms >= 0.0 => ms.min(f64::from(u32::MAX)) as u32,
            _ => return Err("`networkFaults.latencyMs` must be a number ≥ 0".into()),
        },
    };
    Ok(Some(NetworkFaults {
        latency_ms,
        offline: boolean(&value, "offline")?.unwrap_or(false),
        timeout: boolean(&value, "timeout")?.unwrap_or(false),
    }))
}

/// The patch in `value` (an object; `undefined`/`null` is an empty patch).
pub fn read_patch(value: &JsValue) -> Result<ConfigPatch, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(ConfigPatch::default());
    }
    if !value.is_object() {
        return Err("the configuration must be an object".into());
    }
    Ok(ConfigPatch {
        app_id: string(value, "appId")?,
        whitelist: strings(value, "whitelist")?,
        transport: one_of(
            value,
            "transport",
            &[("direct", Transport::Direct), ("relay", Transport::Relay)],
        )?,
        relay_url: string(value, "relayUrl")?,
        super_app_origin: string(value, "superAppOrigin")?,
        cashier_origins: strings(value, "cashierOrigins")?,
        http_error_as_fail: boolean(value, "httpErrorAsFail")?,
        trade_pay_fail_routing: boolean(value, "tradePayFailRouting")?,
        trade_pay_host: one_of(
            value,
            "tradePayHost",
            &[
                ("overlay", TradePayHost::Overlay),
                ("shell", TradePayHost::Shell),
            ],
        )?,
        network_faults: faults(value)?,
    })
}
