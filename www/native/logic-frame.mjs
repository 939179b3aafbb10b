// The logic layer's side of the frame (DESIGN.md "Native mini programs: the frame"): page hooks
// the render side reports (onPageScroll, onReachBottom, onPullDownRefresh, onTitleClick),
// onShareAppMessage for the devtools' Share button, my.createSelectorQuery and
// my.createIntersectionObserver (built here, answered by the render side, queries.mjs), and the
// devtools' page stack and AppData panel (snapshots of each page's data; edits through setData).
// The title bar and tab bar APIs are answered by the render side (frame.mjs) as `my` calls.
//   render → logic: pageHook, share, editData, devtools, intersection
//   logic → render: pages, shareResult, editResult (and `my` calls __selectorQuery, __observe, __unobserve)

import { jsonCopy, RuntimeError } from './core.mjs';
import { checkSelector, dataEdit, observerOptions } from './frame-core.mjs';

/** The page hooks the render side reports, when the page defines them. */
export const PAGE_HOOKS = ['onPageScroll', 'onReachBottom', 'onPullDownRefresh', 'onTitleClick', 'onShareAppMessage'];

/** The hooks `instance` defines (sent with pageOpen, so the render side reports only those). */
export function hooksOf(instance) {
  return PAGE_HOOKS.filter((hook) => typeof instance?.[hook] === 'function');
}

/**
 * `post`: to the render side; `stack`: the PageStack; `alive`: Map route → tab page kept alive
 * off the stack; `call(target, name, ...args)`: runs a hook, reporting what it throws;
 * `remote(api, options)`: a `my` call answered by the render side; `reportError(e)`: shows it.
 */
export function createFrameLogic({ post, stack, alive, call, remote, reportError }) {
  const observers = new Map(); // observe id → { callback, page }
  let nextObserveId = 1;
  let devtools = false;
  let snapshotTimer = null;

  const findPage = (id) => stack.pages.find((p) => p.id === id) ?? [...alive.values()].find((p) => p.id === id) ?? null;

  // ---- my.createSelectorQuery --------------------------------------------------------------

  function createSelectorQuery() {
    const pageId = stack.top?.id ?? null;
    const requests = [];
    const query = {
      select(selector) { return nodesRef({ selector: checkSelector('createSelectorQuery().select', selector), all: false }); },
      selectAll(selector) { return nodesRef({ selector: checkSelector('createSelectorQuery().selectAll', selector), all: true }); },
      selectViewport() { return nodesRef({ viewport: true }); },
      exec(callback) {
        const list = requests.map(({ callback: _, ...request }) => request);
        const callbacks = requests.map((r) => r.callback);
        remote('__selectorQuery', { pageId, requests: list }).then((results) => {
          results.forEach((result, i) => { if (typeof callbacks[i] === 'function') callbacks[i](result); });
          if (typeof callback === 'function') callback(results);
        }, (error) => console.error(`createSelectorQuery().exec: ${error?.errorMessage ?? error}`));
        return query;
      },
    };
    function nodesRef(target) {
      return {
        boundingClientRect(callback) { requests.push({ ...target, field: 'rect', callback }); return query; },
        scrollOffset(callback) { requests.push({ ...target, field: 'scroll', callback }); return query; },
      };
    }
    return query;
  }

  // ---- my.createIntersectionObserver -------------------------------------------------------

  function createIntersectionObserver(options = {}) {
    const config = observerOptions(options);
    const page = stack.top;
    let relative = { viewport: true, margins: {} };
    const ids = [];
    const observer = {
      relativeTo(selector, margins) {
        relative = { selector: checkSelector('createIntersectionObserver().relativeTo', selector), margins: margins ?? {} };
        return observer;
      },
      relativeToViewport(margins) { relative = { viewport: true, margins: margins ?? {} }; return observer; },
      observe(selector, callback) {
        checkSelector('createIntersectionObserver().observe', selector);
        if (typeof callback !== 'function') throw new RuntimeError('createIntersectionObserver().observe(selector, callback): the callback is a function', 2);
        const id = nextObserveId;
        nextObserveId += 1;
        ids.push(id);
        observers.set(id, { callback, page });
        remote('__observe', { id, pageId: page?.id ?? null, selector, relative, ...config })
          .catch((error) => console.error(`createIntersectionObserver().observe: ${error?.errorMessage ?? error}`));
        return observer;
      },
      disconnect() {
        if (!ids.length) return;
        for (const id of ids) observers.delete(id);
        remote('__unobserve', { ids: ids.splice(0) }).catch(() => {});
      },
    };
    return observer;
  }

  // ---- the devtools: page stack and data -------------------------------------------------

  function snapshot() {
    snapshotTimer = null;
    const top = stack.top;
    const describe = (page, state) => ({ pageId: page.id, route: page.route, query: page.query, state, data: page.instance.data });
    const pages = [
      ...[...stack.pages].reverse().map((p) => describe(p, p === top ? 'top' : 'stack')),
      ...[...alive.values()].map((p) => describe(p, 'kept')),
    ];
    try { post({ type: 'pages', pages: jsonCopy(pages) }); } catch (e) { console.error('devtools snapshot', e); }
  }

  /** Called with every message to the render side: page changes refresh the devtools' view. */
  function watch(message) {
    if (!devtools || snapshotTimer !== null) return;
    if (['setData', 'pageOpen', 'pageClose', 'pageShow'].includes(message?.type)) snapshotTimer = setTimeout(snapshot, 60);
  }

  function editData({ requestId, pageId, text }) {
    const page = findPage(pageId);
    const reply = (ok, message) => post({ type: 'editResult', requestId, pageId, ok, message });
    if (!page) { reply(false, `page ${pageId} is not open any more; nothing was changed`); return; }
    let patch;
    try { patch = dataEdit(page.instance.data, text); } catch (e) { reply(false, e.message); return; }
    const keys = Object.keys(patch);
    if (!keys.length) { reply(true, 'no change'); return; }
    try {
      page.instance.setData(patch);
    } catch (e) {
      reply(false, `${e.message}; nothing was changed`);
      return;
    }
    reply(true, `setData on ${page.route}: ${keys.join(', ')}`);
  }

  async function share({ requestId }) {
    const page = stack.top;
    const reply = (ok, value, message) => post({ type: 'shareResult', requestId, route: page?.route ?? null, ok, value, message });
    if (!page) { reply(false, null, 'no page is open'); return; }
    if (typeof page.instance.onShareAppMessage !== 'function') {
      reply(false, null, `${page.route} defines no onShareAppMessage: the page cannot be shared`);
      return;
    }
    let result = call(page.instance, 'onShareAppMessage', { from: 'menu' });
    try { if (result && typeof result.then === 'function') result = await result; } catch (e) {
      reply(false, null, `onShareAppMessage's Promise was rejected: ${e?.message ?? e}`);
      return;
    }
    if (result === null || typeof result !== 'object') {
      reply(false, null, `${page.route}'s onShareAppMessage returned ${result === undefined ? 'nothing (or threw: see the console)' : JSON.stringify(result)}, not { title, desc, path }`);
      return;
    }
    let value;
    try { value = jsonCopy(result); } catch (e) { reply(false, null, `onShareAppMessage's result is not plain data: ${e.message}`); return; }
    reply(true, value, null);
  }

  /** A message from the render side this module handles; false if it is not one. */
  function onMessage(message) {
    switch (message?.type) {
      case 'pageHook': {
        const page = findPage(message.pageId);
        if (page && PAGE_HOOKS.includes(message.hook) && message.hook !== 'onShareAppMessage') call(page.instance, message.hook, message.arg);
        return true;
      }
      case 'intersection': {
        const observer = observers.get(message.id);
        if (observer) { try { observer.callback.call(observer.page?.instance, message.result); } catch (e) { reportError(e); } }
        return true;
      }
      case 'share': share(message); return true;
      case 'editData': editData(message); return true;
      case 'devtools': devtools = Boolean(message.on); if (devtools) snapshot(); return true;
      default: return false;
    }
  }

  /** A page unloaded: its observers stop. */
  function forget(page) {
    for (const [id, observer] of observers) if (observer.page === page) observers.delete(id);
  }

  // ---- my.createWebViewContext ------------------------------------------------------------

  /** `postMessage(data)` to the H5 page of the `<web-view id>` (render side: web-view.mjs). */
  function createWebViewContext(id) {
    const webviewId = typeof id === 'object' && id !== null ? id.webviewId : id;
    if (typeof webviewId !== 'string' || !webviewId) throw new RuntimeError(`createWebViewContext: the web-view's id is a non-empty string, got ${JSON.stringify(id)}`, 2);
    return {
      postMessage(data) {
        remote('__webViewPost', { id: webviewId, data }).catch((error) => {
          console.error(`createWebViewContext(${JSON.stringify(webviewId)}).postMessage: ${error?.errorMessage ?? error}`);
        });
      },
    };
  }

  return { local: { createSelectorQuery, createIntersectionObserver, createWebViewContext }, onMessage, watch, forget };
}
