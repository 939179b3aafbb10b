// The render side of a native mini program (the page the simulator frames at
// /native/<appId>/): loads the app's sources (bundle.json), compiles templates and styles with
// the axml wasm (/native/axml/), runs the app's scripts in a Worker (worker.mjs), builds the
// DOM from the virtual tree and applies setData's patches, turns DOM events into AXML events,
// and answers the Worker's `my` calls with the page's `my` (my.js). The title bar, tab bar,
// page hooks and queries are the frame's (frame.mjs). Errors are shown, never a blank page. DESIGN.md "Native mini programs".

import init, { Templates, webViewOrigin } from '/native/axml/axml_wasm.js';
import { attributeName, joinPath, styleText } from './core.mjs';
import { closeComponents, defineComponents, flushComponents } from './component-view.mjs';
import { createFrame } from './frame.mjs';
import { createBuiltins } from './builtins.mjs';
import { createWidgets } from './widgets.mjs';
import { createWebViews } from './web-view.mjs';
import { startLiveReload } from './live-reload.mjs';
import { INFO_APIS, storagePrefix } from './sync-apis.mjs';
import { replay } from './canvas.mjs';
import { createAnimator } from './animation.mjs';
import { audioHost } from './audio.mjs';
import { logToDevtools } from './devtools-log.mjs';

const appId = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const pagesEl = $('a-pages');

let templates = null;
let worker = null;
let appJson = {};
let files = {};
const views = new Map(); // pageId → { root, route, config, isTab, hooks }
let topPageId = null;
let frame = null; // the title bar, tab bar, page hooks and queries (frame.mjs)

/** Timings for the benchmark (tests/bench/native.mjs): ms since navigation start. */
window.__native = { firstPaint: null, views, get top() { return topPageId; } };

// ---- errors: shown like the IDE's, with file, line and column ---------------------------------

function showError(error) {
  const box = $('a-error');
  const where = error.file ? `${error.file}${error.line ? `:${error.line}` : ''}${error.column ? `:${error.column}` : ''}` : '';
  box.replaceChildren();
  const title = document.createElement('h2');
  title.textContent = error.kind === 'compile' ? 'Compile error' : error.kind === 'script' ? 'Script error' : 'Error';
  const place = document.createElement('p');
  place.className = 'a-error-where';
  place.textContent = where;
  const message = document.createElement('p');
  message.className = 'a-error-message';
  message.textContent = error.message ?? String(error);
  box.append(title, place, message);
  if (error.display || error.stack) {
    const pre = document.createElement('pre');
    pre.textContent = error.display ?? error.stack;
    box.append(pre);
  }
  const close = document.createElement('button');
  close.textContent = 'Dismiss';
  close.onclick = () => { box.hidden = true; };
  box.append(close);
  box.hidden = false;
  console.error(`[native] ${title.textContent}${where ? ` at ${where}` : ''}: ${message.textContent}`);
}

/** A wasm error: a JSON string (diagnostic or `{kind, message}`), or anything else. */
function wasmError(e) {
  if (typeof e === 'string') { try { return JSON.parse(e); } catch { return { message: e }; } }
  return { message: String(e?.message ?? e) };
}

// ---- styles ------------------------------------------------------------------------------------

const styleCount = new Map(); // route → open views using its style

function addStyle(key, path) {
  if (typeof files[path] !== 'string') return true;
  const count = styleCount.get(key) ?? 0;
  styleCount.set(key, count + 1);
  if (count > 0) return true;
  try {
    const style = document.createElement('style');
    style.dataset.acss = key;
    // A page's styles stay out of its components (DESIGN.md "Custom components").
    style.textContent = key === 'app' ? templates.css(path) : templates.pageCss(path);
    document.head.append(style);
    return true;
  } catch (e) {
    showError(wasmError(e));
    return false;
  }
}

function dropStyle(key) {
  const count = (styleCount.get(key) ?? 1) - 1;
  styleCount.set(key, count);
  if (count <= 0) document.head.querySelector(`style[data-acss="${CSS.escape(key)}"]`)?.remove();
}

/** `rpx` in an inline style, as axml writes it in ACSS (750rpx = the frame's width). */
function rpxInline(text) {
  return text.replace(/(-?\d*\.?\d+)rpx\b/g, 'calc($1 * var(--rpx, 100vw / 750))');
}

// ---- virtual nodes → DOM --------------------------------------------------------------------

// `progress` would be the HTML element, drawn by the browser: builtins.mjs draws its own.
const NATIVE_TAGS = { input: 'input', textarea: 'textarea', button: 'button', form: 'form', label: 'label', progress: 'a-progress' };

function createElement(tag) {
  try { return document.createElement(NATIVE_TAGS[tag] ?? tag); } catch { return document.createElement('view'); }
}

function fileUrl(route, src) {
  const text = String(src ?? '').trim();
  // An image whose src is not set yet (`src="{{compressedSrc}}"` before the API answered) loads nothing.
  if (!text) return '';
  if (/^(https?:|data:|blob:)/i.test(text)) return text;
  const path = joinPath(`${route}`, text);
  return path === null ? '' : `/native/${encodeURIComponent(appId)}/files/${path.split('/').map(encodeURIComponent).join('/')}`;
}

function setAttr(el, name, value, view) {
  const tag = el.__v.tag;
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const on = Boolean(value);
  switch (name) {
    case 'class': el.className = text; return;
    case 'style': el.setAttribute('style', rpxInline(value && typeof value === 'object' && !Array.isArray(value) ? styleText(value) : text)); animator.restyle(el); return;
    case 'animation': animator.set(el, value); return; // my.createAnimation's steps (animation.mjs)
    case 'hidden': el.hidden = on; return;
    case 'id': el.id = text; return;
    case 'disabled': if ('disabled' in el) el.disabled = on; el.toggleAttribute('disabled', on); return;
    default: break;
  }
  if (builtins.setAttr(el, name, value)) return; // checkbox, radio, switch, slider, progress, icon, picker
  if (widgets.setAttr(el, name, value, view) || webViews.setAttr(el, name, value)) return; // swiper, picker-view, rich-text, web-view
  if (tag === 'input' || tag === 'textarea') {
    if (name === 'value') { if (el.value !== text) el.value = text; return; }
    if (name === 'password') { el.type = on ? 'password' : 'text'; return; }
    if (name === 'type') { el.type = text === 'number' || text === 'digit' ? 'number' : 'text'; el.inputMode = text === 'digit' ? 'decimal' : ''; return; }
    if (name === 'maxlength') { if (Number(value) >= 0) el.maxLength = Number(value); return; }
  }
  if (tag === 'button') {
    if (name === 'type') { el.setAttribute('a-type', text); return; }
    if (name === 'form-type') { el.type = text === 'submit' ? 'submit' : text === 'reset' ? 'reset' : 'button'; return; }
  }
  if (tag === 'canvas' && (name === 'width' || name === 'height')) {
    // A canvas's width and height are its size in px (canvas.mjs sizes the bitmap to it).
    if (Number(value) > 0) el.style[name] = `${Number(value)}px`;
    return;
  }
  if (tag === 'image' && name === 'src') {
    const url = fileUrl(view.route, value);
    el.style.backgroundImage = url ? `url("${url.replace(/"/g, '%22')}")` : '';
    el.dataset.aSrc = url;
    if (el.getAttribute('mode') === 'widthFix' && url) fitWidth(el, url);
    return;
  }
  if (!/^[A-Za-z_][-A-Za-z0-9_.:]*$/.test(name)) return;
  if (value === false || value === null || value === undefined) el.removeAttribute(name);
  else el.setAttribute(name, value === true ? '' : text);
  if (tag === 'image' && name === 'mode' && text === 'widthFix' && el.dataset.aSrc) fitWidth(el, el.dataset.aSrc);
}

function fitWidth(el, url) {
  const img = new Image();
  img.onload = () => { if (img.naturalWidth) el.style.aspectRatio = `${img.naturalWidth} / ${img.naturalHeight}`; el.style.height = 'auto'; };
  img.src = url;
}

function removeAttr(el, name, view) {
  if (name === 'animation') { animator.set(el, null); return; }
  if (builtins.setAttr(el, name, undefined)) return;
  if (widgets.setAttr(el, name, undefined, view) || webViews.setAttr(el, name, undefined)) return;
  if (name === 'class') el.className = '';
  else if (name === 'hidden') el.hidden = false;
  else if (name === 'disabled') { if ('disabled' in el) el.disabled = false; el.removeAttribute('disabled'); } else if (name === 'value' && 'value' in el) el.value = '';
  else if (/^[A-Za-z_][-A-Za-z0-9_.:]*$/.test(name)) el.removeAttribute(name);
}

function build(node, view) {
  if (node.type === 'text') return document.createTextNode(node.text);
  const el = createElement(node.tag);
  // `formType` and `form-type` are one attribute (attributeName).
  const named = node.attrs.map(([name, value]) => [attributeName(name), value]);
  el.__v = { tag: node.tag, attrs: new Map(named), events: node.events, owner: node.owner ?? 0 };
  if (node.tag === 'button') el.type = 'button';
  // `mode` before `src`, so widthFix sees it.
  const attrs = named.sort(([a], [b]) => (a === 'src') - (b === 'src'));
  for (const [name, value] of attrs) setAttr(el, name, value, view);
  for (const child of node.children) el.append(build(child, view));
  builtins.created(el);
  widgets.created(el, view);
  webViews.created(el);
  return el;
}

function nodeAt(root, path) {
  let node = root;
  for (const index of path) node = node?.childNodes[index];
  return node ?? null;
}

function applyPatches(view, patches) {
  for (const patch of patches) {
    const node = nodeAt(view.root, patch.path);
    if (!node) { console.error('[native] patch target missing', patch); continue; }
    switch (patch.op) {
      case 'text': node.data = patch.text; break;
      case 'attrs':
        for (const [written, value] of patch.set) { const name = attributeName(written); node.__v.attrs.set(name, value); setAttr(node, name, value, view); }
        for (const written of patch.remove) { const name = attributeName(written); node.__v.attrs.delete(name); removeAttr(node, name, view); }
        break;
      case 'events': node.__v.events = patch.events; break;
      case 'replace': node.replaceWith(build(patch.node, view)); break;
      case 'insert': node.insertBefore(build(patch.node, view), node.childNodes[patch.index] ?? null); break;
      case 'remove': node.childNodes[patch.index]?.remove(); break;
      default: console.error('[native] unknown patch', patch);
    }
  }
  if (patches.length) widgets.refresh(); // swipers and picker-views lay out their children again
}

// ---- the page shown (its title bar and tab bar: frame.mjs) -----------------------------------

function showPage(pageId, stackDepth) {
  topPageId = pageId;
  for (const [id, view] of views) view.root.hidden = id !== pageId;
  const view = views.get(pageId);
  if (!view) return;
  pagesEl.scrollTop = view.scrollTop ?? 0;
  frame.show(pageId, stackDepth);
}

// ---- events: DOM → AXML --------------------------------------------------------------------

function camel(name) { return name.replace(/-([a-z])/g, (_, c) => c.toUpperCase()); }

function info(el) {
  const dataset = {};
  for (const [name, value] of el.__v.attrs) if (name.startsWith('data-')) dataset[camel(name.slice(5))] = value;
  return { id: el.id, tagName: el.__v.tag, dataset };
}

function viewOf(node) {
  const root = node?.closest?.('.a-page') ?? node?.parentElement?.closest('.a-page');
  if (!root) return null;
  for (const [id, view] of views) if (view.root === root) return [id, view];
  return null;
}

/**
 * Sends `type` to the handlers from the event's target up, stopping after an element with a
 * `catch` binding for it;
 * `bubbles` false: to `from`'s own handler only (a built-in's change).
 */
function dispatch(domEvent, type, detail, from = domEvent.target, bubbles = true) {
  const found = viewOf(from);
  if (!found) return;
  const [pageId, view] = found;
  const chain = [];
  for (let el = from instanceof Element ? from : from.parentElement; el && el !== view.root; el = el.parentElement) {
    if (el.__v) chain.push(el);
  }
  if (!chain.length) return;
  if (!bubbles) chain.length = 1;
  const source = info(chain[0]);
  for (const el of chain) {
    // An element may bind the event both ways (`onTap="pick" catchTap="pick"`): each handler
    // runs once, and a `catch` among them stops the event here.
    const bindings = el.__v.events.filter((e) => e.event === type);
    if (!bindings.length) continue;
    const current = info(el);
    // Alipay's target: the source's id and tagName, the *bound* element's `dataset`, and the
    // source's as `targetDataset` (so a tap on an icon inside `<view data-id onTap>` reads the id).
    const target = { ...source, dataset: current.dataset, targetDataset: source.dataset };
    for (const handler of new Set(bindings.map((b) => b.handler))) {
      worker.postMessage({
        type: 'event', pageId, componentId: el.__v.owner || null, handler,
        event: { type, timeStamp: Math.round(domEvent.timeStamp), target, currentTarget: current, detail: detail ?? {} },
      });
    }
    if (bindings.some((b) => b.catch)) break;
  }
}

const OPEN_TYPES = { navigate: 'navigateTo', redirect: 'redirectTo', switchTab: 'switchTab', navigateBack: 'navigateBack', reLaunch: 'reLaunch' };

pagesEl.addEventListener('click', (e) => {
  dispatch(e, 'tap', { x: e.clientX, y: e.clientY });
  const nav = e.target.closest('navigator');
  if (nav?.__v && viewOf(nav)) {
    const attrs = nav.__v.attrs;
    const kind = OPEN_TYPES[String(attrs.get('open-type') ?? 'navigate')] ?? 'navigateTo';
    worker.postMessage({ type: 'navigate', kind, options: { url: attrs.get('url'), delta: Number(attrs.get('delta') ?? 1) } });
  }
});
pagesEl.addEventListener('input', (e) => {
  if (e.target.__v) dispatch(e, 'input', { value: e.target.value, cursor: e.target.selectionStart ?? 0 });
});
pagesEl.addEventListener('change', (e) => { if (e.target.__v) dispatch(e, 'change', { value: e.target.value }); });
pagesEl.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && e.target.__v?.tag === 'input') dispatch(e, 'confirm', { value: e.target.value });
});
pagesEl.addEventListener('focusin', (e) => { if (e.target.__v) dispatch(e, 'focus', { value: e.target.value ?? '' }); });
pagesEl.addEventListener('focusout', (e) => { if (e.target.__v) dispatch(e, 'blur', { value: e.target.value ?? '' }); });
pagesEl.addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.target;
  const value = {};
  for (const field of form.querySelectorAll('input, textarea')) {
    const name = field.__v?.attrs.get('name');
    if (name !== undefined && name !== null && name !== '') value[String(name)] = field.value;
  }
  builtins.formValues(form, value);
  dispatch(e, 'submit', { value, buttonTarget: e.submitter?.__v ? { dataset: info(e.submitter).dataset } : undefined }, form);
});
pagesEl.addEventListener('reset', (e) => { builtins.reset(e.target); dispatch(e, 'reset', {}, e.target); });
// Built-ins with state (builtins.mjs): their taps, drags and values.
const builtins = createBuiltins({ pagesEl, dispatch });
// swiper, picker-view, rich-text (widgets.mjs) and web-view (web-view.mjs).
const widgets = createWidgets({ pagesEl, dispatch, fileUrl, rpxInline });
let superApp = null;
try { superApp = params.get('__superapp') ? new URL(params.get('__superapp')).origin : null; } catch { superApp = null; }
const webViews = createWebViews({ dispatch, webViewOrigin, superApp, appId, views, topPageId: () => topPageId });
// The `animation` attribute (animation.mjs): each step's end is the element's onTransitionEnd,
// as Alipay documents for my.createAnimation (a transition: no onAnimationXxx).
const animator = createAnimator({
  onStepEnd: (el, index, step) => dispatch({ timeStamp: performance.now() }, 'transitionEnd', { elapsedTime: (step.delay + step.duration) / 1000 }, el, false),
  onError: (e) => console.error(`[native] ${e.message}`),
});
// The ACSS's own transitions and keyframe animations: the element's onTransitionEnd and
// onAnimationStart/Iteration/End (not bubbling; a swiper's onAnimationEnd is widgets.mjs's).
for (const [dom, type] of [['transitionend', 'transitionEnd'], ['animationstart', 'animationStart'], ['animationiteration', 'animationIteration'], ['animationend', 'animationEnd']]) {
  pagesEl.addEventListener(dom, (e) => {
    const el = e.target;
    if (!el.__v || el.__v.tag === 'swiper' || (dom === 'transitionend' && animator.owns(el, e.propertyName))) return;
    dispatch(e, type, { elapsedTime: e.elapsedTime, ...(dom === 'transitionend' ? { propertyName: e.propertyName } : { animationName: e.animationName }) }, el, false);
  });
}
pagesEl.addEventListener('scroll', (e) => {
  const el = e.target;
  if (!el.__v || el.__v.tag !== 'scroll-view') return;
  dispatch(e, 'scroll', { scrollTop: el.scrollTop, scrollLeft: el.scrollLeft, scrollHeight: el.scrollHeight, scrollWidth: el.scrollWidth });
  const threshold = Number(el.__v.attrs.get('lower-threshold') ?? 50);
  const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - threshold;
  if (atBottom && !el.__atBottom) dispatch(e, 'scrollToLower', {});
  el.__atBottom = atBottom;
}, true);
pagesEl.addEventListener('scroll', () => {
  const view = views.get(topPageId);
  if (view) view.scrollTop = pagesEl.scrollTop;
});

// ---- the logic layer's messages --------------------------------------------------------------

async function answerMy({ id, api, options }) {
  const reply = (ok, value) => {
    let plain = value;
    try { plain = value === undefined ? undefined : JSON.parse(JSON.stringify(value)); } catch { plain = String(value); }
    worker.postMessage({ type: 'myResult', id, ok, value: plain });
  };
  if (api === '__canvasDraw') {
    // The top page's <canvas id> (or canvas-id), else one in a page kept alive.
    const id = String(options?.canvasId ?? '');
    const roots = [views.get(topPageId), ...views.values()].filter(Boolean);
    const find = (view) => view.root.querySelector(`canvas[id="${CSS.escape(id)}"], canvas[canvas-id="${CSS.escape(id)}"]`);
    const view = roots.find(find);
    if (!view) { reply(false, { error: 2, errorMessage: `invalid parameter \`canvasId\`: no <canvas id="${id}"> on the page` }); return; }
    // One draw at a time per canvas: a draw waiting for its images keeps its place.
    const canvas = find(view);
    const ops = Array.isArray(options.ops) ? options.ops : [];
    const run = (canvas.__drawing ?? Promise.resolve())
      .then(() => replay(canvas, ops, Boolean(options.reserve), (src) => fileUrl(view.route, src)));
    canvas.__drawing = run.catch(() => {});
    try { await run; } catch (e) { reply(false, { error: 3, errorMessage: `canvas ${id}: ${e?.message ?? e}` }); return; }
    reply(true, {});
    return;
  }
  if (api === '__webViewPost') { const r = webViews.post(options ?? {}); reply(r.ok, r.value); return; }
  const own = await frame.answer(api, options);
  if (own) { reply(own.ok, own.value); return; }
  const fn = window.my?.[api];
  if (typeof fn !== 'function') {
    reply(false, { error: 1, errorMessage: `my.${api} is not a function in this runtime` });
    return;
  }
  try {
    reply(true, await fn.call(window.my, options ?? {}));
  } catch (e) {
    reply(false, e instanceof Error ? { error: 3, errorMessage: e.message } : e);
  }
}

// The Worker's audio objects (audio.mjs): the page's `my` makes the real ones; a package path
// is served from the app's files, relative to the top page.
const audio = audioHost(() => window.my, (message) => worker.postMessage(message),
  (src) => fileUrl(views.get(topPageId)?.route ?? '', src));

// The Worker's my.onXxx listeners: one forwarder per event on the page's `my`, posting each
// event's arguments back (structured clone keeps ArrayBuffers; JSON for what it cannot clone).
const forwarders = new Map(); // event name → forwarder

function listen({ event, on }) {
  const name = `${on ? 'on' : 'off'}${event}`;
  const fn = window.my?.[name];
  if (!/^[A-Z]\w*$/.test(String(event)) || typeof fn !== 'function') {
    console.warn(`[native] my.${name} is not in this runtime: its listener is never called`);
    return;
  }
  let forwarder = forwarders.get(event);
  if (on === !!forwarder) return;
  if (on) {
    forwarder = (...args) => {
      try { worker.postMessage({ type: 'myEvent', event, args }); } catch {
        let plain = [];
        try { plain = JSON.parse(JSON.stringify(args)); } catch { plain = args.map(String); }
        worker.postMessage({ type: 'myEvent', event, args: plain });
      }
    };
    forwarders.set(event, forwarder);
  } else forwarders.delete(event);
  try {
    const result = fn.call(window.my, forwarder);
    if (typeof result?.catch === 'function') result.catch((e) => console.warn(`[native] my.${name}:`, e?.errorMessage ?? e));
  } catch (e) { console.warn(`[native] my.${name}:`, e?.message ?? e); }
}

function onWorkerMessage({ data: m }) {
  switch (m?.type) {
    case 'pageOpen': {
      const root = document.createElement('div');
      root.className = 'a-page';
      root.dataset.route = m.route;
      const view = { root, route: m.route, config: m.config ?? {}, isTab: m.isTab, hooks: m.hooks ?? [] };
      views.set(m.pageId, view);
      pagesEl.append(root);
      addStyle(m.route, `${m.route}.acss`);
      defineComponents(templates, m.components, (e) => showError(wasmError(e)));
      try {
        const tree = JSON.parse(templates.open(m.pageId, `${m.route}.axml`, JSON.stringify(m.data ?? {})));
        const fragment = document.createDocumentFragment();
        for (const node of tree) fragment.append(build(node, view));
        root.append(fragment);
        flushComponents(templates, files, m.pageId, worker, (e) => showError(wasmError(e)));
      } catch (e) {
        showError(wasmError(e));
      }
      showPage(m.pageId, m.stackDepth);
      requestAnimationFrame(() => {
        if (window.__native.firstPaint === null) window.__native.firstPaint = performance.now();
        worker.postMessage({ type: 'opened', pageId: m.pageId });
      });
      break;
    }
    case 'pageShow': {
      const view = views.get(m.pageId);
      if (view) view.isTab = m.isTab;
      showPage(m.pageId, m.stackDepth);
      break;
    }
    case 'pageClose': {
      const view = views.get(m.pageId);
      if (!view) break;
      view.root.remove();
      views.delete(m.pageId);
      templates.close(m.pageId);
      closeComponents(m.pageId);
      dropStyle(view.route);
      break;
    }
    case 'setData': {
      const view = views.get(m.pageId);
      if (view) {
        try {
          const t0 = performance.now();
          const update = JSON.parse(m.componentId
            ? templates.setComponentData(m.pageId, m.componentId, JSON.stringify(m.changes))
            : templates.setData(m.pageId, JSON.stringify(m.changes)));
          applyPatches(view, update.patches);
          flushComponents(templates, files, m.pageId, worker, (e) => showError(wasmError(e)));
          // tests/bench/native.mjs sets window.__nativeUpdates = [] to collect these.
          window.__nativeUpdates?.push(performance.now() - t0);
        } catch (e) {
          // A page whose template did not compile has no view in the wasm: nothing to patch.
          const error = wasmError(e);
          if (error.kind !== 'view') showError(error);
        }
      }
      if (m.callbackId !== null) worker.postMessage({ type: 'rendered', callbackId: m.callbackId, componentId: m.componentId ?? null });
      break;
    }
    case 'my': answerMy(m); break;
    case 'listen': listen(m); break;
    case 'audio': audio.handle(m); break;
    case 'storage': writeStorage(m.change ?? {}); break;
    case 'loadPackage': loadPackage(m.package).catch(() => {}); break;
    case 'preload': preload(m); break;
    case 'error': showError(m.error); break;
    default: frame.onWorkerMessage(m); break;
  }
}

// ---- the Worker's Sync APIs: its storage mirror and info snapshot (sync-apis.mjs) ---------------

let prefix = storagePrefix(appId);

function localStore() { try { return window.localStorage; } catch { return null; } }

/** The app's stored keys (without the prefix) → JSON text. */
function storedEntries() {
  const ls = localStore();
  const entries = {};
  if (!ls) return entries;
  for (let i = 0; i < ls.length; i += 1) {
    const k = ls.key(i);
    if (k && k.startsWith(prefix)) entries[k.slice(prefix.length)] = ls.getItem(k);
  }
  return entries;
}

/** This page's runtime's answers to the Sync info APIs (those that answer without an error). */
function infoSnapshot(names = INFO_APIS) {
  const info = {};
  for (const name of names) {
    try {
      const value = window.my?.[name]?.();
      if (value && typeof value === 'object' && !('error' in value)) info[name] = JSON.parse(JSON.stringify(value));
    } catch (e) { console.warn(`my.${name}`, e); }
  }
  return info;
}

/** Writes one change of the Worker's storage through to localStorage, in order, and says so. */
function writeStorage({ seq, op, key, value }) {
  const ls = localStore();
  let ok = Boolean(ls);
  let current = null;
  try {
    if (!ls) throw new Error('no localStorage');
    if (op === 'set') ls.setItem(prefix + key, value);
    else if (op === 'remove') ls.removeItem(prefix + key);
    else if (op === 'clear') for (const k of Object.keys(storedEntries())) ls.removeItem(prefix + k);
  } catch {
    ok = false;
    try { current = key === undefined ? null : ls?.getItem(prefix + key) ?? null; } catch { current = null; }
  }
  worker.postMessage({ type: 'storageAck', seq, ok, current });
}

// Another document of this app (another tab, an H5 page in a web-view) changed its storage.
window.addEventListener('storage', (e) => {
  if (!worker || (e.storageArea && e.storageArea !== localStore())) return;
  if (e.key === null) worker.postMessage({ type: 'storageExternal', entries: storedEntries() });
  else if (e.key.startsWith(prefix)) {
    worker.postMessage({ type: 'storageExternal', key: e.key.slice(prefix.length), value: localStore()?.getItem(e.key) ?? null });
  }
});

// The window's size is in getSystemInfoSync and getWindowInfo: the snapshot follows it.
let infoFrame = null;
window.addEventListener('resize', () => {
  if (!worker || infoFrame !== null) return;
  infoFrame = requestAnimationFrame(() => {
    infoFrame = null;
    worker.postMessage({ type: 'syncInfo', info: infoSnapshot(['getSystemInfoSync', 'getWindowInfo']) });
  });
});

// ---- packages: fetched when a page of theirs opens, or by preloadRule ---------------------------

const bundleUrl = (query) => `/native/${encodeURIComponent(appId)}/bundle.json${query}`;
const fetching = new Map(); // package → Promise of its files (each package is fetched once)

/** A bundle's JSON, or throws an Error carrying the sandbox's diagnostic (`file`, `field`). */
async function fetchBundle(query) {
  const res = await fetch(bundleUrl(query)).catch((e) => ({ ok: false, statusText: e.message }));
  const body = typeof res.json === 'function' ? await res.json().catch(() => null) : null;
  if (res.ok && body) return body;
  const error = new Error(body?.error ?? `bundle.json: ${res.status ?? ''} ${res.statusText ?? ''}`);
  error.file = body?.file ?? null;
  throw error;
}

/** Adds the files of `key` (a subpackage's root, or `__APP__`) and hands its scripts to the Worker. */
function loadPackage(key) {
  if (!fetching.has(key)) {
    const done = fetchBundle(`?package=${encodeURIComponent(key)}`).then((bundle) => {
      Object.assign(files, bundle.files);
      templates.addFiles(JSON.stringify(bundle.files));
      if (key === '__APP__') addStyle('app', 'app.acss');
      worker.postMessage({ type: 'packageLoaded', package: key, files: scriptsOf(bundle.files) });
    }, (e) => {
      fetching.delete(key);
      showError({ kind: e.file ? 'compile' : 'runtime', file: e.file, message: e.message });
      worker.postMessage({ type: 'packageLoaded', package: key, error: e.message });
      throw e;
    });
    fetching.set(key, done);
  }
  return fetching.get(key);
}

/** The phone's network type as the simulator's devtools set it (WIFI standalone). */
function networkType() {
  return window.miniprogramShim?.device?.()?.networkType ?? 'WIFI';
}

/** preloadRule: on entering `route`, fetch `packages` when the network allows (`all`, or WIFI). */
function preload({ route, network, packages }) {
  const type = networkType();
  const options = { page: route, network, packages };
  if (network !== 'all' && type !== 'WIFI') {
    console.info(`[native] preloadSubpackages: ${packages.join(', ')} not preloaded on ${route}: the rule wants wifi, the network is ${type}`);
    logToDevtools({ api: 'preloadRule', options, ok: true, result: { preloaded: [], skipped: `network is ${type}, the rule wants wifi` } });
    return;
  }
  Promise.allSettled(packages.map(loadPackage)).then((results) => {
    const failed = packages.filter((_, n) => results[n].status === 'rejected');
    console.info(`[native] preloadSubpackages: ${packages.join(', ')} on ${route}${failed.length ? ` (failed: ${failed.join(', ')})` : ''}`);
    logToDevtools({ api: 'preloadRule', options, ok: !failed.length, result: { preloaded: packages.filter((p) => !failed.includes(p)), failed } });
  });
}

function scriptsOf(bundleFiles) {
  const scripts = {};
  for (const [path, text] of Object.entries(bundleFiles)) if (/\.(js|json|sjs)$/.test(path)) scripts[path] = text;
  return scripts;
}

async function start() {
  // The page's runtime (my.js) loads beside the compiler; the Worker's Sync APIs need its answers.
  const runtimeReady = Promise.resolve(window.miniprogramShim?.ready).catch(() => null);
  try {
    await init();
  } catch (e) {
    showError({ kind: 'runtime', message: `The template compiler (/native/axml/axml_wasm.js) did not load: ${e.message}. Build it with: wasm-pack build axml-wasm --dev --target web --no-pack --out-dir ../pkg-axml` });
    return;
  }
  // The package the launch page needs first: an independent subpackage's, else the main one.
  const entry = params.get('page');
  let bundle;
  try {
    bundle = await fetchBundle(entry ? `?entry=${encodeURIComponent(entry)}` : '');
  } catch (e) {
    showError(e.file
      ? { kind: 'compile', file: e.file, message: e.message }
      : { kind: 'runtime', message: `The app's sources did not load (${e.message}).` });
    return;
  }
  files = bundle.files ?? {};
  // Entries of app.json a wallet passes over (a preloadRule naming no package): said, not fatal.
  for (const warning of bundle.layout?.warnings ?? []) console.warn(`[native] ${warning}`);
  fetching.set(bundle.package, Promise.resolve());
  try {
    templates = new Templates(JSON.stringify(files));
  } catch (e) {
    showError(wasmError(e));
    return;
  }
  try { appJson = JSON.parse(files['app.json'] ?? '{}'); } catch (e) {
    showError({ kind: 'compile', file: 'app.json', message: `app.json is not JSON: ${e.message}` });
    return;
  }
  document.title = appJson.window?.defaultTitle ?? appId;
  addStyle('app', 'app.acss');
  worker = new Worker('/native/runtime/worker.mjs', { type: 'module', name: `logic:${appId}` });
  worker.onmessage = onWorkerMessage;
  worker.onerror = (e) => showError({ kind: 'script', file: e.filename, line: e.lineno, column: e.colno, message: e.message });
  frame = createFrame({ appJson, views, pagesEl, toWorker: (message) => worker.postMessage(message), fileUrl, params });
  await runtimeReady;
  const info = infoSnapshot();
  if (typeof info.getAppIdSync?.appId === 'string') prefix = storagePrefix(info.getAppIdSync.appId);
  worker.postMessage({
    type: 'boot', files: scriptsOf(files), package: bundle.package, layout: bundle.layout,
    entry: { page: params.get('page'), query: params.get('query') },
    sync: { entries: storedEntries(), info, canIUse: window.miniprogramShim?.supported?.() ?? {} },
  });
}

start();
startLiveReload({ appId, currentRoute: () => views.get(topPageId)?.route ?? null });
