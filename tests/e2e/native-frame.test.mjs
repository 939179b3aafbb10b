// Native mini programs, the frame (tests/e2e/fixtures/native-frame): one title bar (the
// shell's) driven by window config and my.setNavigationBar, with the back button; tab pages kept
// alive by switchTab and the tab bar APIs; pull-down refresh (mouse drag, my.startPullDownRefresh,
// the devtools button), onPageScroll, onReachBottom and my.pageScrollTo; onShareAppMessage from
// the devtools; my.createSelectorQuery and my.createIntersectionObserver; and the devtools'
// page stack and AppData panel (edits through setData; bad JSON refused).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
const APP_ID = 'frame';
let stack;

before(async () => {
  stack = await startStack({ sandboxArgs: ['--app', `${APP_ID}=${join(ROOT, 'tests', 'e2e', 'fixtures', 'native-frame')}`] });
});
after(async () => { await stack?.stop(); });

/** Launches the fixture (at `page`), waits for its first page; errors are collected. */
async function open(t, page = null) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const tab = await context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} @ ${m.location().url}`); });
  t.after(() => context.close());
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('appId', APP_ID);
  if (page) url.searchParams.set('page', page);
  await tab.goto(url.href);
  const app = tab.frameLocator('#mini-program');
  await app.locator(page ? '#list-log' : '#log', { hasText: 'onShow' }).waitFor({ timeout: TIMEOUT });
  const frame = tab.frame({ url: /\/native\/frame\// });
  return { page: tab, app, frame, errors };
}

const text = (locator) => locator.textContent({ timeout: TIMEOUT });
const until = async (fn, what) => {
  for (let i = 0; i < 200; i += 1) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
};

describe('the title bar: one, the shell\'s, driven by the page', () => {
  test('window config, setNavigationBar, loading, reset; back button; onTitleClick', async (t) => {
    const { page, app, frame, errors } = await open(t);
    assert.equal(await text(page.locator('#app-title')), 'Frame home');
    assert.equal(await frame.evaluate(() => document.getElementById('a-titlebar').hidden), true, 'the frame draws no title bar of its own');
    const bar = page.locator('#navbar');
    const style = () => bar.evaluate((el) => ({ bg: getComputedStyle(el).backgroundColor, fg: getComputedStyle(el).color }));
    assert.deepEqual(await style(), { bg: 'rgb(22, 119, 255)', fg: 'rgb(255, 255, 255)' }, 'titleBarColor, white title on a dark bar');
    assert.equal(await page.locator('#app-back').isHidden(), true);

    await app.locator('#title').click();
    await app.locator('#result', { hasText: 'setNavigationBar ok' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(page.locator('#app-title')), 'New title');
    assert.deepEqual(await style(), { bg: 'rgb(255, 212, 0)', fg: 'rgb(0, 0, 0)' });
    assert.equal(await bar.evaluate((el) => getComputedStyle(el).borderBottomColor), 'rgb(255, 0, 0)');

    await app.locator('#bad-colour').click();
    await app.locator('#result', { hasText: 'setNavigationBar fail' }).waitFor({ timeout: TIMEOUT });
    assert.match(await text(app.locator('#result')), /^setNavigationBar fail 2: setNavigationBar: backgroundColor is not a colour: "url\(/);
    assert.equal((await style()).bg, 'rgb(255, 212, 0)', 'a refused call changes nothing');

    await app.locator('#loading-on').click();
    await page.locator('#app-title-loading:visible').waitFor({ timeout: TIMEOUT });
    await app.locator('#loading-off').click();
    await page.locator('#app-title-loading').waitFor({ state: 'hidden', timeout: TIMEOUT });
    await app.locator('#reset').click();
    await app.locator('#result', { hasText: 'reset ok' }).waitFor({ timeout: TIMEOUT });
    assert.equal((await style()).bg, 'rgb(22, 119, 255)', 'reset: the window colour again');
    assert.equal(await text(page.locator('#app-title')), 'New title', 'reset keeps the title');

    // The JSAPI log shows the frame's calls.
    await page.locator('#jsapi-log tr', { hasText: 'setNavigationBar' }).first().waitFor({ timeout: TIMEOUT });

    await page.locator('#app-title').click();
    await app.locator('#log', { hasText: 'home.onTitleClick' }).waitFor({ timeout: TIMEOUT });

    // A pushed page: its own title, the back button; back returns.
    await app.locator('#to-list').click();
    await page.locator('#app-title', { hasText: 'List' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#app-back').isVisible(), true);
    assert.equal(await app.locator('#a-tabbar').isHidden(), true);
    await page.locator('#app-back').click();
    await page.locator('#app-title', { hasText: 'New title' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#app-back').isHidden(), true);
    await app.locator('#log', { hasText: 'list.onUnload|home.onShow' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), []);
  });
});

describe('the tab bar', () => {
  test('switchTab keeps tab pages alive: state kept, onLoad once, onHide/onShow; other pages unloaded', async (t) => {
    const { app } = await open(t);
    await app.locator('#inc').click();
    await app.locator('#inc').click();
    await app.locator('#count', { hasText: '2' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#a-tabbar button', { hasText: 'Other' }).click();
    await app.locator('#other-log', { hasText: 'other.onShow' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(app.locator('#other-log')), 'home.onLoad|home.onShow|home.onHide|other.onLoad|other.onShow');
    assert.equal(await text(app.locator('#other-pages')), 'pages/other/other');
    await app.locator('#a-tabbar button', { hasText: 'Home' }).click();
    await app.locator('#log', { hasText: 'other.onHide|home.onShow' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(app.locator('#count')), '2', 'the tab page kept its state');
    assert.doesNotMatch(await text(app.locator('#log')), /home\.onLoad.*home\.onLoad/, 'not loaded again');
    // From a pushed page: the pushed page is unloaded, the tab page kept.
    await app.locator('#to-list').click();
    await app.locator('#list-log', { hasText: 'list.onShow' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#to-other').click();
    await app.locator('#other-log', { hasText: 'list.onUnload' }).waitFor({ timeout: TIMEOUT });
    const log = await text(app.locator('#other-log'));
    assert.match(log, /home\.onHide\|list\.onLoad\|list\.onShow\|list\.onUnload\|other\.onShow$/, 'switchTab from a pushed page: it unloads; Other shows again');
    assert.equal(log.match(/other\.onLoad/g).length, 1, 'Other was kept alive');
    assert.doesNotMatch(log, /home\.onUnload/);
    assert.equal(await text(app.locator('#other-pages')), 'pages/other/other');
    // reLaunch unloads the kept tab pages too.
  });

  test('tab bar APIs: badge, red dot, item text, style, hide and show; a bad index fails with error 2', async (t) => {
    const { app } = await open(t);
    const tabs = app.locator('#a-tabbar button');
    await app.locator('#badge').click();
    await app.locator('#a-tabbar button:nth-child(2) .a-tab-badge', { hasText: '5' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#dot').click();
    await app.locator('#a-tabbar button:nth-child(1) .a-tab-dot').waitFor({ timeout: TIMEOUT });
    await app.locator('#item').click();
    await app.locator('#result', { hasText: 'setTabBarItem ok' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await tabs.locator('.a-tab-text').evaluateAll((els) => els.map((e) => e.firstChild.textContent)), ['Home', 'Renamed']);
    await app.locator('#unbadge').click();
    await app.locator('#result', { hasText: 'hideTabBarRedDot ok' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#a-tabbar .a-tab-badge, #a-tabbar .a-tab-dot').count(), 0);
    await app.locator('#style').click();
    await app.locator('#result', { hasText: 'setTabBarStyle ok' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await app.locator('#a-tabbar').evaluate((el) => [getComputedStyle(el).backgroundColor,
      getComputedStyle(el.children[0]).color, getComputedStyle(el.children[1]).color]), ['rgb(0, 0, 0)', 'rgb(170, 0, 0)', 'rgb(0, 170, 0)']);
    await app.locator('#hide-tabs').click();
    await app.locator('#a-tabbar').waitFor({ state: 'hidden', timeout: TIMEOUT });
    await app.locator('#show-tabs').click();
    await app.locator('#a-tabbar').waitFor({ state: 'visible', timeout: TIMEOUT });
    await app.locator('#bad-index').click();
    await app.locator('#result', { hasText: 'setTabBarBadge fail' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(app.locator('#result')), 'setTabBarBadge fail 2: setTabBarBadge: index must be an integer from 0 to 1 (the tabBar items), got 5');
  });
});
