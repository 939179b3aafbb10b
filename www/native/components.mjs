// Custom components in the logic layer (the Worker): `Component({...})`, the components a page
// uses (`usingComponents` in the page's and components' .json, resolved and loaded before the
// page opens), and each instance's life: created, props updated, its own setData, removed.
// The render side (axml-wasm `components.rs`) renders the instances and says which exist;
// this file holds their JavaScript side (`this.data`, `this.props`, methods). No DOM, no
// postMessage of its own: the Worker passes `post` in. DESIGN.md "Custom components".

import { joinPath, jsonCopy, RuntimeError, setDataChanges, spliceChanges, applyPath } from './core.mjs';

const HOOKS = ['onInit', 'deriveDataFromProps', 'didMount', 'didUpdate', 'didUnmount'];

/**
 * A `usingComponents` value → the component's path without extension, or null. `/x` is from
 * the root, `./x` and `../x` from the folder of `fromBase` (a page or component path without
 * extension), a bare `x` next to it first, then as a package under `node_modules` or
 * `miniprogram_npm`. A path naming a folder means its `index`. `exists(path)` says whether a
 * file is in the app; the logic layer holds the scripts and .json files only, so a component
 * is found by its `.js` or `.json` (a component has both).
 */
export function resolveComponent(fromBase, ref, exists) {
  if (typeof ref !== 'string' || !ref || ref.includes('://')) return null;
  const spec = ref.replace(/\.(axml|js|json)$/, '');
  const bases = [];
  if (spec.startsWith('/')) bases.push(joinPath('', spec));
  else if (spec.startsWith('./') || spec.startsWith('../')) bases.push(joinPath(fromBase, spec));
  else bases.push(joinPath(fromBase, `./${spec}`), joinPath('', `node_modules/${spec}`), joinPath('', `miniprogram_npm/${spec}`));
  for (const base of bases) {
    if (!base) continue;
    if (exists(`${base}.js`) || exists(`${base}.json`)) return base;
    if (exists(`${base}/index.js`) || exists(`${base}/index.json`)) return `${base}/index`;
  }
  return null;
}

/**
 * `Component` options with their `mixins` merged: mixins' `data`, `props` and `methods` first,
 * the component's own over them; every mixin's lifecycle hook runs, mixins first.
 */
export function mergeOptions(options) {
  const out = { data: {}, props: {}, methods: {}, hooks: Object.fromEntries(HOOKS.map((h) => [h, []])), ref: null };
  const add = (o, depth) => {
    if (!o || typeof o !== 'object' || depth > 16) return;
    for (const mixin of Array.isArray(o.mixins) ? o.mixins : []) add(mixin, depth + 1);
    Object.assign(out.data, o.data && typeof o.data === 'object' ? o.data : {});
    Object.assign(out.props, o.props && typeof o.props === 'object' ? o.props : {});
    Object.assign(out.methods, o.methods && typeof o.methods === 'object' ? o.methods : {});
    for (const h of HOOKS) if (typeof o[h] === 'function') out.hooks[h].push(o[h]);
    if (typeof o.ref === 'function') out.ref = o.ref;
  };
  add(options, 0);
  return out;
}

/** `{ event: 'pick', catch: false }` → the prop name `onPick` (`catchPick` for catch). */
export function propName(binding) {
  const e = String(binding.event ?? '');
  return `${binding.catch ? 'catch' : 'on'}${e.charAt(0).toUpperCase()}${e.slice(1)}`;
}

/** JSON values only (function defaults stay in the logic layer). */
function plainProps(props) {
  const out = {};
  for (const [k, v] of Object.entries(props)) {
    if (typeof v === 'function' || v === undefined) continue;
    try { out[k] = jsonCopy(v); } catch { /* a cycle: not for the template */ }
  }
  return out;
}

/**
 * The components of one app in the logic layer. `host` gives what the Worker owns:
 * `{ files, loadModule(path), post(message), reportError(error, where), call(target, name, ...args),
 *    page(pageId) → { instance } | null }`.
 */
export class Components {
  constructor(host) {
    this.host = host;
    this.definitions = new Map(); // path → merged options
    this.loading = null;
    this.pages = new Map(); // pageId → Map(id → record)
    this.pending = new Map(); // callbackId → { record, callback, prevData }
    this.nextCallback = 1;
  }

  /** `Component(options)`, called by a component's .js while it loads. */
  register(options = {}) {
    if (!this.loading) throw new RuntimeError('Component() must be called in a component\'s .js file (one named by usingComponents)');
    this.definitions.set(this.loading, mergeOptions(options));
  }

  definition(path) {
    if (!this.definitions.has(path)) {
      const file = `${path}.js`;
      if (typeof this.host.files()[file] === 'string') {
        this.loading = path;
        try { this.host.loadModule(file); } finally { this.loading = null; }
      }
      // A component without .js, or whose .js did not call Component(), has no logic.
      if (!this.definitions.has(path)) this.definitions.set(path, mergeOptions({}));
    }
    return this.definitions.get(path);
  }

  /** `usingComponents` of `base` (.json), resolved; an entry that names nothing is reported. */
  using(base) {
    const text = this.host.files()[`${base}.json`];
    if (!text) return {};
    let json;
    try { json = JSON.parse(text); } catch (e) {
      this.host.reportError(new SyntaxError(`${base}.json: ${e.message}`), { file: `${base}.json` });
      return {};
    }
    const out = {};
    const files = this.host.files();
    for (const [tag, ref] of Object.entries(json?.usingComponents ?? {})) {
      const path = resolveComponent(base, ref, (p) => typeof files[p] === 'string');
      if (path) out[tag] = path;
      else {
        this.host.reportError(new RuntimeError(`usingComponents "${tag}": "${ref}" names no component (no .js or .json found for it)`), { file: `${base}.json` });
      }
    }
    return out;
  }

  /**
   * What the render side needs before it renders `route`: the page's `using` and every
   * component it can reach, each `{ component: true, data, props, using }` (JSON values).
   */
  prepare(route) {
    const out = { [route]: { using: this.using(route) } };
    const queue = Object.values(out[route].using);
    while (queue.length) {
      const path = queue.shift();
      if (out[path]) continue;
      let def;
      try { def = this.definition(path); } catch (e) { this.host.reportError(e, e.where); continue; }
      const using = this.using(path);
      let data = {};
      try { data = jsonCopy(def.data) ?? {}; } catch { /* not JSON: an empty data */ }
      out[path] = { component: true, data, props: plainProps(def.props), using };
      queue.push(...Object.values(using));
    }
    return out;
  }

  instance(pageId, id) {
    return this.pages.get(pageId)?.get(id)?.instance ?? null;
  }

  /** The instance whose methods a component's `onXxx` props call. */
  owner(pageId, ownerId) {
    if (!ownerId) return this.host.page(pageId)?.instance ?? null;
    return this.instance(pageId, ownerId);
  }

  props(record, given, events) {
    const props = { ...record.def.props };
    for (const [k, v] of Object.entries(given ?? {})) if (k !== 'ref' && k !== 'slot') props[k] = v;
    for (const binding of events ?? []) {
      const { handler } = binding;
      props[propName(binding)] = (...args) => {
        const owner = this.owner(record.pageId, record.ownerId);
        const fn = owner?.[handler];
        if (typeof fn !== 'function') {
          console.warn(`${record.instance.is}: the parent has no method "${handler}" for ${propName(binding)}`);
          return undefined;
        }
        return fn.apply(owner, args);
      };
    }
    return props;
  }

  hook(record, name, ...args) {
    for (const fn of record.def.hooks[name]) {
      try { fn.apply(record.instance, args); } catch (e) { this.host.reportError(e); }
    }
  }

  /** The render side's `components` message: instances created, updated, removed. */
  lifecycle({ pageId, created = [], updated = [], removed = [] }) {
    const page = this.host.page(pageId);
    if (!page) return;
    if (!this.pages.has(pageId)) this.pages.set(pageId, new Map());
    const records = this.pages.get(pageId);
    for (const { id } of removed) {
      const record = records.get(id);
      if (!record) continue;
      this.hook(record, 'didUnmount');
      records.delete(id);
    }
    const mounted = [];
    for (const c of created) {
      const record = this.create(page, c);
      records.set(c.id, record);
      mounted.push(record);
    }
    // Children before parents, as a parent is mounted once what it holds is.
    for (const record of mounted.reverse()) this.hook(record, 'didMount');
    for (const u of updated) {
      const record = records.get(u.id);
      if (!record) continue;
      const prevProps = record.instance.props;
      const prevData = jsonCopy(record.instance.data);
      const nextProps = this.props(record, u.props, u.events);
      this.hook(record, 'deriveDataFromProps', nextProps);
      record.instance.props = nextProps;
      this.hook(record, 'didUpdate', prevProps, prevData);
    }
  }

  create(page, { id, path, owner, props: given, events }) {
    const def = this.definition(path);
    const instance = Object.create(null);
    for (const [name, fn] of Object.entries(def.methods)) instance[name] = fn;
    const record = { id, pageId: page.id, ownerId: owner, def, instance };
    instance.data = jsonCopy(def.data) ?? {};
    instance.is = `/${path}`;
    instance.$id = id;
    instance.$page = page.instance;
    instance.props = this.props(record, given, events);
    instance.setData = (patch, callback) => this.setData(record, patch, callback);
    instance.$spliceData = (patch, callback) => this.setData(record, spliceChanges(instance.data, patch), callback);
    this.hook(record, 'onInit');
    this.hook(record, 'deriveDataFromProps', instance.props);
    const ref = given?.ref;
    if (typeof ref === 'string' && ref) {
      const parent = this.owner(page.id, owner);
      let value = instance;
      if (def.ref) { try { value = def.ref.call(instance); } catch (e) { this.host.reportError(e); } }
      if (typeof parent?.[ref] === 'function') this.host.call(parent, ref, value);
      else console.warn(`${instance.is}: ref="${ref}" names no method of its parent`);
    }
    return record;
  }

  setData(record, patch, callback) {
    const changes = setDataChanges(patch); // throws on a bad key before anything applies
    const prevData = jsonCopy(record.instance.data);
    for (const [key, value] of changes) applyPath(record.instance.data, key, value);
    const callbackId = this.nextCallback;
    this.nextCallback += 1;
    this.pending.set(callbackId, { record, callback, prevData });
    this.host.post({ type: 'setData', pageId: record.pageId, componentId: record.id, changes, callbackId });
  }

  /** The render side patched the DOM for a component's setData: didUpdate, then the callback. */
  rendered(callbackId) {
    const pending = this.pending.get(callbackId);
    this.pending.delete(callbackId);
    if (!pending) return;
    const { record, callback, prevData } = pending;
    if (this.pages.get(record.pageId)?.get(record.id) !== record) return; // removed meanwhile
    this.hook(record, 'didUpdate', record.instance.props, prevData);
    if (typeof callback === 'function') {
      try { callback.call(record.instance); } catch (e) { this.host.reportError(e); }
    }
  }

  /** A page unloads: every instance's didUnmount (the newest first). */
  unloadPage(pageId) {
    const records = this.pages.get(pageId);
    this.pages.delete(pageId);
    for (const [id, pending] of this.pending) if (pending.record.pageId === pageId) this.pending.delete(id);
    if (!records) return;
    for (const record of [...records.values()].reverse()) this.hook(record, 'didUnmount');
  }
}
