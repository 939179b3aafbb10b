// Entries the native runtime adds to the simulator's devtools JSAPI log (live reload, package
// preloads), posted to the shell that frames the page; nothing when not framed.

/** The simulator's origin (the page that frames this one), or null when not framed. */
export function shellOrigin() {
  if (window.parent === window) return null;
  // After a reload the referrer is this page itself; ancestorOrigins (Chromium) still names
  // the parent.
  const ancestor = location.ancestorOrigins?.[0];
  if (ancestor) return ancestor;
  try { return new URL(document.referrer).origin; } catch { return null; }
}

/** Adds `entry` ({ api, options, ok, result }) to the devtools' JSAPI log. */
export function logToDevtools(entry) {
  const origin = shellOrigin();
  if (origin) window.parent.postMessage({ type: 'miniprogram-shim:log', entry: { durationMs: 0, ...entry } }, origin);
}
