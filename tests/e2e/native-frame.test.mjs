// Native mini programs, the frame (tests/e2e/fixtures/native-frame): one title bar (the
// shell's) driven by window config and my.setNavigationBar, with the back button; tab pages kept
// alive by switchTab and the tab bar APIs; pull-down refresh (mouse drag, my.startPullDownRefresh,
// the devtools button), onPageScroll, onReachBottom and my.pageScrollTo; onShareAppMessage from
// the devtools; my.createSelectorQuery and my.createIntersectionObserver; and the devtools'
// page stack and AppData panel (edits through setData; bad JSON refused).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MINI_PROGRAM, ROOT, startStack, SUPERAPP } from './harness.mjs';

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

    // The parts of setNavigationBar, each with its own options (frontColor as given).
    await app.locator('#parts').click();
    await app.locator('#result', { hasText: 'parts ok' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(page.locator('#app-title')), 'Parts');
    assert.deepEqual(await style(), { bg: 'rgb(0, 0, 0)', fg: 'rgb(255, 255, 255)' });
    await app.locator('#title').click();
    await app.locator('#result', { hasText: 'setNavigationBar ok' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await style(), { bg: 'rgb(255, 212, 0)', fg: 'rgb(0, 0, 0)' }, 'a new bar colour: the title follows it');

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

describe('the title bar outside the simulator', () => {
  test('opened alone, the frame draws the title bar itself, with the back button and the page\'s colours', async (t) => {
    const context = await stack.browser.newContext({ viewport: { width: 390, height: 760 } });
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(`${MINI_PROGRAM}/native/${APP_ID}/`);
    await page.locator('#log', { hasText: 'home.onShow' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#a-titlebar').isVisible(), true);
    assert.equal(await text(page.locator('#a-title')), 'Frame home');
    assert.equal(await page.locator('#a-titlebar').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(22, 119, 255)');
    await page.locator('#title').click();
    await page.locator('#a-title', { hasText: 'New title' }).waitFor({ timeout: TIMEOUT });
    await page.locator('#to-list').click();
    await page.locator('#a-title', { hasText: 'List' }).waitFor({ timeout: TIMEOUT });
    await page.locator('#a-back').click();
    await page.locator('#log', { hasText: 'list.onUnload' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#a-back').isHidden(), true);
    assert.equal(await text(page.locator('#a-title')), 'New title');
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

describe('page hooks', () => {
  /** Drags the page down by `dy` px with the mouse, from the middle of the phone's screen. */
  async function pull(page, dy) {
    const box = await page.locator('#mini-program').boundingBox();
    const x = box.x + box.width / 2; const y = box.y + 200;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 6; i += 1) await page.mouse.move(x, y + (dy * i) / 6);
    await page.mouse.up();
  }

  test('pull-down refresh: a mouse drag, my.startPullDownRefresh and the devtools button call onPullDownRefresh; stopPullDownRefresh ends it', async (t) => {
    const { page, app, frame } = await open(t);
    // Home has no window.pullRefresh: a pull does nothing, the devtools say why.
    await pull(page, 200);
    await page.locator('[data-tab=pages]').click();
    await page.locator('#native-pull').click();
    await page.locator('#native-note', { hasText: 'pull-down refresh is off' }).waitFor({ timeout: TIMEOUT });
    assert.doesNotMatch(await text(app.locator('#log')), /onPullDownRefresh/);

    await app.locator('#to-list').click();
    await app.locator('#list-log', { hasText: 'list.onShow' }).waitFor({ timeout: TIMEOUT });
    await pull(page, 40); // not far enough
    await pull(page, 200);
    await app.locator('#list-log', { hasText: 'list.onPullDownRefresh manual' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await frame.evaluate(() => document.getElementById('a-refresh').classList.contains('a-refreshing')), true);
    // Until the page stops it (my.stopPullDownRefresh), the indicator stays; then it closes.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await frame.evaluate(() => document.getElementById('a-refresh').offsetHeight), 48);
    await app.locator('#stop-refresh').click();
    await until(() => frame.evaluate(() => document.getElementById('a-refresh').offsetHeight === 0), 'the indicator to close');
    assert.equal((await text(app.locator('#list-log'))).match(/onPullDownRefresh/g).length, 1, 'the short pull did not refresh');
    await app.locator('#start-refresh').click();
    await app.locator('#list-log', { hasText: 'list.onPullDownRefresh code' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#stop-refresh').click();
    await until(() => frame.evaluate(() => document.getElementById('a-refresh').offsetHeight === 0), 'the indicator to close');
    await page.locator('#native-pull').click();
    await page.locator('#native-note', { hasText: 'pages/list/list: pull-down refresh started' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#list-log', { hasText: 'code|list.onPullDownRefresh manual' }).waitFor({ timeout: TIMEOUT });
    assert.match(await text(app.locator('#state')), /^3\//);
  });

  test('my.pageScrollTo (scrollTop, selector), onPageScroll({scrollTop}), onReachBottom once per arrival (onReachBottomDistance)', async (t) => {
    const { app, frame } = await open(t, 'pages/list/list');
    await app.locator('#scroll-300').click();
    await app.locator('#state', { hasText: /\/300$/ }).waitFor({ timeout: TIMEOUT });
    assert.equal(await frame.evaluate(() => document.getElementById('a-pages').scrollTop), 300);
    await app.locator('#scroll-row').click();
    await until(async () => Math.abs(await frame.evaluate(() => document.getElementById('row-20').getBoundingClientRect().top
      - document.getElementById('a-pages').getBoundingClientRect().top)) < 2, 'row 20 at the top');
    assert.match(await text(app.locator('#state')), /^0\/0\//, 'not at the bottom yet');
    // To the bottom: one onReachBottom, which appends 20 rows; to the new bottom: one more.
    const toBottom = () => frame.evaluate(() => { const el = document.getElementById('a-pages'); el.scrollTop = el.scrollHeight; });
    await toBottom();
    await app.locator('#row-60').waitFor({ timeout: TIMEOUT });
    await app.locator('#state', { hasText: /^0\/1\// }).waitFor({ timeout: TIMEOUT });
    await frame.evaluate(() => { document.getElementById('a-pages').scrollTop -= 30; }); // still within 100 px
    await new Promise((r) => setTimeout(r, 300));
    assert.match(await text(app.locator('#state')), /^0\/1\//);
    await toBottom();
    await app.locator('#row-80').waitFor({ timeout: TIMEOUT });
    await app.locator('#state', { hasText: /^0\/2\// }).waitFor({ timeout: TIMEOUT });
  });

  test('onShareAppMessage: the devtools Share button shows what the page returns', async (t) => {
    const { page, app } = await open(t);
    await app.locator('#inc').click();
    await page.locator('[data-tab=pages]').click();
    await page.locator('#native-share').click();
    await page.locator('#native-share-result:visible').waitFor({ timeout: TIMEOUT });
    const shown = await text(page.locator('#native-share-result'));
    assert.match(shown, /^onShareAppMessage of pages\/home\/home returned:/);
    assert.deepEqual(JSON.parse(shown.slice(shown.indexOf('\n'))), { title: 'Frame home', desc: 'count 1', path: 'pages/home/home?from=share' });
    await app.locator('#log', { hasText: 'home.onShareAppMessage menu' }).waitFor({ timeout: TIMEOUT }).catch(() => {});
    // A page without it says so.
    await app.locator('#a-tabbar button', { hasText: 'Other' }).click();
    await app.locator('#other-log').waitFor({ timeout: TIMEOUT });
    await page.locator('#native-share').click();
    await page.locator('#native-share-result', { hasText: 'pages/other/other defines no onShareAppMessage' }).waitFor({ timeout: TIMEOUT });
  });
});

describe('queries', () => {
  test('my.createSelectorQuery: select, selectAll, selectViewport, boundingClientRect, scrollOffset, exec', async (t) => {
    const { app, frame } = await open(t, 'pages/list/list');
    await frame.evaluate(() => { document.getElementById('box').scrollTop = 25; document.getElementById('a-pages').scrollTop = 40; });
    await app.locator('#query').click();
    await app.locator('#list-query', { hasText: '[' }).waitFor({ timeout: TIMEOUT });
    const [missing, row2, count, first, box, viewport, offset] = JSON.parse(await text(app.locator('#list-query')));
    const dom = await frame.evaluate(() => {
      const base = document.getElementById('a-pages').getBoundingClientRect();
      const r = document.getElementById('row-2').getBoundingClientRect();
      const pages = document.getElementById('a-pages');
      return { top: r.top - base.top, left: r.left - base.left, width: r.width, height: r.height, vw: pages.clientWidth, vh: pages.clientHeight, rows: document.querySelectorAll('.item').length };
    });
    assert.equal(missing, null, 'no node: null');
    assert.deepEqual(Object.keys(row2).sort(), ['bottom', 'height', 'left', 'right', 'top', 'width', 'x', 'y']);
    assert.equal(row2.top, dom.top); assert.equal(row2.y, dom.top); assert.equal(row2.left, dom.left);
    assert.equal(row2.height, 50); assert.equal(row2.bottom, dom.top + 50); assert.equal(row2.width, dom.width);
    assert.equal(count, dom.rows, 'selectAll: one rect per node');
    assert.equal(first.height, 50);
    assert.deepEqual(box, { scrollTop: 25, scrollLeft: 0 });
    assert.deepEqual(viewport, { width: dom.vw, height: dom.vh });
    assert.deepEqual(offset, { scrollTop: 40, scrollLeft: 0 });
  });

  test('my.createIntersectionObserver: relativeToViewport, observe with thresholds, the result shape, disconnect', async (t) => {
    const { app, frame } = await open(t, 'pages/list/list');
    await app.locator('#observe').click();
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(await text(app.locator('#list-log')), /seen/, 'out of view at first: no callback (initialRatio 0)');
    await frame.evaluate(() => { document.getElementById('a-pages').scrollTop = 1000; });
    await app.locator('#list-log', { hasText: 'seen row-25 25 in full' }).waitFor({ timeout: TIMEOUT });
    const seen = JSON.parse(await text(app.locator('#seen')));
    assert.deepEqual(Object.keys(seen).sort(), ['boundingClientRect', 'dataset', 'id', 'intersectionRatio', 'intersectionRect', 'relativeRect', 'time']);
    assert.equal(seen.intersectionRatio, 1);
    assert.deepEqual(seen.intersectionRect, seen.boundingClientRect);
    assert.equal(seen.relativeRect.top, 0);
    assert.equal(typeof seen.time, 'number');
    await frame.evaluate(() => { document.getElementById('a-pages').scrollTop = 0; });
    await app.locator('#list-log', { hasText: 'seen row-25 25 out part' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#disconnect').click();
    await app.locator('#list-log', { hasText: 'disconnected' }).waitFor({ timeout: TIMEOUT });
    const before = (await text(app.locator('#list-log'))).match(/seen/g).length;
    await frame.evaluate(() => { document.getElementById('a-pages').scrollTop = 1000; });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await text(app.locator('#list-log'))).match(/seen/g).length, before, 'no callback after disconnect');
  });
});

describe('devtools: the page stack and AppData', () => {
  test('the stack, top first, with kept tab pages; an edit calls setData on that page; bad JSON and removed keys are refused', async (t) => {
    const { page, app } = await open(t);
    await page.locator('[data-tab=pages]').click();
    await app.locator('#a-tabbar button', { hasText: 'Other' }).click();
    await app.locator('#a-tabbar button', { hasText: 'Home' }).click();
    await app.locator('#to-list').click();
    await app.locator('#list-log', { hasText: 'list.onShow' }).waitFor({ timeout: TIMEOUT });
    await page.locator('#native-stack li', { hasText: 'pages/list/list' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await page.locator('#native-stack li').allTextContents(), ['pages/list/listtop', 'pages/home/home', 'pages/other/othertab page kept alive']);
    assert.equal(await text(page.locator('#count-pages')), '2');
    // Edit Home's data.
    await page.locator('#native-stack li', { hasText: 'pages/home/home' }).click();
    const editor = page.locator('#native-data');
    const data = JSON.parse(await editor.inputValue());
    assert.equal(data.count, 0);
    await editor.fill(JSON.stringify({ ...data, count: 42, nested: { a: 2 } }));
    await page.locator('#native-apply').click();
    await page.locator('#native-edit-state', { hasText: 'Applied: setData on pages/home/home: count, nested' }).waitFor({ timeout: TIMEOUT });
    await page.locator('#app-back').click();
    await app.locator('#count', { hasText: '42' }).waitFor({ timeout: TIMEOUT });
    assert.equal(JSON.parse(await editor.inputValue()).count, 42, 'the panel shows the new data');
    // Refused edits change nothing.
    await editor.fill('{"count": 7,');
    await page.locator('#native-apply').click();
    await page.locator('#native-edit-state', { hasText: 'Refused: not JSON' }).waitFor({ timeout: TIMEOUT });
    assert.match(await text(page.locator('#native-edit-state')), /nothing was changed$/);
    await editor.fill('{"count": 7}');
    await page.locator('#native-apply').click();
    await page.locator('#native-edit-state', { hasText: 'Refused: setData cannot remove a key' }).waitFor({ timeout: TIMEOUT });
    await editor.fill('[1, 2]');
    await page.locator('#native-apply').click();
    await page.locator('#native-edit-state', { hasText: 'Refused: a page\'s data is a JSON object' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(app.locator('#count')), '42');
  });

  test('attack: an edit message that is not from the simulator (the page posting to itself) is ignored', async (t) => {
    const { app, frame } = await open(t);
    await frame.evaluate(() => {
      const pageId = 1;
      window.postMessage({ type: 'miniprogram-shim:native-edit', requestId: 1, pageId, text: '{"count":99,"result":"","log":"","nested":{"a":1}}' }, '*');
      window.postMessage({ type: 'miniprogram-shim:native-back' }, '*');
    });
    await app.locator('#inc').click();
    await app.locator('#count', { hasText: '1' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(app.locator('#count')), '1', 'the edit did not apply');
  });

  test('attack: the title bar takes messages from the mini program frame only, and only colours and http(s) images from it', async (t) => {
    const { page, frame } = await open(t);
    // Another window (here the shell's own) cannot retitle the phone.
    await page.evaluate(() => window.postMessage({ type: 'miniprogram-shim:navbar', title: 'forged', back: true }, '*'));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await text(page.locator('#app-title')), 'Frame home');
    assert.equal(await page.locator('#app-back').isHidden(), true);
    // The frame itself: a script URL is no image, a url() is no colour.
    await frame.evaluate(() => window.parent.postMessage({
      type: 'miniprogram-shim:navbar', title: 'x'.repeat(500), image: 'javascript:alert(1)', backgroundColor: 'url(http://127.0.0.1:9/x)', frontColor: 'red',
    }, '*'));
    await page.locator('#app-title', { hasText: 'xxx' }).waitFor({ timeout: TIMEOUT });
    assert.equal((await text(page.locator('#app-title'))).length, 200, 'the title is capped');
    assert.equal(await page.locator('#app-title-image').isHidden(), true);
    assert.equal(await page.locator('#navbar').evaluate((el) => el.style.backgroundColor), '');
    assert.equal(await page.locator('#navbar').evaluate((el) => el.style.color), 'red');
  });
});
