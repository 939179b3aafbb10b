// The pure parts of the native runtime's logic layer, shared by the Worker (worker.mjs) and its
// tests (core.test.mjs): setData keys, the page stack, page URLs and module paths. No DOM, no
// postMessage. The render side applies the same setData rules in Rust (axml-wasm/src/path.rs).

/** The page stack's limit, as on a device. */
export const MAX_PAGES = 10;
/** The largest array index a setData key may name (axml-wasm's MAX_INDEX). */
export const MAX_INDEX = 100_000;

/** A refused setData key or navigation: `message` says what was wrong. */
export class RuntimeError extends Error {
  constructor(message, code = 1) { super(message); this.name = 'RuntimeError'; this.code = code; }
}

/** `'a.b[2].c'` → `['a', 'b', 2, 'c']`; throws a RuntimeError naming the key and the place. */
export function parsePath(key) {
  if (typeof key !== 'string' || key === '') throw new RuntimeError('setData key is empty');
  if (key.length > 1024) throw new RuntimeError('setData key is longer than 1024 characters');
  const out = [];
  let name = '';
  let expectName = true;
  const bad = (what, at) => new RuntimeError(`setData key ${JSON.stringify(key)}: ${what} at character ${at}`);
  for (let i = 0; i < key.length;) {
    const c = key[i];
    if (c === '.') {
      if (expectName) throw bad("a name is missing before '.'", i);
      if (name) { out.push(name); name = ''; }
      expectName = true; i += 1;
    } else if (c === '[') {
      if (name) { out.push(name); name = ''; } else if (out.length === 0) throw bad("a key starts with a name, not '['", i);
      else if (expectName) throw bad("'[' right after '.'", i);
      let j = i + 1;
      while (j < key.length && key[j] >= '0' && key[j] <= '9') j += 1;
      if (j === i + 1) throw bad('an index must be digits', i + 1);
      if (key[j] !== ']') throw bad("']' expected", j);
      const index = Number(key.slice(i + 1, j));
      if (index > MAX_INDEX) throw new RuntimeError(`setData key ${JSON.stringify(key)}: index ${index} is over ${MAX_INDEX}`);
      out.push(index);
      expectName = false; i = j + 1;
      if (i < key.length && key[i] !== '.' && key[i] !== '[') throw bad("'.' or '[' expected after ']'", i);
    } else if (c === ']') {
      throw bad("']' without '['", i);
    } else {
      name += c; expectName = false; i += 1;
    }
  }
  if (expectName && out.length) throw bad("a name is missing after '.'", key.length);
  if (name) out.push(name);
  if (!out.length) throw new RuntimeError('setData key is empty');
  return out;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Sets `key` in `data` to `value` (missing parents are created; arrays grow with nulls). */
export function applyPath(data, key, value) {
  const path = parsePath(key);
  let at = data;
  for (let n = 0; n < path.length; n += 1) {
    const seg = path[n];
    const last = n + 1 === path.length;
    const nextIsIndex = typeof path[n + 1] === 'number';
    if (typeof seg === 'number') {
      while (at.length < seg) at.push(null);
    }
    if (last) { at[seg] = value; return data; }
    let next = at[seg];
    const wantArray = nextIsIndex;
    if (wantArray ? !Array.isArray(next) : !isObject(next)) {
      if (next === undefined || next === null || typeof next !== 'object') {
        next = wantArray ? [] : {};
        at[seg] = next;
      } else if (wantArray && !Array.isArray(next)) {
        next = []; at[seg] = next;
      } else if (!wantArray && Array.isArray(next)) {
        next = {}; at[seg] = next;
      }
    }
    at = next;
  }
  return data;
}

/** The value at `key` in `data` (undefined when a step is missing). */
export function getPath(data, key) {
  let at = data;
  for (const seg of parsePath(key)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = at[seg];
  }
  return at;
}

/**
 * `$spliceData({ 'a.list': [start, deleteCount, ...items] })` → the setData patch that gives
 * each list its spliced copy (`data` is not changed here).
 */
export function spliceChanges(data, patch) {
  if (!isObject(patch)) throw new RuntimeError('$spliceData takes an object of { key: [start, deleteCount, ...items] }');
  const out = {};
  for (const [key, args] of Object.entries(patch)) {
    if (!Array.isArray(args) || args.length < 1 || !Number.isInteger(Number(args[0]))) {
      throw new RuntimeError(`$spliceData key ${JSON.stringify(key)}: the value is [start, deleteCount, ...items]`);
    }
    const current = getPath(data, key);
    const list = Array.isArray(current) ? current.slice() : [];
    const deleteCount = args.length > 1 ? Number(args[1]) : list.length;
    list.splice(Number(args[0]), Number.isFinite(deleteCount) ? deleteCount : 0, ...args.slice(2));
    out[key] = list;
  }
  return out;
}

/** A JSON copy: what crosses to the render side (functions and undefined dropped, as on a device). */
export function jsonCopy(value) {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** setData's object → `[[key, value], …]`, every key checked before anything is applied. */
export function setDataChanges(patch) {
  if (!isObject(patch)) throw new RuntimeError('setData takes an object of { key: value }');
  const changes = Object.entries(patch).map(([key, value]) => { parsePath(key); return [key, jsonCopy(value)]; });
  return changes;
}

/** `'a=1&b=x%20y'` → `{ a: '1', b: 'x y' }`. */
export function parseQuery(text) {
  const out = {};
  for (const [k, v] of new URLSearchParams(text ?? '')) out[k] = v;
  return out;
}

/** Joins `reference` onto the folder of `from` (`pages/a/a`): `./x`, `../x`, `/x`, `x`. Never above the root. */
export function joinPath(fromFile, reference) {
  const parts = reference.startsWith('/') ? [] : fromFile.split('/').slice(0, -1);
  for (const seg of reference.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') { if (!parts.length) return null; parts.pop(); } else parts.push(seg);
  }
  return parts.join('/');
}

/**
 * A navigation URL → `{ route, query }`. `url` is absolute (`/pages/x/x?a=1`) or relative to the
 * current page's route. The route must be one of `pages` (app.json).
 */
export function resolvePageUrl(url, fromRoute, pages) {
  if (typeof url !== 'string' || !url) throw new RuntimeError('url is required (a page path such as /pages/index/index)', 2);
  const [path, search = ''] = url.split('?');
  const route = joinPath(fromRoute ?? '', path);
  if (route === null || !pages.includes(route)) {
    throw new RuntimeError(`page "${path}" is not in app.json's pages (${pages.join(', ')})`, 2);
  }
  return { route, query: parseQuery(search) };
}

/** The candidates `require(spec)` from `from` tries, in order (CommonJS, extensionless). */
export function moduleCandidates(fromFile, spec) {
  const bases = [];
  if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/')) {
    bases.push(joinPath(fromFile, spec));
  } else {
    bases.push(joinPath(fromFile, `./${spec}`), `node_modules/${spec}`, `miniprogram_npm/${spec}`);
  }
  const out = [];
  for (const base of bases) {
    if (base === null) continue;
    out.push(base, `${base}.js`, `${base}.json`, `${base}/index.js`);
  }
  return out;
}

/** The page stack: at most MAX_PAGES pages; the bottom page is never popped by navigateBack. */
export class PageStack {
  constructor(limit = MAX_PAGES) { this.limit = limit; this.pages = []; }
  get top() { return this.pages[this.pages.length - 1] ?? null; }
  get length() { return this.pages.length; }
  /** navigateTo. */
  push(page) {
    if (this.pages.length >= this.limit) {
      throw new RuntimeError(`the page stack is full (${this.limit} pages): use redirectTo or navigateBack`, 3);
    }
    this.pages.push(page);
  }
  /** navigateBack: the pages removed, top first (at most length - 1). */
  pop(delta = 1) {
    const n = Math.max(1, Math.min(Math.floor(Number(delta)) || 1, this.pages.length - 1));
    if (this.pages.length <= 1) return [];
    return this.pages.splice(this.pages.length - n, n).reverse();
  }
  /** redirectTo: the removed top. */
  replaceTop(page) {
    const removed = this.pages.length ? [this.pages.pop()] : [];
    this.pages.push(page);
    return removed;
  }
  /** reLaunch / switchTab: every page removed, top first. */
  clear() { return this.pages.splice(0).reverse(); }
}

// CSS properties whose bare numbers have no unit (as React, which Alipay's renderer is, writes them).
const UNITLESS = new Set(['opacity', 'z-index', 'flex', 'flex-grow', 'flex-shrink', 'order', 'font-weight', 'line-height', 'zoom']);

/**
 * An inline style given as an object (`style="{{ transform: x, marginTop: 4 }}"`): its CSS text,
 * camelCase keys in kebab-case, bare numbers in px (but `opacity`, `z-index`, …), and entries whose
 * value is null, undefined, false or '' left out.
 */
export function styleText(style) {
  const out = [];
  for (const [key, value] of Object.entries(style ?? {})) {
    if (value === null || value === undefined || value === false || value === '') continue;
    const name = key.startsWith('--') ? key : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const text = typeof value === 'number' && value !== 0 && !UNITLESS.has(name) ? `${value}px` : String(value);
    out.push(`${name}: ${text}`);
  }
  return out.join('; ');
}

/**
 * A built-in component's attribute name as the runtime reads it: `formType` is `form-type`,
 * `indicatorDots` is `indicator-dots` (Alipay takes both spellings); `data-*` names stay as written.
 */
export function attributeName(name) {
  if (name.startsWith('data-') || !/[A-Z]/.test(name)) return name;
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
