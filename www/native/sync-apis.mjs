// The Sync APIs of the logic layer (DESIGN.md "Native mini programs: Sync APIs in the logic
// layer"). A Worker cannot wait for the render side, so it answers them itself:
// - storage from a mirror of the app's keys, seeded from the render side's localStorage before
//   app.js runs, authoritative in the Worker, and written through to localStorage in order
//   (`write` posts each change; the render side acknowledges it);
// - the info APIs from a snapshot the render side takes of its own runtime's answers at launch
//   and sends again when they change (a resize).
// The rules, limits and messages are those of the H5 runtime (src/storage.rs, www/my.js's
// early storage): the same keys, 200 KB per key, 10 MB per app, the fail object on error.
// Pure: no Worker or DOM here (node tests in sync-apis.test.mjs).

export const MAX_DATA = 200 * 1024;
export const MAX_TOTAL = 10 * 1024 * 1024;

/** The Sync info APIs answered from the render side's snapshot. */
export const INFO_APIS = ['getSystemInfoSync', 'getWindowInfo', 'getAppBaseInfo', 'getAccountInfoSync', 'getAppIdSync',
  'getLaunchOptionsSync', 'getEnterOptionsSync'];

/**
 * APIs the logic layer answers itself that the H5 runtime does not have: they work on the native
 * page (its `<canvas>`, the `animation` attribute). docs/jsapi-coverage.md lists them as
 * "native only" (tests/jsapi/coverage.mjs reads this list).
 */
export const NATIVE_ONLY_APIS = ['createAnimation', 'createCanvasContext'];

/** localStorage key prefix of an app's storage, as src/storage.rs `app_prefix`. */
export function storagePrefix(appId) { return `miniprogram-shim/${encodeURIComponent(appId ?? '')}/`; }

function fail(param, reason) { return { error: 2, errorMessage: `invalid parameter \`${param}\`: ${reason}` }; }

function args(a, b) {
  if (typeof a === 'string') return { key: a, data: b };
  if (a !== undefined && a !== null && typeof a !== 'object' && typeof a !== 'function') return { bad: true };
  return { key: a ? a.key : undefined, data: a ? a.data : undefined };
}

function invalid(o) {
  if (o.bad) return fail('options', 'must be an object');
  if (typeof o.key !== 'string') return fail('key', 'is required and must be a string');
  if (o.key === '') return fail('key', 'must not be an empty string');
  return null;
}

const size = (key, json) => key.length + json.length;

/**
 * The app's storage in the Worker. `entries`: key (without the prefix) → stored JSON text.
 * `write(change)` sends `{ seq, op: 'set' | 'remove' | 'clear', key?, value? }` to the render
 * side, which applies the changes in order and answers each with `ack(seq, ok, current)`.
 */
export class StorageMirror {
  constructor(entries, write) {
    this.entries = new Map();
    this.total = 0;
    this.write = write;
    this.seq = 0;
    this.pending = new Map(); // seq → key (null for a clear) of a change not yet acknowledged
    this.replace(entries ?? {});
  }

  replace(entries) {
    this.entries.clear();
    this.total = 0;
    for (const [key, json] of Object.entries(entries)) {
      if (typeof json !== 'string') continue;
      this.entries.set(key, json);
      this.total += size(key, json);
    }
  }

  put(key, json) {
    const old = this.entries.get(key);
    if (old !== undefined) this.total -= size(key, old);
    if (json === null) this.entries.delete(key);
    else { this.entries.set(key, json); this.total += size(key, json); }
  }

  send(change) {
    this.seq += 1;
    this.pending.set(this.seq, change.op === 'clear' ? null : change.key);
    this.write({ seq: this.seq, ...change });
  }

  set(a, b) {
    const o = args(a, b);
    const bad = invalid(o);
    if (bad) return bad;
    let json;
    try { json = o.data === undefined ? undefined : JSON.stringify(o.data); } catch (e) {
      return fail('data', `cannot be serialised to JSON: ${e?.message}`);
    }
    if (typeof json !== 'string') return fail('data', 'is required and must be serialisable to JSON');
    if (json.length > MAX_DATA) return fail('data', `is ${json.length} characters as JSON; one key holds at most ${MAX_DATA}`);
    const old = this.entries.get(o.key);
    const total = this.total - (old === undefined ? 0 : size(o.key, old)) + size(o.key, json);
    if (total > MAX_TOTAL) {
      return fail('data', `would bring this mini program's storage to ${total} characters; the limit is ${MAX_TOTAL} (10 MB)`);
    }
    this.put(o.key, json);
    this.send({ op: 'set', key: o.key, value: json });
    return { success: true };
  }

  get(a) {
    const o = args(a);
    const bad = invalid(o);
    if (bad) return bad;
    const text = this.entries.get(o.key);
    if (text === undefined) return { data: null };
    try { return { data: JSON.parse(text) }; } catch { return { data: text }; }
  }

  remove(a) {
    const o = args(a);
    const bad = invalid(o);
    if (bad) return bad;
    this.put(o.key, null);
    this.send({ op: 'remove', key: o.key });
    return { success: true };
  }

  clear() {
    this.replace({});
    this.send({ op: 'clear' });
    return { success: true };
  }

  info() {
    return { keys: [...this.entries.keys()], currentSize: Math.ceil(this.total / 1024), limitSize: MAX_TOTAL / 1024 };
  }

  /** Whether a change of ours to `key` (or a clear) is still on its way to localStorage. */
  busy(key) {
    for (const k of this.pending.values()) if (k === null || k === key) return true;
    return false;
  }

  /**
   * The render side applied change `seq` (`ok`), or localStorage refused it: then `current` is
   * what localStorage holds for that key (JSON text or null), which the mirror takes back unless
   * a later change of ours is on its way. Returns the key of a refused write, else null.
   */
  ack(seq, ok, current) {
    if (!this.pending.has(seq)) return null;
    const key = this.pending.get(seq);
    this.pending.delete(seq);
    if (ok || key === null) return null;
    if (!this.busy(key)) this.put(key, typeof current === 'string' ? current : null);
    return key;
  }

  /**
   * Another document of the app (another tab, an H5 page in a web-view) changed `key` to
   * `value` (JSON text, or null: removed). A key with a change of ours still on its way keeps
   * our value: that change lands after the other one in localStorage.
   */
  external(key, value) {
    if (this.busy(key)) return;
    this.put(key, typeof value === 'string' ? value : null);
  }

  /** Another document cleared storage (or more changed at once): all of it again, as `entries`. */
  externalAll(entries) {
    if ([...this.pending.values()].includes(null)) return; // our clear lands later
    const keep = new Map(); // keys with a change of ours on its way: our value (null: removed)
    for (const key of this.pending.values()) keep.set(key, this.entries.get(key) ?? null);
    this.replace(entries);
    for (const [key, json] of keep) this.put(key, json);
  }
}

/** The answer of a Sync API from the info snapshot (a copy: the caller may change it). */
export function infoAnswer(info, name) {
  const value = info?.[name];
  if (value === undefined || value === null) return { error: 3, errorMessage: `unknown error: my.${name} has no answer from the render side` };
  return JSON.parse(JSON.stringify(value));
}

/**
 * The built-in components the native renderer draws (README "Native mini programs" lists them):
 * `my.canIUse('<component>')` is true for these, by name.
 */
export const BUILT_IN_COMPONENTS = ['view', 'text', 'image', 'button', 'input', 'textarea', 'form', 'label',
  'checkbox', 'checkbox-group', 'radio', 'radio-group', 'switch', 'slider', 'picker', 'picker-view',
  'picker-view-column', 'scroll-view', 'swiper', 'swiper-item', 'icon', 'progress', 'rich-text', 'navigator',
  'web-view', 'canvas', 'block', 'slot'];

/**
 * `my.canIUse(schema)` in the logic layer, answered at once as on a device (a Worker cannot wait
 * for the render side). `table` is the H5 runtime's own table (`miniprogramShim.supported()`:
 * api → { object, return, success }), so `api`, `api.object.x`, `api.return.x` and
 * `api.success.x` get the answers the runtime's `my.canIUse` gives; `ownApi(name)` says whether
 * the logic layer itself implements `name` (navigation, `createAnimation`, …: true by name);
 * a built-in component is true by name. Anything else, or a schema that is not a string, is false.
 */
export function canIUse(table, ownApi, schema) {
  if (typeof schema !== 'string') return false;
  const parts = schema.trim().split('.');
  const name = parts[0];
  const api = table && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : null;
  if (api) {
    if (parts.length === 1) return true;
    const list = api[parts[1]];
    return parts.length >= 3 && Array.isArray(list) && list.includes(parts.slice(2).join('.'));
  }
  if (parts.length !== 1 || name === '') return false;
  return BUILT_IN_COMPONENTS.includes(name) || Boolean(ownApi?.(name));
}
