//! The title bar of an H5 mini program (`crate::navigation_bar`): `my.setNavigationBar`,
//! `my.setNavigationBarTitle`, `my.setNavigationBarColor`, `my.setNavigationBarBottomLineColor`,
//! `my.showNavigationBarLoading` and `my.hideNavigationBarLoading`.
//!
//! The options are checked by the rule the native runtime's frame uses
//! (`www/native/navigation-bar.js`, imported here): error 2 naming the option. In the
//! simulator (its shell is the parent window) each call sends the whole bar to the shell, which
//! draws the phone's title bar and answers once it has; standalone, the title becomes the
//! page's `document.title` and the rest is kept for the next call (DESIGN.md "The title bar of an
//! H5 mini program"). Either way the call is logged like every other (the devtools' log).

use std::cell::RefCell;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;

use super::adapter::{run_api, set, Failure};
use super::host::{self, message_field};
use super::options::{check_object, get};
use super::runtime;
use crate::config::TradePayHost;
use crate::error::ApiError;
use crate::navigation_bar::{BarChange, NavigationBar};

#[wasm_bindgen(module = "/www/native/navigation-bar.js")]
extern "C" {
    /// `[option, reason]` for the first option of `api` that breaks the rule, else `null`.
    #[wasm_bindgen(js_name = navigationBarProblem)]
    fn navigation_bar_problem(api: &str, options: &JsValue) -> JsValue;
    /// The options `api` reads, those given.
    #[wasm_bindgen(js_name = navigationBarOptions)]
    fn navigation_bar_options(api: &str, options: &JsValue) -> JsValue;
    /// `image` as an absolute http(s) URL ('' for none), `null` when it is not one.
    #[wasm_bindgen(js_name = navigationBarImage)]
    fn navigation_bar_image(image: &str) -> JsValue;
    /// The title's colour for a bar colour (white on a dark bar), as the native frame's.
    #[wasm_bindgen(js_name = frontColorFor)]
    fn front_color_for(background: &str) -> String;
}

thread_local! {
    static BAR: RefCell<NavigationBar> = RefCell::new(NavigationBar::default());
}

/// The request to the shell and its answer.
const SHELL_REQUEST: &str = "miniprogram-shim:navigation-bar";
const SHELL_RESULT: &str = "miniprogram-shim:navigation-bar-result";

/// The change `api`'s options ask for, checked.
fn read(api: &'static str, options: &JsValue) -> Result<BarChange, ApiError> {
    check_object(options)?;
    let problem = navigation_bar_problem(api, options);
    if problem.is_object() {
        let problem = Array::from(&problem);
        return Err(ApiError::invalid(
            problem.get(0).as_string().unwrap_or_default(),
            problem.get(1).as_string().unwrap_or_default(),
        ));
    }
    let given = navigation_bar_options(api, options);
    let string = |name: &str| get(&given, name).as_string();
    let image = match string("image") {
        Some(image) => Some(navigation_bar_image(&image).as_string().ok_or_else(|| {
            ApiError::invalid(
                "image",
                "must be an http(s) URL or a path on this page's site",
            )
        })?),
        None => None,
    };
    Ok(BarChange {
        title: string("title"),
        image,
        background_color: string("backgroundColor"),
        border_bottom_color: string("borderBottomColor"),
        front_color: string("frontColor"),
        reset: get(&given, "reset").as_bool().unwrap_or(false),
        loading: None,
    })
}

/// Applies `change` and shows the bar; `{}`.
fn change_bar(
    api: &'static str,
    options: &JsValue,
    change: Result<BarChange, ApiError>,
) -> Promise {
    run_api(api, options, async move {
        let change = change?;
        let bar = BAR.with(|b| {
            let mut b = b.borrow_mut();
            b.apply(change);
            b.clone()
        });
        show(&bar).await?;
        Ok::<JsValue, Failure>(Object::new().into())
    })
}

/// The bar as the shell's message carries it.
fn to_js(bar: &NavigationBar) -> JsValue {
    let obj = Object::new();
    if let Some(title) = &bar.title {
        set(&obj, "title", &JsValue::from_str(title));
    }
    set(&obj, "image", &JsValue::from_str(&bar.image));
    set(
        &obj,
        "backgroundColor",
        &JsValue::from_str(&bar.background_color),
    );
    set(
        &obj,
        "borderBottomColor",
        &JsValue::from_str(&bar.border_bottom_color),
    );
    let front = match (bar.front_color.as_str(), bar.background_color.as_str()) {
        ("", "") => String::new(),
        ("", background) => front_color_for(background),
        (front, _) => front.to_owned(),
    };
    set(&obj, "frontColor", &JsValue::from_str(&front));
    set(&obj, "loading", &JsValue::from_bool(bar.loading));
    obj.into()
}

/// Shows `bar`: the shell draws it in the simulator; standalone the title is the page's.
async fn show(bar: &NavigationBar) -> Result<(), ApiError> {
    let window = host::window()?;
    let shell = runtime::with_config(|c| match (c.trade_pay_host, &c.super_app_origin) {
        (TradePayHost::Shell, Some(origin)) => Some(origin.clone()),
        _ => None,
    })
    .filter(|_| host::shell_parent(&window).is_ok());
    match shell {
        Some(origin) => {
            host::ask_shell(
                &origin,
                "navbar",
                SHELL_REQUEST,
                &[("bar", to_js(bar))],
                |data| {
                    (message_field(data, "type").as_deref() == Some(SHELL_RESULT)).then_some(Ok(()))
                },
            )
            .await
        }
        None => {
            if let (Some(title), Some(document)) = (&bar.title, window.document()) {
                document.set_title(title);
            }
            Ok(())
        }
    }
}

/// `my.setNavigationBar({ title, image, backgroundColor, borderBottomColor, frontColor, reset })`
/// and its parts, by name (each reads its own options).
pub(crate) fn set_navigation_bar(api: &'static str, options: &JsValue) -> Promise {
    change_bar(api, options, read(api, options))
}

/// `my.showNavigationBarLoading()` / `my.hideNavigationBarLoading()`.
pub(crate) fn navigation_bar_loading(
    api: &'static str,
    loading: bool,
    options: &JsValue,
) -> Promise {
    let change = check_object(options).map(|()| BarChange {
        loading: Some(loading),
        ..BarChange::default()
    });
    change_bar(api, options, change)
}

#[wasm_bindgen(typescript_custom_section)]
const NAVIGATION_BAR_TYPES: &'static str = r#"
/** `my.setNavigationBar` options. Colours: CSS colours (hex as the docs show, or rgb(), …). */
export interface SetNavigationBarOptions extends AsyncCallbacks<{}> {
  title?: string;
  /** Shown instead of the title: an http(s) URL, or a path on the page's site. */
  image?: string;
  backgroundColor?: string;
  borderBottomColor?: string;
  /** Back to the default colours and no image (the title stays), before the rest applies. */
  reset?: boolean;
  /** The title's colour: `#ffffff` or `#000000` (default: white on a dark bar, else black). */
  frontColor?: string;
}
export interface My {
  /** In the simulator the phone's title bar; standalone the page's `document.title`. */
  setNavigationBar(options?: SetNavigationBarOptions): Promise<{}>;
  setNavigationBarTitle(options?: Pick<SetNavigationBarOptions, 'title' | 'image' | 'success' | 'fail' | 'complete'>): Promise<{}>;
  setNavigationBarColor(options?: Pick<SetNavigationBarOptions, 'backgroundColor' | 'frontColor' | 'success' | 'fail' | 'complete'>): Promise<{}>;
  setNavigationBarBottomLineColor(options?: Pick<SetNavigationBarOptions, 'borderBottomColor' | 'success' | 'fail' | 'complete'>): Promise<{}>;
  showNavigationBarLoading(options?: AsyncCallbacks<{}>): Promise<{}>;
  hideNavigationBarLoading(options?: AsyncCallbacks<{}>): Promise<{}>;
}
"#;
