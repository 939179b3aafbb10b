// The one rule for the options of the title bar APIs (my.setNavigationBar and its parts:
// setNavigationBarTitle, setNavigationBarColor, setNavigationBarBottomLineColor), shared by the
// native runtime's frame (www/native/frame.mjs) and the H5 runtime (src/glue/navigation_bar.rs,
// which imports this file into the start wasm module's JS): DESIGN.md "The title bar of an H5
// mini program". A colour is what the browser's CSS parser takes as a colour, and nothing more,
// so no option can carry other CSS into a style. No other DOM use: the H5 runtime calls it in
// any page, the frame in the render page.

/** The options each API reads (any other key is left alone, as the typings allow). */
export const NAVIGATION_BAR_OPTIONS = {
  setNavigationBar: ['title', 'image', 'backgroundColor', 'borderBottomColor', 'frontColor', 'reset'],
  setNavigationBarTitle: ['title', 'image'],
  setNavigationBarColor: ['backgroundColor', 'frontColor'],
  setNavigationBarBottomLineColor: ['borderBottomColor'],
};

const STRINGS = new Set(['title', 'image']);
const COLOURS = new Set(['backgroundColor', 'borderBottomColor']);
const MAX_COLOUR = 64; // longer than any colour notation in use; anything past it is not one

/**
 * The first option of `api` that breaks the rule, as `[option, reason]`, or null when all keep
 * it. Absent (undefined) options are not checked. `frontColor` is `#ffffff` or `#000000`, as
 * the typings say (in any case).
 */
export function navigationBarProblem(api, options) {
  const names = NAVIGATION_BAR_OPTIONS[api] ?? [];
  for (const name of names) {
    const value = options?.[name];
    if (value === undefined) continue;
    if (STRINGS.has(name) && typeof value !== 'string') return [name, `is a string, got ${JSON.stringify(value)}`];
    if (COLOURS.has(name) && !isColour(value)) return [name, `is not a colour: ${JSON.stringify(value)}`];
    if (name === 'frontColor' && !(typeof value === 'string' && /^#(ffffff|000000)$/i.test(value))) {
      return [name, `is "#ffffff" or "#000000", got ${JSON.stringify(value)}`];
    }
    if (name === 'reset' && typeof value !== 'boolean') return [name, `is true or false, got ${JSON.stringify(value)}`];
  }
  return null;
}

/** The options of `api` that are given (the ones it reads, not undefined). */
export function navigationBarOptions(api, options) {
  const given = {};
  for (const name of NAVIGATION_BAR_OPTIONS[api] ?? []) if (options?.[name] !== undefined) given[name] = options[name];
  return given;
}

/** Whether `value` is a CSS colour (hex, rgb(), hsl(), a name, …) and only that. */
export function isColour(value) {
  return typeof value === 'string' && value.length <= MAX_COLOUR && CSS.supports('color', value);
}

/** The title's colour for a bar colour: white on a dark bar, near-black on a light one. */
export function frontColorFor(background) {
  const m = String(background ?? '').trim().match(/^#([0-9a-f]{3,8})$/i);
  if (!m || ![3, 4, 6, 8].includes(m[1].length)) return '#000000';
  const hex = m[1].length <= 4 ? [...m[1].slice(0, 3)].map((c) => c + c).join('') : m[1].slice(0, 6);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const lum = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const l = 0.2126 * lum(r) + 0.7152 * lum(g) + 0.0722 * lum(b);
  return l < 0.4 ? '#ffffff' : '#000000';
}

/**
 * What one call of an H5 mini program changes on its bar (src/glue/navigation_bar.rs):
 * `{ problem: [option, reason] }` when an option breaks the rule, else `{ change }` with the
 * options `api` reads that are given, `image` made an absolute http(s) URL against the page,
 * `frontColor` worked out from a new `backgroundColor` when not given, `loading` for
 * show/hideNavigationBarLoading. The shell applies it to the bar it draws (`reset` first).
 */
export function navigationBarChange(api, options) {
  if (api === 'showNavigationBarLoading' || api === 'hideNavigationBarLoading') {
    return { change: { loading: api === 'showNavigationBarLoading' } };
  }
  const problem = navigationBarProblem(api, options);
  if (problem) return { problem };
  const change = navigationBarOptions(api, options);
  if (change.image) {
    let url = null;
    try { url = new URL(change.image, location.href); } catch { /* reported below */ }
    if (!url || !/^https?:$/.test(url.protocol)) return { problem: ['image', `must be an http(s) URL or a path on this page's site, got ${JSON.stringify(change.image)}`] };
    change.image = url.href;
  }
  if (change.backgroundColor !== undefined && change.frontColor === undefined) change.frontColor = frontColorFor(change.backgroundColor);
  return { change };
}

/**
 * One call of an H5 mini program's title bar API (src/glue/navigation_bar.rs): checks it, then
 * sends the change to the simulator's shell (the parent window, at `shellOrigin`), which keeps
 * and draws the bar, or, standalone (no shell origin or no parent), makes a new title the
 * page's `document.title`. Returns the problem `[option, reason]`, or null when done.
 */
export function navigationBarCall(api, options, shellOrigin) {
  const { problem, change } = navigationBarChange(api, options);
  if (problem) return problem;
  if (shellOrigin && window.parent !== window) {
    window.parent.postMessage({ type: 'miniprogram-shim:navigation-bar', change }, shellOrigin);
  } else if (typeof change.title === 'string') {
    document.title = change.title;
  }
  return null;
}
