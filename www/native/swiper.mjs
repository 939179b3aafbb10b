// The `swiper` built-in on the render side (DESIGN.md "Native mini programs: the frame",
// built-ins with state): one slide per child (`swiper-item`, or whatever the template put
// there: a `navigator` around a `swiper-item` is common), shown one at a time. Attributes:
// `current`, `autoplay`, `interval` (ms, 5000), `duration` (ms, 500), `circular`, `vertical`,
// `indicator-dots`, `indicator-color`, `indicator-active-color`, `disable-touch`. Events:
// `onChange` `{current, source: 'autoplay' | 'touch'}` and `onAnimationEnd` `{current, source}`
// (no bubbling). As the other built-ins, the look is CSS on the element itself (native.css:
// the slides are moved by `--a-current`, the dots are the element's `::after`): its DOM
// children stay exactly its virtual children.

const num = (value, fallback) => (Number.isFinite(Number(value)) && value !== '' && value !== null && value !== undefined ? Number(value) : fallback);
const yes = (value) => value !== undefined && value !== null && value !== false && value !== 'false';

/**
 * The slide after a move of `delta` from `current` among `count` slides: wraps when `circular`
 * (or for autoplay, which starts again at the first), else stays in range. Pure.
 */
export function nextSlide(current, count, delta, wrap) {
  if (count <= 0) return 0;
  const to = current + delta;
  if (wrap) return ((to % count) + count) % count;
  return Math.min(count - 1, Math.max(0, to));
}

/** `dispatch(domEvent, type, detail, from, bubbles)`: render.mjs's event dispatcher. */
export function createSwipers({ pagesEl, dispatch }) {
  const swipers = new Set();

  /** The slides: the element children, through components' hosts (`display: contents`). */
  function slides(el) {
    const out = [];
    for (const child of el.children) {
      if (child.hasAttribute('a-component')) out.push(...slides(child));
      else out.push(child);
    }
    return out;
  }

  function attr(el, name) { return el.__v?.attrs.get(name); }

  function count(el) {
    const n = slides(el).length;
    el.style.setProperty('--a-n', String(n));
    return n;
  }

  function show(el, index, source, event) {
    const n = count(el);
    const to = n ? Math.min(n - 1, Math.max(0, Math.trunc(num(index, 0)))) : 0;
    const changed = to !== el.__current;
    el.__current = to;
    el.style.setProperty('--a-current', String(to));
    if (!changed || !source) return;
    const e = event ?? new Event('change');
    dispatch(e, 'change', { current: to, isChanging: false, source }, el, false);
    const duration = num(attr(el, 'duration'), 500);
    setTimeout(() => { if (el.isConnected && el.__current === to) dispatch(e, 'animationEnd', { current: to, source }, el, false); }, duration);
  }

  function schedule(el) {
    clearInterval(el.__timer);
    el.__timer = null;
    if (!yes(attr(el, 'autoplay'))) return;
    const interval = Math.max(100, num(attr(el, 'interval'), 5000));
    el.__timer = setInterval(() => {
      if (!el.isConnected) { clearInterval(el.__timer); swipers.delete(el); return; }
      // A page kept alive behind another (or hidden) does not turn its slides.
      if (el.closest('.a-page')?.hidden || sliding?.el === el) return;
      show(el, nextSlide(el.__current ?? 0, count(el), 1, true), 'autoplay');
    }, interval);
  }

  /** An attribute of a swiper; true when handled here. */
  function setAttr(el, name, value) {
    switch (name) {
      case 'current': el.__v.attrs.set('current', value); if (el.__ready) show(el, value); return true;
      case 'autoplay': case 'interval':
        el.__v.attrs.set(name, value);
        if (el.__ready) schedule(el);
        return true;
      case 'duration': el.style.setProperty('--a-duration', `${Math.max(0, num(value, 500))}ms`); return true;
      case 'vertical': el.toggleAttribute('a-vertical', yes(value)); return true;
      case 'indicator-dots': el.toggleAttribute('a-dots', yes(value)); return true;
      case 'indicator-color': el.style.setProperty('--a-dot', String(value ?? '')); return true;
      case 'indicator-active-color': el.style.setProperty('--a-dot-active', String(value ?? '')); return true;
      default: return false;
    }
  }

  function created(el) {
    el.__ready = true;
    swipers.add(el);
    el.__current = undefined;
    show(el, attr(el, 'current') ?? 0);
    schedule(el);
    // Slides come and go with setData: the count (and the dots) follow, the current stays in range.
    new MutationObserver(() => show(el, el.__current ?? 0)).observe(el, { childList: true });
  }

  // A drag (mouse or finger) of a fifth of the swiper or 40 px turns one slide.
  let sliding = null;
  pagesEl.addEventListener('pointerdown', (e) => {
    const el = e.target instanceof Element ? e.target.closest('swiper') : null;
    if (!el?.__v || e.button !== 0 || yes(attr(el, 'disable-touch'))) return;
    sliding = { el, id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
  });
  window.addEventListener('pointermove', (e) => {
    if (!sliding || e.pointerId !== sliding.id) return;
    if (Math.abs(e.clientX - sliding.x) + Math.abs(e.clientY - sliding.y) > 10) sliding.moved = true;
  });
  window.addEventListener('pointerup', (e) => {
    if (!sliding || e.pointerId !== sliding.id) return;
    const { el, x, y, moved } = sliding;
    sliding = null;
    if (!moved) return;
    const vertical = el.hasAttribute('a-vertical');
    const d = vertical ? e.clientY - y : e.clientX - x;
    const r = el.getBoundingClientRect();
    if (Math.abs(d) < Math.min(40, (vertical ? r.height : r.width) / 5)) return;
    const n = count(el);
    show(el, nextSlide(el.__current ?? 0, n, d < 0 ? 1 : -1, yes(attr(el, 'circular'))), 'touch', e);
    schedule(el); // the next autoplay turn a whole interval later
    // The click that ends a drag is not a tap.
    const swallow = (c) => { c.stopPropagation(); c.preventDefault(); };
    window.addEventListener('click', swallow, { capture: true, once: true });
    setTimeout(() => window.removeEventListener('click', swallow, { capture: true }), 0);
  });

  return { setAttr, created };
}
