// The hot path of `my.request` (direct transport) on the JS side of the boundary: one call
// into JS to send and read a response, one back, instead of a wasm↔JS crossing (and a
// string copy) per header, setter and property. Decisions stay in Rust; this only moves data.

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
 * fetch + read the whole body. `headers` is the mini program's (validated) object or
 * undefined; `addContentType` adds the default `content-type: application/json`.
 * Resolves with [status, headers as a plain object, body text or ArrayBuffer].
 */
export function fetchResponse(url, method, headers, addContentType, body, signal, include, asBytes) {
  const init = {
    method,
    headers: addContentType ? { 'content-type': 'application/json', ...headers } : headers,
    signal,
    credentials: include ? 'include' : 'omit',
  };
  if (body !== undefined) init.body = body;
  return fetch(url, init).then((response) =>
    (asBytes ? response.arrayBuffer() : response.text()).then((data) => [
      response.status,
      Object.fromEntries(response.headers),
      data,
    ]));
}
