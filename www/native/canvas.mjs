// my.createCanvasContext (DESIGN.md "Native mini programs: canvas"). The logic layer's context
// records the drawing calls; `draw()` sends them to the render side, which replays them on the
// page's `<canvas id>` (a real HTML canvas). Both halves are here: `createCanvasContext` runs in
// the Worker, `replay` on the render side. Only the names below are recorded and replayed: a
// call of another name is a TypeError in the Worker, as a missing method is on a device.

/** Methods replayed as they are, on the 2D context. */
const METHODS = ['beginPath', 'closePath', 'moveTo', 'lineTo', 'arc', 'arcTo', 'rect', 'quadraticCurveTo',
  'bezierCurveTo', 'fill', 'stroke', 'clip', 'fillRect', 'strokeRect', 'clearRect', 'fillText', 'strokeText', 'save',
  'restore', 'translate', 'rotate', 'scale', 'setTransform', 'transform', 'setLineDash'];
/** The `setXxx(value)` forms of Alipay's context → the 2D context's property. */
const SETTERS = {
  setFillStyle: 'fillStyle', setStrokeStyle: 'strokeStyle', setLineWidth: 'lineWidth', setLineCap: 'lineCap',
  setLineJoin: 'lineJoin', setMiterLimit: 'miterLimit', setGlobalAlpha: 'globalAlpha', setTextAlign: 'textAlign',
  setTextBaseline: 'textBaseline',
};
/** Properties that may be assigned (`ctx.fillStyle = '#f00'`). */
const PROPERTIES = ['fillStyle', 'strokeStyle', 'lineWidth', 'lineCap', 'lineJoin', 'miterLimit', 'globalAlpha',
  'textAlign', 'textBaseline', 'font', 'shadowColor', 'shadowBlur', 'shadowOffsetX', 'shadowOffsetY',
  'globalCompositeOperation', 'lineDashOffset'];
const MAX_OPS = 100_000;

const plain = (args) => args.map((a) => (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean' || a === null ? a
  : Array.isArray(a) ? a.filter((x) => typeof x === 'number') : String(a)));

/**
 * The logic layer's context for `<canvas id="canvasId">`. `send(id, ops, reserve)` returns a
 * Promise settled when the render side has drawn.
 */
export function createCanvasContext(canvasId, send) {
  let ops = [];
  let fontSize = 10;
  const state = {};
  const record = (op) => {
    if (ops.length >= MAX_OPS) throw new RangeError(`canvas ${canvasId}: more than ${MAX_OPS} calls before draw()`);
    ops.push(op);
  };
  const ctx = { canvasId: String(canvasId ?? '') };
  for (const name of METHODS) ctx[name] = (...args) => { record([name, ...plain(args)]); };
  for (const [name, prop] of Object.entries(SETTERS)) ctx[name] = (value) => { state[prop] = value; record(['=', prop, plain([value])[0]]); };
  ctx.setFontSize = (size) => { fontSize = Number(size) || 10; record(['=', 'font', `${fontSize}px sans-serif`]); };
  ctx.setShadow = (x, y, blur, color) => {
    record(['=', 'shadowOffsetX', Number(x) || 0]);
    record(['=', 'shadowOffsetY', Number(y) || 0]);
    record(['=', 'shadowBlur', Number(blur) || 0]);
    record(['=', 'shadowColor', String(color ?? 'black')]);
  };
  ctx.drawImage = (src, ...rest) => { record(['drawImage', String(src ?? ''), ...plain(rest)]); };
  for (const prop of PROPERTIES) {
    Object.defineProperty(ctx, prop, {
      get: () => state[prop],
      set: (value) => { state[prop] = value; if (prop === 'font') fontSize = parseFloat(String(value).match(/(\d*\.?\d+)px/)?.[1] ?? fontSize); record(['=', prop, plain([value])[0]]); },
      enumerable: true,
    });
  }
  ctx.measureText = (text) => {
    // A Worker has OffscreenCanvas in the browsers we support; else an estimate.
    try {
      const m = new OffscreenCanvas(1, 1).getContext('2d');
      m.font = state.font ?? `${fontSize}px sans-serif`;
      return { width: m.measureText(String(text ?? '')).width };
    } catch { return { width: String(text ?? '').length * fontSize * 0.6 }; }
  };
  ctx.draw = (reserve = false, callback = undefined) => {
    const cb = typeof reserve === 'function' ? reserve : callback;
    const keep = typeof reserve === 'function' ? false : Boolean(reserve);
    const batch = ops;
    ops = [];
    // A canvas that is not on the page is said in the console, as a device logs it; the callback
    // still runs.
    send(ctx.canvasId, batch, keep).catch((e) => { console.error(`canvas ${ctx.canvasId}: ${e?.errorMessage ?? e}`); })
      .then(() => { if (typeof cb === 'function') cb(); });
  };
  return ctx;
}

/**
 * Render side: draws `ops` on `canvas` (cleared first unless `reserve`), sized to its box at
 * the device's pixel ratio. `imageUrl(src)` turns an app path into a URL; images are loaded
 * before anything is drawn, so the calls keep their order.
 */
export async function replay(canvas, ops, reserve, imageUrl) {
  const images = new Map();
  await Promise.all(ops.filter((op) => op[0] === 'drawImage' && !images.has(op[1])).map((op) => {
    const img = new Image();
    images.set(op[1], img);
    return new Promise((resolve) => { img.onload = resolve; img.onerror = resolve; img.src = imageUrl(op[1]); });
  }));
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  const c = canvas.getContext('2d');
  if (!reserve || canvas.width !== width || canvas.height !== height) {
    canvas.width = width; // also clears it and resets the context's state
    canvas.height = height;
  }
  c.setTransform(ratio, 0, 0, ratio, 0, 0);
  for (const [name, ...args] of ops) {
    try {
      if (name === '=') { if (PROPERTIES.includes(args[0])) c[args[0]] = args[1]; } else if (name === 'drawImage') {
        const img = images.get(args[0]);
        if (img?.naturalWidth) c.drawImage(img, ...args.slice(1));
      } else if (METHODS.includes(name)) {
        // The context's own transform calls are relative to the pixel ratio, as the page's are.
        if (name === 'setTransform') c.setTransform(ratio * args[0], ratio * args[1], ratio * args[2], ratio * args[3], ratio * args[4], ratio * args[5]);
        else c[name](...args);
      }
    } catch (e) { console.warn(`canvas ${canvas.id}: ${name}`, e); }
  }
}
