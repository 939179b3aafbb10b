// <web-view> on the render side (DESIGN.md "Native mini programs: swiper, picker-view,
// rich-text, web-view"): an H5 page in an iframe over the page, loaded only from a domain of the
// app's whitelist (the rule of docs/protocol.md §3, checked by the axml wasm's `webViewOrigin`,
// the policy crate's), never from the native page's own origin; sandboxed (no top navigation,
// no popups), and the bridge: the H5 page's `my.postMessage` (my.js) → the element's
// `onMessage` `{detail: {data}}`; `my.createWebViewContext(id).postMessage(data)` → the H5
// page's `my.onMessage(data)`. A message is data for the page's handler, nothing more: it
// calls no API and reaches nothing else of the app.
//
//   host → H5: miniprogram-shim:web-view-hello (once the H5 page says it is ready), …-message
//   H5 → host: miniprogram-shim:web-view-ready, miniprogram-shim:web-view-message

const SANDBOX = 'allow-scripts allow-same-origin allow-forms allow-modals';
/** At most this much JSON per message, either way. */
export const MAX_MESSAGE = 1024 * 1024;
/** Messages kept for an H5 page that has not said it is ready. */
const MAX_QUEUED = 100;

/** `origin` as the wasm writes it: `scheme://host:port`, the port always there. */
function fullOrigin(url) {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname}:${port}`;
}

function jsonData(data) {
  const text = JSON.stringify(data === undefined ? null : data);
  if (text === undefined) throw new Error('the message is not JSON data');
  if (text.length > MAX_MESSAGE) throw new Error(`the message is ${text.length} characters of JSON, over ${MAX_MESSAGE}`);
  return JSON.parse(text);
}

/**
 * `dispatch`: render.mjs's; `webViewOrigin(src, whitelistJson, pageOrigin)`: the wasm check;
 * `superApp`: the super app's origin (the simulator's shell), where the app's whitelist is read;
 * `views` and `topPageId()`: the open pages.
 */
export function createWebViews({ dispatch, webViewOrigin, superApp, appId, views, topPageId }) {
  const live = new Set();
  let whitelist = null;

  function readWhitelist() {
    whitelist ??= (async () => {
      if (!superApp) throw new Error('no super app to read the app\'s whitelist from (open the app in the simulator)');
      const res = await fetch(`${superApp}/sandbox/mini-programs/${encodeURIComponent(appId)}/runtime`);
      if (!res.ok) throw new Error(`the app's whitelist could not be read (${res.status})`);
      const config = await res.json();
      return Array.isArray(config.whitelist) ? config.whitelist.map(String) : [];
    })();
    return whitelist;
  }

  function state(el) {
    if (!el.__wv) {
      const frame = document.createElement('iframe');
      frame.className = 'a-web-view-frame';
      frame.setAttribute('sandbox', SANDBOX);
      frame.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
      frame.title = 'web-view';
      frame.__extra = true;
      const error = document.createElement('div');
      error.className = 'a-web-view-error';
      error.setAttribute('role', 'alert');
      error.hidden = true;
      error.__extra = true;
      el.__wv = { frame, error, src: '', origin: null, browserOrigin: null, ready: false, queue: [], load: 0 };
    }
    return el.__wv;
  }

  function fail(el, src, message) {
    const w = state(el);
    w.origin = null;
    w.browserOrigin = null;
    w.frame.removeAttribute('src');
    w.frame.hidden = true;
    w.error.textContent = `web-view: ${message}`;
    w.error.hidden = false;
    console.error(`[native] web-view: ${message}`);
    dispatch({ timeStamp: performance.now() }, 'error', { src, errorMessage: message }, el, false);
  }

  async function load(el) {
    const w = state(el);
    const token = ++w.load;
    const src = w.src;
    w.ready = false;
    w.queue = [];
    if (!src.trim()) { // no page yet (its src comes with a later setData): blank, not an error
      w.origin = null;
      w.browserOrigin = null;
      w.frame.removeAttribute('src');
      w.error.hidden = true;
      return;
    }
    let origin;
    try {
      const list = await readWhitelist();
      if (token !== w.load) return;
      try {
        origin = webViewOrigin(src, JSON.stringify(list), location.origin);
      } catch (e) {
        let message = String(e);
        try { message = JSON.parse(e).message ?? message; } catch { /* a plain string */ }
        throw new Error(message);
      }
    } catch (e) {
      if (token === w.load) fail(el, src, e.message);
      return;
    }
    // The browser must read the URL as the check did: a URL two parsers read differently is refused.
    let url;
    try { url = new URL(src.trim()); } catch { url = null; }
    if (!url || fullOrigin(url) !== origin) {
      fail(el, src, `the web-view src ${JSON.stringify(src)} does not read as ${origin}`);
      return;
    }
    w.origin = origin;
    w.browserOrigin = url.origin;
    w.error.hidden = true;
    w.frame.hidden = false;
    w.frame.src = url.href;
  }

  function setAttr(el, name, value) {
    if (el.__v?.tag !== 'web-view' || name !== 'src') return false;
    const w = state(el);
    w.src = value === null || value === undefined ? '' : String(value);
    if (el.__wvReady) load(el);
    return true;
  }

  function created(el) {
    if (el.__v?.tag !== 'web-view') return;
    const w = state(el);
    el.append(w.frame, w.error);
    w.frame.addEventListener('load', () => {
      if (w.origin) dispatch({ timeStamp: performance.now() }, 'load', { src: w.frame.src }, el, false);
    });
    el.__wvReady = true;
    live.add(el);
    load(el);
  }

  function find(source) {
    for (const el of live) {
      if (!el.isConnected) { live.delete(el); continue; }
      if (el.__wv.frame.contentWindow === source) return el;
    }
    return null;
  }

  window.addEventListener('message', (event) => {
    const el = event.source ? find(event.source) : null;
    if (!el) return;
    const w = el.__wv;
    // Only the page the web-view was allowed to load speaks for it: after a navigation to
    // another origin inside the frame, nothing it sends arrives.
    if (!w.browserOrigin || event.origin !== w.browserOrigin) return;
    const msg = event.data;
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'miniprogram-shim:web-view-ready') {
      w.ready = true;
      w.frame.contentWindow.postMessage({ type: 'miniprogram-shim:web-view-hello' }, w.browserOrigin);
      for (const data of w.queue.splice(0)) w.frame.contentWindow.postMessage({ type: 'miniprogram-shim:web-view-message', data }, w.browserOrigin);
      return;
    }
    if (msg.type !== 'miniprogram-shim:web-view-message') return;
    let data;
    try { data = jsonData(msg.data); } catch (e) {
      console.error(`[native] web-view: a message from ${event.origin} was dropped: ${e.message}`);
      return;
    }
    dispatch({ timeStamp: event.timeStamp }, 'message', { data }, el, false);
  });

  /** `my.createWebViewContext(id).postMessage(data)`, from the logic layer. */
  function post({ id, data }) {
    const selector = `web-view#${CSS.escape(String(id ?? ''))}`;
    const top = views.get(topPageId())?.root.querySelector(selector);
    let el = top ?? null;
    if (!el) for (const view of views.values()) { el = view.root.querySelector(selector); if (el) break; }
    if (!el?.__wv) return { ok: false, value: { error: 2, errorMessage: `createWebViewContext(${JSON.stringify(id)}): no web-view with that id in the page` } };
    const w = el.__wv;
    if (!w.origin) return { ok: false, value: { error: 3, errorMessage: `createWebViewContext(${JSON.stringify(id)}): the web-view did not load (${w.error.textContent})` } };
    let plain;
    try { plain = jsonData(data); } catch (e) { return { ok: false, value: { error: 2, errorMessage: `postMessage: ${e.message}` } }; }
    if (w.ready) w.frame.contentWindow.postMessage({ type: 'miniprogram-shim:web-view-message', data: plain }, w.browserOrigin);
    else if (w.queue.length >= MAX_QUEUED) return { ok: false, value: { error: 3, errorMessage: `postMessage: the H5 page has not loaded my.js yet, and ${MAX_QUEUED} messages already wait for it` } };
    else w.queue.push(plain);
    return { ok: true, value: {} };
  }

  return { setAttr, created, post };
}
