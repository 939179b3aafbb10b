// The pickers and the phone's inputs inside the simulator, as a user and an automated test use
// them: each picker operated with the real keyboard and with the mouse in the phone frame
// (my.regionPicker over the division data the sandbox serves beside the extras module), the
// devtools' Device tab and its URL parameters feeding my.getLocation, my.scan (a code, or a QR
// image decoded in the phone), my.regionPicker and the address book, and a bad parameter
// reported there. Screenshots of the open pickers go to
// $PICKER_SHOTS (when set) to look at.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, fixtureUrl, ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
const FIXTURE_DIR = join(ROOT, 'www', 'simulator', 'fixtures');
const SHOTS = process.env.PICKER_SHOTS;
let stack;

before(async () => {
  stack = await startStack();
  if (SHOTS) await mkdir(SHOTS, { recursive: true });
});
after(async () => { await stack?.stop(); });

/** The simulator with the fixture mini program and extra URL parameters. */
async function open(t, extra = {}) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  // What the page fetched of the extras module (loaded on the first picker or input call).
  const extras = [];
  page.on('request', (r) => { if (r.url().includes('/pkg/extras/')) extras.push(r.url()); });
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('app', fixtureUrl('tradepay.html'));
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  await page.goto(url.href);
  const frame = page.frameLocator('#mini-program');
  await frame.locator('h1').click({ timeout: TIMEOUT }); // the phone has focus, as after a tap
  const app = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
  await app.waitForFunction(() => window.miniprogramShim && window.my, null, { timeout: TIMEOUT });
  await app.evaluate(() => window.miniprogramShim.ready);
  return { page, frame, app, extras };
}

/** Calls my[api](options) in the page; `result()` waits for its complete and gives the events. */
async function call(app, api, options) {
  await app.evaluate(([a, o]) => { window.events = []; window.callMy(a, o); }, [api, options]);
  return {
    async result() {
      await app.waitForFunction(() => window.events.some((e) => e.kind === 'resolved' || e.kind === 'rejected'), null, { timeout: TIMEOUT });
      const events = await app.evaluate(() => window.events);
      const settled = events.find((e) => e.kind === 'resolved' || e.kind === 'rejected');
      return { kinds: events.map((e) => e.kind), ...settled };
    },
  };
}

async function shot(page, name) {
  if (SHOTS) await page.locator('.phone').screenshot({ path: join(SHOTS, `${name}.png`) });
}

describe('pickers in the phone frame', () => {
  test('action sheet: arrows and Enter, then Escape, then a click', async (t) => {
    const { page, frame, app, extras } = await open(t);
    assert.deepEqual(extras, [], 'the extras module is not fetched before its first call');
    let c = await call(app, 'showActionSheet', { title: 'Photo', items: ['Camera', 'Album', 'Delete'], destructiveBtnIndex: 2 });
    const dialog = frame.getByRole('dialog', { name: 'Photo' });
    await dialog.waitFor({ timeout: TIMEOUT });
    await shot(page, 'action-sheet');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.deepEqual(await c.result(), { kinds: ['success', 'complete', 'resolved'], kind: 'resolved', value: { index: 1, success: true } });
    assert.equal(await dialog.count(), 0);

    c = await call(app, 'showActionSheet', { items: ['A'] });
    await frame.getByRole('dialog', { name: 'Actions' }).waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
    assert.deepEqual((await c.result()).value, { index: -1, success: true });

    c = await call(app, 'showActionSheet', { items: ['A', 'B'] });
    await frame.getByRole('button', { name: 'B' }).click();
    assert.deepEqual((await c.result()).value, { index: 1, success: true });
    // The devtools logged each call.
    await page.getByRole('tab', { name: /JSAPI/ }).click();
    assert.equal(await page.locator('#jsapi-log tr', { hasText: 'showActionSheet' }).count(), 3);
    // The first call loaded the extras module from the super app, once (its glue, its wasm and
    // its JS snippets: the file store's IndexedDB and the canvas helpers).
    const fetched = extras.map((u) => new URL(u)).map((u) => `${u.origin}${u.pathname}`);
    assert.equal(new Set(fetched).size, fetched.length, 'each file fetched once');
    assert.deepEqual(fetched.filter((u) => !u.includes('/snippets/')).sort(), [
      `${SUPERAPP}/pkg/extras/miniprogram_shim_extras.js`, `${SUPERAPP}/pkg/extras/miniprogram_shim_extras_bg.wasm`,
    ]);
    assert.ok(fetched.every((u) => u.startsWith(`${SUPERAPP}/pkg/extras/`)), fetched.join(' '));
  });

  test('date picker: arrows in the listboxes, Tab between them, Enter confirms; Escape is error 11', async (t) => {
    const { page, frame, app } = await open(t);
    let c = await call(app, 'datePicker', { currentDate: '2024-01-31', startDate: '2020-01-01', endDate: '2030-12-31' });
    await frame.getByRole('dialog', { name: 'Choose a date' }).waitFor({ timeout: TIMEOUT });
    await shot(page, 'date-picker');
    // Year is focused: down to 2025; Tab to Month: down to February (2025 has 28 days).
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    const days = await frame.getByRole('listbox', { name: 'Day' }).locator('option').count();
    assert.equal(days, 28);
    await page.keyboard.press('Enter');
    assert.deepEqual((await c.result()).value, { date: '2025-02-28' });

    c = await call(app, 'datePicker', { format: 'HH:mm', currentDate: '08:15' });
    await frame.getByRole('dialog').waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
    const r = await c.result();
    assert.equal(r.kind, 'rejected');
    assert.equal(r.value.error, 11);
  });

  test('options select and multi-level select with the mouse', async (t) => {
    const { page, frame, app } = await open(t);
    let c = await call(app, 'optionsSelect', { title: 'Size', optionsOne: ['S', 'M', 'L'], optionsTwo: ['Red', 'Blue'] });
    const sheet = frame.getByRole('dialog', { name: 'Size' });
    await sheet.waitFor({ timeout: TIMEOUT });
    await shot(page, 'options-select');
    await sheet.getByRole('listbox', { name: 'Option one' }).selectOption('L');
    await sheet.getByRole('listbox', { name: 'Option two' }).selectOption('Blue');
    await sheet.getByRole('button', { name: 'OK' }).click();
    assert.deepEqual((await c.result()).value, { selectedOneIndex: 2, selectedOneOption: 'L', selectedTwoIndex: 1, selectedTwoOption: 'Blue' });

    c = await call(app, 'multiLevelSelect', {
      title: 'Where',
      list: [{ name: 'Zhejiang', subList: [{ name: 'Hangzhou', subList: [{ name: 'Xihu' }, { name: 'Binjiang' }] }, { name: 'Ningbo' }] }, { name: 'Macau' }],
    });
    const where = frame.getByRole('dialog', { name: 'Where' });
    await where.waitFor({ timeout: TIMEOUT });
    await shot(page, 'multi-level-select');
    await where.getByRole('listbox', { name: 'Level 3' }).selectOption('Binjiang');
    await where.getByRole('button', { name: 'OK' }).click();
    assert.deepEqual((await c.result()).value, { success: true, result: [{ name: 'Zhejiang' }, { name: 'Hangzhou' }, { name: 'Binjiang' }] });

    c = await call(app, 'multiLevelSelect', { list: [{ name: 'A' }] });
    await frame.getByRole('dialog').waitFor({ timeout: TIMEOUT });
    await frame.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual((await c.result()).value, { success: false, result: [] });
  });

  test('prompt and modal: typing, Tab to a button, Enter presses it', async (t) => {
    const { page, frame, app } = await open(t);
    let c = await call(app, 'prompt', { title: 'Table number', placeholder: 'e.g. 12' });
    await frame.getByRole('dialog', { name: 'Table number' }).waitFor({ timeout: TIMEOUT });
    await page.keyboard.type('12');
    await shot(page, 'prompt');
    await page.keyboard.press('Enter');
    assert.deepEqual((await c.result()).value, { ok: true, inputValue: '12' });

    c = await call(app, 'showModal', { title: 'Leave?', content: 'Your cart is kept.', confirmText: 'Leave', cancelText: 'Stay' });
    await frame.getByRole('dialog', { name: 'Leave?' }).waitFor({ timeout: TIMEOUT });
    await shot(page, 'modal');
    // Focus starts on Leave; Shift+Tab goes to Stay; Enter presses it.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    assert.deepEqual((await c.result()).value, { confirm: false, cancel: true });

    c = await call(app, 'chooseCity', {});
    await frame.getByRole('dialog', { name: 'Choose a city' }).waitFor({ timeout: TIMEOUT });
    await shot(page, 'choose-city');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    assert.deepEqual((await c.result()).value, { city: 'Suzhou', adCode: '320500' });
  });
});

describe('my.regionPicker in the phone frame', () => {
  test('the keyboard walks province, city and district; Escape is error 11; the data is fetched once', async (t) => {
    const { page, frame, app, extras } = await open(t);
    let c = await call(app, 'regionPicker', { title: 'Deliver to' });
    const sheet = frame.getByRole('dialog', { name: 'Deliver to' });
    await sheet.waitFor({ timeout: TIMEOUT });
    await shot(page, 'region-picker');
    assert.equal(await sheet.getByRole('listbox', { name: 'Province' }).locator('option').count(), 34);
    // Province is focused: down to Tianjin; Tab to City, Tab to District, down twice; Enter.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.deepEqual(await c.result(), {
      kinds: ['success', 'complete', 'resolved'], kind: 'resolved',
      value: { data: ['天津市', '天津市', '河西区'], code: ['120000', '120100', '120103'] },
    });
    assert.equal(await sheet.count(), 0);

    c = await call(app, 'regionPicker', { selectedItem: ['浙江省', '杭州市', '330106'], mergeOptions: { update: [{ id: '330106', name: '西湖风景区' }] } });
    await frame.getByRole('dialog', { name: 'Choose a region' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await frame.getByRole('listbox', { name: 'District' }).inputValue(), '西湖风景区');
    await page.keyboard.press('Escape');
    const r = await c.result();
    assert.equal(r.kind, 'rejected');
    assert.equal(r.value.error, 11);
    // The division data came from beside the extras module, once for both calls.
    assert.equal(extras.filter((u) => u.endsWith('/pkg/extras/regions.txt')).length, 1, extras.join(' '));
  });

  test('?region= answers at once (automation), and a bad one is reported in the devtools', async (t) => {
    let { page, frame, app } = await open(t, { region: '440305' });
    let r = await (await call(app, 'regionPicker', {})).result();
    assert.deepEqual(r.value, { data: ['广东省', '深圳市', '南山区'], code: ['440000', '440300', '440305'] });
    await page.getByRole('tab', { name: /Device/ }).click();
    assert.match(await page.locator('#device-state').textContent(), /from the URL: region/);
    assert.equal(await page.getByLabel('Division code').inputValue(), '440305');
    // Cleared in the Device tab: the phone asks again.
    await page.getByRole('button', { name: 'No region (the phone asks)' }).click();
    // The shell's settings reach the page by postMessage: call once the page has them.
    await app.waitForFunction(() => (window.miniprogramShim.device().region ?? null) === null, null, { timeout: TIMEOUT });
    const c = await call(app, 'regionPicker', {});
    await frame.getByRole('dialog', { name: 'Choose a region' }).waitFor({ timeout: TIMEOUT });
    await frame.getByRole('button', { name: 'Cancel' }).click();
    r = await c.result();
    assert.equal(r.value.error, 11);
    ({ page } = await open(t, { region: '33' }));
    await page.getByRole('tab', { name: /Device/ }).click();
    assert.match(await page.locator('#device-state').textContent(), /\?region: the region must be a division code of six digits/);
  });
});

describe('my.scan reading a QR image the devtools give the camera', () => {
  test('a fixture chosen in the Device tab, an unreadable one, a file, and ?scanImage=', async (t) => {
    const { page, app } = await open(t);
    await page.getByRole('tab', { name: /Device/ }).click();
    const select = page.getByLabel('Or a QR image the camera sees');
    await select.selectOption('qr-pay.png');
    await page.waitForFunction(() => document.body.dataset.scanImage === 'qr-pay.png', null, { timeout: TIMEOUT });
    await app.waitForFunction((n) => window.miniprogramShim.device().scanImage?.name === n, 'qr-pay.png', { timeout: TIMEOUT });
    await shot(page, 'device-scan-image');
    let r = await (await call(app, 'scan', { scanType: ['qrCode'] })).result();
    assert.equal(r.kind, 'resolved');
    assert.equal(r.value.qrCode, 'alipays://platformapi/startapp?appId=2102020000000002&page=pages/pay/pay');
    assert.equal(r.value.imageChannel, 'camera');

    await select.selectOption('qr-damaged.png');
    await page.waitForFunction(() => document.body.dataset.scanImage === 'qr-damaged.png', null, { timeout: TIMEOUT });
    await app.waitForFunction((n) => window.miniprogramShim.device().scanImage?.name === n, 'qr-damaged.png', { timeout: TIMEOUT });
    r = await (await call(app, 'scan', {})).result();
    assert.equal(r.kind, 'rejected');
    assert.equal(r.value.error, 11);
    assert.match(r.value.errorMessage, /^scan:fail a QR code was found but could not be read .*\(qr-damaged\.png\)$/);

    await page.getByLabel('QR image from a file').setInputFiles(join(FIXTURE_DIR, 'qr-table-12.png'));
    await page.waitForFunction(() => document.body.dataset.scanImage === 'qr-table-12.png', null, { timeout: TIMEOUT });
    await app.waitForFunction((n) => window.miniprogramShim.device().scanImage?.name === n, 'qr-table-12.png', { timeout: TIMEOUT });
    r = await (await call(app, 'scan', {})).result();
    assert.equal(r.value.code, 'https://example.com/table/12');
    // The JSAPI log has each call.
    await page.getByRole('tab', { name: /JSAPI/ }).click();
    assert.equal(await page.locator('#jsapi-log tr', { hasText: 'scan' }).count(), 3);
  });

  test('?scanImage= presets it for automation', async (t) => {
    const { app } = await open(t, { scanImage: 'qr-table-12.png' });
    await app.waitForFunction(() => window.miniprogramShim.device().scanImage?.name === 'qr-table-12.png', null, { timeout: TIMEOUT });
    const r = await (await call(app, 'scan', {})).result();
    assert.equal(r.value.qrCode, 'https://example.com/table/12');
  });
});

describe('the phone inputs in the devtools', () => {
  const PRESET = {
    location: '30.2741,120.1551,12',
    scan: 'https://example.com/table/12',
    contacts: 'Alice: +86 138 0013 8000; Bob: 555-0100',
  };

  test('URL parameters preset getLocation, scan and the address book', async (t) => {
    const { page, frame, app } = await open(t, PRESET);
    await assert.doesNotReject(page.locator('#location-indicator:not([hidden])').waitFor({ timeout: TIMEOUT }));
    let r = await (await call(app, 'getLocation', { type: 0 })).result();
    assert.deepEqual(r.value, { longitude: '120.1551', latitude: '30.2741', accuracy: '12', horizontalAccuracy: '12' });
    r = await (await call(app, 'scan', {})).result();
    assert.equal(r.value.qrCode, 'https://example.com/table/12');
    const c = await call(app, 'choosePhoneContact', {});
    await frame.getByRole('dialog', { name: 'Contacts' }).waitFor({ timeout: TIMEOUT });
    await shot(page, 'contacts');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.deepEqual((await c.result()).value, { name: 'Bob', mobile: '555-0100' });
    await page.getByRole('tab', { name: /Device/ }).click();
    assert.match(await page.locator('#device-state').textContent(), /from the URL: location, scan, contacts/);
  });

  test('chooseContact: friends ticked with the keyboard within multiChooseMax, one picked with the mouse', async (t) => {
    const { page, frame, app } = await open(t, { contacts: `${PRESET.contacts}; Carol: +1 555 0199` });
    const c = await call(app, 'chooseContact', { chooseType: 'multi', multiChooseMax: 2, multiChooseMaxTips: 'Two friends at most' });
    const dialog = frame.getByRole('dialog', { name: 'Choose contacts' });
    await dialog.waitFor({ timeout: TIMEOUT });
    assert.equal(await dialog.getByRole('button', { name: 'OK' }).isDisabled(), true, 'OK waits for a choice');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await dialog.getByRole('status').filter({ hasText: '2 of 2 chosen' }).waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await dialog.getByRole('status').filter({ hasText: 'Two friends at most' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await dialog.getByRole('checkbox', { name: /Carol/ }).isChecked(), false, 'the third tick is undone');
    await shot(page, 'choose-contact');
    await page.keyboard.press('Enter');
    const r = await c.result();
    assert.equal(r.kind, 'resolved');
    assert.deepEqual(r.value.contactsDicArray, [
      { userId: '2088613800138000', avatar: '', mobile: '+86 138 0013 8000', realName: 'Alice', displayName: 'Alice' },
      { userId: '2088000005550100', avatar: '', mobile: '555-0100', realName: 'Bob', displayName: 'Bob' },
    ]);

    const one = await call(app, 'chooseContact', { chooseType: 'single' });
    const single = frame.getByRole('dialog', { name: 'Choose a contact' });
    await single.waitFor({ timeout: TIMEOUT });
    await single.getByRole('radio', { name: /Carol/ }).click();
    await single.getByRole('button', { name: 'OK' }).click();
    assert.equal((await one.result()).value.contactsDicArray[0].displayName, 'Carol');

    const cancelled = await call(app, 'chooseContact', { chooseType: 'single' });
    await single.waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
    assert.equal((await cancelled.result()).value.error, 11);
    const bad = await (await call(app, 'chooseContact', { chooseType: 'several' })).result();
    assert.equal(bad.value.error, 2);
    assert.match(bad.value.errorMessage, /`chooseType`/);
    await page.locator('#jsapi-log tr.fail', { hasText: 'chooseContact' }).first().waitFor({ timeout: TIMEOUT });
  });

  test('the Device tab changes what the phone reports; a contact the app adds appears there', async (t) => {
    const { page, frame, app } = await open(t);
    let r = await (await call(app, 'getLocation', {})).result();
    assert.equal(r.value.error, 13);
    await page.getByRole('tab', { name: /Device/ }).click();
    await page.getByLabel('Latitude').fill('-33.8688');
    await page.getByLabel('Longitude').fill('151.2093');
    await page.getByLabel('City').fill('Sydney');
    await page.getByRole('button', { name: 'Set position' }).click();
    await shot(page, 'device-tab');
    await app.waitForFunction(() => JSON.stringify(window.miniprogramShim.device().location ?? null).includes('Sydney'), null, { timeout: TIMEOUT });
    r = await (await call(app, 'getLocation', { type: 1 })).result();
    assert.equal(r.value.latitude, '-33.8688');
    assert.equal(r.value.city, 'Sydney');

    await page.getByLabel('Code the camera sees').fill('6901234567892');
    await page.locator('#device select[name=scanType]').selectOption('barCode');
    await page.getByRole('button', { name: 'Set code' }).click();
    // The shell's settings reach the page by postMessage: call once the page has them.
    await app.waitForFunction(() => JSON.stringify(window.miniprogramShim.device().scan ?? null).includes('6901234567892'), null, { timeout: TIMEOUT });
    r = await (await call(app, 'scan', { scanType: ['barCode'] })).result();
    assert.equal(r.value.barCode, '6901234567892');

    // A bad value is reported and not applied.
    await page.getByLabel('Latitude').fill('123');
    await page.getByRole('button', { name: 'Set position' }).click();
    assert.match(await page.locator('#device-state').textContent(), /latitude must be a number from -90 to 90.*not applied/);
    assert.equal(await page.locator('#count-device').textContent(), '!');
    r = await (await call(app, 'getLocation', {})).result();
    assert.equal(r.value.latitude, '-33.8688');

    const c = await call(app, 'addPhoneContact', { firstName: 'Carol', mobilePhoneNumber: '+1 555 0199' });
    await frame.getByRole('button', { name: 'Add' }).click({ timeout: TIMEOUT });
    assert.deepEqual((await c.result()).value, { success: true });
    await assert.doesNotReject(page.waitForFunction(() => document.querySelector('#device textarea[name=contacts]').value.includes('Carol: +1 555 0199'), null, { timeout: TIMEOUT }));
  });

  test('a bad URL parameter is reported in the devtools, not ignored', async (t) => {
    const { page, app } = await open(t, { location: '91,0', contacts: 'Alice' });
    await page.getByRole('tab', { name: /Device/ }).click();
    const state = await page.locator('#device-state').textContent();
    assert.match(state, /\?location=91,0: latitude must be a number from -90 to 90/);
    assert.match(state, /\?contacts: contact 1 must be "name: number"/);
    assert.equal(await page.locator('#count-device').textContent(), '!');
    const r = await (await call(app, 'getLocation', {})).result();
    assert.equal(r.value.error, 13);
  });
});
