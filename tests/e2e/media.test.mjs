// The images and the file store in the simulator: the chooser images the Device tab and the
// `?images=` URL parameter preset reach my.chooseImage (a bad parameter is refused and said in
// the devtools); without presets the phone asks, with the browser's file picker; the image preview
// is operated with real key presses in the phone frame; each call is
// in the devtools' JSAPI log. Real browser, real sandbox, the fixture mini program.
// Screenshots of the phone go to $MEDIA_SCREENSHOTS when set.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixtureUrl, FIXTURES, ROOT, simulatorUrl, startStack } from './harness.mjs';

const TIMEOUT = 20_000;
const SHOTS = process.env.MEDIA_SCREENSHOTS;
let stack;

before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

async function open(t, query = '') {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`${simulatorUrl({ app: fixtureUrl() })}${query}`);
  await page.frameLocator('#mini-program').locator('#pay').waitFor({ timeout: TIMEOUT });
  const frame = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
  assert.ok(frame, 'the phone shows the fixture mini program');
  await frame.waitForFunction(() => window.miniprogramShim, null, { timeout: TIMEOUT });
  await frame.evaluate(() => window.miniprogramShim.ready);
  return { page, frame };
}

/** Waits until the shell has loaded the chooser images `names` and sent them to the phone. */
async function imagesSent(page, names) {
  await page.waitForFunction((n) => document.body.dataset.chooserImages === n, names, { timeout: TIMEOUT });
  // One settings round trip further: the phone has them.
  await page.waitForTimeout(100);
}

test('?images= presets the chooser images; getImageInfo and saveFile work on them', async (t) => {
  const { page, frame } = await open(t, '&images=shop.jpg,rotated.jpg');
  await imagesSent(page, 'shop.jpg,rotated.jpg');
  const seen = await frame.evaluate(async () => {
    const chosen = await my.chooseImage({ count: 2 });
    const info = await my.getImageInfo({ src: chosen.apFilePaths[1] });
    const saved = await my.saveFile({ apFilePath: chosen.apFilePaths[0] });
    const list = await my.getSavedFileList();
    return { sizes: chosen.tempFiles.map((f) => f.size), info, saved, list: list.fileList.map((f) => f.apFilePath) };
  });
  assert.deepEqual(seen.sizes, [1315, 1055]);
  assert.equal(seen.info.orientation, 'right');
  assert.equal(seen.info.type, 'jpeg');
  assert.deepEqual(seen.list, [seen.saved.apFilePath]);
  assert.match(await page.locator('#device-state').textContent(), /from the URL: images/);
  await page.locator('#jsapi-log tr', { hasText: 'getSavedFileList' }).waitFor({ timeout: TIMEOUT });
  await page.locator('#jsapi-log tr', { hasText: 'chooseImage' }).first().waitFor({ timeout: TIMEOUT });
});

test('a bad ?images= is refused and reported in the Device tab; the checkboxes set them', async (t) => {
  const { page, frame } = await open(t, '&images=shop.jpg,nope.gif');
  assert.match(await page.locator('#device-state').textContent(), /\?images: "nope\.gif" is not a fixture image/);
  assert.equal(await page.locator('#count-device').textContent(), '!');
  await page.click('[role=tab][data-tab=device]');
  await page.check('input[name=image][value="receipt.png"]');
  await imagesSent(page, 'receipt.png');
  const chosen = await frame.evaluate(() => my.chooseImage({ count: 3 }));
  assert.equal(chosen.apFilePaths.length, 1);
  assert.equal(chosen.tempFiles[0].size, 283);
  await page.uncheck('input[name=image][value="receipt.png"]');
  await imagesSent(page, '');
  // Now the phone asks: Escape cancels with error 11.
  const pending = frame.evaluate(() => my.chooseImage().then(() => null, (e) => e.error));
  await frame.locator('[role=dialog][aria-label="Choose an image"]').waitFor({ timeout: TIMEOUT });
  assert.equal(await frame.evaluate(() => document.activeElement.dataset.action), 'choose');
  await page.keyboard.press('Escape');
  assert.equal(await pending, 11);
});

test('without presets the phone asks with the browser file picker', async (t) => {
  const { page, frame } = await open(t);
  await imagesSent(page, '');
  const pending = frame.evaluate(() => my.chooseImage({ count: 2 }));
  await frame.locator('[role=dialog][aria-label="Choose images"]').waitFor({ timeout: TIMEOUT });
  if (SHOTS) await page.locator('.phone').screenshot({ path: join(SHOTS, 'choose-image.png') });
  const chooser = page.waitForEvent('filechooser', { timeout: TIMEOUT });
  await frame.locator('[data-action=choose]').click();
  const picker = await chooser;
  assert.equal(picker.isMultiple(), true);
  await picker.setFiles([join(ROOT, 'www/simulator/fixtures/shop.jpg'), join(ROOT, 'www/simulator/fixtures/receipt.png')]);
  const chosen = await pending;
  assert.equal(chosen.apFilePaths.length, 2);
  assert.deepEqual(chosen.tempFiles.map((f) => f.size), [1315, 283]);
  assert.equal(await frame.locator('[role=dialog]').count(), 0);
});

test('the image preview is keyboard-operable in the phone', async (t) => {
  const { page, frame } = await open(t, '&images=shop.jpg,receipt.png,rotated.jpg');
  await imagesSent(page, 'shop.jpg,receipt.png,rotated.jpg');
  const paths = await frame.evaluate(async () => (await my.chooseImage({ count: 3 })).apFilePaths);
  const preview = frame.evaluate((urls) => my.previewImage({ urls, current: 0 }), paths);
  const dialog = frame.locator('[role=dialog][aria-label="Preview"]');
  await dialog.waitFor({ timeout: TIMEOUT });
  const counter = dialog.locator('[aria-live]');
  assert.equal(await counter.textContent(), '1 / 3');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await counter.textContent(), '3 / 3');
  assert.equal(await dialog.locator('img').getAttribute('alt'), 'Image 3 of 3');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await counter.textContent(), '2 / 3');
  if (SHOTS) await page.locator('.phone').screenshot({ path: join(SHOTS, 'preview-image.png') });
  await page.keyboard.press('Escape');
  assert.deepEqual(await preview, {});
  await page.locator('#jsapi-log tr', { hasText: 'previewImage' }).waitFor({ timeout: TIMEOUT });
});
