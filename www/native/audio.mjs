// Audio for native mini programs (DESIGN.md "Audio"). The app's scripts run in the logic
// layer's Worker, which has no <audio>: `my.createInnerAudioContext()` and
// `my.getBackgroundAudioManager()` there answer with a proxy object (audioProxies), and the
// render side makes the real object with the page's `my` (the runtime's, which checks every
// value and plays an <audio> element) and drives it (audioHost):
//   logic → render: { type: 'audio', id, op: 'create', api } | { op: 'set', name, value }
//                   | { op: 'call', name, arg }
//   render → logic: { type: 'audioEvent', id, event?, arg?, state }
// `state` is the real object's properties after the change or event, so the proxy's reads
// (`currentTime`, `paused`, a value the runtime refused) answer at once from the last one.

// The members read into `state` (extras/src/audio.rs `Kind::settings` and the read-only ones).
const STATE = ['src', 'startTime', 'autoplay', 'loop', 'volume', 'obeyMuteSwitch', 'playbackRate', 'title', 'epname',
  'singer', 'coverImgUrl', 'webUrl', 'protocol', 'currentTime', 'duration', 'paused', 'buffered'];
const READ_ONLY = ['currentTime', 'duration', 'paused', 'buffered'];
const EVENTS = ['Canplay', 'Play', 'Pause', 'Stop', 'Ended', 'TimeUpdate', 'Error', 'Waiting', 'Seeking', 'Seeked'];
const KINDS = {
  createInnerAudioContext: {
    events: EVENTS,
    settings: ['src', 'startTime', 'autoplay', 'loop', 'volume', 'obeyMuteSwitch', 'playbackRate'],
    methods: ['play', 'pause', 'stop', 'seek', 'destroy'],
    initial: { src: '', startTime: 0, autoplay: false, loop: false, volume: 1, obeyMuteSwitch: true, playbackRate: 1 },
  },
  getBackgroundAudioManager: {
    events: EVENTS.concat(['Prev', 'Next']),
    settings: ['src', 'startTime', 'title', 'epname', 'singer', 'coverImgUrl', 'webUrl', 'protocol', 'playbackRate'],
    methods: ['play', 'pause', 'stop', 'seek'],
    initial: { src: '', startTime: 0, title: '', epname: '', singer: '', coverImgUrl: '', webUrl: '', protocol: 'http', playbackRate: 1 },
  },
};

/**
 * The logic layer's side: `create(api)` gives the proxy object; `onMessage(message)` takes the
 * render side's `audioEvent`s. `post` sends to the render side; `reportError(e)` reports a
 * listener that threw.
 */
export function audioProxies(post, reportError) {
  let nextId = 1;
  const objects = new Map(); // id → { lists, state }
  let background = null;

  function create(api) {
    if (api === 'getBackgroundAudioManager' && background) return background;
    const kind = KINDS[api];
    const id = nextId++;
    const entry = { lists: Object.fromEntries(kind.events.map((e) => [e, []])), state: { ...kind.initial, currentTime: 0, duration: 0, paused: true, buffered: 0 } };
    objects.set(id, entry);
    post({ type: 'audio', id, op: 'create', api });
    const object = {};
    for (const name of kind.settings) {
      Object.defineProperty(object, name, {
        enumerable: true,
        get: () => entry.state[name],
        set: (value) => {
          let plain = value;
          try { plain = value === undefined ? undefined : JSON.parse(JSON.stringify(value)); } catch { plain = String(value); }
          entry.state[name] = plain; // until the render side answers with the value it kept
          post({ type: 'audio', id, op: 'set', name, value: plain });
        },
      });
    }
    for (const name of READ_ONLY) Object.defineProperty(object, name, { enumerable: true, get: () => entry.state[name] });
    for (const method of kind.methods) {
      object[method] = (arg) => {
        post({ type: 'audio', id, op: 'call', name: method, arg: typeof arg === 'number' ? arg : undefined });
        if (method === 'destroy') objects.delete(id);
      };
    }
    for (const e of kind.events) {
      object[`on${e}`] = (fn) => {
        if (typeof fn !== 'function') { console.error(`on${e}: the listener must be a function, not ${typeof fn}`); return; }
        if (!entry.lists[e].includes(fn)) entry.lists[e].push(fn);
      };
      object[`off${e}`] = (fn) => {
        const list = entry.lists[e];
        if (fn === undefined || fn === null) list.length = 0;
        else if (list.includes(fn)) list.splice(list.indexOf(fn), 1);
      };
    }
    if (api === 'getBackgroundAudioManager') background = object;
    return object;
  }

  function onMessage(message) {
    const entry = objects.get(message.id);
    if (!entry) return;
    if (message.state && typeof message.state === 'object') Object.assign(entry.state, message.state);
    const event = typeof message.event === 'string' ? message.event : null;
    if (!event || !entry.lists[event]) return;
    for (const fn of entry.lists[event].slice()) {
      try { if (message.arg === undefined) fn(); else fn(message.arg); } catch (e) { reportError(e); }
    }
  }

  return { create, onMessage };
}

/**
 * The render side's: makes and drives the real objects with the page's `my` (`getMy()`),
 * posting their events back with `postToLogic`. `resolve(src)` turns a package path into the
 * URL the page serves it at (an absolute URL, or a scheme the runtime then judges, is kept).
 */
export function audioHost(getMy, postToLogic, resolve) {
  const objects = new Map(); // id → { object: the runtime's object, given, served }

  // The object's properties; a src served for a package path shows as the app gave it.
  const stateOf = (entry) => {
    const state = {};
    for (const name of STATE) if (name in entry.object) state[name] = entry.object[name];
    if (entry.given !== null && state.src === entry.served) state.src = entry.given;
    return state;
  };

  function handle({ id, op, api, name, value, arg }) {
    if (op === 'create') {
      const my = getMy();
      const make = my && KINDS[api] ? my[api] : null;
      if (typeof make !== 'function') {
        postToLogic({ type: 'audioEvent', id, event: 'Error', arg: { errCode: 10001, errMsg: `my.${api} is not in this runtime` } });
        return;
      }
      const entry = { object: make.call(my), given: null, served: null };
      objects.set(id, entry);
      for (const e of KINDS[api].events) {
        entry.object[`on${e}`]((a) => {
          let plain;
          try { plain = a === undefined ? undefined : JSON.parse(JSON.stringify(a)); } catch { plain = String(a); }
          postToLogic({ type: 'audioEvent', id, event: e, arg: plain, state: stateOf(entry) });
        });
      }
      return;
    }
    const entry = objects.get(id);
    if (!entry) return;
    const { object } = entry;
    if (op === 'set') {
      const text = typeof value === 'string' ? value.trim() : null;
      if (name === 'src' && text && !/^[a-z][a-z0-9+.-]*:/i.test(text)) {
        // A path of the package (no scheme): the URL the page serves the file at.
        entry.given = value;
        entry.served = resolve(text);
        object.src = entry.served;
      } else {
        if (name === 'src') entry.given = null;
        object[name] = value;
      }
      postToLogic({ type: 'audioEvent', id, state: stateOf(entry) });
      return;
    }
    if (op === 'call' && typeof object[name] === 'function') {
      object[name](arg);
      postToLogic({ type: 'audioEvent', id, state: stateOf(entry) });
      if (name === 'destroy') objects.delete(id);
    }
  }

  return { handle };
}
