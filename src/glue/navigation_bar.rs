//! The title bar of an H5 mini program: `my.setNavigationBar`, `my.setNavigationBarTitle`,
//! `my.setNavigationBarColor`, `my.setNavigationBarBottomLineColor`,
//! `my.showNavigationBarLoading` and `my.hideNavigationBarLoading`.
//!
//! The options are checked by the rule the native runtime's frame uses
//! (`www/native/navigation-bar.js`, imported here), which also shows the call's change: error 2
//! naming a bad option, and nothing shown. In the simulator (the shell is the parent window, at
//! the super app's origin) the change goes to the shell, which keeps the bar and draws it in the
//! phone; standalone the title becomes the page's `document.title` and the rest has nothing to
//! show on (DESIGN.md "The title bar of an H5 mini program"). Either way the call is logged like
//! every other. No state and no DOM here: the start module stays small (the bar is the
//! shell's).

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;

use super::adapter::{run_api, Failure};
use super::options::check_object;
use super::runtime;
use crate::error::ApiError;

#[wasm_bindgen(module = "/www/native/navigation-bar.js")]
extern "C" {
    /// Checks one call of `api` and shows its change (to the shell at `shell_origin`, else in
    /// `document.title`): `null`, or `[option, reason]` for the first option that breaks the rule.
    #[wasm_bindgen(js_name = navigationBarCall)]
    fn navigation_bar_call(api: &str, options: &JsValue, shell_origin: Option<String>) -> JsValue;
}

/// `my.setNavigationBar({ title, image, backgroundColor, borderBottomColor, frontColor, reset })`,
/// its parts (each reads its own options) and the loading indicator, by name; `{}`, or error 2
/// naming the bad option (and nothing shown).
pub(crate) fn navigation_bar(api: &'static str, options: &JsValue) -> Promise {
    let shell = runtime::with_config(|c| c.shell_origin().map(str::to_owned));
    let done = check_object(options).and_then(|()| {
        let problem = navigation_bar_call(api, options, shell);
        if problem.is_null() {
            return Ok(());
        }
        let problem = Array::from(&problem);
        Err(ApiError::invalid(
            problem.get(0).as_string().unwrap_or_default(),
            problem.get(1).as_string().unwrap_or_default(),
        ))
    });
    run_api(api, options, async move {
        done?;
        Ok::<JsValue, Failure>(Object::new().into())
    })
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
