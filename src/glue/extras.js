// The extras module (extras/, built to pkg/extras/): the rarely used APIs, loaded on the first
// call of one of them (DESIGN.md "Size of the start wasm"). Loads it once, queues the calls made
// meanwhile and replays them in order, hands it the configure() patches given before (with the
// devtools logger), and gives it later ones before the start module applies them. A failed load
// fails every queued and later call through `fail` (error 3 naming the reason): never a
// pending Promise.

// The extras APIs whose Promise is also a task (the typings' UploadTask/DownloadTask).
const TRANSFER_TASK = ['abort', 'onProgressUpdate', 'offProgressUpdate', 'onHeadersReceived', 'offHeadersReceived'];
const TASK_METHODS = { downloadFile: TRANSFER_TASK, uploadFile: TRANSFER_TASK };
// The typings' SocketTask (`connectSocket({ multiple: true })`); send and close answer with a
// Promise, the others register listeners.
const SOCKET_TASK = ['send', 'close', 'onOpen', 'offOpen', 'onMessage', 'offMessage', 'onError', 'offError', 'onClose', 'offClose'];
// At most this many calls wait on one SocketTask while the module loads: twice the 64 messages
// a socket queues before it opens, so a page within the socket's own limits never meets it.
const MAX_TASK_CALLS = 128;
let taskIds = 0; // SocketTask ids, given here so a task has its id before the module loads

// The global socket's listeners (`my.onSocketOpen` …): registered here at once, handed to the
// module when it loads (its global socket emits to them).
const socketLists = { open: [], message: [], error: [], close: [] };

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
  m.useSocketListeners(socketLists);
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

/** `my.onSocket<Kind>(cb)` / `my.offSocket<Kind>(cb?)`: adds `cb` once, or removes it (all of
 *  the kind without one). False when `on…` was not given a function. */
export function socketListener(name, cb) {
  const on = name.startsWith('on');
  const list = socketLists[name.slice(on ? 8 : 9).toLowerCase()];
  if (on) {
    if (typeof cb !== 'function') return false;
    if (!list.includes(cb)) list.push(cb);
  } else if (cb === undefined || cb === null) {
    list.length = 0;
  } else if (list.includes(cb)) {
    list.splice(list.indexOf(cb), 1);
  }
  return true;
}

const hasCallbacks = (options) =>
  !!options && (typeof options.fail === 'function' || typeof options.complete === 'function');

/** `connectSocket({ multiple: true })`: the SocketTask at once. Before the module has loaded
 *  it is a stand-in whose calls (at most MAX_TASK_CALLS) wait and are replayed in order on the
 *  real task; `send`/`close` return Promises the real calls settle. When the module cannot
 *  load, connectSocket and every waiting or later send/close fail with error 3 naming why. */
function socketTask(options, failed) {
  const id = String(++taskIds);
  if (module && queued === 0) return module.connectSocketTask(options, id);
  if (!loading) loading = load();
  queued++;
  let real = null;
  let reason = null; // why the module did not load
  const ops = []; // [method, argument, resolve of its Promise or null], in call order
  loading.then(
    (m) => {
      queued--;
      real = m.connectSocketTask(options, id);
      for (const [method, arg, resolve] of ops.splice(0)) {
        // A throw settles its own Promise and stops no later call (none stays pending).
        try {
          const answer = real[method](arg);
          if (resolve) resolve(answer);
        } catch (e) {
          if (resolve) resolve(Promise.reject(e));
          else console.error(`miniprogram-shim: SocketTask.${method} threw`, e);
        }
      }
    },
    (e) => {
      queued--;
      reason = String((e && e.message) || e);
      failed('connectSocket', options, reason).catch(() => {});
      for (const [method, arg, resolve] of ops.splice(0)) {
        if (resolve) resolve(failed(`SocketTask.${method}`, arg, reason));
      }
    },
  );
  const task = { socketTaskID: id };
  for (const method of SOCKET_TASK) {
    const answers = method === 'send' || method === 'close';
    task[method] = (arg) => {
      if (real) return real[method](arg);
      if (reason !== null) return answers ? failed(`SocketTask.${method}`, arg, reason) : undefined;
      if (ops.length >= MAX_TASK_CALLS) {
        const message = `SocketTask.${method}:fail ${MAX_TASK_CALLS} calls already wait on this SocketTask for the extras module to load, the limit`;
        if (answers) return failed(`SocketTask.${method}`, arg, message, 12);
        console.error(`miniprogram-shim: ${message}`);
        return undefined;
      }
      if (!answers) {
        ops.push([method, arg, null]);
        return undefined;
      }
      let resolve;
      const answer = new Promise((r) => { resolve = r; });
      ops.push([method, arg, resolve]);
      if (hasCallbacks(arg)) answer.catch(() => {});
      return answer;
    };
  }
  return task;
}

// ---- the audio objects (extras/src/audio.rs, extras/src/glue/audio.rs) ----------------------
// `my.createInnerAudioContext()` and `my.getBackgroundAudioManager()` answer with their object at
// once, as on a device. The object is made here: it keeps its listener lists (the module's driver
// emits to them) and, until the module has loaded, the values set and the methods called, which
// it replays in order on the driver (`audioContext` of the module). Every property read and
// write and every method goes to the driver once it is there. The lists below mirror
// `Kind::events`/`Kind::settings` of extras/src/audio.rs (tests/extras.rs checks them).
const AUDIO_EVENTS = ['Canplay', 'Play', 'Pause', 'Stop', 'Ended', 'TimeUpdate', 'Error', 'Waiting', 'Seeking', 'Seeked'];
const AUDIO = {
  inner: {
    events: AUDIO_EVENTS,
    settings: ['src', 'startTime', 'autoplay', 'loop', 'volume', 'obeyMuteSwitch', 'playbackRate'],
    methods: ['play', 'pause', 'stop', 'seek', 'destroy'],
  },
  background: {
    events: AUDIO_EVENTS.concat(['Prev', 'Next']),
    settings: ['src', 'startTime', 'title', 'epname', 'singer', 'coverImgUrl', 'webUrl', 'protocol', 'playbackRate'],
    methods: ['play', 'pause', 'stop', 'seek'],
  },
};
const AUDIO_READS = ['currentTime', 'duration', 'paused', 'buffered'];
const AUDIO_DEFAULTS = { startTime: 0, autoplay: false, loop: false, volume: 1, obeyMuteSwitch: true, playbackRate: 1, protocol: 'http' };
let backgroundAudio = null; // the app's one BackgroundAudioManager

function audioObject(kind) {
  if (kind === 'background' && backgroundAudio) return backgroundAudio;
  const spec = AUDIO[kind];
  const lists = {};
  for (const e of spec.events) lists[e] = [];
  let driver = null;
  let reason = null; // why the module did not load
  const ops = []; // [op, name, value] until the driver is there
  const kept = {}; // the values set meanwhile
  const later = (name, op, value) => {
    if (driver) return driver[op](name, value);
    if (reason !== null) {
      if (op === 'call' && name === 'play') {
        const err = { errCode: 10001, errMsg: reason, error: 10001, errorMessage: reason };
        setTimeout(() => lists.Error.slice().forEach((fn) => { try { fn(err); } catch (e) { console.error(e); } }), 0);
      }
      return undefined;
    }
    if (ops.length >= MAX_TASK_CALLS) {
      console.error(`miniprogram-shim: ${MAX_TASK_CALLS} calls already wait on this audio object for the extras module to load, the limit`);
      return undefined;
    }
    ops.push([op, name, value]);
    return undefined;
  };
  const ctx = {};
  for (const name of spec.settings) {
    Object.defineProperty(ctx, name, {
      enumerable: true,
      get: () => (driver ? driver.get(name) : name in kept ? kept[name] : name in AUDIO_DEFAULTS ? AUDIO_DEFAULTS[name] : ''),
      set: (value) => { if (!driver) kept[name] = value; later(name, 'set', value); },
    });
  }
  for (const name of AUDIO_READS) {
    Object.defineProperty(ctx, name, { enumerable: true, get: () => (driver ? driver.get(name) : name === 'paused' ? true : 0) });
  }
  for (const method of spec.methods) ctx[method] = (arg) => { later(method, 'call', arg); };
  for (const e of spec.events) {
    ctx[`on${e}`] = (fn) => {
      if (typeof fn !== 'function') { console.error(`miniprogram-shim: on${e}: the listener must be a function, not ${typeof fn}`); return; }
      if (!lists[e].includes(fn)) lists[e].push(fn);
    };
    ctx[`off${e}`] = (fn) => {
      if (fn === undefined || fn === null) lists[e].length = 0;
      else if (lists[e].includes(fn)) lists[e].splice(lists[e].indexOf(fn), 1);
    };
  }
  const attach = (m) => {
    driver = m.audioContext(kind, lists);
    for (const [op, name, value] of ops.splice(0)) driver[op](name, value);
  };
  if (module) attach(module);
  else {
    if (!loading) loading = load();
    loading.then(attach, (e) => {
      reason = String((e && e.message) || e);
      ops.length = 0;
      console.error(`miniprogram-shim: ${kind === 'inner' ? 'InnerAudioContext' : 'BackgroundAudioManager'}: ${reason}`);
    });
  }
  if (kind === 'background') backgroundAudio = ctx;
  return ctx;
}

/** Calls the extras API `name`; `failed(name, options, reason, code?)` answers a call when the
 *  module cannot load (the start module's adapter: fail/complete/Promise with error 3, or
 *  `code`). */
export function extrasCall(name, options, failed) {
  if (name === 'connectSocket' && options && options.multiple) return socketTask(options, failed);
  if (name === 'createInnerAudioContext') return audioObject('inner');
  if (name === 'getBackgroundAudioManager') return audioObject('background');
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
  if (hasCallbacks(options)) done.catch(() => {});
  return done;
}
