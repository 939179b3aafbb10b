// my.createAnimation and the `animation` attribute (DESIGN.md "Native mini programs: animation").
// Both halves are here, as in canvas.mjs: `createAnimation` runs in the logic layer (the Worker)
// and builds the steps; `stepsOf` and `stepCss` read what a page set as `animation="{{…}}"` on
// the render side, and `createAnimator` plays it on an element with CSS transitions. Everything
// but `createAnimator` is pure (node tests in animation.test.mjs).
//
// The exported data is the format the Alipay and WeChat base libraries share:
//   { actions: [ { animates: [ { type, args } ], option: { transformOrigin,
//                  transition: { duration, timingFunction, delay } } } ] }
// `type` is a transform function's name (`rotate`, `translate3d`, …) or `style`, whose args are
// [CSS property, value]. Each step carries every transform and style set since the last
// export(), not only the step's own: a transition goes from the element's present transform to
// the whole new one, so `rotate(45).step().scale(2).step()` ends rotated *and* scaled. export()
// clears them with the steps, as Alipay documents ("the previous animation operations are
// cleared"): the next export starts from nothing (Alipay's API demo resets its element so).

export const TIMING_FUNCTIONS = ['linear', 'ease', 'ease-in', 'ease-in-out', 'ease-out', 'step-start', 'step-end'];
export const DEFAULTS = Object.freeze({ duration: 400, timingFunction: 'linear', delay: 0, transformOrigin: '50% 50% 0' });

/** The longest duration or delay taken (ms): a day. Longer is a mistake (seconds for ms). */
export const MAX_TIME = 86_400_000;
/** At most this many steps in one export: past it the app is looping without exporting. */
export const MAX_STEPS = 1_000;

const LENGTH = /^-?(?:\d+\.?\d*|\.\d+)(?:px|rpx|%|em|rem|vw|vh|vmin|vmax)?$/;
const ORIGIN_WORD = /^(?:left|right|top|bottom|center)$/;
const COLOR = /^[#\w(),.%\s/-]{1,64}$/;

/** How a value shows in a message: strings quoted, the rest as JS writes them. */
function shown(value) {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function number(where, name, value, unit) {
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be a number${unit ? ` (${unit})` : ''}, not ${shown(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${where}: ${name} must be a finite number, not ${value}`);
  return value;
}

/** A length: a number (px) or a CSS length text (`10px`, `50%`, `20rpx`, `auto`). */
function length(where, name, value) {
  if (typeof value === 'number') return number(where, name, value, 'px');
  if (typeof value === 'string' && (LENGTH.test(value.trim()) || value.trim() === 'auto')) return value.trim();
  throw new TypeError(`${where}: ${name} must be a number (px) or a CSS length such as "10px", "50%" or "20rpx", not ${shown(value)}`);
}

function time(where, name, value) {
  number(where, name, value, 'ms');
  if (value < 0 || value > MAX_TIME) throw new RangeError(`${where}: ${name} must be between 0 and ${MAX_TIME} ms, not ${value}`);
  return value;
}

/** `transformOrigin`: one to three of left/right/top/bottom/center or lengths (`50% 50% 0`). */
function origin(where, value) {
  const parts = typeof value === 'string' ? value.trim().split(/\s+/) : [];
  if (!parts.length || parts.length > 3 || !parts.every((p) => ORIGIN_WORD.test(p) || LENGTH.test(p))) {
    throw new TypeError(`${where}: transformOrigin must be like "50% 50% 0", "top right" or "10px 20px", not ${shown(value)}`);
  }
  return parts.join(' ');
}

/**
 * The options of `createAnimation` or `step` checked over `base`. `timeFunction` is read as
 * `timingFunction` (Alipay's own example of createAnimation spells it so).
 */
export function checkOptions(where, options, base = DEFAULTS) {
  if (options === undefined || options === null) return { ...base };
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${where}: the options must be an object, not ${shown(options)}`);
  const out = { ...base };
  if (options.duration !== undefined) out.duration = time(where, 'duration', options.duration);
  if (options.delay !== undefined) out.delay = time(where, 'delay', options.delay);
  const timing = options.timingFunction !== undefined ? options.timingFunction : options.timeFunction;
  if (timing !== undefined) {
    if (!TIMING_FUNCTIONS.includes(timing)) {
      throw new TypeError(`${where}: timingFunction must be one of ${TIMING_FUNCTIONS.join(', ')}, not ${shown(timing)}`);
    }
    out.timingFunction = timing;
  }
  if (options.transformOrigin !== undefined) out.transformOrigin = origin(where, options.transformOrigin);
  return out;
}

// Each method: its argument kinds (n: number, deg: angle in degrees, len: length) and defaults
// for those left out, as the documented signatures give them (`scale(sx)` is `scale(sx, sx)`).
const TRANSFORMS = {
  rotate: ['deg'], rotateX: ['deg'], rotateY: ['deg'], rotateZ: ['deg'], rotate3d: ['n', 'n', 'n', 'deg'],
  scale: ['n', 'n?'], scaleX: ['n'], scaleY: ['n'], scaleZ: ['n'], scale3d: ['n', 'n', 'n'],
  skew: ['deg', 'deg?'], skewX: ['deg'], skewY: ['deg'],
  translate: ['len', 'len?'], translateX: ['len'], translateY: ['len'], translateZ: ['len'], translate3d: ['len', 'len', 'len'],
  matrix: Array(6).fill('n'), matrix3d: Array(16).fill('n'),
};
/** The style methods → their CSS property and the kind of their one argument. */
const STYLES = {
  opacity: ['opacity', 'n'], backgroundColor: ['background-color', 'color'], width: ['width', 'len'], height: ['height', 'len'],
  top: ['top', 'len'], left: ['left', 'len'], bottom: ['bottom', 'len'], right: ['right', 'len'],
};
export const METHODS = [...Object.keys(STYLES), ...Object.keys(TRANSFORMS)];

function argument(where, kind, value, index) {
  const name = `argument ${index + 1}`;
  switch (kind.replace('?', '')) {
    case 'deg': return number(where, name, value, 'degrees');
    case 'len': return length(where, name, value);
    case 'color':
      if (typeof value !== 'string' || !COLOR.test(value.trim())) throw new TypeError(`${where}: the colour must be a CSS colour text such as "#ff0000" or "rgba(0, 0, 0, 0.5)", not ${shown(value)}`);
      return value.trim();
    default: return number(where, name, value);
  }
}

/** The checked args of `type(...args)`: optional ones left out take the first's value (`scale`) or 0 (`skew`, `translate`). */
export function transformArgs(type, args) {
  const kinds = TRANSFORMS[type];
  const where = `animation.${type}`;
  if (!kinds) throw new TypeError(`animation: ${shown(type)} is not a transform`);
  const required = kinds.filter((k) => !k.endsWith('?')).length;
  if (args.length < required) throw new TypeError(`${where}: needs ${required} argument${required > 1 ? 's' : ''}, got ${args.length}`);
  return kinds.map((kind, i) => {
    if (args[i] === undefined && kind.endsWith('?')) return type === 'scale' ? argument(where, kind, args[0], 0) : 0;
    return argument(where, kind, args[i], i);
  });
}

class Animation {
  #options;
  #pending = []; // animates since the last step()
  #current = new Map(); // every transform and style set so far: key → animate
  #actions = [];

  constructor(options) {
    this.#options = checkOptions('my.createAnimation', options);
    for (const [name, [property, kind]] of Object.entries(STYLES)) {
      this[name] = (value) => {
        this.#pending.push({ type: 'style', args: [property, argument(`animation.${name}`, kind, value, 0)] });
        return this;
      };
    }
    for (const type of Object.keys(TRANSFORMS)) {
      this[type] = (...args) => { this.#pending.push({ type, args: transformArgs(type, args) }); return this; };
    }
  }

  /** Closes a group: what was called since the last step() runs together, over `options`. */
  step(options) {
    const option = checkOptions('animation.step', options, this.#options);
    if (this.#actions.length >= MAX_STEPS) throw new RangeError(`animation.step: more than ${MAX_STEPS} steps before export()`);
    for (const animate of this.#pending) this.#current.set(animate.type === 'style' ? `style.${animate.args[0]}` : animate.type, animate);
    this.#pending = [];
    this.#actions.push({
      animates: [...this.#current.values()].map((a) => ({ type: a.type, args: [...a.args] })),
      option: {
        transformOrigin: option.transformOrigin,
        transition: { duration: option.duration, timingFunction: option.timingFunction, delay: option.delay },
      },
    });
    return this;
  }

  /**
   * The steps so far, for the `animation` attribute. The steps and the transforms and styles
   * they set are cleared; calls after the last step() stay for the next one.
   */
  export() {
    const actions = this.#actions;
    this.#actions = [];
    this.#current = new Map();
    return { actions };
  }
}

/** my.createAnimation(options) in the logic layer. */
export function createAnimation(options) {
  return new Animation(options);
}

// ---- the render side: reading what the page set ----------------------------------------------

const rpx = (text) => text.replace(/^(-?(?:\d+\.?\d*|\.\d+))rpx$/, 'calc($1 * var(--rpx, 100vw / 750))');
const css = (kind, value) => (kind === 'len' ? (typeof value === 'number' ? `${value}px` : rpx(value))
  : kind === 'deg' ? `${value}deg` : String(value));
const STYLE_KINDS = Object.fromEntries(Object.values(STYLES));

/**
 * The CSS of one exported step: `transform` (the functions in order), `styles` (CSS property →
 * value), `transformOrigin`, `duration`/`delay` (ms) and `timingFunction`. Checked again here
 * (the data came through setData and may be anything): a bad entry throws, naming it.
 */
export function stepCss(action, index = 0) {
  const where = `animation step ${index + 1}`;
  if (!action || typeof action !== 'object' || !Array.isArray(action.animates)) throw new TypeError(`${where}: not an exported step (no animates list)`);
  const option = action.option && typeof action.option === 'object' ? action.option : {};
  const transition = option.transition && typeof option.transition === 'object' ? option.transition : {};
  const checked = checkOptions(where, { ...transition, transformOrigin: option.transformOrigin ?? undefined });
  const transforms = [];
  const styles = {};
  for (const animate of action.animates) {
    const type = animate?.type;
    const args = Array.isArray(animate?.args) ? animate.args : [];
    if (type === 'style') {
      const kind = STYLE_KINDS[args[0]];
      if (!kind) throw new TypeError(`${where}: ${shown(args[0])} is not a property an animation sets`);
      styles[args[0]] = css(kind, argument(`${where} ${args[0]}`, kind, args[1], 0));
    } else if (Object.hasOwn(TRANSFORMS, type)) {
      let values;
      try { values = transformArgs(type, args); } catch (e) { e.message = `${where}: ${e.message}`; throw e; }
      transforms.push(`${type}(${values.map((v, i) => css(TRANSFORMS[type][i].replace('?', ''), v)).join(', ')})`);
    } else {
      throw new TypeError(`${where}: ${shown(type)} is not an animation method`);
    }
  }
  return {
    transform: transforms.length ? transforms.join(' ') : null,
    styles,
    transformOrigin: checked.transformOrigin,
    duration: checked.duration,
    delay: checked.delay,
    timingFunction: checked.timingFunction,
  };
}

/**
 * The steps of an `animation` attribute's value: `{ actions: [...] }` (what export() returns)
 * or the list itself. `null`, `undefined`, `false`, `''` and `{}` are no animation (pages
 * initialise the data so). Anything else that is not a list of steps throws, naming it.
 */
export function stepsOf(value) {
  if (value === null || value === undefined || value === false || value === '') return [];
  const actions = Array.isArray(value) ? value : value && typeof value === 'object' ? value.actions : undefined;
  if (actions === undefined && value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return [];
  if (!Array.isArray(actions)) throw new TypeError(`animation: expected the value of animation.export(), not ${shown(value)}`);
  if (actions.length > MAX_STEPS) throw new RangeError(`animation: more than ${MAX_STEPS} steps`);
  return actions.map((action, i) => stepCss(action, i));
}

/** The `transition` text of a step: each property it sets, with its timing. */
export function transitionText(step) {
  const properties = [...(step.transform !== null ? ['transform'] : []), ...Object.keys(step.styles)];
  return properties.map((p) => `${p} ${step.duration}ms ${step.timingFunction} ${step.delay}ms`).join(', ');
}

// ---- the render side: playing it ----------------------------------------------------------------

/**
 * Plays the `animation` attribute of elements. `onStepEnd(el, index, step)` is called at the end
 * of each step (the element's `onTransitionEnd`); `onError(error)` for data that is not an
 * animation. A new value stops the one playing (the next step goes from where the element is);
 * the values of the steps played stay on the element, and are put back when its `style`
 * attribute is written again.
 */
export function createAnimator({ onStepEnd, onError }) {
  const state = new WeakMap(); // el → { timer, applied: { property → value } }

  function apply(el, step, s) {
    const { applied } = s;
    s.transition = transitionText(step);
    el.style.transition = s.transition;
    el.style.transformOrigin = step.transformOrigin;
    if (step.transform !== null) { el.style.transform = step.transform; applied.transform = step.transform; }
    for (const [property, value] of Object.entries(step.styles)) { el.style.setProperty(property, value); applied[property] = el.style.getPropertyValue(property); }
    applied['transform-origin'] = step.transformOrigin;
  }

  function run(el, steps, s, index, generation) {
    if (s.generation !== generation) return; // a new value replaced this one
    if (index >= steps.length || !el.isConnected) { s.timer = null; s.playing = false; s.transition = ''; return; }
    const step = steps[index];
    getComputedStyle(el).transform; // the values before the step are the transition's start
    apply(el, step, s);
    s.timer = setTimeout(() => {
      s.timer = null;
      const next = () => {
        if (s.generation !== generation) return;
        onStepEnd(el, index, step);
        run(el, steps, s, index + 1, generation);
      };
      // The browser starts a transition at its next style update, which a busy page can put
      // after this timer: the step ends when its transitions have (none run when nothing
      // changed, or the element is not rendered).
      const properties = new Set([...(step.transform !== null ? ['transform'] : []), ...Object.keys(step.styles)]);
      const running = typeof el.getAnimations === 'function' && typeof CSSTransition === 'function'
        ? el.getAnimations().filter((a) => a instanceof CSSTransition && properties.has(a.transitionProperty) && a.playState === 'running')
        : [];
      if (running.length) Promise.all(running.map((a) => a.finished.catch(() => null))).then(next);
      else next();
    }, step.delay + step.duration);
  }

  return {
    /** The element's `animation` attribute is `value` now. */
    set(el, value) {
      let steps;
      try { steps = stepsOf(value); } catch (e) { onError(e); return; }
      const s = state.get(el) ?? { timer: null, applied: {}, playing: false, transition: '', generation: 0 };
      state.set(el, s);
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
      s.generation += 1;
      const generation = s.generation;
      if (!steps.length) { s.playing = false; return; }
      s.playing = true;
      // A new element is not in the document yet: it starts once it is, from its own styles.
      if (el.isConnected) run(el, steps, s, 0, generation);
      else requestAnimationFrame(() => run(el, steps, s, 0, generation));
    },
    /** After the element's `style` attribute was written: the animated values again, without a transition. */
    restyle(el) {
      const s = state.get(el);
      if (!s) return;
      if (s.playing) el.style.transition = s.transition;
      for (const [property, value] of Object.entries(s.applied)) el.style.setProperty(property, value);
    },
    /**
     * Whether the DOM's transitionend of `property` on `el` is an animation's (the element's
     * onTransitionEnd is sent once per step by the animator, not once per property).
     */
    owns(el, property) { const s = state.get(el); return Boolean(s && Object.hasOwn(s.applied, property)); },
  };
}
