// Native mini programs (issue 13): the "Demo Coffee" native app (www/demo-native), served by
// `superapp-sandbox --app`, launched by appId in the simulator, rendered from AXML/ACSS by the
// axml wasm, its scripts in a Worker. A user signs in, taps, navigates, and pays through the
// real cashier to 9000, or cancels to 6001. Plus: compile and script errors show file and line.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetAuthorizations, MERCHANT, ROOT, setAutomation, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
const APP_ID = 'demo-native';
let stack;
let broken;

before(async () => {
  // A copy of the demo with one page broken on purpose (ES modules: native-modules.test.mjs).
  broken = await mkdtemp(join(tmpdir(), 'native-e2e-'));
  await cp(join(ROOT, 'www', 'demo-native'), join(broken, 'broken-axml'), { recursive: true });
  await writeFile(join(broken, 'broken-axml', 'pages', 'orders', 'orders.axml'), '<view>\n  <text>{{ a + }}</text>\n</view>\n');
  stack = await startStack({
    sandboxArgs: ['--app', join(ROOT, 'www', 'demo-native'), '--app', `broken=${join(broken, 'broken-axml')}`,
      '--app', `lifecycle=${join(ROOT, 'tests', 'e2e', 'fixtures', 'native-lifecycle')}`],
  });
  const put = await fetch(`${SUPERAPP}/sandbox/mini-programs/${APP_ID}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ whitelist: ['127.0.0.1:18702'] }),
  });
  assert.equal(put.status, 200, await put.text());
});
after(async () => { await stack?.stop(); });

async function newPage(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} @ ${m.location().url}`); });
  t.after(() => context.close());
  return { page, errors };
}

function launchUrl(appId = APP_ID, { page, query } = {}) {
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('appId', appId);
  if (page) url.searchParams.set('page', page);
  url.searchParams.set('query', query ?? `merchant=${MERCHANT}`);
  return url.href;
}

/** Launches the native demo, allows the consent, waits for the signed-in menu. */
async function openDemo(t) {
  const { page, errors } = await newPage(t);
  await forgetAuthorizations(APP_ID);
  await page.goto(launchUrl());
  const app = page.frameLocator('#mini-program');
  await page.frameLocator('#cashier').locator('#allow').click({ timeout: TIMEOUT });
  await app.locator('#user-name').waitFor({ timeout: TIMEOUT });
  await app.locator('[data-testid=goods-latte]').waitFor({ timeout: TIMEOUT });
  return { page, app, errors };
}

async function order(app, page) {
  await app.locator('#add-latte').click();
  await app.locator('#add-latte').click();
  await app.locator('#remove-latte').click();
  await app.locator('#add-espresso').click();
  assert.equal(await app.locator('#qty-latte').textContent(), '1');
  assert.equal(await app.locator('#total').textContent(), 'USD 8.25');
  await app.locator('#note').fill('oat milk');
  await app.locator('#pay').click();
  const cashier = page.frameLocator('#cashier');
  await cashier.locator('#amount').waitFor({ timeout: TIMEOUT });
  assert.match(await cashier.locator('#amount').textContent(), /8\.25/);
  return cashier;
}

describe('the native demo in the simulator', () => {
  test('launched by appId: first page rendered from AXML with its ACSS, title (the phone\'s one title bar) and tab bar', async (t) => {
    const { page, app, errors } = await openDemo(t);
    await page.locator('#app-title', { hasText: /^Demo Coffee$/ }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#app-back').isHidden(), true);
    assert.deepEqual(await app.locator('#a-tabbar button').allTextContents(), ['Menu', 'My orders']);
    assert.match(await app.locator('[data-testid=goods-latte] .name').textContent(), /latte/i);
    // ACSS: `page` → .a-page, rpx scaled to the frame (24rpx of a 375px-wide frame = 12px).
    const frame = page.frame({ url: /\/native\/demo-native\// });
    const margin = await frame.evaluate(() => getComputedStyle(document.querySelector('.card')).marginTop);
    const width = await frame.evaluate(() => document.documentElement.clientWidth);
    assert.ok(Math.abs(parseFloat(margin) - (24 * width) / 750) < 0.6, `margin ${margin} for width ${width}`);
    // The logic layer has no window/document.
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), []);
  });

  test('tap, navigate, pay: 9000 and the server confirms PAID; back returns to the menu', async (t) => {
    const { page, app } = await openDemo(t);
    const cashier = await order(app, page);
    await cashier.locator('#pay').click();
    await app.locator('#result-code[data-code="9000"]').waitFor({ timeout: TIMEOUT });
    await app.locator('#server-status[data-status=PAID]').waitFor({ timeout: TIMEOUT });
    await page.locator('#app-title', { hasText: /^Payment result$/ }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#app-back').isVisible(), true);
    assert.equal(await app.locator('#a-tabbar').isHidden(), true, 'a non-tab page has no tab bar');
    await page.locator('#app-back').click();
    await app.locator('#add-latte').waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#qty-latte').textContent(), '0', 'the cart emptied after paying');
    // The Orders tab lists it as paid.
    await app.locator('#a-tabbar button', { hasText: 'My orders' }).click();
    await app.locator('.order .status.PAID').first().waitFor({ timeout: TIMEOUT });
  });

  test('cancel in the cashier: 6001 and the order stays unpaid', async (t) => {
    const { page, app } = await openDemo(t);
    const cashier = await order(app, page);
    await cashier.locator('#cancel').click();
    await app.locator('#result-code[data-code="6001"]').waitFor({ timeout: TIMEOUT });
    await app.locator('#server-status[data-status=PENDING]').waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#headline').textContent(), 'Payment cancelled');
  });

  test('/?appId=&page=&query= starts at that page with that query', async (t) => {
    const { page } = await newPage(t);
    await setAutomation({ autoconsent: null });
    await page.goto(launchUrl(APP_ID, { page: 'pages/result/result', query: `merchant=${MERCHANT}&orderId=nope&resultCode=6002` }));
    const app = page.frameLocator('#mini-program');
    await app.locator('#result-code[data-code="6002"]').waitFor({ timeout: TIMEOUT });
    assert.match(await app.locator('#order-id').textContent(), /nope/);
  });
});

describe('errors show where they are, never a blank page', () => {
  test('an AXML syntax error names the file, line and column', async (t) => {
    const { page } = await newPage(t);
    await page.goto(launchUrl('broken', { page: 'pages/orders/orders' }));
    const app = page.frameLocator('#mini-program');
    await app.locator('#a-error').waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#a-error h2').textContent(), 'Compile error');
    assert.match(await app.locator('#a-error .a-error-where').textContent(), /^pages\/orders\/orders\.axml:2:\d+$/);
  });
});

describe('the logic layer (tests/e2e/fixtures/native-lifecycle)', () => {
  async function openLifecycle(t) {
    const { page, errors } = await newPage(t);
    await page.goto(launchUrl('lifecycle', { query: 'x=1' }));
    const app = page.frameLocator('#mini-program');
    await app.locator('#log', { hasText: 'a.onReady' }).waitFor({ timeout: TIMEOUT });
    const frame = page.frame({ url: /\/native\/lifecycle\// });
    return { page, app, frame, errors };
  }

  test('lifecycle in order, launch query, isolation from window/document', async (t) => {
    const { app } = await openLifecycle(t);
    assert.equal(await app.locator('#log').textContent(),
      'app.onLaunch {"x":"1"}|app.onShow|a.onLoad {"x":"1"}|a.onShow|a.onReady');
    assert.equal(await app.locator('#realm').textContent(), 'undefined/undefined/object/object');
    assert.equal(await app.locator('#pages').textContent(), 'pages/a/a');
  });

  test('setData path keys update only their nodes, then call back; $spliceData', async (t) => {
    const { app, frame } = await openLifecycle(t);
    // Mark the DOM nodes: an incremental update keeps the ones whose output did not change.
    await frame.evaluate(() => { document.querySelector('#row-1').__mark = 1; document.querySelector('#row-2').__mark = 2; });
    await app.locator('#update').click();
    await app.locator('#log', { hasText: 'callback n=1' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#row-2').textContent(), 'changed');
    assert.equal(await app.locator('#deep').textContent(), '2');
    assert.deepEqual(await frame.evaluate(() => [document.querySelector('#row-1').__mark, document.querySelector('#row-2').__mark]), [1, 2]);
    await app.locator('#splice').click();
    await app.locator('#log', { hasText: 'spliced one,three,changed' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await app.locator('.row').allTextContents(), ['one', 'three', 'changed']);
  });

  test('events: catchTap stops, onTap bubbles, the event object has type, timeStamp, target, currentTarget, dataset; onInput', async (t) => {
    const { app } = await openLifecycle(t);
    await app.locator('#inner-catch').click();
    await app.locator('#log', { hasText: 'inner inner-catch' }).waitFor({ timeout: TIMEOUT });
    const event = JSON.parse(await app.locator('#event').textContent());
    assert.deepEqual(event, {
      type: 'tap', t: 'number',
      target: { id: 'inner-catch', tagName: 'button', dataset: { userId: 7 } },
      currentTarget: { id: 'inner-catch', tagName: 'button', dataset: { userId: 7 } },
    });
    await app.locator('#inner-bubble').click();
    await app.locator('#log', { hasText: 'outer from inner-bubble' }).waitFor({ timeout: TIMEOUT });
    assert.doesNotMatch(await app.locator('#log').textContent(), /outer from inner-catch/);
    await app.locator('#in').pressSequentially('hey');
    await app.locator('#typed', { hasText: 'hey' }).waitFor({ timeout: TIMEOUT });
  });

  test('page stack: navigateTo with query, limit 10, navigateBack, redirectTo, switchTab, reLaunch', async (t) => {
    const { page, app } = await openLifecycle(t);
    await app.locator('#nav-b').click();
    await app.locator('#b-query:visible', { hasText: 'navigator' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(JSON.parse(await app.locator('#b-query:visible').textContent()), { i: '1', via: 'navigator' });
    assert.equal(await page.locator('#app-back').isVisible(), true);
    for (let depth = 3; depth <= 10; depth += 1) {
      await app.locator('#more:visible').click();
      await app.locator('#b-depth:visible', { hasText: String(depth) }).waitFor({ timeout: TIMEOUT });
    }
    await app.locator('#more:visible').click();
    await app.locator('#b-fail:visible', { hasText: 'full' }).waitFor({ timeout: TIMEOUT });
    assert.match(await app.locator('#b-fail:visible').textContent(), /^3: the page stack is full \(10 pages\)/);
    await page.locator('#app-back').click();
    await app.locator('#b-depth:visible', { hasText: '9' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#redirect:visible').click();
    await app.locator('#b-query:visible', { hasText: '108' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#b-depth:visible').textContent(), '9', 'redirectTo replaces the top');
    await app.locator('#to-tab:visible').click();
    await app.locator('#tab-pages').waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#tab-pages').textContent(), 'pages/tab/tab', 'switchTab leaves only the tab page');
    // Tab pages are kept alive: a (a tab page) was hidden, not unloaded (tests/e2e/native-frame.test.mjs).
    assert.match(await app.locator('#tab-log').textContent(), /b108\.onUnload.*b1\.onUnload/);
    assert.doesNotMatch(await app.locator('#tab-log').textContent(), /a\.onUnload/);
    assert.equal(await app.locator('#a-tabbar').isVisible(), true);
    await app.locator('#a-tabbar button', { hasText: /^A$/ }).click();
    await app.locator('#log:visible').waitFor({ timeout: TIMEOUT });
    await app.locator('#relaunch:visible').click();
    await app.locator('#b-query:visible', { hasText: 'relaunched' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#b-depth:visible').textContent(), '1');
    assert.equal(await page.locator('#app-back').isHidden(), true);
  });
});
