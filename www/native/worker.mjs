// The logic layer of a native mini program: a dedicated module Worker, so the app's scripts see
// `my` and not `window`/`document` (DESIGN.md "Native mini programs"). It runs app.js and the
// pages' .js as CommonJS modules, keeps App, the pages and the page stack, and talks to the
// render side (render.mjs) by postMessage:
//   render → logic: boot, packageLoaded, opened, rendered, event, navigate, myResult, storageAck,
//                   storageExternal, syncInfo, audioEvent (and the frame's: logic-frame.mjs)
//   logic → render: loadPackage, preload, pageOpen, pageClose, pageShow, setData, my, storage, log, error,
//                   audio (audio.mjs)
// Packages (DESIGN.md "subPackages, independent subpackages, preloadRule"): the render side
// boots the logic layer with one package's files (the main package, or an independent
// subpackage's for a launch at one of its pages); the others are loaded when a page of theirs is
// entered, or preloaded by app.json's preloadRule.

import {
  applyPath as applyLocal, jsonCopy, moduleCandidates, PageStack, resolvePageUrl, RuntimeError, setDataChanges, spliceChanges, parseQuery,
} from './core.mjs';
import { Components } from './components.mjs';
import { createFrameLogic, hooksOf } from './logic-frame.mjs';
import { planSwitchTab } from './frame-core.mjs';
import { appRoutes, MAIN_PACKAGE, packageOf } from './routes.mjs';
import { canIUse, INFO_APIS, infoAnswer, StorageMirror } from './sync-apis.mjs';
import { createCanvasContext } from './canvas.mjs';
import { createAnimation } from './animation.mjs';
import { audioProxies } from './audio.mjs';

// Every message also goes by the frame's logic (logic-frame.mjs), which keeps the devtools' view.
const post = (message) => { self.postMessage(message); frameLogic?.watch(message); };

let files = {};
let appJson = {};
let pages = [];
let tabPages = [];
let appInstance = null;
let appDefault = null; // getApp({ allowDefault: true }) before App() ran (independent subpackages)
let layout = { subPackages: [], preloadRule: {} }; // the checked layout, from the sandbox
const loaded = new Set(); // packages whose files are in `files` (roots; MAIN_PACKAGE)
const loading = new Map(); // package → { promise, resolve, reject }
let main = null; // null until app.js ran: then { ok }
const pageDefinitions = new Map(); // route → Page options
const stack = new PageStack();
const modules = new Map(); // path → { exports }
let nextPageId = 1;
let nextCallId = 1;
const pendingCalls = new Map(); // my call id → { resolve, reject }
const pendingRenders = new Map(); // setData callback id → callback + page
let loadingRoute = null;
// Custom components (components.mjs): definitions, instances and their lifecycle.
const components = new Components({
  files: () => files, loadModule: (path) => loadModule(path), post, call: (...a) => call(...a),
  reportError: (e, where) => reportError(e, where), page: (id) => pageById(id),
});
const alive = new Map(); // route → tab page kept alive off the stack (switchTab)
let frameLogic = null;

/** Reports a script error to the render side (shown like the IDE's) and to the console. */
function reportError(error, file) {
  const where = file ?? error?.where ?? locate(error);
  const message = `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
  console.error(message, error?.stack ?? '');
  // A module the sandbox could not compile throws { kind: 'compile', where, display }.
  const kind = error?.kind === 'compile' ? 'compile' : 'script';
  post({ type: 'error', error: { kind, file: where?.file ?? null, line: where?.line ?? null, column: where?.column ?? null, message, stack: String(error?.stack ?? ''), display: typeof error?.display === 'string' ? error.display : undefined } });
}

// my.onError / my.onUnhandledRejection: the listeners live here, beside the code that throws
// (a function cannot cross to the render side).
const errorListeners = [];
const rejectionListeners = [];

function listen(list, callback) {
  if (typeof callback === 'function' && !list.includes(callback)) list.push(callback);
}

function unlisten(list, callback) {
  if (typeof callback !== 'function') list.length = 0;
  else if (list.includes(callback)) list.splice(list.indexOf(callback), 1);
}

/** Calls each listener; one that throws is reported in the console, not to the others. */
function notify(list, event) {
  for (const listener of [...list]) {
    try { listener(event); } catch (e) { console.error('a my.onError/onUnhandledRejection listener threw:', e); }
  }
}

/** A script error, to App.onError and my.onError (message and stack, as Alipay passes). */
function notifyError(error) {
  const text = `${error?.message ?? String(error)}\n${error?.stack ?? ''}`;
  const onError = appInstance?.onError;
  notify(typeof onError === 'function' ? [(t) => onError.call(appInstance, t), ...errorListeners] : errorListeners, text);
}

/** A rejection no code caught: the console, the devtools' JSAPI log, the app's listeners. */
function unhandledRejection(reason, promise) {
  // A module the sandbox could not compile is a compile error, shown as one.
  if (reason?.kind === 'compile') { reportError(reason, reason.where); return; }
  const where = locate(reason);
  const at = where ? ` (${where.file}:${where.line}:${where.column})` : '';
  console.error(`Unhandled promise rejection${at}:`, reason);
  let shown;
  if (reason instanceof Error) shown = `${reason.name}: ${reason.message}`;
  else { try { shown = JSON.parse(JSON.stringify(reason ?? null)); } catch { shown = String(reason); } }
  post({ type: 'log', entry: { api: 'unhandledrejection', options: where ?? {}, ok: false, result: { reason: shown }, durationMs: 0 } });
  const event = { reason, promise };
  call(appInstance, 'onUnhandledRejection', event);
  notify(rejectionListeners, event);
}

/** The first frame of `error.stack` in one of the app's files (new Function adds 2 lines). */
function locate(error) {
  const stack = String(error?.stack ?? '');
  const m = stack.match(/app:\/\/\/([^\s:)]+):(\d+):(\d+)/);
  return m ? { file: m[1], line: Number(m[2]) - 2, column: Number(m[3]) } : null;
}

function findFile(candidates) {
  for (const path of candidates) if (typeof files[path] === 'string') return path;
  return null;
}

/** CommonJS `require`, relative to `from`. */
function makeRequire(from) {
  return function require(spec) {
    if (typeof spec !== 'string' || !spec) throw new RuntimeError(`require(${JSON.stringify(spec)}) in ${from}: a module path is a string`);
    let path = findFile(moduleCandidates(from, spec));
    if (path && path.endsWith('/package.json')) path = null;
    if (!path) {
      // A package folder with package.json "main".
      for (const base of [`node_modules/${spec}`, `miniprogram_npm/${spec}`]) {
        const pkg = files[`${base}/package.json`];
        if (!pkg) continue;
        try { path = findFile(moduleCandidates(`${base}/package.json`, `./${JSON.parse(pkg).main ?? 'index.js'}`)); } catch { /* not JSON */ }
        if (path) break;
      }
    }
    if (!path) throw new RuntimeError(`require("${spec}") in ${from}: no such module (tried ${moduleCandidates(from, spec).slice(0, 4).join(', ')}, …)`);
    return loadModule(path);
  };
}

/** Runs the module at `path` once and returns its exports. */
function loadModule(path) {
  const cached = modules.get(path);
  if (cached) return cached.exports;
  const module = { exports: {} };
  modules.set(path, module);
  if (path.endsWith('.json')) {
    try { module.exports = JSON.parse(files[path]); } catch (e) { throw new SyntaxError(`${path}: ${e.message}`); }
    return module.exports;
  }
  const code = files[path];
  let fn;
  try {
    // The app's code gets no window/document (there are none in a Worker) and no handle on the
    // Worker's own messaging: the names below are parameters bound to undefined.
    // eslint-disable-next-line no-new-func
    fn = new Function('require', 'module', 'exports', 'App', 'Page', 'getApp', 'getCurrentPages', 'Component', 'my',
      'self', 'postMessage', 'onmessage', 'importScripts', 'close',
      `${code}\n//# sourceURL=app:///${path}`);
  } catch (e) {
    modules.delete(path);
    // The sandbox parsed the file (oxc) and turned a syntax error into a module that throws
    // with its place; what the engine still refuses here (top-level await) has only the file.
    const error = new SyntaxError(`${path}: ${e.message}`);
    error.where = { file: path, line: null, column: null };
    throw error;
  }
  fn.call(module.exports, makeRequire(path), module, module.exports, App, Page, getApp, getCurrentPages, Component, my,
    undefined, undefined, undefined, undefined, undefined);
  return module.exports;
}

// ---- App, Page, getApp, getCurrentPages ----------------------------------------------------

function App(options = {}) {
  if (appInstance) throw new RuntimeError('App() may be called once, in app.js');
  // What an independent subpackage set on getApp({ allowDefault: true }) is kept, over App's.
  appInstance = appDefault ?? Object.create(null);
  for (const [key, value] of Object.entries(options)) if (!(key in appInstance)) appInstance[key] = value;
  if (!appInstance.globalData) appInstance.globalData = {};
}

function Page(options = {}) {
  if (!loadingRoute) throw new RuntimeError('Page() must be called in a page\'s .js file (one listed in app.json pages)');
  pageDefinitions.set(loadingRoute, options);
}

function Component(options) { components.register(options); }

/**
 * The App; before the main package ran (a launch at an independent subpackage's page)
 * `undefined`, or with `{ allowDefault: true }` a default object that App() later merges into.
 */
function getApp(options) {
  if (appInstance) return appInstance;
  if (options?.allowDefault) { appDefault ??= {}; return appDefault; }
  return undefined;
}
function getCurrentPages() { return stack.pages.map((p) => p.instance); }

function call(target, name, ...args) {
  const fn = target?.[name];
  if (typeof fn !== 'function') return undefined;
  try { return fn.apply(target, args); } catch (e) { reportError(e); notifyError(e); return undefined; }
}

function definitionFor(route) {
  if (!pageDefinitions.has(route)) {
    const path = findFile([`${route}.js`]);
    if (!path) throw new RuntimeError(`page ${route} has no ${route}.js`);
    loadingRoute = route;
    try { loadModule(path); } finally { loadingRoute = null; }
    if (!pageDefinitions.has(route)) throw new RuntimeError(`${route}.js did not call Page({...})`);
  }
  return pageDefinitions.get(route);
}

/** A new page instance for `route`: its own copy of `data`, the options' methods and fields. */
function createPage(route, query) {
  const options = definitionFor(route);
  const id = nextPageId;
  nextPageId += 1;
  const instance = Object.create(null);
  for (const [key, value] of Object.entries(options)) if (key !== 'data') instance[key] = value;
  instance.data = jsonCopy(options.data ?? {}) ?? {};
  instance.route = route;
  instance.options = query;
  instance.$id = id;
  instance.setData = function setData(patch, callback) { return setPageData(page, patch, callback); };
  instance.$spliceData = function $spliceData(patch, callback) {
    return setPageData(page, spliceChanges(instance.data, patch), callback);
  };
  const page = { id, route, query, instance, ready: false };
  return page;
}

function setPageData(page, patch, callback) {
  const changes = setDataChanges(patch); // throws on a bad key before anything applies
  for (const [key, value] of changes) applyLocal(page.instance.data, key, value);
  let callbackId = null;
  if (typeof callback === 'function') {
    callbackId = nextCallId;
    nextCallId += 1;
    pendingRenders.set(callbackId, { callback, page });
  }
  post({ type: 'setData', pageId: page.id, changes, callbackId });
}

function pageConfig(route) {
  let own = {};
  const text = files[`${route}.json`];
  if (text) { try { own = JSON.parse(text); } catch { /* reported by nothing; the page still runs */ } }
  return { ...(appJson.window ?? {}), ...own };
}

// ---- packages -------------------------------------------------------------------------------

/** The files of `key` (a root or MAIN_PACKAGE): asks the render side once, settles when there. */
function loadPackage(key) {
  if (loaded.has(key)) return Promise.resolve();
  let pending = loading.get(key);
  if (!pending) {
    pending = {};
    pending.promise = new Promise((resolve, reject) => { pending.resolve = resolve; pending.reject = reject; });
    loading.set(key, pending);
    post({ type: 'loadPackage', package: key });
  }
  return pending.promise;
}

function packageLoaded(message) {
  const key = message.package;
  const pending = loading.get(key);
  if (message.error) {
    loading.delete(key);
    pending?.reject(new RuntimeError(`the package ${key === MAIN_PACKAGE ? 'main' : key} did not load: ${message.error}`));
    return;
  }
  Object.assign(files, message.files ?? {});
  loaded.add(key);
  loading.delete(key);
  pending?.resolve();
}

/** Runs app.js once (App's onLaunch and first onShow come with the first main-package page). */
function startMain(path, query) {
  if (main) return main.ok;
  main = { ok: false };
  try {
    if (files['app.js'] !== undefined) loadModule('app.js');
  } catch (e) {
    reportError(e, e.where);
    return false;
  }
  if (!appInstance) App({});
  main.ok = true;
  call(appInstance, 'onLaunch', { query, path });
  call(appInstance, 'onShow', { query, path });
  return true;
}

/**
 * Makes `route` ready to open: the main package (run) unless the route is an independent
 * subpackage's, then its own package. null when nothing had to load, else a Promise.
 */
function enter(route, query) {
  const sub = packageOf(layout, route);
  const needed = sub?.independent ? [sub.root] : [MAIN_PACKAGE, ...(sub ? [sub.root] : [])];
  const finish = () => {
    if (!sub?.independent && !startMain(route, query)) throw new RuntimeError('app.js failed to run: see the error above', 3);
  };
  const missing = needed.filter((key) => !loaded.has(key));
  if (!missing.length) { finish(); return null; }
  return Promise.all(missing.map(loadPackage)).then(finish);
}

/** preloadRule: entering `route` fetches the packages its rule names (on its network). */
function preloadFor(route) {
  const rule = layout.preloadRule?.[route];
  if (!rule) return;
  const packages = rule.packages.filter((key) => !loaded.has(key) && !loading.has(key));
  if (packages.length) post({ type: 'preload', route, network: rule.network, packages });
}

function openPage(page) {
  post({
    type: 'pageOpen', pageId: page.id, route: page.route, data: page.instance.data, config: pageConfig(page.route),
    components: components.prepare(page.route),
    stackDepth: stack.length, isTab: tabPages.includes(page.route), hooks: hooksOf(page.instance),
  });
  call(page.instance, 'onLoad', page.query);
  call(page.instance, 'onShow');
  preloadFor(page.route);
}

function unload(pages) {
  for (const page of pages) {
    if (alive.get(page.route) === page) alive.delete(page.route);
    frameLogic?.forget(page);
    call(page.instance, 'onUnload');
    components.unloadPage(page.id);
    post({ type: 'pageClose', pageId: page.id });
    for (const [id, pending] of pendingRenders) if (pending.page === page) pendingRenders.delete(id);
  }
}

function showTop() {
  const top = stack.top;
  if (!top) return;
  post({ type: 'pageShow', pageId: top.id, stackDepth: stack.length, isTab: tabPages.includes(top.route), route: top.route });
  call(top.instance, 'onShow');
}

// ---- navigation ----------------------------------------------------------------------------

function navigate(kind, options = {}) {
  const from = stack.top?.route ?? '';
  if (kind === 'navigateBack') {
    if (stack.length <= 1) return {};
    unload(stack.pop(options.delta ?? 1));
    showTop();
    return {};
  }
  const { route, query } = resolvePageUrl(options.url, from, pages);
  if (kind === 'switchTab') {
    if (!tabPages.includes(route)) throw new RuntimeError(`switchTab: ${route} is not a tab page (app.json tabBar.items)`, 2);
    if (Object.keys(query).length) throw new RuntimeError('switchTab: a tab page URL takes no query', 2);
    const wait = enter(route, {});
    return wait ? wait.then(() => switchTab(route)) : switchTab(route);
  } else if (kind !== 'reLaunch' && tabPages.includes(route)) {
    throw new RuntimeError(`${kind}: ${route} is a tab page: use switchTab`, 2);
  }
  // A page of a package not loaded yet opens once its files are here.
  const wait = enter(route, query);
  return wait ? wait.then(() => go(kind, route, query)) : go(kind, route, query);
}

function go(kind, route, query) {
  const page = createPage(route, query);
  if (kind === 'navigateTo') {
    if (stack.length >= stack.limit) stack.push(page); // throws "the page stack is full"
    call(stack.top?.instance, 'onHide');
    stack.push(page);
  } else if (kind === 'redirectTo') {
    unload([stack.top].filter(Boolean));
    stack.replaceTop(page);
  } else {
    unload([...stack.clear(), ...alive.values()]);
    stack.push(page);
  }
  openPage(page);
  return {};
}

/** switchTab: tab pages are kept alive (hidden, state kept), the others unloaded (frame-core.mjs). */
function switchTab(route) {
  const plan = planSwitchTab(stack.pages, alive, route, (r) => tabPages.includes(r));
  if (plan.reuse && plan.reuse === stack.top) return {};
  for (const page of plan.hide) call(page.instance, 'onHide');
  unload(plan.unload);
  stack.clear();
  for (const page of plan.keep) if (page !== plan.reuse) alive.set(page.route, page);
  if (plan.reuse) {
    alive.delete(route);
    stack.push(plan.reuse);
    showTop();
  } else {
    const page = createPage(route, {});
    stack.push(page);
    openPage(page);
  }
  return {};
}

const NAVIGATION = ['navigateTo', 'redirectTo', 'navigateBack', 'reLaunch', 'switchTab'];

/** success/fail/complete and a Promise, for an API answered here in the logic layer. */
function settleLocal(options, run) {
  const { success, fail, complete } = options ?? {};
  const promise = new Promise((resolve, reject) => {
    const failed = (e) => {
      const err = { error: e?.code ?? 1, errorMessage: e?.message ?? String(e) };
      if (typeof fail === 'function') fail(err);
      if (typeof complete === 'function') complete(err);
      reject(err);
    };
    const succeeded = (result) => {
      if (typeof success === 'function') success(result);
      if (typeof complete === 'function') complete(result);
      resolve(result);
    };
    let result;
    try { result = run(); } catch (e) { failed(e); return; }
    // Navigation to a package not loaded yet answers once the page is open.
    if (typeof result?.then === 'function') result.then(succeeded, failed);
    else succeeded(result);
  });
  // As for remote calls: a caller with `fail` sees the failure there.
  if (typeof fail === 'function') promise.catch(() => {});
  return promise;
}

// ---- my: a proxy to the render side's runtime ------------------------------------------------

function remote(api, options) {
  const { success, fail, complete, ...rest } = options ?? {};
  let plain;
  try { plain = jsonCopy(rest) ?? {}; } catch (e) { plain = {}; }
  const id = nextCallId;
  nextCallId += 1;
  const promise = new Promise((resolve, reject) => { pendingCalls.set(id, { resolve, reject }); });
  post({ type: 'my', id, api, options: plain });
  const settled = promise.then(
    (res) => { if (typeof success === 'function') success(res); if (typeof complete === 'function') complete(res); return res; },
    (err) => { if (typeof fail === 'function') fail(err); if (typeof complete === 'function') complete(err); throw err; },
  );
  // Callback-style callers do not catch the Promise; its rejection is theirs to see in `fail`.
  if (typeof fail === 'function') settled.catch(() => {});
  return settled;
}

// ---- the Sync APIs and storage, answered here (sync-apis.mjs) ---------------------------------

let storage = null; // StorageMirror, from the boot message
let syncInfo = {}; // the render side's answers of INFO_APIS, refreshed on change
let canIUseTable = {}; // the H5 runtime's canIUse table (miniprogramShim.supported()), from the boot

/** An async storage API answered from the mirror: the work at call time, callbacks after. */
function storageAsync(api, options, run) {
  const { success, fail, complete } = options ?? {};
  const result = run();
  const ok = !(result && typeof result === 'object' && 'error' in result);
  let logged = options;
  try { logged = jsonCopy(options ?? {}); } catch { logged = {}; }
  post({ type: 'log', entry: { api, options: logged, ok, result, durationMs: 0 } });
  const settled = (ok ? Promise.resolve(result) : Promise.reject(result)).then(
    (res) => { if (typeof success === 'function') success(res); if (typeof complete === 'function') complete(res); return res; },
    (err) => { if (typeof fail === 'function') fail(err); if (typeof complete === 'function') complete(err); throw err; },
  );
  if (typeof fail === 'function') settled.catch(() => {});
  return settled;
}

const local = {
  setStorageSync: (a, b) => storage.set(a, b),
  getStorageSync: (a) => storage.get(a),
  removeStorageSync: (a) => storage.remove(a),
  clearStorageSync: () => storage.clear(),
  getStorageInfoSync: () => storage.info(),
  setStorage: (o) => storageAsync('setStorage', o, () => storage.set(o)),
  getStorage: (o) => storageAsync('getStorage', o, () => storage.get(o)),
  removeStorage: (o) => storageAsync('removeStorage', o, () => storage.remove(o)),
  clearStorage: (o) => storageAsync('clearStorage', o, () => storage.clear()),
  getStorageInfo: (o) => storageAsync('getStorageInfo', o, () => storage.info()),
};
for (const name of INFO_APIS) local[name] = () => infoAnswer(syncInfo, name);
// At once, as on a device: `if (my.canIUse('x'))` must not see a Promise (sync-apis.mjs).
local.canIUse = (schema) => canIUse(canIUseTable, (name) => Object.prototype.hasOwnProperty.call(local, name), schema);
local.onError = (callback) => listen(errorListeners, callback);
local.offError = (callback) => unlisten(errorListeners, callback);
local.onUnhandledRejection = (callback) => listen(rejectionListeners, callback);
local.offUnhandledRejection = (callback) => unlisten(rejectionListeners, callback);
// The steps are built here and set as data; the render side plays them (animation.mjs).
local.createAnimation = (options) => createAnimation(options);
// The context records; draw() sends the calls to the render side's <canvas id> (canvas.mjs).
local.createCanvasContext = (canvasId) => createCanvasContext(canvasId, (id, ops, reserve) => remote('__canvasDraw', { canvasId: id, ops, reserve }));
// The audio objects drive an <audio> of the render side (audio.mjs); their events come back.
const audio = audioProxies(post, (e) => { reportError(e); notifyError(e); });
local.createInnerAudioContext = () => audio.create('createInnerAudioContext');
local.getBackgroundAudioManager = () => audio.create('getBackgroundAudioManager');
for (const name of NAVIGATION) local[name] = (options = {}) => settleLocal(options, () => navigate(name, options));
frameLogic = createFrameLogic({ post, stack, alive, call, remote, reportError });
Object.assign(local, frameLogic.local);

const my = new Proxy(Object.create(null), {
  get(_, name) {
    if (typeof name !== 'string') return undefined;
    if (name in local) return local[name];
    if (name === 'then') return undefined; // `my` is not a thenable
    const listener = /^(on|off)([A-Z]\w*)$/.exec(name);
    if (listener) return (callback) => (listener[1] === 'on' ? addListener : removeListener)(listener[2], callback);
    return (options) => remote(name, options);
  },
});

// my.onXxx(callback) / my.offXxx(callback) of the runtime (sockets, network status, app
// show/hide, screenshots, …): the callbacks stay here; the render side listens once per event
// with a forwarder and posts each event back (a function cannot cross to it).
const eventListeners = new Map(); // event name (`SocketOpen`) → callbacks

function addListener(event, callback) {
  if (typeof callback !== 'function') {
    console.error(`my.on${event}: the listener must be a function, not ${typeof callback}`);
    return;
  }
  const list = eventListeners.get(event) ?? [];
  if (list.includes(callback)) return;
  list.push(callback);
  eventListeners.set(event, list);
  if (list.length === 1) post({ type: 'listen', event, on: true });
}

function removeListener(event, callback) {
  const list = eventListeners.get(event);
  if (!list) return;
  if (typeof callback === 'function') { if (list.includes(callback)) list.splice(list.indexOf(callback), 1); } else list.length = 0;
  if (!list.length) { eventListeners.delete(event); post({ type: 'listen', event, on: false }); }
}

function dispatchEvent(event, args) {
  for (const callback of [...(eventListeners.get(event) ?? [])]) {
    try { callback(...(Array.isArray(args) ? args : [])); } catch (e) { reportError(e); notifyError(e); }
  }
}

// ---- messages from the render side -----------------------------------------------------------

function pageById(id) { return stack.pages.find((p) => p.id === id) ?? null; }

function boot(message) {
  files = { ...message.files };
  layout = message.layout ?? layout;
  loaded.add(message.package ?? MAIN_PACKAGE);
  storage = new StorageMirror(message.sync?.entries ?? {}, (change) => post({ type: 'storage', change }));
  syncInfo = message.sync?.info ?? {};
  canIUseTable = message.sync?.canIUse ?? {};
  try { appJson = JSON.parse(files['app.json'] ?? '{}'); } catch (e) {
    reportError(new SyntaxError(`app.json: ${e.message}`), { file: 'app.json' });
    return;
  }
  try { pages = appRoutes(appJson); } catch (e) { reportError(e, { file: 'app.json' }); return; }
  tabPages = (appJson.tabBar?.items ?? []).map((i) => String(i.pagePath ?? '').replace(/^\/+/, ''));
  if (!pages.length) { reportError(new RuntimeError('app.json lists no pages'), { file: 'app.json' }); return; }
  const entry = message.entry?.page ? String(message.entry.page).replace(/^\/+/, '') : (appJson.entryPagePath ?? pages[0]);
  const query = parseQuery(message.entry?.query ?? '');
  // The launch is the entry page with its query (the render side's own URL is the host page's).
  for (const name of ['getLaunchOptionsSync', 'getEnterOptionsSync']) {
    syncInfo[name] = { scene: 1000, apiCategory: 'default', ...(syncInfo[name] ?? {}), path: entry, query };
  }
  // A launch at an independent subpackage's page runs neither app.js nor the main package.
  if (!packageOf(layout, entry)?.independent && !startMain(entry, query)) return;
  const open = () => {
    const page = createPage(entry, query);
    stack.push(page);
    openPage(page);
  };
  try {
    if (!pages.includes(entry)) throw new RuntimeError(`page=${entry}: not in app.json's pages (${pages.join(', ')})`);
    const wait = enter(entry, query);
    if (wait) wait.then(open).catch((e) => reportError(e, e.where)); else open();
  } catch (e) {
    reportError(e, e.where);
  }
}

self.addEventListener('error', (e) => {
  const error = e.error ?? new Error(e.message);
  reportError(error);
  notifyError(error);
});
// A Promise of the app's code rejected and nobody caught it (a request to a server that is not
// there, an async onLoad that throws): as on a device and in the IDE, the page keeps working;
// the reason goes to the console, the devtools' JSAPI log, App.onUnhandledRejection and the
// my.onUnhandledRejection listeners. Only a module that does not compile still stops the page.
self.addEventListener('unhandledrejection', (e) => {
  e.preventDefault(); // logged below, once, with where it came from
  unhandledRejection(e.reason, e.promise);
});

self.onmessage = ({ data: message }) => {
  switch (message?.type) {
    case 'boot': boot(message); break;
    case 'packageLoaded': packageLoaded(message); break;
    case 'opened': {
      const page = pageById(message.pageId);
      if (page && !page.ready) { page.ready = true; call(page.instance, 'onReady'); }
      break;
    }
    case 'components': components.lifecycle(message); break;
    case 'rendered': {
      if (message.componentId) { components.rendered(message.callbackId); break; }
      const pending = pendingRenders.get(message.callbackId);
      pendingRenders.delete(message.callbackId);
      if (pending) { try { pending.callback.call(pending.page.instance); } catch (e) { reportError(e); } }
      break;
    }
    case 'event': {
      const page = pageById(message.pageId);
      if (!page) break;
      const target = message.componentId ? components.instance(page.id, message.componentId) : page.instance;
      const handler = target?.[message.handler];
      if (typeof handler !== 'function') {
        console.warn(`${page.route}: no handler "${message.handler}" for ${message.event?.type}`);
        break;
      }
      try {
        const result = handler.call(target, message.event);
        // An async handler's rejection is an unhandled rejection of the app's, as on a device.
        if (result && typeof result.catch === 'function') result.catch((e) => unhandledRejection(e, result));
      } catch (e) { reportError(e); notifyError(e); }
      break;
    }
    case 'navigate': {
      try { navigate(message.kind, message.options ?? {})?.catch?.((e) => reportError(e)); } catch (e) { reportError(e); }
      break;
    }
    case 'storageAck': {
      const refused = storage?.ack(message.seq, message.ok, message.current);
      if (refused !== null && refused !== undefined) {
        console.error(`my storage: the browser refused to store "${refused}" (its localStorage is full): the value is what it was before`);
      }
      break;
    }
    case 'storageExternal':
      if (message.entries) storage?.externalAll(message.entries); else storage?.external(message.key, message.value);
      break;
    case 'syncInfo': Object.assign(syncInfo, message.info ?? {}); break;
    case 'myEvent': dispatchEvent(String(message.event ?? ''), message.args); break;
    case 'audioEvent': audio.onMessage(message); break;
    case 'myResult': {
      const pending = pendingCalls.get(message.id);
      pendingCalls.delete(message.id);
      if (!pending) break;
      if (message.ok) pending.resolve(message.value); else pending.reject(message.value);
      break;
    }
    default: frameLogic.onMessage(message); break;
  }
};
