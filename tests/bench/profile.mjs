// Where the time of one hot call goes: `setStorageSync` / `getStorageSync` (1 KB with 1 MB
// stored), `my.request` GET 1 KB with `fetch` answered from memory, and `showToast` →
// `hideToast`. Two views in one headless Chromium:
//   1. parts: each step of the call timed alone in a loop (µs per call, median of rounds of
//      batches; performance.now() is coarsened to 0.1 ms), e.g. the raw call, the runtime's
//      export called directly, the same through `my` (www/my.js's wrapper and Proxy);
//      and the same parts by the main thread's CPU time (CDP Performance `ThreadTime`, steadier
//      than the wall clock on a loaded machine);
//   2. a CPU profile (CDP `Profiler`, 25 µs sampling) of many calls, self time by function,
//      grouped (wasm, the wasm-bindgen glue, my.js, localStorage/fetch natives, GC, …).
// For wasm function names, profile a build that keeps its name section:
//   wasm-pack build --profiling --no-opt --target web --no-pack --out-dir target/prof-pkg
//   wasm-opt -Oz -g … target/prof-pkg/miniprogram_shim_bg.wasm   (the release flags, plus -g)
//   PROFILE_PKG=target/prof-pkg node tests/bench/profile.mjs [set|get|request|toast ...]
// PROFILE_PARTS_ONLY=1 skips the CPU profiles.
// A/B of two builds in one page (the machine's load then hits both alike): PROFILE_BASE=<the
// other build's pkg dir> adds its export as "base" beside ours in the parts.
// Starts tests/server/echo-server.mjs itself (ports ECHO_PORT / STATIC_PORT, default 8791/8790).
// Reports figures; asserts nothing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ECHO_PORT = process.env.ECHO_PORT || '8791';
const STATIC_PORT = process.env.STATIC_PORT || '8790';
const STATIC = `http://127.0.0.1:${STATIC_PORT}`;
const ECHO = `http://127.0.0.1:${ECHO_PORT}`;
const PKG = path.resolve(root, process.env.PROFILE_PKG || process.env.BENCH_PKG || 'target/bench-pkg');
const CASES = process.argv.slice(2).length ? process.argv.slice(2) : ['set', 'get', 'request', 'toast'];
const ROUNDS = Number(process.env.PROFILE_ROUNDS || 40);
const CPU_ROUNDS = Number(process.env.PROFILE_CPU_ROUNDS || 20);
// The peer (Taro's H5 runtime) beside ours in the parts, when tests/bench/peer has built it.
const PEER = path.join(root, 'target/bench-peer/dist');
const BASE = process.env.PROFILE_BASE ? path.resolve(root, process.env.PROFILE_BASE) : '';

const server = spawn(process.execPath, [path.join(root, 'tests/server/echo-server.mjs'), '--port', ECHO_PORT,
  '--static-port', STATIC_PORT, '--pkg', PKG, ...(BASE ? ['--base', BASE] : []),
  ...(fs.existsSync(PEER) ? ['--peer', PEER] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => { out += d; if (/^static/m.test(out)) resolve(); });
  server.on('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

// In the page: `timeParts(parts, rounds, batch)` → µs per call, the median over rounds, the
// parts interleaved (rotating which goes first).
const pageSetup = async ([echo, withBase]) => {
  await miniprogramShim.ready;
  await miniprogramShim.configure({ appId: 'bench', whitelist: [new URL(echo).host] });
  window.mod = await import('/pkg/miniprogram_shim.js');
  if (withBase) {
    const base = await import('/base/miniprogram_shim.js');
    await base.default({ module_or_path: '/base/miniprogram_shim_bg.wasm' });
    base.configure({ appId: 'bench', whitelist: [new URL(echo).host] });
    window.base = base;
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  window.timeParts = async (parts, rounds, batch, awaited) => {
    const names = Object.keys(parts);
    const t = Object.fromEntries(names.map((n) => [n, []]));
    for (let i = 0; i < rounds + 3; i++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + k) % names.length];
        const f = parts[name];
        const t0 = performance.now();
        if (awaited) for (let b = 0; b < batch; b++) await f();
        else for (let b = 0; b < batch; b++) f();
        const dt = (performance.now() - t0) * 1000 / batch;
        if (i >= 3) t[name].push(dt);
      }
    }
    return Object.fromEntries(names.map((n) => [n, median(t[n])]));
  };
  const PREFIX = 'miniprogram-shim/bench/';
  window.fill = (chars) => {
    Object.keys(localStorage).forEach((k) => localStorage.removeItem(k));
    for (let i = 0; chars > 0; i++, chars -= 10240) localStorage.setItem(`${PREFIX}fill-${i}`, 'f'.repeat(Math.min(chars, 10240)));
  };
  window.value1k = 'v'.repeat(1000);
};

const CASE_DEFS = {
  set: {
    title: 'setStorageSync 1 KB, 1 MB stored',
    prepare: () => { fill(1024 * 1024); my.setStorageSync('k', value1k); },
    parts: () => {
      const v = value1k;
      const json = JSON.stringify(v);
      return {
        'raw: localStorage.setItem(k, JSON.stringify(v))': () => localStorage.setItem('raw-k', JSON.stringify(v)),
        'JSON.stringify(1 KB string)': () => JSON.stringify(v),
        'localStorage.setItem(k, json)': () => localStorage.setItem('raw-k', json),
        'localStorage.getItem(k) (1 KB)': () => localStorage.getItem('raw-k'),
        'localStorage.length': () => localStorage.length,
        'window.localStorage': () => window.localStorage,
        'an export call (mod.canIUse(0))': () => mod.canIUse(0),
        'ours, the export (mod.setStorageSync)': () => mod.setStorageSync('k', v),
        'ours, my.setStorageSync (my.js + Proxy)': () => my.setStorageSync('k', v),
        ...(window.base ? { 'base, the export (base.setStorageSync)': () => base.setStorageSync('k', v) } : {}),
      };
    },
    profiled: () => { for (let i = 0; i < 20000; i++) my.setStorageSync('k', value1k); },
    profiledRaw: () => { for (let i = 0; i < 20000; i++) localStorage.setItem('raw-k', JSON.stringify(value1k)); },
  },
  get: {
    title: 'getStorageSync 1 KB, 1 MB stored',
    prepare: () => { fill(1024 * 1024); my.setStorageSync('k', value1k); localStorage.setItem('raw-k', JSON.stringify(value1k)); },
    parts: () => ({
      'raw: JSON.parse(localStorage.getItem(k))': () => JSON.parse(localStorage.getItem('raw-k')),
      'localStorage.getItem(k) (1 KB)': () => localStorage.getItem('raw-k'),
      'an export call (mod.canIUse(0))': () => mod.canIUse(0),
      'ours, the export (mod.getStorageSync)': () => mod.getStorageSync('k'),
      'ours, my.getStorageSync (my.js + Proxy)': () => my.getStorageSync('k'),
      ...(window.base ? { 'base, the export (base.getStorageSync)': () => base.getStorageSync('k') } : {}),
    }),
    profiled: () => { for (let i = 0; i < 50000; i++) my.getStorageSync('k'); },
    profiledRaw: () => { for (let i = 0; i < 50000; i++) JSON.parse(localStorage.getItem('raw-k')); },
  },
  request: {
    title: 'my.request GET 1 KB JSON, fetch answered from memory',
    awaited: true,
    prepare: async (echo) => {
      const body = await (await fetch(`${echo}/json1k`)).text();
      window.realFetch = window.realFetch || window.fetch;
      window.fetch = () => Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'r1' } }));
      window.echo = echo;
    },
    parts: () => {
      const url = `${echo}/json1k`;
      const init = { headers: { 'content-type': 'application/json' }, credentials: 'omit' };
      return {
        'raw: fetch + status + headers + json()': async () => { const r = await fetch(url, init); return { status: r.status, headers: Object.fromEntries(r.headers), data: await r.json() }; },
        'fetch alone (stub)': () => fetch(url, init),
        'ours, the export (mod.request)': () => mod.request({ url }),
        'ours, my.request (my.js + Proxy)': () => my.request({ url }),
        ...(window.base ? { 'base, the export (base.request)': () => base.request({ url }) } : {}),
        ...(window.Taro ? { 'peer: Taro.request': () => Taro.request({ url, header: { 'content-type': 'application/json' } }) } : {}),
      };
    },
    profiled: async () => { const url = `${echo}/json1k`; for (let i = 0; i < 4000; i++) await my.request({ url }); },
    profiledRaw: async () => {
      const url = `${echo}/json1k`;
      const init = { headers: { 'content-type': 'application/json' }, credentials: 'omit' };
      for (let i = 0; i < 4000; i++) { const r = await fetch(url, init); ({ status: r.status, headers: Object.fromEntries(r.headers), data: await r.json() }); }
    },
  },
  toast: {
    title: 'showToast → hideToast',
    awaited: true,
    prepare: () => {},
    parts: () => ({
      'raw: a div added, a microtask, removed': async () => {
        const el = document.createElement('div'); el.textContent = 'Saved';
        el.style.cssText = 'position:fixed;top:40%;left:50%;padding:8px;background:#333;color:#fff';
        document.body.appendChild(el); await Promise.resolve(); el.remove();
      },
      'ours: showToast, hideToast, both awaited': async () => { const s = my.showToast({ content: 'Saved', duration: 3000 }); await my.hideToast(); await s; },
      'ours: hideToast alone (none shown)': () => my.hideToast(),
      ...(window.base ? { 'base: showToast, hideToast, both awaited': async () => { const s = base.showToast({ content: 'Saved', duration: 3000 }); await base.hideToast(); await s; } } : {}),
      ...(window.Taro ? { 'peer: Taro.showToast, Taro.hideToast, awaited': async () => { await Taro.showToast({ title: 'Saved', duration: 3000 }); await Taro.hideToast(); } } : {}),
    }),
    profiled: async () => { for (let i = 0; i < 4000; i++) { const s = my.showToast({ content: 'Saved', duration: 3000 }); await my.hideToast(); await s; } },
    profiledRaw: async () => {
      for (let i = 0; i < 4000; i++) {
        const el = document.createElement('div'); el.textContent = 'Saved';
        el.style.cssText = 'position:fixed;top:40%;left:50%;padding:8px;background:#333;color:#fff';
        document.body.appendChild(el); await Promise.resolve(); el.remove();
      }
    },
  },
};

// µs of main-thread CPU per call of each part: batches of `batch` calls (awaited for async
// cases), the parts interleaved (rotating which goes first), the median over rounds.
async function threadTimes(page, cdp, c, rounds) {
  const batch = c.awaited ? 100 : 400;
  const names = await page.evaluate(`Object.keys((${c.parts})())`);
  await page.evaluate(`window.cpuParts = (${c.parts})(); window.cpuBatch = async (name, n, awaited) => {
    const f = cpuParts[name];
    if (awaited) for (let b = 0; b < n; b++) await f(); else for (let b = 0; b < n; b++) f();
  }`);
  const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime').value;
  const t = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds + 2; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const t0 = await threadTime();
      await page.evaluate(([n, b, a]) => cpuBatch(n, b, a), [name, batch, !!c.awaited]);
      const dt = (await threadTime()) - t0;
      if (i >= 2) t[name].push(dt * 1e6 / batch);
    }
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  return Object.fromEntries(names.map((n) => [n, median(t[n])]));
}

// Self time by function, and by group.
function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] || 0;
    total += dt;
    const node = byId.get(id);
    const cf = node.callFrame;
    const where = cf.url ? cf.url.replace(/^.*\//, '') : '';
    const key = `${cf.functionName || '(anonymous)'}${where ? ` [${where}${cf.functionName ? '' : `:${cf.lineNumber + 1}`}]` : ''}`;
    self.set(key, (self.get(key) || 0) + dt);
  });
  const group = (key) => {
    if (/^\((garbage collector)\)/.test(key)) return 'GC';
    if (/^\((idle|program)\)/.test(key)) return key.replace(/ .*/, '');
    if (/\.wasm|wasm-function|^\$?[a-z_0-9:<>]+.*::/.test(key) || /\[wasm/.test(key)) return 'wasm';
    if (/miniprogram_shim\.js/.test(key)) return 'wasm-bindgen glue (JS)';
    if (/fetch\.js/.test(key)) return 'snippet fetch.js';
    if (/storage\.js|snippets/.test(key)) return 'other snippet';
    if (/my\.js/.test(key)) return 'my.js';
    if (/^(setItem|getItem|removeItem|get length|key|stringify|parse|fetch|then|text|json|fromEntries|Response|appendChild|remove|createElement)\b/.test(key) || /\[\]$/.test(key)) return 'natives (localStorage, JSON, fetch, DOM)';
    return 'other JS (page)';
  };
  // Inclusive time by function (a function's own samples and its callees'; a recursive
  // function counted once per sample).
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const inclusive = new Map();
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] || 0;
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const cf = byId.get(n).callFrame;
      const where = cf.url ? cf.url.replace(/^.*\//, '') : '';
      const key = `${cf.functionName || '(anonymous)'}${where ? ` [${where}${cf.functionName ? '' : `:${cf.lineNumber + 1}`}]` : ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) || 0) + dt);
    }
  });
  const groups = new Map();
  for (const [k, v] of self) groups.set(group(k), (groups.get(group(k)) || 0) + v);
  return {
    total,
    self: [...self].sort((a, b) => b[1] - a[1]),
    inclusive: [...inclusive].sort((a, b) => b[1] - a[1]),
    groups: [...groups].sort((a, b) => b[1] - a[1]),
  };
}

try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.error('console:', m.text()); });
  await page.goto(`${STATIC}/tests/bench/page.html`);
  await page.evaluate(pageSetup, [ECHO, !!BASE]);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await cdp.send('Profiler.setSamplingInterval', { interval: 25 });
  for (const name of CASES) {
    const c = CASE_DEFS[name];
    if (!c) throw new Error(`unknown case ${name} (set, get, request, toast)`);
    console.log(`\n## ${c.title}\n`);
    await page.evaluate(`(${c.prepare})(${JSON.stringify(ECHO)})`);
    const parts = await page.evaluate(`timeParts((${c.parts})(), ${ROUNDS}, ${c.awaited ? 50 : 200}, ${!!c.awaited})`);
    // The same parts by the renderer main thread's CPU time (CDP Performance `ThreadTime`
    // around each batch): what other processes on the machine do moves this far less than
    // the wall clock, so A/B figures hold on a loaded machine.
    const cpu = await threadTimes(page, cdp, c, CPU_ROUNDS);
    console.log('| part | µs per call (wall clock) | µs per call (main thread CPU) |\n|---|---|---|');
    for (const [k, v] of Object.entries(parts)) console.log(`| ${k} | ${v.toFixed(2)} | ${cpu[k].toFixed(2)} |`);
    if (process.env.PROFILE_PARTS_ONLY) continue; // the parts alone (quicker A/B runs)
    for (const [label, fn] of [['ours', c.profiled], ['raw', c.profiledRaw]]) {
      if (!fn) continue;
      await cdp.send('Profiler.start');
      const t0 = Date.now();
      await page.evaluate(`(${fn})()`);
      const wall = Date.now() - t0;
      const { profile } = await cdp.send('Profiler.stop');
      const s = summarise(profile);
      console.log(`\nCPU profile, ${label} (${wall} ms wall): self time, share of the samples\n`);
      console.log('| group | share |\n|---|---|');
      for (const [k, v] of s.groups) console.log(`| ${k} | ${(100 * v / s.total).toFixed(1)}% |`);
      console.log('\n| function | share |\n|---|---|');
      for (const [k, v] of s.self.slice(0, Number(process.env.PROFILE_TOP || (label === 'raw' ? 8 : 30)))) console.log(`| ${k.replace(/\|/g, '\\|')} | ${(100 * v / s.total).toFixed(1)}% |`);
      if (label === 'ours' && process.env.PROFILE_INCLUSIVE) {
        console.log('\n| function (inclusive) | share |\n|---|---|');
        for (const [k, v] of s.inclusive.slice(0, Number(process.env.PROFILE_INCLUSIVE))) console.log(`| ${k.replace(/\|/g, '\\|')} | ${(100 * v / s.total).toFixed(1)}% |`);
      }
    }
  }
} finally {
  await browser.close();
  server.kill();
}
