// Custom components on the render side (the page): hands the logic layer's definitions to the
// axml wasm (which renders and matches the instances, axml-wasm/src/components.rs), adds and
// drops each component's scoped style sheet while instances of it are open, and tells the
// Worker which instances were created, updated and removed (`components` message) after the
// DOM is patched. DESIGN.md "Custom components".

const styleUse = new Map(); // component path → open instances
const pageStyles = new Map(); // pageId → Map(instance id → component path)

/** The definitions that came with `pageOpen` (`{ path: { component, data, props, using } }`). */
export function defineComponents(templates, defs, showError) {
  for (const [path, def] of Object.entries(defs ?? {})) {
    try { templates.define(path, JSON.stringify(def)); } catch (e) { showError(e); }
  }
}

function addStyle(templates, files, path, showError) {
  const count = styleUse.get(path) ?? 0;
  styleUse.set(path, count + 1);
  if (count > 0 || typeof files[`${path}.acss`] !== 'string') return;
  try {
    const style = document.createElement('style');
    style.dataset.acssComponent = path;
    style.textContent = templates.css(`${path}.acss`, templates.scopeOf(path));
    document.head.append(style);
  } catch (e) {
    showError(e);
  }
}

function dropStyle(path) {
  const count = (styleUse.get(path) ?? 1) - 1;
  styleUse.set(path, count);
  if (count <= 0) {
    styleUse.delete(path);
    document.head.querySelector(`style[data-acss-component="${CSS.escape(path)}"]`)?.remove();
  }
}

/**
 * After a render of page `pageId`: the components it created, updated and removed go to the
 * Worker (lifecycle hooks), and their styles are added or dropped.
 */
export function flushComponents(templates, files, pageId, worker, showError) {
  let life;
  try { life = JSON.parse(templates.lifecycle(pageId)); } catch { return; }
  if (!life.created.length && !life.updated.length && !life.removed.length) return;
  if (!pageStyles.has(pageId)) pageStyles.set(pageId, new Map());
  const open = pageStyles.get(pageId);
  for (const { id, path } of life.removed) { if (open.delete(id)) dropStyle(path); }
  for (const { id, path } of life.created) { open.set(id, path); addStyle(templates, files, path, showError); }
  worker.postMessage({ type: 'components', pageId, ...life });
}

/** Page `pageId` closed: its components' styles go with it. */
export function closeComponents(pageId) {
  for (const path of pageStyles.get(pageId)?.values() ?? []) dropStyle(path);
  pageStyles.delete(pageId);
}
