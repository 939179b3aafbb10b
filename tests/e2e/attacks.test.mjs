// Issue 8, defects 1 and 2, attacked from a real browser: a page of a foreign origin (served by
// a little server of this test on an ephemeral port) frames the cashier with
// `&autopay=BALANCE&return=0` and the consent page with `autoconsent=allow&embedder=<itself>`.
// Before the fix the first paid from the user's balance with no click and the second handed the
// attacker an auth code for the user's phone, email and name. Now the switches are the super
// app's own settings and the pages may be framed only by the super app and the registered mini
// program: nothing is paid, no balance moves, no code is minted — standalone and in the
// simulator, even with the switches on. The server side of the same rules is
// sandbox/tests/api/attacks/automation.rs. And a mini program that posts the shell a hostile
// title bar of its own (past my.setNavigationBar's rule) gets text and colours only.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  createPayment, DEMO_APP_ID, fixtureUrl, FIXTURES, setAutomation, simulatorUrl, startStack, SUPERAPP,
} from './harness.mjs';

const TIMEOUT = 20_000;
const SCOPES = 'USER_CONTACTINFO,PLAINTEXT_MOBILE_PHONE,USER_NAME';

let stack;
let attacker; // { origin, close }
before(async () => {
  stack = await startStack();
  attacker = await startAttacker();
});
after(async () => {
  attacker?.close();
  await stack?.stop();
});

/**
 * The attacker's site. `/frame?src=…` frames `src` and records every message it receives in
 * `window.received`; `frame.dataset.loaded` is set when the frame finished loading (whatever
 * it shows). `/mini-program` is a "mini program" the simulator can open: it frames `?src=` too.
 */
function startAttacker() {
  const page = (title) => `<!doctype html><meta charset="utf-8"><title>${title}</title>
<h1>${title}</h1>
<iframe id="victim" style="width:420px;height:560px;border:2px dashed #c00"></iframe>
<script>
  window.received = [];
  addEventListener('message', (e) => window.received.push({ origin: e.origin, data: e.data }));
  const frame = document.getElementById('victim');
  frame.addEventListener('load', () => { frame.dataset.loaded = 'yes'; });
  frame.src = new URLSearchParams(location.search).get('src');
</script>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path !== '/frame' && path !== '/mini-program') { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(path === '/frame' ? 'Free coffee, no strings attached' : 'An unregistered mini program'));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => server.close(),
  })));
}

async function newPage(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const refusals = [];
  page.on('console', (m) => { if (/frame-ancestors/.test(m.text())) refusals.push(m.text()); });
  return { page, refusals };
}

/** The switches on (the worst case: the user turned them on for a demo), off again after. */
async function switchesOn(t) {
  await setAutomation({ autopay: 'BALANCE', autoconsent: 'allow' });
  t.after(() => setAutomation({ autopay: null, autoconsent: null }));
}

async function aliceUsd() {
  const body = await (await fetch(`${SUPERAPP}/sandbox/users`)).json();
  const users = Array.isArray(body) ? body : body.users;
  return users.find((u) => u.nickName === 'Alice').balances.USD;
}

async function codesMinted() {
  const body = await (await fetch(`${SUPERAPP}/sandbox/auth/grants`)).json();
  const grants = Array.isArray(body) ? body : body.grants;
  return grants.filter((g) => g.authCode).length;
}

async function paymentStatus(paymentId) {
  return (await stack.openApi('/v1/payments/inquiryPayment', { paymentId })).paymentStatus;
}

/**
 * Waits until the attacker's `#victim` frame in `hostFrame` has loaded, and returns its
 * document as Playwright sees it: the cashier or consent page when the browser showed it, or
 * Chromium's error page when it refused.
 */
async function frameIn(hostFrame) {
  await hostFrame.locator('#victim[data-loaded=yes]').waitFor({ state: 'attached', timeout: TIMEOUT });
  const handle = await hostFrame.locator('#victim').elementHandle();
  return handle.contentFrame();
}

/**
 * Whether the browser showed the super app's page in the attacker's frame. When it did (the
 * attack got through), waits until the page has answered the attacker (a cashier result or
 * an auth code arrives in `listener`), so the checks that follow see what the attack did.
 */
async function shownIn(frame, listener) {
  const shown = frame.url().startsWith(SUPERAPP);
  if (shown) {
    await listener.waitForFunction(() => window.received.length > 0, null, { timeout: TIMEOUT }).catch(() => {});
  }
  return shown;
}

/** The cashier in a registered app's frame: waits until it decided (by itself or not). */
async function cashierDecided(cashier, app) {
  await Promise.race([
    cashier.locator('html[data-automation]').waitFor({ state: 'attached', timeout: TIMEOUT }),
    // Before the fix it paid at once and handed the result back.
    app.waitForFunction(() => window.events.length > 0, null, { timeout: TIMEOUT }),
  ]);
}

describe('a foreign page framing the super app', () => {
  test('frames the cashier with &autopay=BALANCE&return=0: refused, nothing paid, balance unchanged', async (t) => {
    await switchesOn(t);
    const { page, refusals } = await newPage(t);
    const before = await aliceUsd();
    const { paymentId, paymentUrl } = await createPayment(stack);
    const src = `${paymentUrl}&autopay=BALANCE&return=0&embedder=${encodeURIComponent(attacker.origin)}`;
    await page.goto(`${attacker.origin}/frame?src=${encodeURIComponent(src)}`);
    const shown = await shownIn(await frameIn(page.mainFrame()), page);
    await page.screenshot({ path: process.env.ATTACK_SCREENSHOT ?? '/tmp/attack-refused-cashier.png' });
    assert.equal(await paymentStatus(paymentId), 'PROCESSING', 'the payment stays unpaid');
    assert.equal(await aliceUsd(), before, 'the balance is unchanged');
    assert.deepEqual(await page.evaluate(() => window.received), [], 'the attacker hears nothing');
    assert.equal(shown, false, 'the browser refuses to show the cashier in a foreign page');
    assert.ok(refusals.some((r) => r.includes(SUPERAPP)), `Chromium reports the frame-ancestors refusal: ${refusals}`);
  });

  test('frames the consent page with autoconsent=allow&embedder=<itself>: refused, no code minted', async (t) => {
    await switchesOn(t);
    const { page, refusals } = await newPage(t);
    const codes = await codesMinted();
    const src = `${SUPERAPP}/consent/?appId=${DEMO_APP_ID}&scopes=${SCOPES}&requestId=x`
      + `&autoconsent=allow&embedder=${encodeURIComponent(attacker.origin)}`;
    await page.goto(`${attacker.origin}/frame?src=${encodeURIComponent(src)}`);
    const shown = await shownIn(await frameIn(page.mainFrame()), page);
    assert.equal(await codesMinted(), codes, 'no auth code was minted');
    assert.deepEqual(await page.evaluate(() => window.received), [], 'the attacker receives no code');
    assert.equal(shown, false, 'the browser refuses to show the consent page in a foreign page');
    assert.ok(refusals.length > 0, 'Chromium reports the frame-ancestors refusal');
  });

  test('frames the simulator (to click its devtools for the user): refused', async (t) => {
    const { page } = await newPage(t);
    await page.goto(`${attacker.origin}/frame?src=${encodeURIComponent(simulatorUrl())}`);
    const frame = await frameIn(page.mainFrame());
    assert.equal(frame.url().startsWith(SUPERAPP), false, `the simulator was shown: ${frame.url()}`);
  });
});

describe('inside the simulator', () => {
  test('an unregistered mini program framing the cashier and the consent page gets nothing', async (t) => {
    await switchesOn(t);
    const { page } = await newPage(t);
    const before = await aliceUsd();
    const codes = await codesMinted();
    const { paymentId, paymentUrl } = await createPayment(stack);
    for (const src of [
      `${paymentUrl}&autopay=BALANCE&return=0&embedder=${encodeURIComponent(attacker.origin)}`,
      `${SUPERAPP}/consent/?appId=${DEMO_APP_ID}&scopes=${SCOPES}&requestId=y&autoconsent=allow`
        + `&embedder=${encodeURIComponent(attacker.origin)}`,
    ]) {
      await page.goto(simulatorUrl({ app: `${attacker.origin}/mini-program?src=${encodeURIComponent(src)}` }));
      const app = page.frameLocator('#mini-program');
      await app.locator('#victim[data-loaded=yes]').waitFor({ state: 'attached', timeout: TIMEOUT });
      const miniProgram = page.frames().find((f) => f.url().startsWith(`${attacker.origin}/mini-program`));
      const shown = await shownIn(await frameIn(miniProgram), miniProgram);
      assert.equal(await paymentStatus(paymentId), 'PROCESSING', 'the payment stays unpaid');
      assert.equal(await aliceUsd(), before, 'the balance is unchanged');
      assert.equal(await codesMinted(), codes, 'no auth code was minted');
      assert.equal(shown, false, `the browser refuses to show ${src} in the unregistered mini program`);
    }
  });

  test('a registered mini program that appends autopay to its paymentUrl gets no payment', async (t) => {
    const { page } = await newPage(t);
    const before = await aliceUsd();
    await page.goto(simulatorUrl({ app: fixtureUrl() }));
    await page.frameLocator('#mini-program').locator('#pay').waitFor({ timeout: TIMEOUT });
    const mini = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
    await mini.waitForFunction(() => typeof window.startTradePay === 'function');
    const { paymentId, paymentUrl } = await createPayment(stack);
    await mini.evaluate((url) => window.startTradePay({ paymentUrl: url }), `${paymentUrl}&autopay=BALANCE&return=0`);
    const cashier = page.frameLocator('#cashier');
    await cashierDecided(cashier, mini);
    assert.equal(await paymentStatus(paymentId), 'PROCESSING', 'the payment stays unpaid');
    assert.equal(await aliceUsd(), before, 'the balance is unchanged');
    assert.equal(await cashier.locator('html').getAttribute('data-automation'), 'none');
    assert.equal(await cashier.locator('#pay').isEnabled(), true, 'the cashier waits for the user');
    await cashier.locator('#cancel').click();
  });

  test('a mini program posting its own title bar message (past the runtime\'s rule) cannot style or script the shell', async (t) => {
    const { page } = await newPage(t);
    await page.goto(simulatorUrl({ app: fixtureUrl() }));
    await page.frameLocator('#mini-program').locator('#pay').waitFor({ timeout: TIMEOUT });
    const mini = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
    await mini.evaluate((origin) => window.parent.postMessage({
      type: 'miniprogram-shim:navigation-bar',
      change: {
        title: `<img src=x onerror="document.title='pwned'">${'x'.repeat(300)}`,
        image: 'javascript:document.title="pwned"',
        backgroundColor: 'red; background-image: url(http://evil.example/x)',
        borderBottomColor: 'url(http://evil.example/y)',
        frontColor: 'expression(alert(1))',
        loading: 'yes',
      },
    }, origin), SUPERAPP);
    const title = page.locator('#app-title');
    await page.waitForFunction(() => document.getElementById('app-title').textContent.startsWith('<img'), null, { timeout: TIMEOUT });
    assert.equal((await title.textContent()).length, 200, 'the title is text, capped at 200 characters');
    assert.equal(await page.locator('#navbar img:not(#app-title-image)').count(), 0, 'no element from the title');
    assert.equal(await page.locator('#app-title-image').isVisible(), false, 'no javascript: image');
    assert.equal(await page.locator('#app-title-image').getAttribute('src'), null);
    const style = await page.locator('#navbar').evaluate((b) => ({
      attribute: b.getAttribute('style') ?? '', backgroundImage: getComputedStyle(b).backgroundImage,
    }));
    assert.doesNotMatch(style.attribute, /url|expression/, 'no CSS beyond a colour reaches the bar');
    assert.equal(style.backgroundImage, 'none');
    assert.equal(await page.locator('#app-title-loading').isVisible(), false, 'loading is a boolean');
    assert.notEqual(await page.title(), 'pwned');
  });

  test('the devtools settings write the switches to the server, and the cashier obeys them there', async (t) => {
    t.after(() => setAutomation({ autopay: null, autoconsent: null }));
    const { page } = await newPage(t);
    await page.goto(simulatorUrl({ app: fixtureUrl() }));
    await page.locator('[data-tab=settings]').click();
    await page.locator('select[name=autopay]').selectOption('BALANCE');
    await page.locator('#automation-state', { hasText: 'saved' }).waitFor({ timeout: TIMEOUT });
    const stored = await (await fetch(`${SUPERAPP}/sandbox/settings`)).json();
    assert.deepEqual(stored, { autopay: 'BALANCE', autoconsent: null });
    await page.screenshot({ path: process.env.SETTINGS_SCREENSHOT ?? '/tmp/simulator-settings.png' });

    const mini = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
    await mini.waitForFunction(() => typeof window.startTradePay === 'function');
    const { paymentId, paymentUrl } = await createPayment(stack);
    await mini.evaluate((url) => window.startTradePay({ paymentUrl: url }), paymentUrl);
    await mini.waitForFunction(() => window.events.length >= 3, null, { timeout: TIMEOUT });
    assert.deepEqual((await mini.evaluate(() => window.events))[0], { kind: 'success', value: { resultCode: '9000' } });
    assert.equal(await paymentStatus(paymentId), 'SUCCESS');

    // A value the server refuses is shown, and the stored one stays.
    const refused = await page.evaluate(() => window.simulator.set({ autopay: 'EVERYTHING' }).then(() => 'saved', (e) => e.message));
    assert.match(refused, /^autopay: /);
    assert.deepEqual(await (await fetch(`${SUPERAPP}/sandbox/settings`)).json(), stored);
  });
});

describe('standalone (the shim overlay in a registered mini program)', () => {
  test('appending autopay to the paymentUrl opens the cashier and waits for the user', async (t) => {
    const { page } = await newPage(t);
    const before = await aliceUsd();
    await page.goto(fixtureUrl());
    await page.waitForFunction(() => typeof window.startTradePay === 'function');
    const { paymentId, paymentUrl } = await createPayment(stack);
    await page.evaluate((url) => window.startTradePay({ paymentUrl: url }), `${paymentUrl}&autopay=BALANCE&return=0`);
    const cashier = page.frameLocator('.miniprogram-shim-cashier iframe');
    await cashierDecided(cashier, page.mainFrame());
    assert.equal(await paymentStatus(paymentId), 'PROCESSING', 'the payment stays unpaid');
    assert.equal(await aliceUsd(), before, 'the balance is unchanged');
    assert.equal(await cashier.locator('html').getAttribute('data-automation'), 'none');
    // With the super app's switch on, the registered app's overlay is automated (a test tool).
    await switchesOn(t);
    await cashier.locator('#cancel').click();
    await page.waitForFunction(() => window.events.length >= 3);
    const second = await createPayment(stack);
    await page.evaluate((url) => window.startTradePay({ paymentUrl: url }), second.paymentUrl);
    await page.waitForFunction(() => window.events.length >= 6, null, { timeout: TIMEOUT });
    assert.deepEqual((await page.evaluate(() => window.events))[3], { kind: 'success', value: { resultCode: '9000' } });
  });
});
