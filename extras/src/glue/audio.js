// The browser side of the audio APIs (extras/src/glue/audio.rs): the <audio> element and the
// listener lists. Decisions (values, event order, error codes, the limit) stay in Rust
// (extras/src/audio.rs); this only moves data and events.

// The element's media events the context follows (audio::Media::NAMES).
const MEDIA = ['loadedmetadata', 'canplay', 'play', 'pause', 'ended', 'timeupdate', 'waiting', 'seeking', 'seeked', 'error'];

/**
 * A new audio element (not in the document) whose media events go to
 * `onMedia(id, type, ended, errorCode, errorMessage)`.
 */
export function audioElement(id, onMedia) {
  const el = document.createElement('audio');
  el.preload = 'auto';
  for (const type of MEDIA) {
    el.addEventListener(type, () => {
      const error = type === 'error' ? el.error : null;
      onMedia(id, type, el.ended, error ? error.code : 0, error ? String(error.message || '') : '');
    });
  }
  return el;
}

/** The driver object the start module's stand-in calls: `set`, `get`, `call`. */
export function audioDriver(id, dispatch) {
  return {
    set: (name, value) => dispatch(id, 'set', String(name), value),
    get: (name) => dispatch(id, 'get', String(name), undefined),
    call: (method, arg) => dispatch(id, 'call', String(method), arg),
  };
}

/** Sets one property of the element; `src` null removes the source. */
export function audioApply(el, name, value) {
  if (name === 'src') {
    if (value === null) el.removeAttribute('src'); else el.src = value;
    el.load();
    return;
  }
  el[name] = value;
}

/** What the element reports: `currentTime`, `duration` (0 until known), `paused`,
 *  `buffered` (the end of the buffered range at the current time, in seconds). */
export function audioState(el, name) {
  switch (name) {
    case 'duration': return Number.isFinite(el.duration) ? el.duration : 0;
    case 'buffered': {
      const t = el.currentTime;
      for (let i = 0; i < el.buffered.length; i++) {
        if (el.buffered.start(i) <= t && t <= el.buffered.end(i)) return el.buffered.end(i);
      }
      return 0;
    }
    default: return el[name];
  }
}

/** `el.play()`; a refusal (the browser's autoplay policy, a source that does not load) goes to
 *  `onRefused(id, name, message)`. */
export function audioPlay(el, id, onRefused) {
  let played;
  try { played = el.play(); } catch (e) { onRefused(id, String(e && e.name), String(e && e.message)); return; }
  if (played && typeof played.catch === 'function') {
    played.catch((e) => onRefused(id, String(e && e.name), String(e && e.message)));
  }
}

/** Calls the listeners of `event` (`canplay` → lists.Canplay) with `arg`, each in its own
 *  try: one that throws is reported and stops no other. */
export function audioEmit(lists, event, arg) {
  const key = event.charAt(0).toUpperCase() + event.slice(1);
  const list = lists && Array.isArray(lists[key]) ? lists[key].slice() : [];
  for (const fn of list) {
    try {
      if (arg === undefined) fn(); else fn(arg);
    } catch (e) {
      console.error(`miniprogram-shim: an audio on${key} listener threw`, e);
    }
  }
}

/** Runs `fn` after the current task (an event of a property set or a method call comes after
 *  it returns, as the element's own events do). */
export function audioLater(fn) {
  setTimeout(fn, 0);
}

/** `fn()` when the page goes away (the app is closed): the audio stops with it. */
export function audioOnPageHide(fn) {
  window.addEventListener('pagehide', () => fn());
}
