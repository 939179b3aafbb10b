// The browser side of my.uploadFile / my.downloadFile (extras/src/glue/network.rs):
// XMLHttpRequest, because it is the browser API that reports upload and download progress, and
// the task listener lists. Decisions stay in Rust; this only moves data and events.

function headersOf(xhr) {
  const headers = {};
  for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/**
 * Sends one request with XMLHttpRequest. `headers` is a plain object; `body` a Uint8Array, a
 * string or undefined; `onProgress(phase, loaded, total, extra)` is called with phase
 * "upload" or "download" (`extra`: the relay's `x-relay-body-length`, or null) and "headers"
 * (`extra`: the response headers, once they arrive); `maxBytes` (> 0) stops a download whose
 * answer passes it; `asJson` reads the answer as JSON (the relay's). Returns
 * `{ promise, abort }`; the promise resolves with `[status, headers, ArrayBuffer | JSON]` and
 * rejects with `{ kind, message }`, kind `timeout` | `abort` | `network` | `too_large`.
 */
export function xhrSend(url, method, headers, body, timeoutMs, onProgress, maxBytes, asJson) {
  const xhr = new XMLHttpRequest();
  let settled = false;
  let rejectWith = null;
  const promise = new Promise((resolve, reject) => {
    rejectWith = (kind, message) => {
      if (settled) return;
      settled = true;
      reject({ kind, message });
    };
    try {
      xhr.open(method, url, true);
      xhr.responseType = asJson ? 'json' : 'arraybuffer';
      xhr.timeout = timeoutMs;
      for (const [name, value] of Object.entries(headers || {})) xhr.setRequestHeader(name, value);
    } catch (e) {
      rejectWith('network', String((e && e.message) || e));
      return;
    }
    // Read from the exposed headers once they arrive: asking for a header the answer does not
    // expose makes the browser log an error.
    let relayBodyLength = null;
    const size = () => relayBodyLength;
    const live = (...args) => { if (!settled) onProgress(...args); };
    xhr.onreadystatechange = () => {
      if (xhr.readyState !== 2) return;
      const headers = headersOf(xhr);
      relayBodyLength = headers['x-relay-body-length'] ?? null;
      live('headers', 0, 0, headers);
    };
    xhr.upload.onprogress = (e) => live('upload', e.loaded, e.lengthComputable ? e.total : 0, null);
    xhr.onprogress = (e) => {
      if (maxBytes > 0 && (e.loaded > maxBytes || (e.lengthComputable && e.total > maxBytes))) {
        rejectWith('too_large', `the answer is over ${maxBytes} bytes`);
        xhr.abort();
        return;
      }
      live('download', e.loaded, e.lengthComputable ? e.total : 0, size());
    };
    xhr.onload = () => {
      if (settled) return;
      settled = true;
      resolve([xhr.status, headersOf(xhr), xhr.response]);
    };
    xhr.onerror = () => rejectWith('network', `${method} ${url} failed (no answer, refused or blocked by CORS)`);
    xhr.ontimeout = () => rejectWith('timeout', `no answer within ${timeoutMs} ms`);
    xhr.onabort = () => rejectWith('abort', 'aborted');
    xhr.send(body === undefined ? null : body);
  });
  return {
    promise,
    abort: () => {
      if (!settled) xhr.abort();
    },
  };
}

/**
 * The task half of an upload or download: its listeners and its abort. `attachTask` puts
 * `abort`, `onProgressUpdate`/`offProgressUpdate` and `onHeadersReceived`/`offHeadersReceived`
 * on the call's Promise (the typings' UploadTask/DownloadTask); Rust calls `emit`.
 */
export function newTask() {
  const lists = { progress: [], headers: [] };
  const task = {
    aborted: false,
    abortFn: null,
    lists,
    emit(kind, value) {
      for (const cb of lists[kind].slice()) {
        try { cb(value); } catch (e) { console.error('miniprogram-shim: a task listener threw', e); }
      }
    },
    setAbort(fn) { task.abortFn = fn; if (task.aborted) fn(); },
  };
  return task;
}

function on(list) {
  return (cb) => { if (typeof cb === 'function' && !list.includes(cb)) list.push(cb); };
}
function off(list) {
  return (cb) => {
    if (cb === undefined || cb === null) { list.length = 0; return; }
    const i = list.indexOf(cb);
    if (i >= 0) list.splice(i, 1);
  };
}

export function attachTask(promise, task) {
  // The typings' abort takes callbacks and returns a Promise of `{ success: true }`.
  promise.abort = (options) => {
    task.aborted = true;
    if (task.abortFn) task.abortFn();
    const result = { success: true };
    for (const name of ['success', 'complete']) {
      if (options && typeof options[name] === 'function') {
        try { options[name](result); } catch (e) { console.error(`abort: the ${name} callback threw`, e); }
      }
    }
    return Promise.resolve(result);
  };
  promise.onProgressUpdate = on(task.lists.progress);
  promise.offProgressUpdate = off(task.lists.progress);
  promise.onHeadersReceived = on(task.lists.headers);
  promise.offHeadersReceived = off(task.lists.headers);
}

/** 16 random bytes as 32 hex digits (file ids, multipart boundaries). */
/** A downloaded file's bytes as a `Blob` of type `type` (may be empty), for the file store. */
export function bytesBlob(bytes, type) {
  return new Blob([bytes], { type });
}

export function randomHex() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

