// The IndexedDB side of the per-app file store (src/glue/files.rs holds the rules, src/files.rs
// the pure ones). One database per origin, one object store keyed by [appId, id]: every read
// and write names the app, so one app's paths find nothing in another's files.
// A record: { app, id, ext, saved, size, created (ms), type (MIME), name, blob }.

const DB_NAME = 'miniprogram-shim-files';
const STORE = 'files';
let opening;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined' || !indexedDB) {
        reject(new Error('this browser gives the page no IndexedDB'));
        return;
      }
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: ['app', 'id'] });
        store.createIndex('app', 'app');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('the file store is blocked by another tab upgrading it'));
    });
    // A failed open is tried again on the next call.
    opening.catch(() => { opening = undefined; });
  }
  return opening;
}

/** The record of `app`'s file `id`, or null. */
export async function fsGet(app, id) {
  const db = await open();
  const found = await request(db.transaction(STORE).objectStore(STORE).get([app, id]));
  return found ?? null;
}

/** Every record of `app` (blobs are read lazily by the browser). */
export async function fsList(app) {
  const db = await open();
  return request(db.transaction(STORE).objectStore(STORE).index('app').getAll(app));
}

/**
 * Stores `record` for `record.app` in one transaction with the quota decision:
 * `decide(files)` gets `[[id, size, created, saved], …]` of the app and returns the ids to drop
 * first (or throws: the transaction is aborted and nothing changes). `replaces`, when given,
 * is an id removed in the same transaction (a temporary file that became a saved one).
 */
export async function fsPut(record, decide, replaces) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    let refused;
    const all = store.index('app').getAll(record.app);
    all.onsuccess = () => {
      let drop;
      try {
        drop = decide(all.result.filter((f) => f.id !== replaces).map((f) => [f.id, f.size, f.created, f.saved]));
      } catch (e) {
        refused = e;
        tx.abort();
        return;
      }
      for (const id of drop) store.delete([record.app, id]);
      if (replaces) store.delete([record.app, replaces]);
      store.put(record);
    };
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(refused ?? tx.error ?? new Error('the file store aborted the write'));
  });
}

/** Removes `app`'s file `id`; true when there was one. */
export async function fsDelete(app, id) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    let existed = false;
    store.count([app, id]).onsuccess = (e) => {
      existed = e.target.result > 0;
      if (existed) store.delete([app, id]);
    };
    tx.oncomplete = () => resolve(existed);
    tx.onabort = () => reject(tx.error ?? new Error('the file store aborted the removal'));
  });
}

/** 16 random bytes for a new file's id. */
export function randomBytes() {
  return crypto.getRandomValues(new Uint8Array(16));
}

/** The first `n` bytes of `blob` (all of them when `n` is undefined). */
export async function blobBytes(blob, n) {
  const part = n === undefined ? blob : blob.slice(0, n);
  return new Uint8Array(await part.arrayBuffer());
}

/** A `blob:` URL for showing a file in the page; `URL.revokeObjectURL` it when done. */
export function objectUrl(blob) {
  return URL.createObjectURL(blob);
}

export function revokeUrl(url) {
  URL.revokeObjectURL(url);
}
