// Native mini program benchmarks (issue 13), headless Chromium against the real sandbox serving
// a generated app with `--app` (figures in BENCHMARKS.md; reported, never asserted):
//   setData: one row of a 1,000-row a:for list (`rows[500].name`), on the render side (apply the
//            key, affected_by, render, diff, patch the DOM), and the whole round trip from the
//            Worker's setData to its callback; baseline: a hand-written DOM update of that row
//            (`textContent =`) in the same page, same run;
//   launch:  navigation start → the first page painted (a requestAnimationFrame after its DOM is
//            built), for a 10-page app; beside it, the H5 demo's first-contentful-paint on the
//            same origin.
// Usage: node tests/bench/native.mjs [runs=15]. Needs the axml wasm in target/bench-axml
// (.ci/bench builds it with --release) or pkg-axml/ (dev build) otherwise.

import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINI_PROGRAM, ROOT, startStack } from '../e2e/harness.mjs';

const RUNS = Number(process.argv[2] ?? 15);
const UPDATES = 200;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ms = (x) => `${x.toFixed(3)} ms`;

async function generateApp() {
  const dir = join(await mkdtemp(join(tmpdir(), 'native-bench-')), 'bench10');
  const pages = Array.from({ length: 10 }, (_, i) => `pages/p${i}/p${i}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'app.json'), JSON.stringify({ pages: [...pages, 'pages/list/list'], window: { defaultTitle: 'Bench' } }));
  await writeFile(join(dir, 'app.js'), 'App({ globalData: {} });');
  await writeFile(join(dir, 'app.acss'), 'page { font-size: 28rpx; } .row { padding: 8rpx 24rpx; }');
  for (const [i, page] of pages.entries()) {
    await mkdir(join(dir, page, '..'), { recursive: true });
    await writeFile(join(dir, `${page}.axml`), `<view class="head">Page ${i}: {{title}}</view>\n<view a:for="{{items}}" a:key="id" class="row">{{item.id}} · {{item.label}}</view>\n<navigator url="/pages/p${(i + 1) % 10}/p${(i + 1) % 10}">next</navigator>`);
    await writeFile(join(dir, `${page}.acss`), `.head { font-weight: 600; padding: 24rpx; }`);
    await writeFile(join(dir, `${page}.js`), `Page({ data: { title: 'p${i}', items: Array.from({ length: 20 }, (_, k) => ({ id: k, label: 'item ' + k })) } });`);
  }
  await mkdir(join(dir, 'pages/list'), { recursive: true });
  await writeFile(join(dir, 'pages/list/list.axml'), '<view a:for="{{rows}}" a:key="id" class="row" data-id="{{item.id}}">{{item.name}}</view>');
  await writeFile(join(dir, 'pages/list/list.js'), `
Page({
  data: { rows: Array.from({ length: 1000 }, (_, i) => ({ id: i, name: 'row ' + i, price: i * 10 })) },
  // Sequential updates of one row; each waits for the callback (the render side patched the DOM).
  bench(n) {
    const times = [];
    let k = 0;
    const step = () => {
      const t0 = performance.now();
      this.setData({ 'rows[500].name': 'update ' + k }, () => {
        times.push(performance.now() - t0);
        k += 1;
        if (k < n) step(); else globalThis.benchDone = times;
      });
    };
    step();
  },
  onReady() { this.bench(${UPDATES}); },
  onShow() {},
});
`);
  return dir;
}

const dir = await generateApp();
const axml = existsSync(join(ROOT, 'target', 'bench-axml', 'axml_wasm.js')) ? join(ROOT, 'target', 'bench-axml') : join(ROOT, 'pkg-axml');
const stack = await startStack({ sandboxArgs: ['--app', dir, '--axml-pkg-dir', axml] });
try {
  const context = await stack.browser.newContext({ viewport: { width: 375, height: 800 } });

  // setData of one row vs a hand-written DOM update, in the same page.
  const roundTrips = [];
  const renderSide = [];
  const handWritten = [];
  for (let run = 0; run < Math.max(3, Math.round(RUNS / 3)); run += 1) {
    const page = await context.newPage();
    // The Worker keeps its timings in globalThis.benchDone; the driver reads them there.
    const done = new Promise((resolve) => page.on('worker', (w) => {
      const poll = setInterval(async () => {
        try {
          const times = await w.evaluate(() => globalThis.benchDone ?? null);
          if (times) { clearInterval(poll); resolve(times); }
        } catch { /* not yet */ }
      }, 50);
    }));
    await page.addInitScript(() => { window.__nativeUpdates = []; });
    await page.goto(`${MINI_PROGRAM}/native/bench10/?page=pages/list/list`);
    const times = await done;
    roundTrips.push(...times.slice(10));
    // Per update, from a batch (one update is below the timer's resolution).
    const hand = await page.evaluate((n) => {
      const row = document.querySelectorAll('.row')[500];
      const t0 = performance.now();
      for (let k = 0; k < n; k += 1) row.textContent = `hand ${k}`;
      return (performance.now() - t0) / n;
    }, UPDATES * 50);
    handWritten.push(hand);
    renderSide.push(...(await page.evaluate(() => window.__nativeUpdates)).slice(10));
    await page.close();
  }

  // Launch → first page painted, 10-page app; the H5 demo's first-contentful-paint beside it.
  const nativePaint = [];
  const h5Paint = [];
  for (let run = 0; run < RUNS; run += 1) {
    const page = await context.newPage();
    await page.goto(`${MINI_PROGRAM}/native/bench10/`);
    nativePaint.push(await page.waitForFunction(() => window.__native?.firstPaint ?? false, null, { polling: 5 }).then((h) => h.jsonValue()));
    await page.close();
    const h5 = await context.newPage();
    await h5.goto(`${MINI_PROGRAM}/`);
    h5Paint.push(await h5.waitForFunction(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? false, null, { polling: 5 }).then((h) => h.jsonValue()));
    await h5.close();
  }

  console.log(`axml wasm: ${axml.replace(`${ROOT}/`, '')}`);
  console.log(`setData rows[500].name of a 1,000-row a:for, ${roundTrips.length} updates:`);
  console.log(`  render side (apply, affected_by, render, diff, patch)  median ${ms(median(renderSide))}`);
  console.log(`  Worker setData → callback (round trip)                  median ${ms(median(roundTrips))}`);
  console.log(`  baseline: hand-written DOM update of the row (batch)    median ${ms(median(handWritten))}`);
  console.log(`launch → first page painted, 10-page app (${RUNS} runs):   median ${ms(median(nativePaint))}`);
  console.log(`  beside it: the H5 demo's first-contentful-paint         median ${ms(median(h5Paint))}`);
} finally {
  await stack.stop();
}
