// The render side of my.createSelectorQuery and my.createIntersectionObserver (built in the
// logic layer, logic-frame.mjs): answers `__selectorQuery`, `__observe` and `__unobserve` calls
// from the page's DOM, and watches observed nodes after each scroll, resize and DOM change.
// Coordinates are relative to the page's viewport (the area under the title bar), in CSS px.
// DESIGN.md "Native mini programs: the frame".

import { expand, intersect, intersectionRatio, ratioBand } from './frame-core.mjs';

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

function dataset(el) {
  const out = {};
  for (const [name, value] of el.__v?.attrs ?? []) if (name.startsWith('data-')) out[camel(name.slice(5))] = value;
  return out;
}

/** `views`: pageId → { root }; `pagesEl`: the scrolling page area; `toWorker(message)`. */
export function createQueries({ views, pagesEl, toWorker }) {
  const watchers = new Map(); // observe id → watcher

  function base() { return pagesEl.getBoundingClientRect(); }

  function rectOf(el, origin = base()) {
    const r = el.getBoundingClientRect();
    const left = r.left - origin.left;
    const top = r.top - origin.top;
    return { left, top, right: left + r.width, bottom: top + r.height, width: r.width, height: r.height };
  }

  /** `select`s within the page; an invalid selector matches nothing (and says so in the console). */
  function find(root, selector, all) {
    try {
      return all ? [...root.querySelectorAll(selector)] : [root.querySelector(selector)].filter(Boolean);
    } catch {
      console.error(`[native] ${JSON.stringify(selector)} is not a valid selector (createSelectorQuery / createIntersectionObserver)`);
      return [];
    }
  }

  function selectorQuery({ pageId, requests }) {
    const view = views.get(pageId);
    if (!view) throw { error: 3, errorMessage: `createSelectorQuery: page ${pageId} is not open any more` };
    const origin = base();
    return (Array.isArray(requests) ? requests : []).map((request) => {
      if (request.viewport) {
        return request.field === 'scroll'
          ? { scrollTop: pagesEl.scrollTop, scrollLeft: pagesEl.scrollLeft }
          : { width: pagesEl.clientWidth, height: pagesEl.clientHeight };
      }
      const describe = (el) => {
        if (request.field === 'scroll') return { scrollTop: el.scrollTop, scrollLeft: el.scrollLeft };
        const r = rectOf(el, origin);
        return { x: r.left, y: r.top, width: r.width, height: r.height, top: r.top, right: r.right, bottom: r.bottom, left: r.left };
      };
      const nodes = find(view.root, String(request.selector), request.all);
      return request.all ? nodes.map(describe) : (nodes[0] ? describe(nodes[0]) : null);
    });
  }

  // ---- intersection observers ------------------------------------------------------------

  let scheduled = false;
  function schedule() {
    if (scheduled || !watchers.size) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; check(); });
  }

  function check() {
    const origin = base();
    for (const [id, w] of watchers) {
      const view = views.get(w.pageId);
      if (!view) { watchers.delete(id); if (!watchers.size) watch(false); continue; }
      if (view.root.hidden) continue;
      let reference;
      if (w.relative.viewport) {
        reference = { left: 0, top: 0, right: pagesEl.clientWidth, bottom: pagesEl.clientHeight };
      } else {
        const [el] = find(view.root, w.relative.selector, false);
        if (!el) continue;
        reference = rectOf(el, origin);
      }
      reference = expand(reference, w.relative.margins);
      const targets = find(view.root, w.selector, w.selectAll);
      targets.forEach((el, index) => {
        // By id or place, not by node: a re-render may replace the node of the same target.
        const key = el.id ? `#${el.id}` : index;
        const rect = rectOf(el, origin);
        const ratio = intersectionRatio(rect, reference);
        const band = ratioBand(ratio, w.thresholds);
        const before = w.bands.has(key) ? w.bands.get(key) : ratioBand(w.initialRatio, w.thresholds);
        w.bands.set(key, band);
        if (band === before) return;
        toWorker({
          type: 'intersection', id,
          result: {
            intersectionRatio: ratio,
            intersectionRect: intersect(rect, reference),
            boundingClientRect: rect,
            relativeRect: { left: reference.left, top: reference.top, right: reference.right, bottom: reference.bottom },
            time: Date.now(),
            id: el.id,
            dataset: dataset(el),
          },
        });
      });
    }
  }

  function observe(options) {
    if (!views.has(options.pageId)) throw { error: 3, errorMessage: `createIntersectionObserver: page ${options.pageId} is not open any more` };
    watchers.set(options.id, {
      pageId: options.pageId, selector: String(options.selector), relative: options.relative ?? { viewport: true, margins: {} },
      thresholds: options.thresholds, initialRatio: options.initialRatio, selectAll: options.selectAll, bands: new Map(),
    });
    watch(true);
    schedule();
    return {};
  }

  function unobserve({ ids }) {
    for (const id of Array.isArray(ids) ? ids : []) watchers.delete(id);
    if (!watchers.size) watch(false);
    return {};
  }

  // DOM changes are watched only while an observer is: no cost to pages without one.
  const mutations = new MutationObserver(schedule);
  let watching = false;
  function watch(on) {
    if (on === watching) return;
    watching = on;
    if (on) mutations.observe(pagesEl, { childList: true, subtree: true, attributes: true, characterData: true });
    else mutations.disconnect();
  }
  pagesEl.addEventListener('scroll', schedule, true);
  window.addEventListener('resize', schedule);

  return { apis: { __selectorQuery: selectorQuery, __observe: observe, __unobserve: unobserve } };
}
