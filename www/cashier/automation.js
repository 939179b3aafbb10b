// The super app's automation switches as its own pages see them (cashier, consent).
//
// The switches (autopay, autoconsent) are the super app's settings, stored by the sandbox
// (GET /sandbox/settings); no URL parameter turns them on. A page acts on them only inside a
// frame that passes its own check below. The server is the real guard: it sends the page with
// `Content-Security-Policy: frame-ancestors 'self' <registered origin>`, so no other origin can
// frame it at all, and refuses a foreign `embedder` in every JSON call that names one.

/**
 * True when the page may act by itself: it is framed (never at top level), by the super app
 * itself (a same-origin parent) when no embedder is named, else by the named embedder where
 * the browser tells (location.ancestorOrigins; Firefox does not, and frame-ancestors holds).
 */
export function embeddedAsAllowed(embedder) {
  if (window.parent === window) return false;
  if (!embedder) {
    try { return window.parent.location.origin === location.origin; } catch { return false; }
  }
  let origin;
  try { origin = new URL(embedder).origin; } catch { return false; }
  const ancestors = location.ancestorOrigins;
  return !ancestors || ancestors.length === 0 || ancestors[0] === origin;
}

/** The switches `{ autopay, autoconsent }` (null = off); all off outside an allowed frame. */
export async function automation(embedder) {
  if (!embeddedAsAllowed(embedder)) return {};
  try {
    const res = await fetch('/sandbox/settings', { cache: 'no-store' });
    return res.ok ? await res.json() : {};
  } catch {
    return {};
  }
}

/** Says on the page what it did by itself (`<html data-automation="none|BALANCE|allow…">`). */
export function showAutomation(applied) {
  document.documentElement.dataset.automation = applied || 'none';
}
