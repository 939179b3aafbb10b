// Native mini programs: my.createAnimation and the `animation` attribute (www/native/animation.mjs;
// fixture tests/e2e/fixtures/native-animation), in Chromium: a two-step animation exported by the
// logic layer plays its steps in order on the element (sampled every frame), ends at the last
// step's transform and opacity, and sends the element's onTransitionEnd once per step; bad
// options, arguments and data are errors naming them, and the page goes on.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
const SHOTS = process.env.NATIVE_SHOTS; // a folder: screenshots, to look at
let stack;

before(async () => {
  stack = await startStack({ sandboxArgs: ['--app', `anim=${join(ROOT, 'tests', 'e2e', 'fixtures', 'native-animation')}`] });
});
after(async () => { await stack?.stop(); });

async function open(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const tab = await context.newPage();
  const errors = [];
  const consoleErrors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  t.after(() => context.close());
  await tab.goto(`${SUPERAPP}/?appId=anim&page=pages/index/index`);
  const app = tab.frameLocator('#mini-program');
  await app.locator('#box').waitFor({ timeout: TIMEOUT });
  const frame = tab.frame({ url: /\/native\/anim\// });
  return { tab, app, frame, errors, consoleErrors };
}

const events = async (app) => (await app.locator('#events').textContent()).split('|').filter(Boolean);
const shot = async (tab, name) => { if (SHOTS) await tab.screenshot({ path: join(SHOTS, `${name}.png`) }); };

test('a two-step animation: steps in order, each with its timing, ending at the last step; onTransitionEnd per step', async (t) => {
  const { tab, app, frame, errors } = await open(t);
  await shot(tab, 'animation-start');
  // Every frame: the box's translation, angle and opacity as the browser computes them.
  await frame.evaluate(() => {
    const box = document.getElementById('box');
    window.__samples = [];
    const sample = () => {
      const style = getComputedStyle(box);
      const m = style.transform === 'none' ? [1, 0, 0, 1, 0, 0] : style.transform.slice(7, -1).split(',').map(Number);
      window.__samples.push({ tx: m[4], angle: Math.atan2(m[1], m[0]) * 180 / Math.PI, opacity: Number(style.opacity) });
      if (window.__samples.length < 2000) requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  await app.locator('#go').click();
  await app.locator('#steps', { hasText: '2 0' }).waitFor({ timeout: TIMEOUT }); // two steps exported; the queue is empty after
  await app.locator('#events', { hasText: /transitionEnd.*transitionEnd/ }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await events(app), ['transitionEnd 0.3 box', 'transitionEnd 0.4 box'], 'one onTransitionEnd per step, its duration in s');

  const end = await frame.evaluate(() => {
    const style = getComputedStyle(document.getElementById('box'));
    return { transform: style.transform, opacity: style.opacity, origin: style.transformOrigin };
  });
  const m = end.transform.slice(7, -1).split(',').map(Number);
  assert.deepEqual(m.map((x) => Math.round(x * 1000) / 1000), [0, 1, -1, 0, 100, 0], `translateX(100px) rotate(90deg): ${end.transform}`);
  assert.equal(end.opacity, '0.2');
  assert.equal(end.origin, '30px 30px', 'transformOrigin 50% 50% of the 60px box');

  // The order: the box moved (opacity 1, not turned) before it faded and turned, never both at once.
  const samples = await frame.evaluate(() => window.__samples);
  const moving = samples.filter((s) => s.tx > 1 && s.tx < 99);
  const fading = samples.filter((s) => s.opacity > 0.21 && s.opacity < 0.99);
  assert.ok(moving.length >= 3, `the move was seen (${moving.length} frames)`);
  assert.ok(fading.length >= 3, `the fade was seen (${fading.length} frames)`);
  for (const s of moving) assert.ok(s.opacity === 1 && Math.abs(s.angle) < 0.01, `step 1 alone: ${JSON.stringify(s)}`);
  for (const s of fading) assert.ok(Math.abs(s.tx - 100) < 0.01 && s.angle > 0, `step 2 after step 1: ${JSON.stringify(s)}`);
  assert.ok(samples.indexOf(moving.at(-1)) < samples.indexOf(fading[0]));
  await shot(tab, 'animation-end');
  assert.deepEqual(errors, []);
});

test('my.getServerTime from the logic layer: the sandbox clock, through the shell', async (t) => {
  const { app, errors } = await open(t);
  const from = Date.now();
  await app.locator('#time').click();
  await app.locator('#serverTime', { hasText: 'number' }).waitFor({ timeout: TIMEOUT });
  const to = Date.now();
  const [type, value] = (await app.locator('#serverTime').textContent()).split(' ');
  assert.equal(type, 'number');
  assert.ok(from <= Number(value) && Number(value) <= to, `${from} <= ${value} <= ${to}`);
  assert.deepEqual(errors, []);
});

test('bad options, arguments and data: errors naming them; the page goes on; ACSS transitions send onTransitionEnd', async (t) => {
  const { app, frame, errors, consoleErrors } = await open(t);
  await app.locator('#bad').click();
  await app.locator('#error', { hasText: 'bounce' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#error').textContent(),
    'TypeError: my.createAnimation: timingFunction must be one of linear, ease, ease-in, ease-in-out, ease-out, step-start, step-end, not "bounce"');
  await app.locator('#badArg').click();
  await app.locator('#error', { hasText: 'NaN' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#error').textContent(), 'RangeError: animation.rotate: argument 1 must be a finite number, not NaN');

  // Data that is not exported steps, set on an element: a console error naming it, nothing played.
  await app.locator('#badData').click();
  const deadline = Date.now() + TIMEOUT;
  while (!consoleErrors.some((e) => e.includes('explode')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(consoleErrors.includes('[native] animation step 1: "explode" is not an animation method'), consoleErrors.join('\n'));
  assert.equal(await frame.evaluate(() => document.getElementById('bogus').style.transition), '');

  // The page still works, and the ACSS's own transition is the element's onTransitionEnd.
  await app.locator('#fade').click();
  await app.locator('#events', { hasText: 'css opacity' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await events(app), ['css opacity']);

  // Not caught by the app: the Script error names the app's file and line, and the message.
  await app.locator('#uncaught').click();
  const box = app.locator('#a-error');
  await box.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.equal(await box.locator('h2').textContent(), 'Script error');
  assert.equal(await box.locator('.a-error-where').textContent(), 'pages/index/index.js:32:20');
  assert.equal(await box.locator('.a-error-message').textContent(),
    'TypeError: animation.translateY: argument 1 must be a number (px) or a CSS length such as "10px", "50%" or "20rpx", not "12 px"');
  assert.deepEqual(errors, []);
});
