// my.regionPicker's data file (extras/data/regions.txt, copied beside the extras module by
// .ci/build-pkg): fetched once, on the first call.

/** Where the data is: `configured` (the `regionsUrl` key) or regions.txt beside the extras
 *  module (its glue; or pkg/extras/ above snippets/ when this file is a wasm-bindgen snippet). */
export function regionsUrl(configured) {
  if (configured) return new URL(configured, document.baseURI).href;
  const here = import.meta.url;
  const cut = here.indexOf('/snippets/');
  return new URL('regions.txt', cut >= 0 ? here.slice(0, cut + 1) : here).href;
}

/** The text at `url`; throws with the reason. */
export async function fetchText(url) {
  const res = await fetch(url, { credentials: 'omit' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}
