// tradePay benchmark (issue 4 §9), headless Chromium against the real sandbox:
//   open:  my.tradePay() → the cashier shows the order, beside the baseline: the same kind of
//          cashier URL loaded in a plain <iframe> by the page (no shim);
//   pay:   Pay click → the success callback, and the shim's part of it: the cashier's
//          message arriving in the page → the success callback.
// Times are read from performance marks the cashier sets (epoch-aligned, timeOrigin + mark),
// not from the driver, so the CDP round trips are not in the figures.
// Usage: node tests/bench/tradepay.mjs [runs=20]

import { createPayment, fixtureUrl, startStack } from '../e2e/harness.mjs';

const RUNS = Number(process.argv[2] ?? 20);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x) => `${x.toFixed(1)} ms`;

const stack = await startStack();
try {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(fixtureUrl());
  await page.waitForFunction(() => typeof window.startTradePay === 'function');
  await page.evaluate(() => window.miniprogramShim.ready);
  // When the cashier's result message reached this page (the event's creation time).
  await page.evaluate(() => window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'miniprogram-shim:cashier-result') window.benchMessageAt = performance.timeOrigin + e.timeStamp;
  }));

  const cashierFrame = async (matchUrl) => {
    for (let i = 0; i < 400; i++) {
      const frame = page.frames().find((f) => f.url() === matchUrl);
      if (frame) return frame;
      await page.waitForTimeout(5);
    }
    throw new Error(`no cashier frame for ${matchUrl}`);
  };
  const markTime = (frame, name) => frame.waitForFunction((n) => {
    const [mark] = performance.getEntriesByName(n);
    return mark ? performance.timeOrigin + mark.startTime : false;
  }, name, { polling: 5, timeout: 20000 }).then((h) => h.jsonValue());

  const base = []; const open = []; const pay = []; const relay = [];
  async function baseline() {
    // A plain iframe of a cashier URL, no shim.
    const b = await createPayment(stack);
    const bUrl = `${b.paymentUrl}&return=0`;
    const t0 = await page.evaluate((url) => {
      const f = document.createElement('iframe');
      f.id = 'baseline';
      f.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;border:0';
      const t = performance.timeOrigin + performance.now();
      f.src = url;
      document.body.append(f);
      return t;
    }, bUrl);
    const bShown = await markTime(await cashierFrame(bUrl), 'cashier:order-shown');
    await page.evaluate(() => document.getElementById('baseline').remove());
    return bShown - t0;
  }

  async function shim() {
    const s = await createPayment(stack);
    const sUrl = `${s.paymentUrl}&return=0`;
    const s0 = await page.evaluate((url) => {
      window.benchSuccess = null;
      const t = performance.timeOrigin + performance.now();
      my.tradePay({ paymentUrl: url, success: () => { window.benchSuccess = performance.timeOrigin + performance.now(); } });
      return t;
    }, sUrl);
    const frameUrl = `${sUrl}&embedder=${encodeURIComponent(new URL(fixtureUrl()).origin)}`;
    const frame = await cashierFrame(frameUrl);
    const sShown = await markTime(frame, 'cashier:order-shown');
    const click = await frame.evaluate(() => { const t = performance.timeOrigin + performance.now(); document.getElementById('pay').click(); return t; });
    const done = await page.waitForFunction(() => window.benchSuccess, null, { polling: 5 }).then((h) => h.jsonValue());
    const reported = await page.evaluate(() => window.benchMessageAt);
    await page.waitForFunction(() => !document.querySelector('.miniprogram-shim-cashier'));
    return { open: sShown - s0, pay: done - click, relay: done - reported };
  }

  for (let i = 0; i < RUNS + 2; i++) {
    // Alternate the order so neither side always runs right after the other's frame teardown.
    let b; let s;
    if (i % 2) { b = await baseline(); s = await shim(); } else { s = await shim(); b = await baseline(); }
    if (i < 2) continue; // warm-up
    base.push(b); open.push(s.open); pay.push(s.pay); relay.push(s.relay);
  }
  const overhead = median(open) - median(base);
  console.log(`tradePay benchmark, headless Chromium, ${RUNS} runs (medians)`);
  console.log(`  baseline: cashier URL in a plain iframe → order shown   ${fmt(median(base))}`);
  console.log(`  my.tradePay() → cashier shows the order                 ${fmt(median(open))}`);
  console.log(`  shim overhead on opening (target ≤ 20 ms)               ${fmt(overhead)}  ${overhead <= 20 ? 'OK' : 'OVER TARGET'}`);
  console.log(`  Pay click → success callback (includes the server)      ${fmt(median(pay))}`);
  console.log(`  cashier message in the page → success (shim's part)     ${fmt(median(relay))}`);
} finally {
  await stack.stop();
}
