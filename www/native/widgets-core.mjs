// The pure rules of swiper, picker-view and rich-text (node --test: widgets-core.test.mjs); the
// DOM side is widgets.mjs. DESIGN.md "Native mini programs: swiper, picker-view, rich-text,
// web-view".

/** A finite number from an attribute, or `fallback`. */
export function numberOr(value, fallback) {
  if (value === '' || value === null || value === undefined || typeof value === 'boolean') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** An AXML boolean attribute: present and not `false`/`"false"`. */
export function flag(value) {
  return value !== undefined && value !== null && value !== false && value !== 'false';
}

// ---- swiper ------------------------------------------------------------------------------

/** `current` as the swiper uses it: an integer index of an item, 0 with none. */
export function clampIndex(value, count) {
  if (count <= 0) return 0;
  const n = Math.trunc(numberOr(value, 0));
  return Math.min(count - 1, Math.max(0, n));
}

/**
 * Where item `index` sits, in item sizes from the shown place, when the swiper is at
 * `position` (the current index plus the drag, a fraction): negative before, positive after.
 * A circular swiper wraps, so the first item follows the last.
 */
export function itemOffset(index, position, count, circular) {
  const rel = index - position;
  if (!circular || count < 2) return rel;
  const half = count / 2;
  return ((((rel + half) % count) + count) % count) - half;
}

/**
 * The index a swipe ends on: `from` plus one item when the drag went past `threshold` of an
 * item (or was quick, `fling` set), back to `from` otherwise; clamped, or wrapped when circular.
 * `drag` is in item sizes, positive towards the next item.
 */
export function swipeTarget(from, drag, count, { circular = false, threshold = 0.5, fling = false } = {}) {
  if (count <= 0) return 0;
  let step = 0;
  if (Math.abs(drag) >= threshold || (fling && Math.abs(drag) > 0.02)) step = drag > 0 ? 1 : -1;
  return stepIndex(from, step, count, circular);
}

/** `from` moved by `step` items: clamped, or wrapped when circular. */
export function stepIndex(from, step, count, circular) {
  if (count <= 0) return 0;
  const to = from + step;
  if (circular) return ((to % count) + count) % count;
  return Math.min(count - 1, Math.max(0, to));
}

/**
 * The way from `from` to `to` the animation takes, in items (the signed distance): the short
 * way round when circular, so autoplay from the last item moves on to the first.
 */
export function travel(from, to, count, circular) {
  const direct = to - from;
  if (!circular || count < 2) return direct;
  const forward = ((direct % count) + count) % count;
  return forward <= count / 2 ? forward : forward - count;
}

/** A length attribute (`previous-margin`, `next-margin`): px or rpx, as CSS; `0px` otherwise. */
export function cssLength(value) {
  const text = String(value ?? '').trim();
  const m = /^(-?\d*\.?\d+)(px|rpx)?$/.exec(text);
  if (!m) return '0px';
  return m[2] === 'rpx' ? `calc(${m[1]} * var(--rpx, 100vw / 750))` : `${m[1]}px`;
}

// ---- picker-view ----------------------------------------------------------------------------

/** Each column's index from `value` (an array): clamped to the column's items, 0 when missing. */
export function pickerViewValue(value, counts) {
  const list = Array.isArray(value) ? value : [];
  return counts.map((count, i) => clampIndex(list[i], count));
}

/** The item a column shows when scrolled to `scrollTop` with items `itemHeight` tall. */
export function indexAt(scrollTop, itemHeight, count) {
  if (count <= 0 || !(itemHeight > 0)) return 0;
  return clampIndex(Math.round(scrollTop / itemHeight), count);
}

// ---- rich-text --------------------------------------------------------------------------------

/**
 * The trusted nodes and attributes (the rich-text docs' table): every tag also takes `class`
 * and `style`; nothing takes `id` or an event handler. A node with another name is dropped
 * with its children, as the docs say.
 */
export const RICH_TEXT_TAGS = {
  a: [], abbr: [], address: [], article: [], aside: [], b: [], bdi: [], bdo: ['dir'], big: [],
  blockquote: [], br: [], caption: [], center: [], cite: [], code: [], col: ['span', 'width'],
  colgroup: ['span', 'width'], dd: [], del: [], div: [], dl: [], dt: [], em: [], fieldset: [],
  font: [], footer: [], h1: [], h2: [], h3: [], h4: [], h5: [], h6: [], header: [], hr: [], i: [],
  img: ['alt', 'src', 'height', 'width'], ins: [], label: [], legend: [], li: [], mark: [], nav: [],
  ol: ['start', 'type'], p: [], pre: [], q: [], rt: [], ruby: [], s: [], section: [], small: [],
  span: [], strong: [], sub: [], sup: [], table: ['width'], tbody: [],
  td: ['colspan', 'height', 'rowspan', 'width'], tfoot: [], th: ['colspan', 'height', 'rowspan', 'width'],
  thead: [], tr: ['colspan', 'height', 'rowspan', 'width'], tt: [], u: [], ul: [],
};

/** At most this many nodes and this depth; past them the rest is dropped. */
export const RICH_TEXT_LIMITS = { nodes: 10_000, depth: 64, text: 1_000_000 };

const NUMERIC = new Set(['span', 'width', 'height', 'colspan', 'rowspan', 'start']);

/**
 * An attribute value the rich-text keeps, or null: numbers (and `%` widths) for sizes, `ltr`/
 * `rtl` for `dir`, list types for `type`, `src` only `http(s)`, a page-relative path or a
 * `data:image/` (a raster or SVG image: an `<img>` runs no script), `alt` and `class` as text.
 * `style` is filtered by the DOM side (`keepStyle`).
 */
export function attributeValue(tag, name, value) {
  if (value === null || value === undefined || typeof value === 'object' || typeof value === 'function') return null;
  const text = String(value);
  if (name === 'class') return text.slice(0, 1024);
  if (name === 'style') return text.slice(0, 8192);
  if (!(RICH_TEXT_TAGS[tag] ?? []).includes(name)) return null;
  if (NUMERIC.has(name)) return /^\s*\d{1,6}(\.\d+)?\s*(%|px)?\s*$/.test(text) ? text.trim() : null;
  if (name === 'dir') return /^(ltr|rtl|auto)$/i.test(text) ? text.toLowerCase() : null;
  if (name === 'type') return /^[1aAiI]$|^(disc|circle|square)$/.test(text) ? text : null;
  if (name === 'alt') return text.slice(0, 1024);
  if (name === 'src') return imageSource(text);
  return null;
}

/** An image `src` the rich-text loads: `http(s):`, `data:image/…`, or a path (no other scheme). */
export function imageSource(text) {
  // Control characters and whitespace inside a scheme are how `java\tscript:` hides.
  // eslint-disable-next-line no-control-regex
  const clean = String(text).replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(clean);
  if (!scheme) return clean.startsWith('//') ? null : String(text).trim();
  const name = scheme[1].toLowerCase();
  const kept = String(text).trim();
  if (!/^[a-z]+:/i.test(kept)) return null; // the scheme was written with control characters in it
  if (name === 'http' || name === 'https') return kept;
  if (name === 'data' && /^data:image\/(png|jpe?g|gif|webp|svg\+xml|bmp)[;,]/i.test(kept)) return kept;
  return null;
}

/**
 * `nodes` (an array of node objects, one node object, or plain text) as a tree of only
 * trusted nodes: `{type: 'node', name, attrs, children}` and `{type: 'text', text}`. Names
 * compare case-insensitively. What is not trusted is left out, never passed through.
 */
export function sanitizeNodes(nodes) {
  const budget = { nodes: RICH_TEXT_LIMITS.nodes, text: RICH_TEXT_LIMITS.text };
  const out = [];
  walk(Array.isArray(nodes) ? nodes : [nodes], 0, out, budget);
  return out;
}

function walk(list, depth, out, budget) {
  for (const node of list) {
    if (budget.nodes <= 0) return;
    if (node === null || node === undefined) continue;
    if (typeof node === 'string' || typeof node === 'number') {
      pushText(out, String(node), budget);
      continue;
    }
    if (typeof node !== 'object') continue;
    if (node.type === 'text') {
      pushText(out, String(node.text ?? ''), budget);
      continue;
    }
    if (node.type !== undefined && node.type !== 'node') continue;
    const name = String(node.name ?? '').toLowerCase();
    if (!Object.prototype.hasOwnProperty.call(RICH_TEXT_TAGS, name) || depth >= RICH_TEXT_LIMITS.depth) continue;
    budget.nodes -= 1;
    const attrs = {};
    if (node.attrs && typeof node.attrs === 'object') {
      for (const [key, value] of Object.entries(node.attrs)) {
        const attr = String(key).toLowerCase();
        const kept = attributeValue(name, attr, value);
        if (kept !== null) attrs[attr] = kept;
      }
    }
    const children = [];
    if (Array.isArray(node.children)) walk(node.children, depth + 1, children, budget);
    out.push({ type: 'node', name, attrs, children });
  }
}

function pushText(out, text, budget) {
  if (budget.text <= 0) return;
  const kept = text.slice(0, budget.text);
  budget.text -= kept.length;
  budget.nodes -= 1;
  out.push({ type: 'text', text: kept });
}

/**
 * A style declaration the rich-text keeps (name and value as the CSSOM gives them): none that
 * loads anything (`url(`, `image-set(`, `image(`, `element(`, `@import`, `expression(`,
 * `-moz-binding`, `behavior`) and no `position: fixed`/`sticky`, which would place text over the
 * rest of the page; the rich-text element also contains its layout and paint (native.css).
 */
export function keepStyle(name, value) {
  const n = String(name).toLowerCase();
  const v = String(value).toLowerCase().replace(/\\/g, '');
  if (/(^|-)behavior$|binding$/.test(n)) return false;
  if (/url\s*\(|image-set\s*\(|(^|[^-a-z])image\s*\(|element\s*\(|expression\s*\(|@import|javascript:/.test(v)) return false;
  if (n === 'position' && /fixed|sticky/.test(v)) return false;
  return true;
}
