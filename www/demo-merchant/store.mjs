// The merchant's orders, kept in one JSON file (`orders.json`) written atomically
// (temp file + rename), or in memory only. Loaded once at start.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class OrderStore {
  /** `dir`: the data directory, or `null` to keep orders in memory only. */
  static async open(dir, log = () => {}) {
    const store = new OrderStore(dir ? join(dir, 'orders.json') : null);
    if (!store.file) return store;
    await mkdir(dir, { recursive: true });
    let text = null;
    try {
      text = await readFile(store.file, 'utf8');
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    if (text !== null) {
      try {
        const saved = JSON.parse(text);
        for (const order of saved.orders ?? []) store.orders.set(order.orderId, order);
        log(`orders: loaded ${store.orders.size} from ${store.file}`);
      } catch (err) {
        // Never refuse to start over a damaged file: set it aside and start empty.
        const aside = `${store.file}.corrupt-${Date.now()}`;
        await rename(store.file, aside);
        log(`orders: ${store.file} is not valid JSON (${err.message}); moved to ${aside}, starting empty`);
      }
    }
    return store;
  }

  constructor(file) {
    this.file = file;
    /** @type {Map<string, object>} insertion order = creation order */
    this.orders = new Map();
    this.writing = Promise.resolve();
    this.writes = 0;
  }

  get(orderId) {
    return this.orders.get(orderId) ?? null;
  }

  /** Newest first. */
  list() {
    return [...this.orders.values()].reverse();
  }

  /** Stores (or replaces) `order` and persists; resolves once it is on disk. */
  save(order) {
    order.updatedAt = new Date().toISOString();
    this.orders.set(order.orderId, order);
    return this.flush();
  }

  /** Writes are chained, so two saves never race on the temp file or the rename. */
  flush() {
    if (!this.file) return Promise.resolve();
    const run = async () => {
      const tmp = `${this.file}.${process.pid}.${++this.writes}.tmp`;
      const body = JSON.stringify({ version: 1, orders: [...this.orders.values()] }, null, 2);
      await writeFile(tmp, body + '\n', 'utf8');
      await rename(tmp, this.file);
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }
}
