// Native mini programs' packages (issue 13), in the simulator: subpackages fetched when a page
// of theirs is entered, preloadRule (network "all", and "wifi" against the network type set in
// the devtools), independent subpackages launched without the main package (getApp() undefined,
// getApp({ allowDefault: true }) merged into the App later, App's onLaunch with the first
// main-package page), and a bad app.json or an independent package that uses the main
// package's files shown as a compile error naming the file and the field.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
let stack;
let folder;

const page = (id, extra = '') => `<view id="${id}">{{text}}</view>${extra}\n`;
const APP = {
  'app.json': JSON.stringify({
    pages: ['pages/index/index', 'pages/other/other'],
    subPackages: [
      { root: 'shop', name: 'store', pages: ['pages/list/list'] },
      { root: 'later', pages: ['pages/x/x'] },
      { root: 'promo', pages: ['pages/deal/deal'], independent: true },
    ],
    preloadRule: {
      'pages/index/index': { network: 'all', packages: ['store'] },
      'pages/other/other': { packages: ['later'] },
      'promo/pages/deal/deal': { network: 'all', packages: ['__APP__'] },
    },
  }),
  'app.js': "App({ globalData: { from: 'app.js' }, onLaunch(o) { this.launchedAt = o.path; } });\n",
  'pages/index/index.js': [
    'Page({',
    "  data: { text: '' },",
    "  onLoad() { const app = getApp(); this.setData({ text: `index: ${app.launchedAt} ${app.globalData.from} ${app.fromDeal ?? '-'}` }); },",
    "  toList() { my.navigateTo({ url: '/shop/pages/list/list' }); },",
    "  toOther() { my.navigateTo({ url: '/pages/other/other' }); },",
    '});',
  ].join('\n'),
  'pages/index/index.axml': page('index', '<button id="to-list" onTap="toList">list</button><button id="to-other" onTap="toOther">other</button>'),
  'pages/other/other.js': "Page({ data: { text: 'other' }, toX() { my.navigateTo({ url: '/later/pages/x/x' }); } });\n",
  'pages/other/other.axml': page('other', '<button id="to-x" onTap="toX">x</button>'),
  'shop/pages/list/list.js': "Page({ data: { text: 'list' } });\n",
  'shop/pages/list/list.axml': page('list'),
  'later/pages/x/x.js': "Page({ data: { text: 'x' } });\n",
  'later/pages/x/x.axml': page('x'),
  'promo/pages/deal/deal.js': [
    'Page({',
    "  data: { text: '' },",
    '  onLoad() {',
    '    const before = typeof getApp();',
    "    getApp({ allowDefault: true }).fromDeal = 'deal';",
    "    this.setData({ text: `deal: getApp() ${before}` });",
    '  },',
    "  check() { this.setData({ text: `now: getApp() ${typeof getApp()}` }); },",
    "  toIndex() { my.navigateTo({ url: '/pages/index/index' }); },",
    '});',
  ].join('\n'),
  'promo/pages/deal/deal.axml': page('deal', '<button id="check" onTap="check">check</button><button id="to-index" onTap="toIndex">index</button>'),
};

// A page listed in two packages; an independent package that imports a main-package module.
const BAD = {
  'app.json': JSON.stringify({ pages: ['pages/index/index', 'shop/pages/a/a'], subPackages: [{ root: 'shop', pages: ['pages/a/a'] }] }),
  'pages/index/index.js': 'Page({});\n',
  'pages/index/index.axml': '<view>index</view>\n',
};
const REACH = {
  'app.json': JSON.stringify({ pages: ['pages/index/index'], subPackages: [{ root: 'promo', pages: ['deal'], independent: true }] }),
  'utils/money.js': 'export const money = (n) => n;\n',
  'pages/index/index.js': 'Page({});\n',
  'pages/index/index.axml': '<view>index</view>\n',
  'promo/deal.js': "import { money } from '../utils/money';\nPage({ data: { m: money(1) } });\n",
  'promo/deal.axml': '<view>{{m}}</view>\n',
};

async function writeApp(root, app) {
  for (const [path, text] of Object.entries(app)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'native-subpackages-'));
  await writeApp(join(folder, 'pk'), APP);
  await writeApp(join(folder, 'bad'), BAD);
  await writeApp(join(folder, 'reach'), REACH);
  stack = await startStack({
    sandboxArgs: ['--app', `pk=${join(folder, 'pk')}`, '--app', `pk-bad=${join(folder, 'bad')}`, '--app', `pk-reach=${join(folder, 'reach')}`],
  });
});
after(async () => {
  await stack?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** The simulator at `appId` (and `params`), with the bundle requests the app's frame makes. */
async function open(t, appId, params = {}) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const tab = await context.newPage();
  const bundles = [];
  tab.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith('/bundle.json')) bundles.push(url.search || '(main)');
  });
  t.after(() => context.close());
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('appId', appId);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  await tab.goto(url.href);
  return { tab, app: tab.frameLocator('#mini-program'), bundles };
}

const logRow = (tab, text) => tab.locator('#jsapi-log tr', { hasText: text }).first();

describe('subpackages and preloadRule', () => {
  test('the main package first; a rule with network "all" preloads its package, which then opens without a fetch', async (t) => {
    const { tab, app, bundles } = await open(t, 'pk');
    await app.locator('#index', { hasText: 'index: pages/index/index app.js -' }).waitFor({ timeout: TIMEOUT });
    await logRow(tab, 'preloadRule').waitFor({ state: 'attached', timeout: TIMEOUT });
    assert.deepEqual(bundles, ['(main)', '?package=shop']);
    await app.locator('#to-list').click();
    await app.locator('#list', { hasText: 'list' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(bundles, ['(main)', '?package=shop'], 'the preloaded package is not fetched again');
  });

  test('a "wifi" rule preloads on WIFI and not on 4G (the devtools\' network type); the page still opens', async (t) => {
    const wifi = await open(t, 'pk', { page: 'pages/other/other' });
    await wifi.app.locator('#other').waitFor({ timeout: TIMEOUT });
    await logRow(wifi.tab, 'preloadRule').waitFor({ state: 'attached', timeout: TIMEOUT });
    assert.ok(wifi.bundles.includes('?package=later'), wifi.bundles.join(' '));

    const cell = await open(t, 'pk', { page: 'pages/other/other', networkType: '4G' });
    await cell.app.locator('#other').waitFor({ timeout: TIMEOUT });
    const row = logRow(cell.tab, 'preloadRule');
    await row.waitFor({ state: 'attached', timeout: TIMEOUT });
    assert.match(await row.textContent(), /network is 4G/);
    assert.deepEqual(cell.bundles, ['?entry=pages%2Fother%2Fother']);
    // Entering the package's page fetches it then.
    await cell.app.locator('#to-x').click();
    await cell.app.locator('#x', { hasText: 'x' }).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(cell.bundles, ['?entry=pages%2Fother%2Fother', '?package=later']);
  });
});

describe('independent subpackages', () => {
  test('launched without the main package: getApp() undefined, then App with the default merged at the first main page', async (t) => {
    const { tab, app, bundles } = await open(t, 'pk', { page: 'promo/pages/deal/deal' });
    await app.locator('#deal', { hasText: 'deal: getApp() undefined' }).waitFor({ timeout: TIMEOUT });
    assert.equal(bundles[0], '?entry=promo%2Fpages%2Fdeal%2Fdeal');
    // The rule preloads the main package (`__APP__`): its files, not its app.js, so getApp()
    // stays undefined; the first main page runs app.js, App merges the default, then onLaunch.
    await logRow(tab, 'preloadRule').waitFor({ state: 'attached', timeout: TIMEOUT });
    assert.ok(bundles.includes('?package=__APP__'), bundles.join(' '));
    await app.locator('#check').click();
    await app.locator('#deal', { hasText: 'now: getApp() undefined' }).waitFor({ timeout: TIMEOUT });
    await app.locator('#to-index').click();
    await app.locator('#index', { hasText: 'index: pages/index/index app.js deal' }).waitFor({ timeout: TIMEOUT });
    assert.equal(bundles.filter((b) => b === '?package=__APP__').length, 1);
  });
});

describe('bad app.json', () => {
  test('a page in two packages is a compile error at app.json naming the field', async (t) => {
    const { app } = await open(t, 'pk-bad');
    await app.locator('#a-error').waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#a-error h2').textContent(), 'Compile error');
    assert.equal(await app.locator('#a-error .a-error-where').textContent(), 'app.json');
    assert.match(await app.locator('#a-error .a-error-message').textContent(), /pages\[1\]: shop\/pages\/a\/a is in the folder of subPackages\[0\] \(shop\)/);
  });

  test('an independent subpackage that imports a main-package file is a compile error at that file', async (t) => {
    const { app } = await open(t, 'pk-reach', { page: 'promo/deal' });
    await app.locator('#a-error').waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#a-error .a-error-where').textContent(), 'promo/deal.js');
    assert.match(await app.locator('#a-error .a-error-message').textContent(), /uses utils\/money\.js, a file of the main package: subpackage promo is independent/);
  });
});
