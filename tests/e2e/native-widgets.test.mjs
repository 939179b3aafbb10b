// Native mini programs: swiper / swiper-item, picker-view / picker-view-column, rich-text and
// web-view (www/native/widgets.mjs, www/native/web-view.mjs; fixture
// tests/e2e/fixtures/native-widgets, H5 pages in tests/e2e/fixtures/web-view), in Chromium:
// attributes, events and their details, drags and keys, controlled values; rich-text's
// sanitizing and the web-view's whitelist, sandbox and bridge, each with its attack.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
const SHOTS = process.env.NATIVE_SHOTS; // a folder: screenshots of each page, to look at
let stack;

before(async () => {
  stack = await startStack({ sandboxArgs: ['--app', `widgets=${join(ROOT, 'tests', 'e2e', 'fixtures', 'native-widgets')}`] });
  // The web-view may load the fixtures' origin only (FORGER, :18704, stays out).
  const put = await fetch(`${SUPERAPP}/sandbox/mini-programs/widgets`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ whitelist: ['127.0.0.1:18703'] }),
  });
  assert.equal(put.status, 200, await put.text());
});
after(async () => { await stack?.stop(); });

async function open(t, page, query = '') {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const tab = await context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss().catch(() => {}); });
  t.after(() => context.close());
  const url = `${SUPERAPP}/?appId=widgets&page=${page}${query ? `&query=${encodeURIComponent(query)}` : ''}`;
  await tab.goto(url);
  const app = tab.frameLocator('#mini-program');
  await app.locator('.a-page').first().waitFor({ timeout: TIMEOUT });
  const frame = tab.frame({ url: /\/native\/widgets\// });
  return { tab, app, frame, errors };
}

const events = async (app) => (await app.locator('#events').textContent()).split('|').filter(Boolean);
const shot = async (tab, name) => { if (SHOTS) await tab.screenshot({ path: join(SHOTS, `${name}.png`) }); };

test('swiper: items, dots and margins from the attributes; a drag, keys and a controlled current; onChange/onAnimationEnd details', async (t) => {
  const { tab, app, frame, errors } = await open(t, 'pages/swiper/swiper');
  const sw = app.locator('#sw');
  await sw.locator('swiper-item').first().waitFor({ timeout: TIMEOUT });
  const layout = () => frame.evaluate(() => {
    const el = document.getElementById('sw');
    const items = [...el.querySelectorAll('swiper-item')];
    const box = el.getBoundingClientRect();
    return {
      lefts: items.map((i) => Math.round(i.getBoundingClientRect().left - box.left)),
      width: Math.round(items[0].getBoundingClientRect().width),
      swiper: Math.round(box.width),
      current: items.map((i) => i.hasAttribute('a-current')),
      on: items.map((i) => i.classList.contains('on')),
      dots: [...el.querySelectorAll('.a-swiper-dots i')].map((d) => getComputedStyle(d).backgroundColor),
      lastIsDots: el.lastElementChild.classList.contains('a-swiper-dots'),
    };
  });
  let l = await layout();
  assert.equal(l.width, l.swiper - 50, 'previous-margin 20px + next-margin 30px');
  assert.deepEqual(l.lefts, [20, 20 + l.width, 20 + 2 * l.width]);
  assert.deepEqual(l.current, [true, false, false]);
  assert.deepEqual(l.on, [true, false, false], 'active-class on the current item');
  assert.deepEqual(l.dots, ['rgb(255, 0, 0)', 'rgb(204, 204, 204)', 'rgb(204, 204, 204)'], 'indicator colours');
  assert.ok(l.lastIsDots);
  await shot(tab, 'swiper');

  // A drag of more than half an item to the left: the next one, source "touch"; the click that
  // ends the drag is not a tap.
  const box = await sw.boundingBox();
  await tab.mouse.move(box.x + box.width * 0.8, box.y + 60);
  await tab.mouse.down();
  await tab.mouse.move(box.x + box.width * 0.5, box.y + 60, { steps: 5 });
  await tab.mouse.move(box.x + box.width * 0.1, box.y + 60, { steps: 5 });
  await tab.mouse.up();
  await app.locator('#events', { hasText: 'end 1 touch' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await events(app), ['change 1 touch', 'end 1 touch']);
  assert.equal(await app.locator('#current').textContent(), '1');
  assert.ok(Number(await app.locator('#transitions').textContent()) > 0, 'onTransition while moving');
  l = await layout();
  assert.deepEqual(l.lefts, [20 - l.width, 20, 20 + l.width]);

  // A short drag goes back; a tap is a tap.
  await tab.mouse.move(box.x + box.width * 0.5, box.y + 60);
  await tab.mouse.down();
  await tab.mouse.move(box.x + box.width * 0.4, box.y + 60, { steps: 3 });
  await tab.waitForTimeout(300); // slow: not a fling
  await tab.mouse.up();
  await sw.locator('swiper-item').nth(1).click();
  await app.locator('#events', { hasText: 'tap 1' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual((await events(app)).slice(2), ['end 1 touch', 'tap 1'], 'back to the same item: no onChange');

  // Keys: → to the last, → again stays (not circular).
  await sw.focus();
  await sw.press('ArrowRight');
  await app.locator('#events', { hasText: 'end 2 touch' }).waitFor({ timeout: TIMEOUT });
  await sw.press('ArrowRight');
  await tab.waitForTimeout(300);
  assert.deepEqual((await events(app)).slice(4), ['change 2 touch', 'end 2 touch']);

  // Controlled: the page sets current; no onChange for the template's own change.
  await app.locator('#circ').click(); // circular now
  await sw.press('ArrowRight'); // wraps to 0
  await app.locator('#events', { hasText: 'end 0 touch' }).waitFor({ timeout: TIMEOUT });
  await app.locator('#to2').click();
  await app.locator('#current', { hasText: '2' }).waitFor({ timeout: TIMEOUT });
  await frame.waitForFunction(() => document.querySelectorAll('#sw swiper-item')[2].hasAttribute('a-current'));
  await app.locator('#events', { hasText: /end 2 $/ }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual((await events(app)).slice(6), ['change 0 touch', 'end 0 touch', 'end 2 ']);

  // An item added by setData: a fourth dot, laid out after the third.
  await app.locator('#add').click();
  await frame.waitForFunction(() => document.querySelectorAll('#sw .a-swiper-dots i').length === 4);
  l = await layout();
  assert.equal(l.lefts.length, 4);
  assert.ok(l.lastIsDots, 'the dots stay after the items');

  // Vertical: ↓ moves on, detail from the vertical swiper.
  await app.locator('#vsw').focus();
  await app.locator('#vsw').press('ArrowDown');
  await app.locator('#events', { hasText: 'vchange 1 touch' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(errors, []);
});

test('swiper: autoplay moves on by itself (source "autoplay"), circular wraps to the first', async (t) => {
  const { app } = await open(t, 'pages/swiper/swiper');
  await app.locator('#circ').click();
  await app.locator('#auto').click();
  await app.locator('#events', { hasText: 'change 0 autoplay' }).waitFor({ timeout: TIMEOUT });
  await app.locator('#auto').click();
  const list = await events(app);
  assert.deepEqual(list.filter((e) => e.startsWith('change')).slice(0, 3), ['change 1 autoplay', 'change 2 autoplay', 'change 0 autoplay']);
});

test('picker-view: value sets each column, a mouse drag and keys pick, onChange {value}, onPickStart/onPickEnd; indicator and mask', async (t) => {
  const { tab, app, frame, errors } = await open(t, 'pages/picker/picker');
  await frame.waitForFunction(() => document.querySelector('#years').scrollTop > 0);
  const state = () => frame.evaluate(() => {
    const pv = document.getElementById('pv');
    const ind = pv.querySelector('.a-picker-indicator');
    return {
      tops: [...pv.querySelectorAll('picker-view-column')].map((c) => Math.round(c.scrollTop)),
      selected: [...pv.querySelectorAll('[a-selected]')].map((n) => n.textContent.trim()),
      indicator: [Math.round(ind.getBoundingClientRect().height), getComputedStyle(ind).borderTopColor, ind.className],
      mask: getComputedStyle(pv.querySelector('.a-picker-mask')).opacity,
      rowHeight: Math.round(pv.querySelector('#years > view').getBoundingClientRect().height),
    };
  });
  let s = await state();
  assert.deepEqual(s.tops, [40, 80], 'value [1, 2] with 40px rows (indicator-style height)');
  assert.deepEqual(s.selected, ['2020', 'Autumn']);
  assert.deepEqual(s.indicator, [40, 'rgb(22, 119, 255)', 'a-picker-indicator ind']);
  assert.equal(s.mask, '0.5');
  assert.equal(s.rowHeight, 40);
  await shot(tab, 'picker-view');

  // Drag the years column up by two rows (and a bit): it settles on 2022.
  const col = await app.locator('#years').boundingBox();
  await tab.mouse.move(col.x + col.width / 2, col.y + 150);
  await tab.mouse.down();
  await tab.mouse.move(col.x + col.width / 2, col.y + 120, { steps: 3 });
  await tab.mouse.move(col.x + col.width / 2, col.y + 65, { steps: 3 });
  await tab.mouse.up();
  await app.locator('#events', { hasText: 'end' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await events(app), ['start', 'change [3,2]', 'end [3,2]']);
  await app.locator('#value', { hasText: '3,2' }).waitFor({ timeout: TIMEOUT });
  s = await state();
  assert.equal(s.tops[0], 120, 'snapped to the row');

  // Keys on the seasons column.
  await app.locator('#seasons').focus();
  await app.locator('#seasons').press('ArrowDown');
  await app.locator('#events', { hasText: 'change [3,3]' }).waitFor({ timeout: TIMEOUT });
  await app.locator('#seasons').press('ArrowDown'); // already the last: nothing
  await app.locator('#seasons').press('Home');
  await app.locator('#events', { hasText: 'change [3,0]' }).waitFor({ timeout: TIMEOUT });

  // Controlled: setData value [3, 9] → 9 is past the seasons: the last.
  await app.locator('#set').click();
  await frame.waitForFunction(() => document.querySelector('#seasons').scrollTop === 120);
  s = await state();
  assert.deepEqual(s.selected, ['2022', 'Winter']);
  // A wheel scroll picks too.
  await tab.mouse.move(col.x + col.width / 2, col.y + 100);
  await tab.mouse.wheel(0, 80);
  await app.locator('#events', { hasText: 'change [5,' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(errors, []);
});

test('rich-text: nodes as an array and as HTML, the trusted tags and attributes only, events on the element', async (t) => {
  const { tab, app, frame, errors } = await open(t, 'pages/rich/rich');
  await app.locator('#arr .title').waitFor({ timeout: TIMEOUT });
  const arr = await frame.evaluate(() => {
    const el = document.getElementById('arr');
    const div = el.querySelector('div');
    return { html: el.innerHTML.replace(/src="[^"]*"/, 'src=…'), color: getComputedStyle(div).color, size: getComputedStyle(div).fontSize };
  });
  assert.equal(arr.html, '<div class="title" style="font-size: 20px;">Array &lt;b&gt;text&lt;/b&gt; stays text<b> bold</b></div><img alt="dot" src=… width="10" referrerpolicy="no-referrer">', 'no id; text is text');
  assert.deepEqual([arr.color, arr.size], ['rgb(255, 0, 0)', '20px'], 'the page\'s class and the node\'s style apply');
  assert.equal(await app.locator('#html').innerHTML(), '<p class="title">Hello <strong>HTML</strong></p><ul><li>one</li><li>two</li></ul><table width="100"><tbody><tr><td colspan="2">cell</td></tr></tbody></table>');
  await app.locator('#arr b').click();
  await app.locator('#events', { hasText: 'tap arr' }).waitFor({ timeout: TIMEOUT });
  await app.locator('#swap').click();
  await app.locator('#html', { hasText: 'swapped' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#html').innerHTML(), '<p>swapped</p>');
  assert.deepEqual(errors, []);
  await shot(tab, 'rich-text');
});

test('rich-text attack: scripts, event handlers, javascript: URLs, svg/math, iframes, forms, styles and fixed overlays do nothing', async (t) => {
  const { tab, app, frame, errors } = await open(t, 'pages/rich/rich');
  const requests = [];
  tab.on('request', (r) => { if (r.url().includes('18704')) requests.push(r.url()); });
  await app.locator('#attack p').first().waitFor({ timeout: TIMEOUT });
  await app.locator('#attack-nodes span').waitFor({ timeout: TIMEOUT });
  await app.locator('#attack a').first().click();
  await app.locator('#attack-nodes a').click();
  await app.locator('#attack div').first().click();
  await tab.waitForTimeout(500);
  const seen = await frame.evaluate(() => {
    const root = document.getElementById('attack');
    const nodes = document.getElementById('attack-nodes');
    const all = [...root.querySelectorAll('*'), ...nodes.querySelectorAll('*')];
    return {
      pwned: window.__pwned ?? null,
      tags: [...new Set(all.map((e) => e.localName))].sort(),
      handlers: all.flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => /^on|href|srcdoc|action|xlink/i.test(n)),
      ids: all.filter((e) => e.id).length,
      srcs: all.filter((e) => e.localName === 'img').map((e) => e.getAttribute('src')),
      fixed: all.filter((e) => getComputedStyle(e).position === 'fixed').length,
      backgrounds: all.map((e) => getComputedStyle(e).backgroundImage).filter((b) => b !== 'none'),
      below: (() => { const r = document.getElementById('below').getBoundingClientRect(); return document.elementFromPoint(r.x + 5, r.y + 5)?.id; })(),
      text: nodes.textContent,
    };
  });
  assert.equal(seen.pwned, null, 'nothing ran');
  assert.deepEqual(seen.tags, ['a', 'div', 'img', 'p', 'span']);
  assert.deepEqual(seen.handlers, []);
  assert.equal(seen.ids, 0);
  assert.ok(seen.srcs.every((s) => s === null || /\/native\/widgets\/files\/pages\/rich\/x$/.test(s)), JSON.stringify(seen.srcs));
  assert.equal(seen.fixed, 0, 'position: fixed dropped');
  assert.deepEqual(seen.backgrounds, [], 'no url() or image-set() loads');
  assert.equal(seen.below, 'below', 'nothing covers the rest of the page');
  assert.equal(seen.text, 'node linkpinnedkept', 'script, iframe text and bad children dropped');
  assert.deepEqual(requests, [], 'nothing was fetched from another origin');
  assert.equal(await tab.evaluate(() => window.__pwned ?? null), null);
  assert.deepEqual(errors, []);
});

test('web-view: the whitelisted H5 page loads; my.postMessage → onMessage {data}; createWebViewContext().postMessage → my.onMessage; it reaches nothing else', async (t) => {
  const h5 = `${FIXTURES}/web-view/h5.html`;
  const { tab, app, frame, errors } = await open(t, 'pages/web/web', `src=${encodeURIComponent(h5)}`);
  const h5frame = () => tab.frames().find((f) => f.url().startsWith(h5));
  await app.locator('#log', { hasText: 'echo' }).waitFor({ timeout: TIMEOUT });
  const log = (await app.locator('#log').textContent()).split('|');
  assert.ok(log.includes(`load ${h5}`), log.join('\n'));
  const messages = log.filter((l) => l.startsWith('message ')).map((l) => JSON.parse(l.slice(8)));
  assert.deepEqual(messages[0], {
    hello: 'native', env: 'pending',
    reach: { parentDocument: 'blocked', parentNative: 'blocked', topDocument: 'blocked' },
  });
  assert.deepEqual(messages[1], { type: 'my', api: 'tradePay', options: { paymentUrl: 'http://127.0.0.1:18704/' } }, 'a message is data for onMessage');
  assert.deepEqual(messages[2], { echo: { reply: 'hi native' } }, 'the page\'s reply reached my.onMessage, and its echo came back');
  assert.equal(await h5frame().locator('#got').textContent(), '{"reply":"hi native"}');
  // The forger's messages (another origin, nested) reached neither side; the top was not navigated.
  await tab.waitForTimeout(500);
  assert.ok(!(await app.locator('#log').textContent()).includes('forged'));
  assert.equal(await h5frame().locator('#got').textContent(), '{"reply":"hi native"}');
  assert.ok(tab.url().startsWith(SUPERAPP), tab.url());
  const iframe = await frame.evaluate(() => { const f = document.querySelector('web-view iframe'); return [f.getAttribute('sandbox'), f.parentElement.lastElementChild.className]; });
  assert.deepEqual(iframe, ['allow-scripts allow-same-origin allow-forms allow-modals', 'a-web-view-error']);
  assert.equal(await frame.evaluate(() => document.querySelector('web-view').getBoundingClientRect().height), await frame.evaluate(() => document.getElementById('a-pages').clientHeight), 'fills the page');
  await shot(tab, 'web-view');
  assert.deepEqual(errors, []);
});

test('web-view attack: a src off the whitelist, another scheme, or the mini program\'s own origin never loads; onError says why', async (t) => {
  for (const [src, why] of [
    ['http://127.0.0.1:18704/forger.html', 'not in the app\'s whitelist'],
    ['javascript:alert(1)', 'absolute http(s) URL'],
    ['data:text/html,<script>alert(1)</script>', 'absolute http(s) URL'],
    ['http://user@127.0.0.1:18703/web-view/h5.html', 'credentials'],
    ['http://127.0.0.1:18701/native/widgets/', 'own origin'],
  ]) {
    if (src.includes('18701')) {
      await fetch(`${SUPERAPP}/sandbox/mini-programs/widgets`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ whitelist: ['127.0.0.1:18703', '127.0.0.1:18701'] }),
      });
    }
    const { app, frame, errors } = await open(t, 'pages/webbad/webbad', `src=${encodeURIComponent(src)}`);
    await app.locator('#log', { hasText: 'error' }).waitFor({ timeout: TIMEOUT });
    const log = await app.locator('#log').textContent();
    assert.ok(log.startsWith(`error ${src} `) && log.includes(why), log);
    const seen = await frame.evaluate(() => {
      const f = document.querySelector('web-view iframe');
      return { src: f.getAttribute('src'), error: document.querySelector('.a-web-view-error').textContent };
    });
    assert.equal(seen.src, null, src);
    assert.ok(seen.error.includes(why), seen.error);
    assert.deepEqual(errors, [], src);
  }
  await fetch(`${SUPERAPP}/sandbox/mini-programs/widgets`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ whitelist: ['127.0.0.1:18703'] }),
  });
});
