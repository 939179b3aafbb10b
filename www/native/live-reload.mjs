// Live reload of a native mini program: the sandbox streams which files of the app's folder
// changed (`/native/<appId>/events`, server-sent events, sandbox/src/native_app/watch.rs); the
// page then reloads at the page on top of the stack, says so in the console, and logs what
// changed and what reloaded in the simulator's devtools (its JSAPI log, as "live reload").

/** The simulator's origin (the page that frames this one), or null when not framed. */
function shellOrigin() {
  if (window.parent === window) return null;
  // After a reload the referrer is this page itself; ancestorOrigins (Chromium) still names
  // the parent.
  const ancestor = location.ancestorOrigins?.[0];
  if (ancestor) return ancestor;
  try { return new URL(document.referrer).origin; } catch { return null; }
}

/**
 * Listens for changes of `appId`'s folder; `currentRoute()` names the page to reload at.
 * Returns the EventSource (null where there is none).
 */
export function startLiveReload({ appId, currentRoute }) {
  if (typeof EventSource !== 'function') return null;
  const source = new EventSource(`/native/${encodeURIComponent(appId)}/events`);
  source.addEventListener('change', (event) => {
    let data;
    try { data = JSON.parse(event.data); } catch { return; }
    const changed = Array.isArray(data?.changed) ? data.changed.map(String) : [];
    const more = Number(data?.more) || 0;
    const route = currentRoute();
    const url = new URL(location.href);
    if (route && route !== url.searchParams.get('page')) {
      url.searchParams.set('page', route);
      url.searchParams.delete('query'); // the launch query belongs to the launch page
    }
    const what = `${changed.join(', ')}${more ? ` and ${more} more` : ''}`;
    console.info(`[native] changed: ${what}; reloading ${route ?? 'the app'}`);
    const origin = shellOrigin();
    if (origin) {
      window.parent.postMessage({
        type: 'miniprogram-shim:log',
        entry: { api: 'live reload', options: { changed, more }, ok: true, result: { reloaded: route ?? url.searchParams.get('page') ?? 'the app' }, durationMs: 0 },
      }, origin);
    }
    source.close();
    location.replace(url.href);
  });
  return source;
}
