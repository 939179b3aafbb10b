// The per-call hot paths on the JS side of the boundary: `my.request` (direct transport) and
// the storage APIs. One call into JS does what would otherwise be a wasm↔JS crossing (and a
// string copy) per header, setter, property or `localStorage` call. Decisions stay in Rust
// (validation, quota, error shapes); this only moves data (BENCHMARKS.md, the shim's profile).

// Every call's timeout on one timer. A setTimeout + clearTimeout pair per call cost more than
// the rest of the call's JS (BENCHMARKS.md); deadlines mostly arrive in order (one default
// timeout), so the timer is re-armed only for an earlier deadline or when it fires.
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
      entry.controller.abort(entry.reason);
    } else if (entry.at < next) {
      next = entry.at;
    }
  }
  if (next !== Infinity) schedule(next);
}

/** Starts the call's timeout: aborts `controller` with `reason` after `ms`. Returns its handle. */
export function armTimeout(controller, ms, reason) {
  const entry = { controller, reason, at: performance.now() + ms };
  deadlines.add(entry);
  if (entry.at < timerAt) schedule(entry.at);
  return entry;
}

/** Cancels a timeout `armTimeout` started (the call settled first). */
export function disarmTimeout(entry) {
  // The timer stays armed: when it fires with nothing due it stops, which costs less than a
  // clearTimeout + setTimeout per call.
  deadlines.delete(entry);
}

/** Makes `promise` a RequestTask: `abort()` aborts the call's controller. */
export function attachAbort(promise, controller) {
  promise.abort = () => controller.abort();
}

/** The `my.request` success object (docs/protocol.md §3, with the `statusCode`/`header` aliases). */
export function successObject(data, status, headers) {
  return { data, status, headers, statusCode: status, header: headers };
}

/**
 * The direct `my.request` (src/glue/request.rs): after `delayMs` (the simulator's latency),
 * fetch + read the whole body, and report to `replied([token, ok, status, headers, body])` —
 * `ok` true with the status, the headers as a plain object and the body (text, or an
 * ArrayBuffer when `asBytes`); else false with the rejection as `body`. No Promise goes back
 * to wasm: the call settles from here, with no Rust future or closure per call.
 * `headers` is the mini program's (validated) object or undefined; `addContentType` adds the
 * default `content-type: application/json`. `url` undefined: nothing is sent, the reply is a
 * failure once the wait is over (Rust holds the error); `hang`: wait for the abort only (the
 * simulated timeout). A wait ends early, rejecting with its reason, when `signal` aborts.
 * Sent from a microtask, so an `abort()` right after the call means nothing is sent.
 */
export function sendDirect(url, method, headers, addContentType, body, signal, include, asBytes, delayMs, hang, token, replied) {
  const failed = (error) => replied([token, false, 0, undefined, error]);
  const send = () => {
    if (url === undefined) return failed(undefined);
    // Aborted right after the call (`my.request(...).abort()`): never sent.
    if (signal && signal.aborted) return failed(signal.reason);
    try {
      const init = {
        method,
        headers: addContentType ? { 'content-type': 'application/json', ...headers } : headers,
        signal,
        credentials: include ? 'include' : 'omit',
      };
      if (body !== undefined) init.body = body;
      fetch(url, init).then((response) => {
        (asBytes ? response.arrayBuffer() : response.text()).then(
          (data) => replied([token, true, response.status, Object.fromEntries(response.headers), data]),
          failed,
        );
      }, failed);
    } catch (error) {
      failed(error);
    }
  };
  if (delayMs > 0 || hang) wait(signal, hang ? -1 : delayMs).then(send, failed);
  else queueMicrotask(send); // an abort() in the caller's own synchronous code comes first
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
