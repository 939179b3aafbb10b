// The pure parts of the native runtime's frame (title bar, tab bar, page hooks, queries,
// devtools): no DOM, no postMessage, tested by frame-core.test.mjs. Used by the render side
// (frame.mjs, queries.mjs) and the logic layer (logic-frame.mjs). DESIGN.md "Native mini
// programs: the frame".

import { RuntimeError } from './core.mjs';

/** app.json / page .json `pullRefresh` and `allowsBounceVertical` ("YES"/"NO" or booleans). */
export function yes(value, fallback) {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  return !/^(no|false|0)$/i.test(String(value));
}

// The title's colour for a bar colour: with the title bar's option rule, shared with the H5 runtime.
export { frontColorFor } from './navigation-bar.js';

/** A tab bar API's `index`: an integer within the items, else a RuntimeError (error 2). */
export function tabIndex(api, options, count) {
  const index = options?.index;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RuntimeError(`${api}: index must be an integer from 0 to ${count - 1} (the tabBar items), got ${JSON.stringify(index)}`, 2);
  }
  return index;
}

/**
 * switchTab's plan. `stack`: the page stack (bottom first), `alive`: Map route → page of tab
 * pages kept alive, `route`: the tab page to show. Tab pages are hidden and kept; the others
 * are unloaded, top first. `reuse`: the kept page to show again, or null (a new one is loaded).
 */
export function planSwitchTab(stack, alive, route, isTab) {
  const unload = [];
  const keep = [];
  for (const page of [...stack].reverse()) {
    if (isTab(page.route)) keep.push(page); else unload.push(page);
  }
  const top = stack[stack.length - 1] ?? null;
  const reuse = keep.find((p) => p.route === route) ?? alive.get(route) ?? null;
  // Only the page that was showing is hidden now (the others were hidden when covered).
  const hide = top && isTab(top.route) && top !== reuse ? [top] : [];
  return { unload, keep, hide, reuse };
}

/**
 * A devtools edit of a page's data: `text` is the whole data object as JSON. Returns the
 * setData patch of the top-level keys that changed (`{}` when none did), or throws a
 * RuntimeError saying what was wrong (then nothing is applied).
 */
export function dataEdit(current, text) {
  let value;
  try { value = JSON.parse(String(text)); } catch (e) {
    throw new RuntimeError(`not JSON: ${e.message}; nothing was changed`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RuntimeError('a page\'s data is a JSON object ({ "key": value, … }); nothing was changed');
  }
  const removed = Object.keys(current ?? {}).filter((k) => !(k in value));
  if (removed.length) {
    throw new RuntimeError(`setData cannot remove a key (${removed.map((k) => JSON.stringify(k)).join(', ')}): set it to null instead; nothing was changed`);
  }
  const patch = {};
  for (const [key, v] of Object.entries(value)) {
    if (JSON.stringify(v) !== JSON.stringify(current?.[key])) patch[key] = v;
  }
  const paths = Object.keys(patch).filter((k) => /[.[\]]/.test(k) || k === '');
  if (paths.length) {
    throw new RuntimeError(`setData reads ${paths.map((k) => JSON.stringify(k)).join(', ')} as a path, not a key: change it in the page's code; nothing was changed`);
  }
  return patch;
}

// ---- intersection observers ------------------------------------------------------------------

/** `{left, top, right, bottom}` grown by `margins` (`{left, right, top, bottom}`, px). */
export function expand(rect, margins = {}) {
  const m = (k) => (Number.isFinite(Number(margins?.[k])) ? Number(margins[k]) : 0);
  return { left: rect.left - m('left'), top: rect.top - m('top'), right: rect.right + m('right'), bottom: rect.bottom + m('bottom') };
}

/** The intersection of two rects (`{left, top, right, bottom, width, height}`; empty: all 0). */
export function intersect(a, b) {
  const left = Math.max(a.left, b.left);
  const top = Math.max(a.top, b.top);
  const right = Math.min(a.right, b.right);
  const bottom = Math.min(a.bottom, b.bottom);
  if (right < left || bottom < top) return { left: 0, top: 0, right: 0, bottom: 0, width: 0, height: 0 };
  return { left, top, right, bottom, width: right - left, height: bottom - top };
}

/** How much of `target` is inside `reference`: 0..1 (a target with no area: 1 if inside, else 0). */
export function intersectionRatio(target, reference) {
  const i = intersect(target, reference);
  const area = (target.right - target.left) * (target.bottom - target.top);
  if (area <= 0) {
    const inside = target.left >= reference.left && target.right <= reference.right && target.top >= reference.top && target.bottom <= reference.bottom;
    return inside ? 1 : 0;
  }
  return Math.min(1, (i.width * i.height) / area);
}

/**
 * Which band of `thresholds` a ratio is in: the number of thresholds it has reached (a
 * threshold of 0 is reached only by a ratio above 0). The observer's callback runs when the
 * band changes, starting from the band of `initialRatio`.
 */
export function ratioBand(ratio, thresholds) {
  let band = 0;
  for (const t of thresholds) if (t === 0 ? ratio > 0 : ratio >= t) band += 1;
  return band;
}

/** createIntersectionObserver's options, checked: `{ thresholds, initialRatio, selectAll }`. */
export function observerOptions(options = {}) {
  const thresholds = options.thresholds === undefined ? [0] : options.thresholds;
  if (!Array.isArray(thresholds) || !thresholds.length || !thresholds.every((t) => typeof t === 'number' && t >= 0 && t <= 1)) {
    throw new RuntimeError(`createIntersectionObserver: thresholds is an array of numbers from 0 to 1, got ${JSON.stringify(options.thresholds)}`, 2);
  }
  const initialRatio = options.initialRatio === undefined ? 0 : options.initialRatio;
  if (typeof initialRatio !== 'number' || initialRatio < 0 || initialRatio > 1) {
    throw new RuntimeError(`createIntersectionObserver: initialRatio is a number from 0 to 1, got ${JSON.stringify(options.initialRatio)}`, 2);
  }
  return { thresholds: [...thresholds].sort((a, b) => a - b), initialRatio, selectAll: Boolean(options.selectAll) };
}

/** A slider's value: `raw` to the nearest step from `min`, within `min`..`max`. */
export function stepValue(raw, { min, max, step }) {
  const n = Number(raw);
  const value = Number.isFinite(n) ? n : min;
  const stepped = min + Math.round((value - min) / step) * step;
  return Math.min(max, Math.max(min, Number(stepped.toFixed(10))));
}

/** A selector given to select/selectAll/observe/relativeTo: a non-empty string. */
export function checkSelector(api, selector) {
  if (typeof selector !== 'string' || !selector.trim()) {
    throw new RuntimeError(`${api}: the selector is a non-empty string such as "#id" or ".class", got ${JSON.stringify(selector)}`, 2);
  }
  return selector;
}
