// The extras module (extras/, built to pkg/extras/): the rarely used APIs, loaded on the first
// call of one of them (DESIGN.md "Size of the start wasm"). Loads it once, queues the calls made
// meanwhile and replays them in order, hands it the configure() patches given before (with the
// devtools logger), and gives it later ones before the start module applies them. A failed load
// fails every queued and later call through `fail` (error 3 naming the reason): never a
// pending Promise.

// The extras APIs whose Promise is also a task (the typings' UploadTask/DownloadTask).
const TRANSFER_TASK = ['abort', 'onProgressUpdate', 'offProgressUpdate', 'onHeadersReceived', 'offHeadersReceived'];
const TASK_METHODS = { downloadFile: TRANSFER_TASK, uploadFile: TRANSFER_TASK };

let url = null; // `extrasUrl`, if configured
const pending = []; // configure() patches given before the module loaded, in order
let loading = null; // Promise of the module, from the first call (or loadExtras()) on
let module = null; // the module, once loaded and configured
let queued = 0; // calls waiting for the load: later calls queue behind them, in order

// Where the module is: `extrasUrl` if configured, else pkg/extras/ beside this package (the
// glue; or pkg/ above snippets/ when this file is a wasm-bindgen snippet).
function moduleUrl() {
  if (url !== null) return url;
  const here = import.meta.url;
  const cut = here.indexOf('/snippets/');
  return new URL('extras/miniprogram_shim_extras.js', cut >= 0 ? here.slice(0, cut + 1) : here).href;
}

async function load() {
  const from = moduleUrl();
  let m;
  try {
    m = await import(from);
    await m.default();
  } catch (e) {
    throw new Error(`the extras module did not load from ${from}: ${(e && e.message) || e}`);
  }
  // The configuration given so far, in order; one the module refuses (a bad `device`) is
  // reported and skipped, as the start module cannot refuse it after the fact.
  for (const patch of pending.splice(0)) {
    try {
      m.configure(patch);
    } catch (e) {
      console.error('miniprogram-shim: configure(): the extras module refused', patch, e);
    }
  }
  module = m;
  return m;
}

/** A configure() patch, before the start module applies it: the loaded module checks and
 *  applies it now (throwing refuses the whole call); before the load it is kept. */
export function extrasConfigure(patch) {
  if (!patch || typeof patch !== 'object') return;
  if (typeof patch.extrasUrl === 'string' && !loading) url = patch.extrasUrl;
  if (module) module.configure(patch);
  else pending.push(patch);
}

/** Loads the module now (once); resolves when it is loaded and configured. */
export function extrasLoad() {
  if (!loading) loading = load();
  return loading.then(() => undefined);
}

/** Calls the extras API `name`; `failed(name, options, reason)` answers a call when the module
 *  cannot load (the start module's adapter: fail/complete/Promise with error 3). */
export function extrasCall(name, options, failed) {
  if (module && queued === 0) return module.call(name, options);
  if (!loading) loading = load();
  queued++;
  let task = null; // the real call's return value, for the task methods below
  const ops = [];
  const done = loading.then(
    (m) => {
      queued--;
      task = m.call(name, options);
      for (const [method, arg] of ops) task[method](arg);
      return task;
    },
    (e) => { queued--; return failed(name, options, String((e && e.message) || e)); },
  );
  // An UploadTask/DownloadTask: its methods work at once; what they did is replayed on the
  // real task (an abort made while loading aborts it as it starts).
  for (const method of TASK_METHODS[name] || []) {
    done[method] = (arg) => {
      if (task) return task[method](arg);
      ops.push([method, arg]);
      return method === 'abort' ? Promise.resolve({ success: true }) : undefined;
    };
  }
  // As the adapter does (docs/protocol.md §2): with `fail`/`complete` the rejection is handled.
  if (options && (typeof options.fail === 'function' || typeof options.complete === 'function')) {
    done.catch(() => {});
  }
  return done;
}
