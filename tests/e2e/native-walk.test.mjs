// What public native mini programs (tried unchanged in the simulator, README "Native mini
// programs") did that broke it once, each kept here as a small case. Fixture:
// tests/e2e/fixtures/native-walk.
// - swiper (banners on nearly every home page) with its slides wrapped in a navigator: one
//   slide at a time, autoplay, dots, `current`, a drag turns a slide and is not a tap;
// - my.request with a header whose value is null (a token read before sign-in): left out;
// - my.createCanvasContext (a progress ring drawn in a component);
// - e.target.dataset of a tap on a child of the bound element (Alipay: the bound element's).
// Alipay's API/component demo (pages/demo):
// - a preloadRule naming a folder that is no subpackage: a console warning, the app runs;
// - style="{{ transform: … }}": an object literal without braces, written as CSS;
// - mini-ali-ui's <list><list-item>: a component in another's slot keeps its own slot
//   content, and `$slots.header` says the header slot is filled;
// - an app whose server is not there: a rejection nobody catches goes to the console,
//   App.onUnhandledRejection and my.onUnhandledRejection, and the page keeps working;
// - template literals in {{ }} (all over mini-ali-ui: `width: ${size}px`);
// - <button formType="submit">: camelCase attributes of built-ins are their kebab-case ones;
// - data-tabsName="x" is dataset.tabsName (mini-ali-ui's tabs), data-item-id is itemId;
// - <image src="{{x}}"> before x is set: no request for the page's folder;
// - my.onUserCaptureScreen(listener) from the logic layer (a function cannot cross to the
//   render side: it listens for the Worker and forwards the events).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
let stack;

before(async () => {
  stack = await startStack({ sandboxArgs: ['--app', `walk=${join(ROOT, 'tests', 'e2e', 'fixtures', 'native-walk')}`] });
  const put = await fetch(`${SUPERAPP}/sandbox/mini-programs/walk`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ whitelist: ['127.0.0.1:18703'] }),
  });
  assert.ok(put.ok, await put.text());
});
after(async () => { await stack?.stop(); });

async function open(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  t.after(() => context.close());
  await page.goto(`${SUPERAPP}/?appId=walk`);
  const app = page.frameLocator('#mini-program');
  await app.locator('#slide-2').waitFor({ timeout: TIMEOUT });
  return { page, app, errors };
}

/** Which slides of a swiper are inside its box. */
async function visible(app, swiper) {
  return app.locator(swiper).evaluate((el) => {
    const box = el.getBoundingClientRect();
    return [...el.querySelectorAll('.slide')].filter((s) => {
      const r = s.getBoundingClientRect();
      return r.left >= box.left - 1 && r.right <= box.right + 1 && r.width > 0;
    }).map((s) => s.textContent);
  });
}

const dots = (app, swiper) => app.locator(swiper).evaluate((el) => el.querySelectorAll('.a-swiper-dots i').length);

test('swiper: one slide at a time, autoplay turns them (circular), dots follow the slides', async (t) => {
  const { app, errors } = await open(t);
  assert.deepEqual(await visible(app, '#touch'), ['two'], 'current="{{1}}", slides wrapped in a navigator');
  // Autoplay every 400 ms: it goes round to the first slide again.
  const seen = new Set();
  const deadline = Date.now() + TIMEOUT;
  while (seen.size < 3 && Date.now() < deadline) {
    for (const name of await visible(app, '#auto')) seen.add(name);
    await app.locator('#auto').evaluate(() => new Promise((r) => { setTimeout(r, 50); }));
  }
  assert.deepEqual([...seen].sort(), ['one', 'three', 'two']);
  assert.equal(await dots(app, '#auto'), 3);
  await app.locator('#add').click();
  await app.locator('#auto .a-swiper-dots i:nth-child(4)').waitFor({ state: 'attached', timeout: TIMEOUT });
  assert.deepEqual(errors, []);
});

test('swiper: a drag turns one slide with onChange {current, source: "touch"} and is not a tap; a tap on a slide is', async (t) => {
  const { page, app } = await open(t);
  const box = await app.locator('#touch').boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 20, y);
  await page.mouse.down();
  await page.mouse.move(box.x + 40, y, { steps: 5 });
  await page.mouse.up();
  await app.locator('#changes', { hasText: '2:touch' }).waitFor({ timeout: TIMEOUT });
  await app.locator('#touch').evaluate((el) => new Promise((r) => { setTimeout(r, 600); })); // the slide's move
  assert.deepEqual(await visible(app, '#touch'), ['three']);
  assert.equal(await app.locator('#detail').count(), 0, 'the drag did not open the navigator');
  await app.locator('#slide-3').click();
  await app.locator('#detail', { hasText: 'detail 3' }).waitFor({ timeout: TIMEOUT });
});

test('my.request: a header whose value is null is left out, not refused', async (t) => {
  const { app } = await open(t);
  await app.locator('#send').click();
  await app.locator('#request', { hasText: /ok|fail/ }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#request').textContent(), 'ok 200');
});

test('my.createCanvasContext: the calls recorded in the logic layer are drawn on the page\'s <canvas id> by draw()', async (t) => {
  const { app } = await open(t);
  await app.locator('#paint').click();
  await app.locator('#painted', { hasText: 'drawn' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#painted').textContent(), 'drawn true', 'measureText gave a width');
  const pixels = await app.locator('#ring').evaluate((c) => {
    const r = window.devicePixelRatio || 1;
    const at = (x, y) => [...c.getContext('2d').getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data];
    return { size: [c.clientWidth, c.clientHeight], fill: at(15, 45), ring: at(55, 30), inside: at(45, 30) };
  });
  assert.deepEqual(pixels.size, [60, 60], 'width/height attributes are the size in px');
  assert.deepEqual(pixels.fill, [255, 0, 0, 255]);
  assert.equal(pixels.ring[2] > 200 && pixels.ring[0] < 50, true, `the arc's stroke is blue: ${pixels.ring}`);
  assert.equal(pixels.inside[3], 0, 'inside the ring nothing is drawn');
  // A canvas that is not on the page: the console says so, the callback runs, no script error.
  await app.locator('#paint-missing').click();
  await app.locator('#painted', { hasText: 'missing drawn' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#a-error').isVisible(), false);
});

test('a tap on a child: e.target.dataset is the bound element\'s, targetDataset and id the child\'s', async (t) => {
  const { app } = await open(t);
  await app.locator('#remove-icon').click();
  await app.locator('#removed', { hasText: '42' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#removed').textContent(), '42 {"kind":"icon"} remove-icon');
});

test('onTap and catchTap on one element: its handler runs once and the tap goes no further', async (t) => {
  const { app } = await open(t);
  await app.locator('#option').click();
  await app.locator('#picked', { hasText: 'picked 2' }).waitFor({ timeout: TIMEOUT });
  await new Promise((ok) => setTimeout(ok, 300));
  assert.equal(await app.locator('#picked').textContent(), 'picked 2;', 'not twice, and the sheet behind did not hear it');
  await app.locator('#sheet').click({ position: { x: 1, y: 1 } });
  await app.locator('#picked', { hasText: 'closed' }).waitFor({ timeout: TIMEOUT });
});

async function openDemo(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  const logs = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => logs.push(`${m.type()} ${m.text()}`));
  page.on('response', (r) => { if (r.url().includes('/native/walk/files/')) logs.push(`file ${r.status()} ${r.url()}`); });
  t.after(() => context.close());
  await page.goto(`${SUPERAPP}/?appId=walk&page=pages/demo/demo`);
  const app = page.frameLocator('#mini-program');
  await app.locator('#slide').waitFor({ timeout: TIMEOUT });
  return { page, app, errors, logs };
}

test('API demo: a preloadRule naming no package is a warning; an inline style object is CSS; template literals; an empty image src loads nothing', async (t) => {
  const { app, logs } = await openDemo(t);
  assert.ok(logs.some((l) => l.startsWith('warning') && l.includes('preloadRule["pages/demo/demo"].packages[0]: "pages/demo" names no subpackage')), logs.join('\n'));
  assert.equal(await app.locator('#slide').getAttribute('style'), 'margin-top: 4px; transform: translateX(-100px)', 'keys by name, as the compiler keeps objects');
  assert.equal(await app.locator('#slide').evaluate((el) => getComputedStyle(el).marginTop), '4px');
  assert.deepEqual(logs.filter((l) => l.startsWith('file ')), [], 'an image without src yet loads nothing');
  assert.equal(await app.locator('#tpl').getAttribute('class'), 'tab-1 on', 'a template literal');
  assert.equal(await app.locator('#tpl').textContent(), '2 rows');
});

test('API demo: a component in another component\'s slot keeps its own slot content; $slots names the filled slots', async (t) => {
  const { app } = await openDemo(t);
  assert.deepEqual(await app.locator('#with-header .item-title .row').allTextContents(), ['one', 'two']);
  assert.equal(await app.locator('#with-header .list-header #header').textContent(), 'Header');
  assert.equal(await app.locator('#bare .list-header').count(), 0, 'no header slot given: $slots.header is not set');
  assert.deepEqual(await app.locator('#bare .item-title .row').allTextContents(), ['alone']);
});

test('an unhandled rejection (onLoad, a tap) goes to the console and the app\'s listeners; no error screen, the page keeps working', async (t) => {
  const { app, logs } = await openDemo(t);
  await app.locator('#heard', { hasText: 'onLoad: no server' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#heard').textContent(), '[onLoad: no server app:onLoad: no server]', 'App.onUnhandledRejection ran first');
  await app.locator('#reject').click();
  await app.locator('#heard', { hasText: 'tap: no server' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#a-error').isVisible(), false, 'no blocking error screen');
  await app.locator('#count').click();
  await app.locator('#counted', { hasText: '1' }).waitFor({ timeout: TIMEOUT });
  assert.ok(logs.some((l) => l.startsWith('error') && l.includes('Unhandled promise rejection') && l.includes('tap: no server')), logs.join('\n'));
});

test('API demo: my.onXxx(listener) from the logic layer hears the runtime\'s events; offXxx stops them', async (t) => {
  const { page, app } = await openDemo(t);
  await page.click('[role=tab][data-tab=settings]');
  await page.click('#capture-screen');
  await app.locator('#shots', { hasText: '1' }).waitFor({ timeout: TIMEOUT });
  await page.click('#capture-screen');
  await app.locator('#shots', { hasText: '2' }).waitFor({ timeout: TIMEOUT });
  await app.locator('#stop-shots').click();
  await app.locator('#shots', { hasText: 'off' }).waitFor({ timeout: TIMEOUT });
  await page.click('#capture-screen');
  await page.waitForTimeout(500);
  assert.equal(await app.locator('#shots').textContent(), 'off', 'the listener was removed');
});

test('API demo: a button with formType="submit" (camelCase) submits its form', async (t) => {
  const { app } = await openDemo(t);
  await app.locator('#camel-submit').click();
  await app.locator('#submitted', { hasText: 'ada' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#submitted').textContent(), '{"who":"ada"}');
});

test('API demo: a data-* name keeps its capitals (data-tabsName is dataset.tabsName), dashes become camelCase', async (t) => {
  const { app } = await openDemo(t);
  await app.locator('#tab-2').click();
  await app.locator('#tapped', { hasText: '=' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#tapped').textContent(), 'activeTab=2 7');
});
