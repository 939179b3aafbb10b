// The browser side of the WebSocket APIs (extras/src/glue/socket.rs): the WebSocket itself
// and the listener lists. Decisions stay in Rust; this only moves data and events.

/**
 * Opens a WebSocket (`binaryType` arraybuffer). `onEvent(kind, a, b)` gets `open`,
 * `message` (data: string or ArrayBuffer), `error`, and `close` (code, reason). Returns the
 * socket, or throws the browser's SyntaxError/SecurityError.
 */
export function openSocket(url, protocols, onEvent) {
  const ws = protocols.length ? new WebSocket(url, protocols) : new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => onEvent('open');
  ws.onmessage = (e) => onEvent('message', e.data);
  ws.onerror = () => onEvent('error');
  ws.onclose = (e) => onEvent('close', e.code, e.reason);
  return ws;
}

/** `ws.send(data)`; false when the browser refused (the socket is not open). */
export function socketSend(ws, data) {
  try {
    ws.send(data);
    return true;
  } catch (e) {
    return false;
  }
}

/** `ws.readyState` (0 connecting, 1 open, 2 closing, 3 closed). */
export function socketState(ws) {
  return ws.readyState;
}

/** `ws.bufferedAmount`. */
export function socketBuffered(ws) {
  return ws.bufferedAmount;
}

/** `ws.close(code, reason)`, detaching nothing: the close event still comes. */
export function socketClose(ws, code, reason) {
  try {
    ws.close(code, reason);
  } catch (e) {
    // Already closed.
  }
}

/**
 * The listeners of one socket's events (`open`, `message`, `error`, `close`): the global
 * socket's (`my.onSocketOpen`…, whose `lists` the start module keeps and registers to) or a
 * SocketTask's (new lists). `on` adds a function once; `off` removes one, or all without an
 * argument.
 */
export function socketEvents(lists = { open: [], message: [], error: [], close: [] }) {
  return {
    on(kind, cb) {
      if (typeof cb !== 'function') return false;
      if (!lists[kind].includes(cb)) lists[kind].push(cb);
      return true;
    },
    off(kind, cb) {
      if (cb === undefined || cb === null) { lists[kind].length = 0; return; }
      const i = lists[kind].indexOf(cb);
      if (i >= 0) lists[kind].splice(i, 1);
    },
    emit(kind, value) {
      for (const cb of lists[kind].slice()) {
        try { cb(value); } catch (e) { console.error('miniprogram-shim: a socket listener threw', e); }
      }
    },
  };
}

/** The typings' SocketTask over socket `id`: `send`/`close` go to Rust's `dispatch`. */
export function makeSocketTask(id, events, dispatch) {
  const task = {
    send: (options) => dispatch(id, 'send', options),
    close: (options) => dispatch(id, 'close', options),
  };
  for (const [name, kind] of [['Open', 'open'], ['Message', 'message'], ['Error', 'error'], ['Close', 'close']]) {
    task[`on${name}`] = (cb) => {
      if (!events.on(kind, cb)) console.error(`SocketTask.on${name}: invalid parameter \`callback\`: must be a function`);
    };
    task[`off${name}`] = (cb) => events.off(kind, cb);
  }
  return task;
}
