// Native mini programs, built-ins with state (www/native/builtins.mjs; fixture
// tests/e2e/fixtures/native-frame, page pages/form/form): label, checkbox(-group), radio(-group),
// switch, slider, progress, icon, picker, their onChange detail shapes (not bubbling), and a
// form's onSubmit carrying their values; reset.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
let stack;

before(async () => {
  stack = await startStack({ sandboxArgs: ['--app', `frame=${join(ROOT, 'tests', 'e2e', 'fixtures', 'native-frame')}`] });
});
after(async () => { await stack?.stop(); });

async function open(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) errors.push(m.text()); });
  t.after(() => context.close());
  await page.goto(`${SUPERAPP}/?appId=frame&page=pages/form/form`);
  const app = page.frameLocator('#mini-program');
  await app.locator('#pk-text', { hasText: 'Shanghai' }).waitFor({ timeout: TIMEOUT });
  return { page, app, frame: page.frame({ url: /\/native\/frame\// }), errors };
}

const events = async (app) => (await app.locator('#events').textContent()).split('|').filter(Boolean);

test('checkbox, checkbox-group, label, radio-group, switch: state from the template, taps, onChange details that do not bubble', async (t) => {
  const { app, errors } = await open(t);
  const checked = (id) => app.locator(id).evaluate((el) => el.hasAttribute('a-checked'));
  assert.deepEqual([await checked('#cb-apple'), await checked('#cb-pear'), await checked('#r-M'), await checked('#sw'), await checked('#sw2')],
    [true, false, true, false, true], 'checked from the template (bare `checked` is true)');
  await app.locator('#cb-pear').click();
  await app.locator('#label-apple').click(); // the label's text toggles its checkbox
  await app.locator('#r-L').click();
  await app.locator('#r-XL').click(); // disabled: nothing
  await app.locator('#r-L').click(); // already checked: nothing
  await app.locator('#sw').click();
  await app.locator('#label-sw2').click(); // label for="sw2"
  await app.locator('#events', { hasText: 'switch' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await events(app), [
    'checkbox cb-pear {"value":true}', 'checkbox-group {"value":["apple","pear"]}',
    'checkbox cb-apple {"value":false}', 'checkbox-group {"value":["pear"]}',
    'radio-group {"value":"L"}',
    'switch {"value":true}',
  ]);
  assert.equal(await checked('#sw2'), false);
  assert.deepEqual(errors, []);
});

test('slider: a drag calls onChanging then onChange with the stepped value; progress, icon; picker opens its range, onChange {value: index}', async (t) => {
  const { page, app } = await open(t);
  const box = await app.locator('#sl').boundingBox();
  // min 10, max 50, step 5: three quarters of the way is 40.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await app.locator('#events', { hasText: 'slider' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await events(app), ['slider {"value":40} after changing']);
  assert.equal(await app.locator('#sl').getAttribute('aria-valuenow'), '40');

  assert.equal(await app.locator('#pg').evaluate((el) => [el.style.getPropertyValue('--a-percent'), el.dataset.aValue].join(' ')), '20 20%');
  await app.locator('#more').click();
  await app.locator('#more').click();
  await app.locator('#more').click();
  await app.locator('#pg[data-a-value="100%"]').waitFor({ timeout: TIMEOUT });
  assert.equal(await app.locator('#ic').evaluate((el) => [el.getAttribute('type'), el.dataset.aIcon, getComputedStyle(el).width].join(' ')), 'success ✔ 30px');

  await app.locator('#pk').click();
  const options = app.locator('.a-picker-options button');
  assert.deepEqual(await options.allTextContents(), ['Hangzhou', 'Shanghai', 'Manila'], 'range with range-key');
  assert.equal(await app.locator('.a-picker-title').textContent(), 'Choose a city');
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  await options.nth(2).click();
  await app.locator('#pk-text', { hasText: 'Manila' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual((await events(app)).slice(-1), ['picker {"value":2}']);
  await app.locator('#pk').click();
  await app.locator('.a-picker-cancel').click();
  assert.equal(await app.locator('.a-picker-sheet').count(), 0);
});

test('form onSubmit carries the built-ins\' values by name; reset puts them back', async (t) => {
  const { app } = await open(t);
  await app.locator('#submit').click();
  await app.locator('#submitted', { hasText: '{' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(JSON.parse(await app.locator('#submitted').textContent()),
    { note: 'hi', fruits: ['apple'], size: 'M', agree: false, other: true, level: 20, city: 1 });
  await app.locator('#cb-pear').click();
  await app.locator('#r-S').click();
  await app.locator('#sw').click();
  await app.locator('#sl').focus();
  await app.locator('#sl').press('ArrowRight');
  await app.locator('#submit').click();
  await app.locator('#submitted', { hasText: '"S"' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(JSON.parse(await app.locator('#submitted').textContent()),
    { note: 'hi', fruits: ['apple', 'pear'], size: 'S', agree: true, other: true, level: 25, city: 1 });
  await app.locator('#reset').click();
  await app.locator('#events', { hasText: 'reset' }).waitFor({ timeout: TIMEOUT });
  await app.locator('#submit').click();
  await app.locator('#submitted', { hasText: '"M"' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(JSON.parse(await app.locator('#submitted').textContent()),
    { note: 'hi', fruits: ['apple'], size: 'M', agree: false, other: true, level: 20, city: 1 });
});
