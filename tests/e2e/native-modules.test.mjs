// Native mini programs' scripts (issue 13): ES modules and npm packages, transformed by the
// sandbox with a real parser (oxc) and run in the logic layer's Worker; subPackages routes;
// a script's syntax error shown as a compile error at its line; and live reload: an edit of
// the app's folder reloads the page in the simulator, logged in the devtools. The app is
// written to a temp folder by this test (its node_modules could not be committed).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
let stack;
let folder;

const APP = {
  'app.json': JSON.stringify({
    pages: ['pages/index/index', 'pages/broken/broken'],
    subPackages: [{ root: 'shop', pages: ['pages/detail/detail'] }],
    window: { defaultTitle: 'Modules' },
  }),
  'app.js': "import { counter } from './store/counter';\nApp({ globalData: { counter } });\n",
  'store/counter.js': 'export let count = 0;\nexport function increment() { count += 1; }\nexport const counter = { name: \'counter\' };\n',
  'utils/index.js': "export * from './format';\nexport { default as pad } from 'left-pad-lite';\n",
  'utils/format.js': 'export const money = (cents) => `USD ${(cents / 100).toFixed(2)}`;\n',
  'node_modules/left-pad-lite/package.json': JSON.stringify({ name: 'left-pad-lite', main: 'lib/index.js', module: 'es/index.js' }),
  'node_modules/left-pad-lite/es/index.js': "export default function pad(s, n, c = ' ') { let out = String(s); while (out.length < n) out = c + out; return out; }\n",
  'node_modules/left-pad-lite/lib/index.js': "module.exports = () => 'the CommonJS build: not the one to pick';\n",
  'node_modules/cjs-kit/index.js': 'module.exports = { twice: (x) => x * 2 };\n',
  'miniprogram_npm/mini-util/index.js': "export const tag = 'mini';\n",
  'pages/index/data.json': '{ "items": [1, 2] }',
  'pages/index/index.js': [
    "import { count, increment } from '../../store/counter';",
    "import * as utils from '/utils';",
    "import kit from 'cjs-kit';",
    "import { tag } from 'mini-util';",
    "import data from './data.json';",
    'class Greeter { #name; constructor(n) { this.#name = n; } hi() { return `hi ${this.#name ?? \'?\'}`; } }',
    'Page({',
    "  data: { price: utils.money(425), padded: utils.pad(7, 3, '0'), twice: kit.twice(21), tag, items: data.items.length, greeting: new Greeter('esm').hi(), count, lazy: '' },",
    '  tap() { increment(); this.setData({ count }); },',
    "  async load() { const m = await import('../../store/counter'); this.setData({ lazy: `lazy ${m.count}` }); },",
    "  toDetail() { my.navigateTo({ url: '/shop/pages/detail/detail?id=7' }); },",
    '});',
    '',
  ].join('\n'),
  'pages/index/index.axml': ['price', 'padded', 'twice', 'tag', 'items', 'greeting', 'count', 'lazy']
    .map((k) => `<view id="${k}">{{${k}}}</view>`).join('\n')
    + '\n<button id="inc" onTap="tap">+1</button>\n<button id="load" onTap="load">load</button>\n<button id="to-detail" onTap="toDetail">detail</button>\n',
  'pages/broken/broken.js': '// a page with a syntax error on line 3\n\nconst total = ;\nPage({});\n',
  'pages/broken/broken.axml': '<view>broken</view>\n',
  'shop/pages/detail/detail.js': "Page({ data: { id: '' }, onLoad(query) { this.setData({ id: query.id ?? '' }); } });\n",
  'shop/pages/detail/detail.axml': '<view id="detail">detail {{id}}</view>\n',
};

async function writeApp(root) {
  for (const [path, text] of Object.entries(APP)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'native-modules-'));
  await writeApp(join(folder, 'modules'));
  stack = await startStack({ sandboxArgs: ['--app', `modules=${join(folder, 'modules')}`] });
});
after(async () => {
  await stack?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function open(t, { page, query } = {}) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const tab = await context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} @ ${m.location().url}`); });
  t.after(() => context.close());
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('appId', 'modules');
  if (page) url.searchParams.set('page', page);
  if (query) url.searchParams.set('query', query);
  await tab.goto(url.href);
  return { tab, app: tab.frameLocator('#mini-program'), errors };
}

const text = (app, id) => app.locator(`#${id}`).textContent();

describe('ES modules and npm packages in the logic layer', () => {
  test('imports of every form, npm packages (module field, CommonJS, miniprogram_npm), JSON, modern syntax', async (t) => {
    const { app, errors } = await open(t);
    await app.locator('#price', { hasText: 'USD' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await text(app, 'price'), 'USD 4.25');
    assert.equal(await text(app, 'padded'), '007');
    assert.equal(await text(app, 'twice'), '42');
    assert.equal(await text(app, 'tag'), 'mini');
    assert.equal(await text(app, 'items'), '2');
    assert.equal(await text(app, 'greeting'), 'hi esm');
    assert.equal(await text(app, 'count'), '0');
    // A live binding: the imported `count` reads the module's current value.
    await app.locator('#inc').click();
    await app.locator('#count', { hasText: '1' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#load').click();
    await app.locator('#lazy', { hasText: 'lazy 1' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), []);
  });

  test('a syntax error in a script is a compile error at its file, line and column', async (t) => {
    const { app } = await open(t, { page: 'pages/broken/broken' });
    await app.locator('#a-error').waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#a-error h2').textContent(), 'Compile error');
    assert.equal(await app.locator('#a-error .a-error-where').textContent(), 'pages/broken/broken.js:3:15');
    assert.match(await app.locator('#a-error pre').textContent(), /3 \| const total = ;\n\s+\| {15}\^/);
  });
});

describe('subPackages', () => {
  test('navigateTo a subpackage page, and /?appId=&page= starts at one', async (t) => {
    const { app } = await open(t);
    await app.locator('#to-detail').click({ timeout: TIMEOUT });
    await app.locator('#detail', { hasText: 'detail 7' }).waitFor({ timeout: TIMEOUT });
    const direct = await open(t, { page: 'shop/pages/detail/detail', query: 'id=9' });
    await direct.app.locator('#detail', { hasText: 'detail 9' }).waitFor({ timeout: TIMEOUT });
  });
});

describe('live reload', () => {
  test('an edit of the folder reloads the page on top, and the devtools log what changed', async (t) => {
    const { tab, app } = await open(t);
    await app.locator('#to-detail').click({ timeout: TIMEOUT });
    await app.locator('#detail', { hasText: 'detail 7' }).waitFor({ timeout: TIMEOUT });
    // The stream is open once the frame has loaded; give the first look a moment to be taken.
    await tab.waitForTimeout(500);
    await writeFile(join(folder, 'modules', 'shop/pages/detail/detail.axml'), '<view id="detail">edited {{id}}</view>\n');
    await app.locator('#detail', { hasText: 'edited' }).waitFor({ timeout: TIMEOUT });
    const log = tab.locator('#jsapi-log');
    await log.locator('tr', { hasText: 'live reload' }).first().waitFor({ state: 'attached', timeout: TIMEOUT });
    const row = await log.locator('tr', { hasText: 'live reload' }).first().textContent();
    assert.match(row, /shop\/pages\/detail\/detail\.axml/);
    assert.match(row, /reloaded.*shop\/pages\/detail\/detail/);
    await tab.screenshot({ path: join(folder, 'live-reload.png') });
  });
});
