// The runtime's files as a browser gets them from the real sandbox: brotli at quality 11 once the
// sandbox has made it (sandbox/src/http/brotli_cache.rs; the first request is compressed per
// request), decoded by Chromium, and the runtime they make runs `my.*` calls.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { ROOT, startStack, SUPERAPP } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** Asks for `path` with `Accept-Encoding: br` until the sandbox answers at quality 11 (within 2 %
 *  of node's quality-11 brotli of the file: the two encoders need not agree to the byte). */
async function awaitBrotli11(path, file) {
  const content = await readFile(file);
  const best = zlib.brotliCompressSync(content, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const deadline = Date.now() + 60_000;
  for (;;) {
    // node's fetch would decode it: ask with node:http's plain request instead.
    const { encoding, body } = await new Promise((resolve, reject) => {
      get(`${SUPERAPP}${path}`, { headers: { 'accept-encoding': 'br' } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(encoding, 'br', path);
    assert.deepEqual(zlib.brotliDecompressSync(body), content, path);
    if (body.length <= best * 1.02) return body.length;
    assert.ok(Date.now() < deadline, `${path}: still ${body.length} bytes after 60 s (quality 11: ${best})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the page gets my.js and the glue as brotli 11 and the runtime they make runs my.* calls', async (t) => {
  const sizes = {
    '/my.js': await awaitBrotli11('/my.js', join(ROOT, 'www', 'my.js')),
    '/pkg/miniprogram_shim.js': await awaitBrotli11('/pkg/miniprogram_shim.js', join(ROOT, 'pkg', 'miniprogram_shim.js')),
  };
  const context = await stack.browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const encodings = {};
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path in sizes || path.endsWith('.wasm')) encodings[path] = r.headers()['content-encoding'];
  });
  await page.goto(`${SUPERAPP}/sandbox/health`); // a page of the super app's origin, to write into
  await page.setContent(`<script src="${SUPERAPP}/my.js"></script>`);
  await page.waitForFunction(() => window.miniprogramShim, null, { timeout: 20_000 });
  const ran = await page.evaluate(async () => {
    await window.miniprogramShim.ready;
    window.my.setStorageSync({ key: 'k', data: { n: 1 } });
    return window.my.getStorageSync({ key: 'k' }).data;
  });
  assert.deepEqual(ran, { n: 1 });
  assert.equal(encodings['/my.js'], 'br', JSON.stringify(encodings));
  assert.equal(encodings['/pkg/miniprogram_shim.js'], 'br', JSON.stringify(encodings));
  // The debug wasm (over 1 MiB) is compressed per request; a release one would be brotli 11 too.
  assert.ok(['br', 'gzip'].includes(encodings['/pkg/miniprogram_shim_bg.wasm']), JSON.stringify(encodings));
});
