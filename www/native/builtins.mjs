// Built-in components with state, on the render side (DESIGN.md "Native mini programs: the
// frame"): label, checkbox and checkbox-group, radio and radio-group, switch, slider, progress,
// icon and picker, with their documented attributes and `onChange` detail shapes, and their
// values in a form's `onSubmit`. Each is an element named by its tag; its look is CSS
// (native.css: pseudo-elements and custom properties) because an element's DOM children must
// stay exactly its virtual children (the patches address nodes by child index). Their change
// events do not bubble (as on a device: only touch and tap events bubble).

import { stepValue } from './frame-core.mjs';

const CONTROLS = 'checkbox, radio, switch';
const num = (value, fallback) => (Number.isFinite(Number(value)) && value !== '' && value !== null ? Number(value) : fallback);

/** `dispatch(domEvent, type, detail, from, bubbles)`: render.mjs's event dispatcher. */
export function createBuiltins({ pagesEl, dispatch }) {
  // ---- state (kept on the element; the template's attributes set it, the user changes it) ----

  function setChecked(el, on) {
    el.__checked = Boolean(on);
    el.toggleAttribute('a-checked', el.__checked);
    el.setAttribute('aria-checked', String(el.__checked));
  }

  function sliderState(el) {
    const attrs = el.__v.attrs;
    const min = num(attrs.get('min'), 0);
    const max = Math.max(min, num(attrs.get('max'), 100));
    const step = Math.max(Number.EPSILON, num(attrs.get('step'), 1));
    return { min, max, step };
  }

  function setSliderValue(el, raw) {
    const { min, max } = sliderState(el);
    const value = stepValue(num(raw, min), sliderState(el));
    el.__value = value;
    el.style.setProperty('--a-percent', String(max > min ? ((value - min) / (max - min)) * 100 : 0));
    el.dataset.aValue = String(value);
    el.setAttribute('aria-valuenow', String(value));
  }

  function setProgress(el, percent) {
    const p = Math.min(100, Math.max(0, num(percent, 0)));
    el.style.setProperty('--a-percent', String(p));
    el.dataset.aValue = `${Math.round(p)}%`;
  }

  const ICONS = { success: '✔', success_no_circle: '✓', info: 'i', warn: '!', waiting: '◷', clear: '✕', cancel: '✕', download: '↓', search: '⌕', loading: '↻' };

  /**
   * An attribute of a built-in this module owns; true when handled here (render.mjs's setAttr
   * then does nothing more). `value` undefined: the attribute was removed.
   */
  function setAttr(el, name, value) {
    const tag = el.__v?.tag;
    const on = value !== undefined && value !== null && value !== false && value !== 'false';
    switch (tag) {
      case 'checkbox': case 'radio': case 'switch':
        if (name === 'checked') { setChecked(el, on); return true; }
        if (name === 'color') { el.style.setProperty('--a-color', String(value ?? '')); return true; }
        if (name === 'disabled') { el.toggleAttribute('disabled', on); el.setAttribute('aria-disabled', String(on)); return true; }
        return false;
      case 'slider':
        if (name === 'value') { setSliderValue(el, value); return true; }
        if (['min', 'max', 'step'].includes(name)) { el.__v.attrs.set(name, value); setSliderValue(el, el.__value ?? el.__v.attrs.get('value')); return false; }
        if (name === 'show-value') { el.toggleAttribute('a-show-value', on); return true; }
        if (name === 'active-color') { el.style.setProperty('--a-active', String(value ?? '')); return true; }
        if (name === 'background-color') { el.style.setProperty('--a-track', String(value ?? '')); return true; }
        if (name === 'handle-color') { el.style.setProperty('--a-handle', String(value ?? '')); return true; }
        return false;
      case 'progress':
        if (name === 'percent') { setProgress(el, value); return true; }
        if (name === 'show-info') { el.toggleAttribute('a-show-info', on); return true; }
        if (name === 'stroke-width') { el.style.setProperty('--a-stroke', `${num(value, 6)}px`); return true; }
        if (name === 'active-color') { el.style.setProperty('--a-active', String(value ?? '')); return true; }
        if (name === 'background-color') { el.style.setProperty('--a-track', String(value ?? '')); return true; }
        return false;
      case 'icon':
        if (name === 'type') { el.dataset.aIcon = ICONS[String(value)] ?? ''; el.setAttribute('type', String(value ?? '')); return true; }
        if (name === 'size') { el.style.setProperty('--a-size', `${num(value, 23)}px`); return true; }
        if (name === 'color') { el.style.setProperty('--a-color', String(value ?? '')); return true; }
        return false;
      case 'picker':
        if (name === 'value') { el.__value = num(value, 0); return true; }
        return false;
      default: return false;
    }
  }

  /** A built-in element was created (its attributes are set): its defaults and roles. */
  function created(el) {
    const tag = el.__v?.tag;
    if (tag === 'checkbox' || tag === 'radio' || tag === 'switch') {
      if (el.__checked === undefined) setChecked(el, false);
      el.setAttribute('role', tag === 'switch' ? 'switch' : tag);
      el.__initial = el.__checked;
    } else if (tag === 'slider') {
      if (el.__value === undefined) setSliderValue(el, el.__v.attrs.get('min') ?? 0);
      el.setAttribute('role', 'slider');
      if (!el.hasAttribute('tabindex')) el.tabIndex = 0;
      el.__initial = el.__value;
    } else if (tag === 'progress') {
      if (!el.dataset.aValue) setProgress(el, 0);
      el.setAttribute('role', 'progressbar');
    } else if (tag === 'picker') {
      if (el.__value === undefined) el.__value = 0;
      el.__initial = el.__value;
    } else if (tag === 'input' || tag === 'textarea') {
      el.defaultValue = el.value; // a form's reset goes back to the template's first value
    }
  }

  // ---- groups and values -----------------------------------------------------------------

  const group = (el, tag) => el.closest(tag);
  const valueOf = (el) => String(el.__v.attrs.get('value') ?? '');

  function groupValue(g) {
    if (g.__v.tag === 'checkbox-group') return [...g.querySelectorAll('checkbox')].filter((c) => c.__checked && group(c, 'checkbox-group') === g).map(valueOf);
    const on = [...g.querySelectorAll('radio')].find((r) => r.__checked && group(r, 'radio-group') === g);
    return on ? valueOf(on) : '';
  }

  /** The named values of the built-ins in `form` (for onSubmit), added to `value`. */
  function formValues(form, value) {
    for (const el of form.querySelectorAll('checkbox-group, radio-group, switch, slider, picker')) {
      const name = el.__v?.attrs.get('name');
      if (name === undefined || name === null || name === '') continue;
      const tag = el.__v.tag;
      value[String(name)] = tag === 'switch' ? el.__checked : tag === 'slider' || tag === 'picker' ? el.__value : groupValue(el);
    }
    return value;
  }

  /** A form's reset: the built-ins in it go back to their first state. */
  function reset(form) {
    for (const el of form.querySelectorAll('checkbox, radio, switch')) setChecked(el, el.__initial);
    for (const el of form.querySelectorAll('slider')) setSliderValue(el, el.__initial);
    for (const el of form.querySelectorAll('picker')) el.__value = el.__initial;
  }

  // ---- user input ------------------------------------------------------------------------

  const disabled = (el) => el.hasAttribute('disabled');

  function toggle(e, el) {
    if (disabled(el)) return;
    const tag = el.__v.tag;
    if (tag === 'radio') {
      if (el.__checked) return;
      const g = group(el, 'radio-group');
      if (g) for (const r of g.querySelectorAll('radio')) if (group(r, 'radio-group') === g) setChecked(r, false);
      setChecked(el, true);
      if (g) dispatch(e, 'change', { value: groupValue(g) }, g, false);
      return;
    }
    setChecked(el, !el.__checked);
    dispatch(e, 'change', { value: el.__checked }, el, false);
    const g = tag === 'checkbox' ? group(el, 'checkbox-group') : null;
    if (g) dispatch(e, 'change', { value: groupValue(g) }, g, false);
  }

  pagesEl.addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : e.target.parentElement;
    if (!target) return;
    let control = target.closest(CONTROLS);
    if (!control) {
      const label = target.closest('label');
      if (label?.__v) {
        const id = label.__v.attrs.get('for');
        const root = label.closest('.a-page');
        control = id ? root?.querySelector(`#${CSS.escape(String(id))}`) : label.querySelector(CONTROLS);
        if (control && !control.matches(CONTROLS)) {
          if (typeof control.focus === 'function') control.focus();
          return;
        }
      }
    }
    if (control?.__v) { toggle(e, control); return; }
    const picker = target.closest('picker');
    if (picker?.__v && !disabled(picker)) openPicker(e, picker);
  });

  // The slider: a pointer drag (onChanging while it moves, onChange when it is let go) or keys.
  let sliding = null;
  function slideTo(e, el) {
    const r = el.getBoundingClientRect();
    const { min, max } = sliderState(el);
    setSliderValue(el, min + ((e.clientX - r.left) / Math.max(1, r.width)) * (max - min));
  }
  pagesEl.addEventListener('pointerdown', (e) => {
    const el = e.target instanceof Element ? e.target.closest('slider') : null;
    if (!el?.__v || disabled(el) || e.button !== 0) return;
    sliding = { el, id: e.pointerId, from: el.__value };
    slideTo(e, el);
    dispatch(e, 'changing', { value: el.__value }, el, false);
    e.preventDefault();
  });
  window.addEventListener('pointermove', (e) => {
    if (!sliding || e.pointerId !== sliding.id) return;
    const before = sliding.el.__value;
    slideTo(e, sliding.el);
    if (sliding.el.__value !== before) dispatch(e, 'changing', { value: sliding.el.__value }, sliding.el, false);
  });
  window.addEventListener('pointerup', (e) => {
    if (!sliding || e.pointerId !== sliding.id) return;
    const { el } = sliding;
    sliding = null;
    dispatch(e, 'change', { value: el.__value }, el, false);
  });
  pagesEl.addEventListener('keydown', (e) => {
    const el = e.target instanceof Element ? e.target.closest('slider') : null;
    if (!el?.__v || disabled(el)) return;
    const { step } = sliderState(el);
    const delta = { ArrowRight: step, ArrowUp: step, ArrowLeft: -step, ArrowDown: -step }[e.key];
    if (!delta) return;
    e.preventDefault();
    setSliderValue(el, el.__value + delta);
    dispatch(e, 'change', { value: el.__value }, el, false);
  });

  // The picker: a sheet over the page with its `range` (`range-key` names the field shown).
  function openPicker(e, picker) {
    const attrs = picker.__v.attrs;
    const range = Array.isArray(attrs.get('range')) ? attrs.get('range') : [];
    const key = attrs.get('range-key');
    const label = (item) => String(key !== undefined && key !== null && item && typeof item === 'object' ? item[key] ?? '' : item ?? '');
    const sheet = document.createElement('div');
    sheet.className = 'a-picker-sheet';
    sheet.setAttribute('role', 'dialog');
    const body = document.createElement('div');
    body.className = 'a-picker-body';
    const title = document.createElement('p');
    title.className = 'a-picker-title';
    title.textContent = String(attrs.get('title') ?? '');
    const list = document.createElement('div');
    list.className = 'a-picker-options';
    list.setAttribute('role', 'listbox');
    range.forEach((item, index) => {
      const option = document.createElement('button');
      option.type = 'button';
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', String(index === picker.__value));
      option.textContent = label(item);
      option.onclick = () => {
        sheet.remove();
        picker.__value = index;
        dispatch(e, 'change', { value: index }, picker, false);
      };
      list.append(option);
    });
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'a-picker-cancel';
    cancel.textContent = 'Cancel';
    cancel.onclick = () => sheet.remove();
    body.append(title, list, cancel);
    sheet.append(body);
    sheet.addEventListener('click', (c) => { if (c.target === sheet) sheet.remove(); });
    document.body.append(sheet);
  }

  return { setAttr, created, formValues, reset };
}
