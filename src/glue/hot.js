// The per-call hot paths on the JS side of the boundary: `my.request` (direct transport), the
// storage APIs and the toast's timer. One call into JS does what would otherwise be a wasm↔JS crossing (and a
// string copy) per header, setter, property or `localStorage` call. Decisions stay in Rust
// (validation, quota, error shapes); this only moves data (BENCHMARKS.md, the shim's profile).

// Every call's timeout (and every toast's duration) on one timer. A setTimeout + clearTimeout
// pair per call cost more than the rest of the call's JS (BENCHMARKS.md); deadlines mostly
// arrive in order (one default timeout), so the timer is re-armed only for an earlier deadline
// or when it fires. An entry is `{ at, run, arg }`: `run(arg)` when `at` is reached.
const deadlines = new Set();
let timer = null;
let timerAt = Infinity;

function schedule(at) {
  if (timer !== null) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(expire, Math.max(0, at - performance.now()));
}

function expire() {
  timer = null;
  timerAt = Infinity;
  const now = performance.now();
  let next = Infinity;
  for (const entry of deadlines) {
    if (entry.at <= now + 1) { // timers may fire a little before performance.now() says
      deadlines.delete(entry);
      entry.run(entry.arg);
    } else if (entry.at < next) {
      next = entry.at;
    }
  }
  if (next !== Infinity) schedule(next);
}

/** Calls `run(arg)` after `ms` (unless `disarmTimeout` cancels it first). Returns its handle. */
function after(ms, run, arg) {
  const entry = { at: performance.now() + ms, run, arg };
  deadlines.add(entry);
  if (entry.at < timerAt) schedule(entry.at);
  return entry;
}

const resolved = Promise.resolve();

/** The abort reason of a call's timeout, so a timeout (13) is told apart from `abort()` (9). */
const TIMEOUT = 'miniprogram-shim:timeout';
const timeOut = (controller) => controller.abort(TIMEOUT);

/** Calls `fn()` after `ms` on the shared timer (a toast's duration). Returns its handle for
 * `disarmTimeout`. */
export function armTimer(ms, fn) {
  return after(ms, fn, undefined);
}

/** The methods `fetch` can send, in the order of `Method` (src/request.rs): `methodIndex`. */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'];

/**
 * The direct `my.request` (src/glue/request.rs), all of its JS in one call from wasm: makes
 * `promise` a RequestTask (`abort()`), starts the call's timeout (`timeoutMs`, on the shared
 * timer), waits `delayMs` (the simulator's latency), then fetches and reads the whole body,
 * and reports once to `replied([token, kind, status, headers, data])`:
 *   kind 0: the status, the headers as a plain object and the body as read (text, or an
 *           ArrayBuffer when `asBytes`);
 *   kind 1: the same with the body parsed as JSON (`asJson` and the text is JSON; when it is
 *           not, kind 0 with the text: what that means is decided in Rust);
 *   kind 2: the fetch (or the body) failed, the rejection in `data`;
 *   kind 3: `abort()` ended it; kind 4: the timeout ended it.
 * No Promise goes back to wasm: the call settles from here, with no Rust future or closure per
 * call. `url` is a string (the mini program's own when nothing was added to it) or undefined:
 * then nothing is sent and the reply is kind 2 once the wait is over (Rust holds the error).
 * `methodIndex` is the method's place in `METHODS`; `headers` is the mini program's (validated)
 * object or undefined; `addContentType` adds the default `content-type: application/json`;
 * `hang`: wait for the abort or the timeout only (the simulated timeout). Sent from a
 * microtask, so an `abort()` right after the call means nothing is sent.
 */
export function sendDirect(promise, url, methodIndex, headers, addContentType, body, include, asBytes, asJson,
  delayMs, hang, timeoutMs, token, replied) {
  const controller = new AbortController();
  const signal = controller.signal;
  promise.abort = () => controller.abort();
  const deadline = after(timeoutMs, timeOut, controller);
  let done = false;
  const reply = (kind, status, headers, data) => {
    if (done) return;
    done = true;
    // The timer stays armed: when it fires with nothing due it stops, which costs less than a
    // clearTimeout + setTimeout per call.
    deadlines.delete(deadline);
    replied([token, kind, status, headers, data]);
  };
  const failed = (error) => {
    if (signal.aborted) reply(signal.reason === TIMEOUT ? 4 : 3, 0, undefined, undefined);
    else reply(2, 0, undefined, error);
  };
  const send = () => {
    if (signal.aborted || url === undefined) return failed(undefined);
    try {
      const init = {
        method: METHODS[methodIndex],
        headers: addContentType ? { 'content-type': 'application/json', ...headers } : headers,
        signal,
        credentials: include ? 'include' : 'omit',
      };
      if (body !== undefined) init.body = body;
      fetch(url, init).then((response) => {
        (asBytes ? response.arrayBuffer() : response.text()).then((data) => {
          const status = response.status;
          const headers = Object.fromEntries(response.headers);
          if (asJson) {
            let parsed;
            try {
              parsed = JSON.parse(data);
            } catch (e) {
              return reply(0, status, headers, data);
            }
            return reply(1, status, headers, parsed);
          }
          reply(0, status, headers, data);
        }, failed);
      }, failed);
    } catch (error) {
      failed(error);
    }
  };
  if (delayMs > 0 || hang) wait(signal, hang ? -1 : delayMs).then(send, failed);
  // In a microtask, so an abort() in the caller's own synchronous code comes first. (A
  // resolved Promise's `then`, not queueMicrotask: the same order, for less than a tenth of
  // the cost in Chromium.)
  else resolved.then(send);
}

/** Arms the timeout of a call that does not go through `sendDirect` (the relay): aborts
 * `controller` after `ms` with the timeout's reason. Returns its handle for `disarmTimeout`. */
export function armCallTimeout(controller, ms) {
  return after(ms, timeOut, controller);
}

/** Cancels what `armCallTimeout` or `armTimer` started (the call settled first). */
export function disarmTimeout(entry) {
  deadlines.delete(entry);
}

/** Makes `promise` a RequestTask: `abort()` aborts the call's controller. */
export function attachAbort(promise, controller) {
  promise.abort = () => controller.abort();
}

/** Whether `signal` was aborted by a call's timeout (13) rather than `abort()` (9). */
export function timedOut(signal) {
  return signal.reason === TIMEOUT;
}

/** The `my.request` success object (docs/protocol.md §3, with the `statusCode`/`header` aliases). */
export function successObject(data, status, headers) {
  return { data, status, headers, statusCode: status, header: headers };
}

/** Resolves after `ms` (never when `ms` < 0); rejects with the reason when `signal` aborts. */
function wait(signal, ms) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(signal.reason);
    let timer = null;
    const aborted = () => {
      if (timer !== null) clearTimeout(timer);
      reject(signal.reason);
    };
    if (signal) signal.addEventListener('abort', aborted, { once: true });
    if (ms >= 0) {
      timer = setTimeout(() => {
        if (signal) signal.removeEventListener('abort', aborted);
        resolve();
      }, ms);
    }
  });
}

// ---- storage (src/glue/storage.rs) ----------------------------------------------------------
// The app's prefix and the mini program's key stay JS strings (joined here, never copied out
// of wasm memory), and no stored value crosses into wasm: only lengths do.

/** Length of the value under `prefix + key`, or -1 when there is none. */
export function storedLength(storage, prefix, key) {
  const value = storage.getItem(prefix + key);
  return value === null ? -1 : value.length;
}

/** `setItem(prefix + key, json)` (throws what it throws: the browser's storage is full); the
 * `localStorage.length` after it. */
export function storeItem(storage, prefix, key, json) {
  storage.setItem(prefix + key, json);
  return storage.length;
}

/** `removeItem(prefix + key)`; the `localStorage.length` after it. */
export function eraseItem(storage, prefix, key) {
  storage.removeItem(prefix + key);
  return storage.length;
}

/** `{ data }` for `prefix + key`: `null` when absent, the value parsed as JSON, or its text when
 * it is not JSON (a value the page wrote itself). */
export function loadItem(storage, prefix, key) {
  const text = storage.getItem(prefix + key);
  if (text === null) return { data: null };
  try {
    return { data: JSON.parse(text) };
  } catch (e) {
    return { data: text };
  }
}

/** The storage APIs' success object. */
export function storedOk() {
  return { success: true };
}
