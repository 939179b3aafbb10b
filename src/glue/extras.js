// The extras module (extras/, built to pkg/extras/): the rarely used APIs, loaded on the first
// call of one of them (DESIGN.md "Size of the start wasm"). Loads it once, queues the calls made
// meanwhile and replays them in order, hands it the configuration (the merged configure()
// patches, with the devtools logger), and forwards later configure() calls. A failed load
// fails every queued and later call through `fail` (error 3 naming the reason): never a
// pending Promise.

// The extras APIs whose Promise is also a task (the typings' UploadTask/DownloadTask).
const TRANSFER_TASK = ['abort', 'onProgressUpdate', 'offProgressUpdate', 'onHeadersReceived', 'offHeadersReceived'];
const TASK_METHODS = { downloadFile: TRANSFER_TASK, uploadFile: TRANSFER_TASK };

const config = {}; // every accepted configure() patch, merged (undefined leaves a key as it is)
let loading = null; // Promise of the module, from the first call on
let module = null; // the module, once loaded and configured
let queued = 0; // calls waiting for the load: later calls queue behind them, in order

function merge(into, patch) {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) continue;
    if (key === 'device' && value && typeof value === 'object' && into.device && typeof into.device === 'object') {
      into.device = merge(Object.assign({}, into.device), value);
    } else {
      into[key] = value;
    }
  }
  return into;
}

// Where the module is: `extrasUrl` if configured (www/my.js sets it), else pkg/extras/ beside
// this package (the glue; or pkg/ above snippets/ when this file is a wasm-bindgen snippet).
function moduleUrl() {
  if (typeof config.extrasUrl === 'string') return config.extrasUrl;
  const here = import.meta.url;
  const cut = here.indexOf('/snippets/');
  return new URL('extras/miniprogram_shim_extras.js', cut >= 0 ? here.slice(0, cut + 1) : here).href;
}

async function load() {
  const url = moduleUrl();
  let m;
  try {
    m = await import(url);
    await m.default();
  } catch (e) {
    throw new Error(`the extras module did not load from ${url}: ${(e && e.message) || e}`);
  }
  m.configure(config);
  module = m;
  return m;
}

/** After the start module accepted `patch`: kept for the extras module, and given to it now
 *  when it is loaded. */
export function extrasConfigured(patch) {
  if (!patch || typeof patch !== 'object') return;
  merge(config, patch);
  if (!module) return;
  try {
    module.configure(patch);
  } catch (e) {
    console.error('miniprogram-shim: the extras module refused a configuration', patch, e);
  }
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
