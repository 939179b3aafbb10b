// swiper / swiper-item, picker-view / picker-view-column and rich-text on the render side
// (DESIGN.md "Native mini programs: swiper, picker-view, rich-text, web-view"); the pure rules
// are widgets-core.mjs. What these draw beyond the template's children (the swiper's dots, the
// picker-view's mask and indicator, the rich-text's nodes) is appended AFTER the element's
// virtual children and carries no `__v`: the patches address children by index from the
// first, and an insert at the end goes before the first extra (render.mjs applyPatches), so the
// virtual children keep their indexes.

import {
  clampIndex, cssLength, flag, imageSource, indexAt, itemOffset, keepStyle, numberOr, pickerViewValue,
  sanitizeNodes, stepIndex, swipeTarget, travel,
} from './widgets-core.mjs';

const WIDGETS = 'swiper, picker-view, rich-text';

/**
 * `dispatch(domEvent, type, detail, from, bubbles)`: render.mjs's; `fileUrl(route, src)`: an app
 * file's URL relative to a page; `rpxInline(text)`: inline rpx as ACSS writes it.
 */
export function createWidgets({ pagesEl, dispatch, fileUrl, rpxInline }) {
  const now = () => ({ timeStamp: performance.now() });
  const attr = (el, name) => el.__v?.attrs.get(name);
  const extra = (el, tag, className) => {
    const node = document.createElement(tag);
    node.className = className;
    node.__extra = true;
    el.append(node);
    return node;
  };

  // ---- swiper --------------------------------------------------------------------------------

  const items = (el) => [...el.children].filter((c) => c.__v?.tag === 'swiper-item');
  function sw(el) {
    el.__sw ??= { current: 0, position: 0, anim: null, timer: null, drag: null, shown: false };
    return el.__sw;
  }

  function layoutSwiper(el) {
    const s = sw(el);
    const list = items(el);
    const n = list.length;
    const circular = flag(attr(el, 'circular'));
    const vertical = flag(attr(el, 'vertical'));
    s.current = clampIndex(s.current, n);
    if (!s.anim && !s.drag) s.position = s.current;
    el.toggleAttribute('a-vertical', vertical);
    el.style.setProperty('--a-prev', cssLength(attr(el, 'previous-margin') ?? attr(el, 'previousMargin')));
    el.style.setProperty('--a-next', cssLength(attr(el, 'next-margin') ?? attr(el, 'nextMargin')));
    el.style.setProperty('--a-dot', String(attr(el, 'indicator-color') ?? 'rgba(0, 0, 0, .3)'));
    el.style.setProperty('--a-dot-active', String(attr(el, 'indicator-active-color') ?? '#000'));
    const active = String(attr(el, 'active-class') ?? '').split(/\s+/).filter(Boolean);
    list.forEach((item, i) => {
      const off = itemOffset(i, s.position, n, circular);
      item.style.transform = vertical ? `translate3d(0, ${off * 100}%, 0)` : `translate3d(${off * 100}%, 0, 0)`;
      item.toggleAttribute('a-current', i === s.current);
      item.setAttribute('aria-hidden', String(i !== s.current));
      for (const c of active) item.classList.toggle(c, i === s.current);
    });
    let dots = [...el.children].find((c) => c.__extra && c.localName === 'a-swiper-dots');
    if (!dots) dots = extra(el, 'a-swiper-dots', 'a-swiper-dots');
    else if (dots !== el.lastElementChild) el.append(dots);
    dots.hidden = !flag(attr(el, 'indicator-dots'));
    while (dots.children.length > n) dots.lastElementChild.remove();
    while (dots.children.length < n) dots.append(document.createElement('i'));
    [...dots.children].forEach((d, i) => d.toggleAttribute('a-on', i === s.current));
  }

  const duration = (el) => Math.max(0, numberOr(attr(el, 'duration'), 500));

  function transitionDetail(el, s) {
    const list = items(el);
    const box = list[0]?.getBoundingClientRect();
    const px = (s.position - s.current) * (flag(attr(el, 'vertical')) ? box?.height ?? 0 : box?.width ?? 0);
    return flag(attr(el, 'vertical')) ? { dx: 0, dy: Math.round(px) } : { dx: Math.round(px), dy: 0 };
  }

  /** Moves to `to` (animated over `duration` unless `instant`); `source` '' for the template. */
  function goTo(el, to, source, { instant = false, from = null } = {}) {
    const s = sw(el);
    const n = items(el).length;
    if (!n) return;
    const target = clampIndex(to, n);
    const circular = flag(attr(el, 'circular'));
    const start = from ?? s.position;
    const previous = s.current;
    const end = previous + travel(previous, target, n, circular);
    cancelAnim(s);
    s.current = target;
    if (target !== previous && source) dispatch(now(), 'change', { current: target, isChanging: false, source }, el, false);
    const ms = instant ? 0 : duration(el);
    if (ms === 0 || start === end) {
      s.position = target;
      layoutSwiper(el);
      if (start !== end || target !== previous) dispatch(now(), 'animationEnd', { current: target, source }, el, false);
      schedule(el);
      return;
    }
    const t0 = performance.now();
    const step = () => {
      const k = Math.min(1, (performance.now() - t0) / ms);
      const eased = 1 - (1 - k) ** 3;
      s.position = start + (end - start) * eased;
      layoutSwiper(el);
      dispatch(now(), 'transition', transitionDetail(el, s), el, false);
      if (k < 1 && el.isConnected) { s.anim = requestAnimationFrame(step); return; }
      s.anim = null;
      s.position = s.current;
      layoutSwiper(el);
      dispatch(now(), 'animationEnd', { current: s.current, source }, el, false);
      schedule(el);
    };
    s.anim = requestAnimationFrame(step);
  }

  function cancelAnim(s) {
    if (s.anim) cancelAnimationFrame(s.anim);
    s.anim = null;
  }

  /** Autoplay: the next item after `interval` ms, while the swiper is in the page. */
  function schedule(el) {
    const s = sw(el);
    clearTimeout(s.timer);
    s.timer = null;
    if (!flag(attr(el, 'autoplay')) || s.drag || s.anim || !el.isConnected || items(el).length < 2) return;
    s.timer = setTimeout(() => {
      s.timer = null;
      if (!el.isConnected || s.drag) return;
      const n = items(el).length;
      goTo(el, stepIndex(s.current, 1, n, true), 'autoplay');
    }, Math.max(16, numberOr(attr(el, 'interval'), 5000)));
  }

  // ---- picker-view ---------------------------------------------------------------------------

  const columns = (el) => [...el.children].filter((c) => c.__v?.tag === 'picker-view-column');
  const rows = (col) => [...col.children].filter((c) => c.__v);

  function pv(el) {
    if (!el.__pv) {
      const mask = extra(el, 'a-picker-mask', 'a-picker-mask');
      const indicator = extra(el, 'a-picker-indicator', 'a-picker-indicator');
      el.__pv = { mask, indicator, value: [], settle: new Map(), picking: false };
    }
    return el.__pv;
  }

  function itemHeight(el) {
    const h = pv(el).indicator.getBoundingClientRect().height;
    return h > 0 ? h : 34;
  }

  function layoutPickerView(el, { scroll = true } = {}) {
    const p = pv(el);
    if (el.lastElementChild !== p.indicator || p.indicator.previousElementSibling !== p.mask) el.append(p.mask, p.indicator);
    p.indicator.setAttribute('style', rpxInline(String(attr(el, 'indicator-style') ?? '')));
    p.indicator.className = `a-picker-indicator ${String(attr(el, 'indicator-class') ?? '')}`.trim();
    p.mask.setAttribute('style', rpxInline(String(attr(el, 'mask-style') ?? '')));
    p.mask.className = `a-picker-mask ${String(attr(el, 'mask-class') ?? '')}`.trim();
    const h = itemHeight(el);
    const box = el.getBoundingClientRect().height;
    el.style.setProperty('--a-item', `${h}px`);
    el.style.setProperty('--a-pad', `${Math.max(0, (box - h) / 2)}px`);
    const cols = columns(el);
    p.value = pickerViewValue(p.value, cols.map((c) => rows(c).length));
    cols.forEach((col, i) => {
      if (!col.hasAttribute('tabindex')) col.tabIndex = 0;
      col.setAttribute('role', 'listbox');
      rows(col).forEach((row, j) => row.toggleAttribute('a-selected', j === p.value[i]));
      if (scroll && !p.settle.has(col)) col.scrollTop = p.value[i] * h;
    });
  }

  /** A column came to rest (or was moved by a key): snap it, and onChange when it changed. */
  function settleColumn(el, col, domEvent, index = null) {
    const p = pv(el);
    const cols = columns(el);
    const i = cols.indexOf(col);
    if (i < 0) return;
    const h = itemHeight(el);
    const count = rows(col).length;
    const to = index === null ? indexAt(col.scrollTop, h, count) : clampIndex(index, count);
    p.settle.delete(col);
    col.scrollTop = to * h;
    const changed = p.value[i] !== to;
    p.value = p.value.slice();
    p.value[i] = to;
    rows(col).forEach((row, j) => row.toggleAttribute('a-selected', j === to));
    if (changed) dispatch(domEvent, 'change', { value: p.value.slice() }, el, false);
    if (p.picking && p.settle.size === 0) {
      p.picking = false;
      dispatch(domEvent, 'pickEnd', { value: p.value.slice() }, el, false);
    }
  }

  function pickStart(el, domEvent) {
    const p = pv(el);
    if (p.picking) return;
    p.picking = true;
    dispatch(domEvent, 'pickStart', { value: p.value.slice() }, el, false);
  }

  // ---- rich-text -----------------------------------------------------------------------------

  /** HTML text → node objects, parsed inert (DOMParser runs no script and loads nothing). */
  function htmlNodes(html) {
    const doc = new DOMParser().parseFromString(String(html), 'text/html');
    const convert = (node) => {
      if (node.nodeType === Node.TEXT_NODE) return { type: 'text', text: node.data };
      if (node.nodeType !== Node.ELEMENT_NODE) return null;
      const attrs = {};
      for (const a of node.attributes) attrs[a.name] = a.value;
      // Only HTML elements: an <svg> or <math> child named like a trusted tag is not one.
      const name = node.namespaceURI === 'http://www.w3.org/1999/xhtml' ? node.localName : `x-foreign-${node.localName}`;
      return { type: 'node', name, attrs, children: [...node.childNodes].map(convert).filter(Boolean) };
    };
    return [...doc.body.childNodes].map(convert).filter(Boolean);
  }

  const styleProbe = document.createElement('div');
  function applyStyle(node, text) {
    styleProbe.style.cssText = text;
    for (const name of styleProbe.style) {
      const value = styleProbe.style.getPropertyValue(name);
      if (keepStyle(name, value)) node.style.setProperty(name, value, styleProbe.style.getPropertyPriority(name));
    }
    styleProbe.style.cssText = '';
  }

  function buildRich(view, nodes) {
    const make = (n) => {
      if (n.type === 'text') return document.createTextNode(n.text);
      const node = document.createElement(n.name);
      for (const [name, value] of Object.entries(n.attrs)) {
        if (name === 'style') applyStyle(node, rpxInline(value));
        else if (name === 'class') node.className = value;
        else if (name === 'src') {
          const src = imageSource(value);
          if (src !== null) node.setAttribute('src', /^(https?:|data:)/i.test(src) ? src : fileUrl(view?.route ?? '', src));
        } else node.setAttribute(name, value);
      }
      if (n.name === 'img') node.setAttribute('referrerpolicy', 'no-referrer');
      for (const child of n.children) node.append(make(child));
      node.__extra = true;
      return node;
    };
    return nodes.map(make);
  }

  function setRichNodes(el, value, view) {
    for (const old of el.__rich ?? []) old.remove();
    let raw = value;
    if (typeof value === 'string') raw = htmlNodes(value);
    const built = buildRich(view, raw === undefined || raw === null ? [] : sanitizeNodes(raw));
    for (const node of built) node.__extra = true;
    el.__rich = built;
    el.append(...built);
  }

  // ---- attributes, creation, patches ------------------------------------------------------

  /** An attribute of these widgets; true when handled here. */
  function setAttr(el, name, value, view) {
    const tag = el.__v?.tag;
    if (tag === 'swiper') {
      if (name === 'current') {
        if (el.__swReady) {
          const n = items(el).length;
          const to = clampIndex(value, n);
          if (to !== sw(el).current) goTo(el, to, '', { instant: flag(attr(el, 'disable-programmatic-animation')) });
        } else sw(el).current = numberOr(value, 0);
        return true;
      }
      if (['autoplay', 'interval'].includes(name) && el.__swReady) queueMicrotask(() => schedule(el));
      return false;
    }
    if (tag === 'picker-view' && name === 'value') {
      const p = pv(el);
      p.value = Array.isArray(value) ? value.map((v) => numberOr(v, 0)) : [];
      if (el.__pvReady) queueMicrotask(() => layoutPickerView(el));
      return true;
    }
    if (tag === 'rich-text' && name === 'nodes') {
      setRichNodes(el, value, view);
      return true;
    }
    return false;
  }

  const live = new Set();

  function created(el, view) {
    const tag = el.__v?.tag;
    if (tag === 'swiper') {
      el.__swReady = true;
      if (!el.hasAttribute('tabindex')) el.tabIndex = 0;
      el.setAttribute('role', 'region');
      el.setAttribute('aria-roledescription', 'carousel');
      live.add(el);
      layoutSwiper(el);
      queueMicrotask(() => schedule(el));
    } else if (tag === 'picker-view') {
      const p = pv(el);
      el.append(p.mask, p.indicator); // after the columns, which build() appended after the attributes
      el.__pvReady = true;
      live.add(el);
      // Sizes are known once the element is in the page.
      requestAnimationFrame(() => { if (el.isConnected) layoutPickerView(el); });
    } else if (tag === 'rich-text') {
      if (!el.__rich) setRichNodes(el, undefined, view);
      else el.append(...el.__rich); // after any template children, as the patches expect
    }
  }

  /** After a page's patches: the widgets in it lay out again (items added, styles reset). */
  function refresh() {
    for (const el of live) {
      if (!el.isConnected) {
        if (el.__sw) { clearTimeout(el.__sw.timer); cancelAnim(el.__sw); }
        live.delete(el);
        continue;
      }
      if (el.__v.tag === 'swiper') { layoutSwiper(el); if (!el.__sw.timer && !el.__sw.anim) schedule(el); } else layoutPickerView(el, { scroll: false });
    }
  }

  // ---- input ---------------------------------------------------------------------------------

  // Swiper drags (mouse or finger; pointer events) and picker-view columns dragged with a mouse
  // (a finger and the wheel scroll them natively).
  let drag = null;
  let swallowClick = false;
  pagesEl.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || !(e.target instanceof Element)) return;
    const col = e.target.closest('picker-view-column');
    const picker = col?.parentElement;
    if (col?.__v && picker?.__v?.tag === 'picker-view' && e.pointerType === 'mouse') {
      drag = { kind: 'column', el: picker, col, id: e.pointerId, y: e.clientY, top: col.scrollTop, moved: false };
      pickStart(picker, e);
      e.preventDefault();
      return;
    }
    const el = e.target.closest('swiper');
    if (!el?.__v || flag(attr(el, 'disable-touch')) || items(el).length === 0) return;
    const s = sw(el);
    if (s.anim) { cancelAnim(s); s.position = s.current; layoutSwiper(el); }
    clearTimeout(s.timer);
    const box = items(el)[0].getBoundingClientRect();
    const vertical = flag(attr(el, 'vertical'));
    s.drag = { from: s.current, size: Math.max(1, vertical ? box.height : box.width), vertical };
    drag = { kind: 'swiper', el, id: e.pointerId, x: e.clientX, y: e.clientY, t: e.timeStamp, moved: false, last: 0 };
  });
  window.addEventListener('pointermove', (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    if (drag.kind === 'column') {
      drag.col.scrollTop = drag.top - (e.clientY - drag.y);
      drag.moved = drag.moved || Math.abs(e.clientY - drag.y) > 4;
      return;
    }
    const { el } = drag;
    const s = sw(el);
    const n = items(el).length;
    const moved = s.drag.vertical ? drag.y - e.clientY : drag.x - e.clientX;
    if (!drag.moved && Math.abs(moved) < 5) return;
    drag.moved = true;
    let delta = moved / s.drag.size;
    const circular = flag(attr(el, 'circular'));
    delta = Math.max(-1, Math.min(1, delta));
    // Past the first or last item of a swiper that does not wrap: a little give, no more.
    if (!circular) delta = Math.max(-0.2, Math.min(n - 0.8, s.drag.from + delta)) - s.drag.from;
    s.position = s.drag.from + delta;
    drag.last = delta;
    drag.t2 = e.timeStamp;
    layoutSwiper(el);
    dispatch(e, 'transition', transitionDetail(el, s), el, false);
  });
  const endDrag = (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const d = drag;
    drag = null;
    if (d.kind === 'column') {
      settleColumn(d.el, d.col, e);
      if (d.moved) swallowClick = true;
      return;
    }
    const s = sw(d.el);
    const from = s.drag.from;
    s.drag = null;
    if (!d.moved) { schedule(d.el); return; }
    swallowClick = true;
    const n = items(d.el).length;
    const quick = e.timeStamp - d.t < 250;
    const to = swipeTarget(from, s.position - from, n, { circular: flag(attr(d.el, 'circular')), fling: quick });
    s.current = from;
    goTo(d.el, to, 'touch', { from: s.position });
  };
  window.addEventListener('pointerup', endDrag);
  window.addEventListener('pointercancel', endDrag);
  // A swipe is not a tap: the click that ends it goes nowhere.
  pagesEl.addEventListener('click', (e) => {
    if (!swallowClick) return;
    swallowClick = false;
    e.stopImmediatePropagation();
    e.preventDefault();
  }, true);
  pagesEl.addEventListener('pointerdown', () => { swallowClick = false; }, true);

  pagesEl.addEventListener('scroll', (e) => {
    const col = e.target;
    if (col?.__v?.tag !== 'picker-view-column' || col.parentElement?.__v?.tag !== 'picker-view') return;
    const el = col.parentElement;
    const p = pv(el);
    if (drag?.col === col) return; // a mouse drag settles when let go
    const at = p.value[columns(el).indexOf(col)] * itemHeight(el);
    if (!p.settle.has(col) && Math.abs(col.scrollTop - at) <= 1) return; // where the value puts it
    // Only the user picks (a wheel, a finger): any other scroll (the browser's own) is undone.
    if (!userScroll.has(col)) { col.scrollTop = at; return; }
    pickStart(el, e);
    clearTimeout(p.settle.get(col));
    p.settle.set(col, setTimeout(() => { userScroll.delete(col); settleColumn(el, col, e); }, 120));
  }, true);
  const userScroll = new Set();
  const scrolledBy = (e) => {
    const col = e.target instanceof Element ? e.target.closest('picker-view-column') : null;
    if (col?.__v) userScroll.add(col);
  };
  pagesEl.addEventListener('wheel', scrolledBy, { capture: true, passive: true });
  pagesEl.addEventListener('touchstart', scrolledBy, { capture: true, passive: true });

  pagesEl.addEventListener('keydown', (e) => {
    if (!(e.target instanceof Element)) return;
    const target = e.target;
    if (target.__v?.tag === 'picker-view-column' && target.parentElement?.__v?.tag === 'picker-view') {
      const delta = { ArrowDown: 1, ArrowUp: -1, PageDown: 3, PageUp: -3 }[e.key];
      const home = { Home: 0, End: rows(target).length - 1 }[e.key];
      if (delta === undefined && home === undefined) return;
      e.preventDefault();
      const el = target.parentElement;
      const i = columns(el).indexOf(target);
      settleColumn(el, target, e, home ?? pv(el).value[i] + delta);
      return;
    }
    if (target.__v?.tag === 'swiper') {
      const vertical = flag(attr(target, 'vertical'));
      const step = (vertical ? { ArrowDown: 1, ArrowUp: -1 } : { ArrowRight: 1, ArrowLeft: -1 })[e.key];
      if (!step) return;
      e.preventDefault();
      const n = items(target).length;
      goTo(target, stepIndex(sw(target).current, step, n, flag(attr(target, 'circular'))), 'touch');
    }
  });

  return { setAttr, created, refresh, isWidget: (el) => el.matches?.(WIDGETS) };
}
