// my.request vs raw fetch in one headless Chromium run, plus the release wasm size.
// Run by tests/bench/run (which builds the release pkg and starts the echo server).
import fs from 'node:fs';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const STATIC = process.env.STATIC_URL || 'http://127.0.0.1:8790';
const ECHO = process.env.ECHO_SERVER_URL || 'http://127.0.0.1:8791';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS || 400);
const WARMUP = Number(process.env.BENCH_WARMUP || 40);
const PKG = process.env.BENCH_PKG;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let results;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.goto(`${STATIC}/tests/bench/page.html`);
  results = await page.evaluate(([s, n, w]) => window.runBench(s, n, w), [ECHO, ITERATIONS, WARMUP]);
} finally {
  await browser.close();
}

const chromiumVersion = browser.version();
const rows = [];
for (const [name, t] of Object.entries(results)) {
  const pairRatios = t.my.map((m, i) => m / t.fetch[i]);
  rows.push({
    name,
    fetch: median(t.fetch),
    my: median(t.my),
    ratioOfMedians: median(t.my) / median(t.fetch),
    medianPairRatio: median(pairRatios),
  });
}
const wasm = fs.readFileSync(`${PKG}/miniprogram_shim_bg.wasm`);
const js = fs.readFileSync(`${PKG}/miniprogram_shim.js`);
const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

console.log(`\nChromium ${chromiumVersion}; ${ITERATIONS} interleaved iterations per case (+${WARMUP} warm-up), loopback echo server\n`);
console.log('| case | raw fetch median | my.request median | median per-call ratio | ratio of medians |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.fetch.toFixed(3)} ms | ${r.my.toFixed(3)} ms | **${r.medianPairRatio.toFixed(3)}** | ${r.ratioOfMedians.toFixed(3)} |`);
}
console.log('');
console.log('| release artifact | raw | gzip -9 |');
console.log('|---|---|---|');
console.log(`| miniprogram_shim_bg.wasm | ${kb(wasm.length)} (${wasm.length} B) | **${kb(gz(wasm))}** (${gz(wasm)} B) |`);
console.log(`| miniprogram_shim.js (glue) | ${kb(js.length)} | ${kb(gz(js))} |`);
const oneKb = rows.filter((r) => r.name.includes('1 KB'));
const ok = oneKb.every((r) => r.medianPairRatio <= 1.10) && gz(wasm) <= 100 * 1024;
console.log(`\ntargets (1 KB ratio ≤ 1.10, wasm ≤ 100 KB gzipped): ${ok ? 'met' : 'MISSED'}`);
