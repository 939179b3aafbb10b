// Custom components in native mini programs (issue 13), in Chromium against the real sandbox
// serving tests/e2e/fixtures/native-components with `--app`: props and their defaults, events
// to the parent (`this.props.onXxx`), `ref`, props updated by the parent's setData
// (`didUpdate`), a component's own setData, mixins, slots (default, named, fallback) in the
// parent's data scope, components nested in components and in `a:for`, the lifecycle in order,
// style isolation both ways, and SJS modules (`<import-sjs>`) at render time.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
let stack;

const FIXTURE = join(ROOT, 'tests', 'e2e', 'fixtures', 'native-components');

before(async () => {
  // A copy with a component template and an SJS module broken on purpose.
  const broken = await mkdtemp(join(tmpdir(), 'native-components-'));
  await cp(FIXTURE, join(broken, 'axml'), { recursive: true });
  await writeFile(join(broken, 'axml', 'components', 'panel', 'index.axml'), '<view class="panel">\n  <slot name="{{ a + }}"/>\n</view>\n');
  await cp(FIXTURE, join(broken, 'sjs'), { recursive: true });
  await writeFile(join(broken, 'sjs', 'components', 'counter', 'parity.sjs'), 'function parity(n) {\n  return n % 2 ===;\n}\n');
  stack = await startStack({
    sandboxArgs: ['--app', `components=${FIXTURE}`, '--app', `broken-component=${join(broken, 'axml')}`, '--app', `broken-sjs=${join(broken, 'sjs')}`],
  });
});
after(async () => { await stack?.stop(); });

async function open(t, appId = 'components') {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} @ ${m.location().url}`); });
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('appId', appId);
  await page.goto(url.href);
  const app = page.frameLocator('#mini-program');
  if (appId !== 'components') return { page, app };
  await app.locator('#log', { hasText: 'index.onReady' }).waitFor({ timeout: TIMEOUT });
  const frame = page.frame({ url: /\/native\/components\// });
  return { page, app, frame, errors };
}

const log = async (app) => (await app.locator('#log').textContent()).split('|');

describe('custom components (tests/e2e/fixtures/native-components)', () => {
  test('lifecycle in order: page onLoad/onShow, components onInit, deriveDataFromProps, ref, didMount (children first, mixins first), page onReady', async (t) => {
    const { app, errors } = await open(t);
    const lines = await log(app);
    const at = (line) => {
      const i = lines.indexOf(line);
      assert.ok(i >= 0, `${line} in ${lines.join(' | ')}`);
      return i;
    };
    assert.deepEqual(lines.slice(0, 5), [
      'index.onLoad', 'index.onShow',
      'counter.onInit Count /components/counter/index number pages/index/index mixed',
      'counter.derive Count', 'index.ref function',
    ]);
    assert.ok(at('item.didMount b') < at('item.didMount a'), 'the later sibling first (reverse creation order)');
    assert.ok(at('item.didMount a') < at('counter.mixin.didMount'), 'children before parents');
    assert.equal(at('counter.mixin.didMount') + 1, at('counter.didMount'), 'a mixin\'s hook before the component\'s own');
    assert.ok(at('counter.didMount') < at('index.onReady'));
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), []);
  });

  test('props with defaults, the component\'s own setData, events to the parent, ref, $id', async (t) => {
    const { app } = await open(t);
    // didMount set count from the `start` prop.
    await app.locator('#counter-title', { hasText: 'Count: 5' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#counter-id').textContent(), 'has id');
    await app.locator('#counter-plus').click();
    await app.locator('#counter-title', { hasText: 'Count: 6' }).waitFor({ timeout: TIMEOUT });
    // The callback called this.props.onBump(count, …): the page's method with the arguments.
    await app.locator('#log', { hasText: 'index.bumped 6 from-counter' }).waitFor({ timeout: TIMEOUT });
    assert.match(await app.locator('#log').textContent(), /counter\.didUpdate Count->Count 5->6/);
    assert.equal(await app.locator('#sjs-counter').textContent(), 'even', 'a component\'s SJS, re-run on its setData');
    // ref: the page holds the instance and calls its method.
    await app.locator('#call-ref').click();
    await app.locator('#log', { hasText: 'index.callRef reset' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#counter-title', { hasText: 'Count: 0' }).waitFor({ timeout: TIMEOUT });
  });

  test('the parent\'s setData updates props (didUpdate with the previous props) and its slot content', async (t) => {
    const { app, frame } = await open(t);
    await app.locator('#counter-title', { hasText: 'Count: 5' }).waitFor({ timeout: TIMEOUT });
    await frame.evaluate(() => { document.querySelector('#counter-plus').__mark = 1; });
    await app.locator('#rename').click();
    await app.locator('#log', { hasText: 'counter.didUpdate Count->Total' }).waitFor({ timeout: TIMEOUT });
    assert.match(await app.locator('#log').textContent(), /counter\.derive Total\|counter\.didUpdate Count->Total 5->5/);
    assert.equal(await app.locator('#counter-title').textContent(), 'Total: 5');
    assert.equal(await app.locator('#slot-header').textContent(), 'Header Renamed');
    assert.equal(await app.locator('#slot-body').textContent(), 'Body Renamed');
    assert.equal(await frame.evaluate(() => document.querySelector('#counter-plus').__mark), 1, 'the component\'s DOM was patched, not rebuilt');
  });

  test('slots: named and default slot content in the parent\'s scope, with the parent\'s handlers; fallbacks', async (t) => {
    const { app } = await open(t);
    const panels = app.locator('[a-component="components/panel/index"]');
    assert.equal(await panels.count(), 2);
    assert.equal(await panels.nth(0).locator('.panel-head #slot-header').textContent(), 'Header Home');
    assert.equal(await panels.nth(0).locator('.panel-body #slot-body').textContent(), 'Body Home');
    assert.equal(await panels.nth(0).locator('.fallback').count(), 0);
    assert.deepEqual(await panels.nth(1).locator('.fallback').allTextContents(), ['no header', 'empty']);
    await app.locator('#slot-body').click();
    await app.locator('#log', { hasText: 'index.slotTap slot-body' }).waitFor({ timeout: TIMEOUT });
  });

  test('components nested in a component and in a:for: events up two levels; removal unmounts children first', async (t) => {
    const { app } = await open(t);
    assert.deepEqual(await app.locator('.item').allTextContents(), ['a', 'b']);
    await app.locator('#item-1').click();
    await app.locator('#picked', { hasText: 'b' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#toggle').click();
    await app.locator('#log', { hasText: 'list.didUnmount' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('.item').count(), 0);
    assert.match(await app.locator('#log').textContent(), /item\.didUnmount a\|item\.didUnmount b\|list\.didUnmount/);
    await app.locator('#toggle').click();
    await app.locator('#item-0').waitFor({ timeout: TIMEOUT });
  });

  test('SJS modules run at render time, with no window or document, and again when the data changes', async (t) => {
    const { app } = await open(t);
    assert.equal(await app.locator('#sjs-page').textContent(), 'USD 12.50 HOME undefined/undefined/undefined');
    await app.locator('#counter-title', { hasText: 'Count: 5' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#sjs-counter').textContent(), 'odd');
    await app.locator('#rename').click();
    await app.locator('#sjs-page', { hasText: 'RENAMED' }).waitFor({ timeout: TIMEOUT });
  });

  for (const [appId, where] of [['broken-component', /^components\/panel\/index\.axml:2:\d+$/], ['broken-sjs', /^components\/counter\/parity\.sjs:2:\d+$/]]) {
    test(`a component that does not compile shows where (${appId})`, async (t) => {
      const { app } = await open(t, appId);
      await app.locator('#a-error').waitFor({ timeout: TIMEOUT });
      assert.equal(await app.locator('#a-error h2').textContent(), 'Compile error');
      assert.match(await app.locator('#a-error .a-error-where').textContent(), where);
    });
  }

  test('style isolation: a component\'s ACSS stays in it, the page\'s stays out of it; app.acss reaches both', async (t) => {
    const { frame, app } = await open(t);
    await app.locator('#counter-title').waitFor({ timeout: TIMEOUT });
    const style = (sel, prop) => frame.evaluate(([s, p]) => getComputedStyle(document.querySelector(s))[p], [sel, prop]);
    assert.equal(await style('#page-title', 'color'), 'rgb(255, 0, 0)', 'the page\'s .title');
    assert.equal(await style('#counter-title', 'color'), 'rgb(0, 0, 255)', 'the counter\'s own .title');
    assert.equal(await style('#slot-header', 'color'), 'rgb(255, 0, 0)', 'slot content is the page\'s');
    assert.notEqual(await style('#item-0', 'color'), 'rgb(255, 0, 0)', 'the page\'s .item does not reach the list\'s items');
    assert.equal(await style('#page-title', 'fontWeight'), '700', 'app.acss');
    assert.equal(await style('.panel', 'borderTopColor'), 'rgb(0, 128, 0)');
    // The host element has no box of its own.
    assert.equal(await style('[a-component="components/counter/index"]', 'display'), 'contents');
  });
});
