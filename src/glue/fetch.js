// The hot path of `my.request` (direct transport) on the JS side of the boundary: one call
// into JS to send and read a response, one back, instead of a wasm↔JS crossing (and a
// string copy) per header, setter and property. Decisions stay in Rust; this only moves data.

/** Starts the call's timeout: aborts `controller` with `reason` after `ms`. Returns the id. */
export function armTimeout(controller, ms, reason) {
  return setTimeout(() => controller.abort(reason), ms);
}

/** Makes `promise` a RequestTask: `abort()` aborts the call's controller. */
export function attachAbort(promise, controller) {
  promise.abort = () => controller.abort();
}

/** The `my.request` success object (SPEC §3, with the `statusCode`/`header` aliases). */
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
