// The phone's state in the simulator (issue 9): the devtools' Phone inputs and the URL
// parameters that preset them reach the mini program (getNetworkType, getBatteryInfoSync,
// onNetworkStatusChange, onAppHide/onAppShow); a bad parameter is refused and said in the
// devtools; vibrate and makePhoneCall show in the phone frame; my.setNavigationBar and its
// parts drive the phone's title bar (a bad colour is error 2 and changes nothing); the screenshot button reaches
// onUserCaptureScreen; an unsupported API fails with
// error 1 and is logged. Real browser, real sandbox, the fixture mini program in the simulator.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openFixture, startStack } from './harness.mjs';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';

const TIMEOUT = 20_000;
const SHOTS = process.env.PHONE_SHOTS; // a folder for screenshots of the phone, to look at
let stack;

before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const open = (t, query = '') => openFixture(stack, t, query);

test('URL parameters preset the network type and the battery', async (t) => {
  const { page, frame } = await open(t, '&networkType=4G&batteryLevel=20&charging=true');
  const seen = await frame.evaluate(async () => ({
    network: await my.getNetworkType(),
    battery: my.getBatteryInfoSync(),
  }));
  assert.equal(seen.network.networkType, '4G');
  assert.equal(seen.network.networkAvailable, true);
  assert.deepEqual(seen.battery, { level: 20, isCharging: true });
  assert.equal(await page.locator('#phone-network').textContent(), '4G');
  // The Device tab's badge, hidden while no input is refused, leaves no gap in the tab bar.
  assert.equal(await page.locator('#count-device').boundingBox(), null);
  assert.equal(await page.locator('#phone-battery').textContent(), '⚡20%');
});

test('a bad parameter is refused and reported in the devtools, not ignored', async (t) => {
  const { page, frame } = await open(t, '&networkType=5G&batteryLevel=120');
  const status = await page.locator('#phone-state').textContent();
  assert.match(status, /networkType must be one of/);
  assert.match(status, /batteryLevel must be a whole number/);
  const log = await page.locator('#jsapi-log').textContent();
  assert.match(log, /devtools: phone state/);
  const network = await frame.evaluate(() => my.getNetworkType());
  assert.equal(network.networkType, 'WIFI', 'the defaults stay');
});

test('the devtools switches drive onNetworkStatusChange and onAppHide/onAppShow', async (t) => {
  const { page, frame } = await open(t);
  await frame.evaluate(() => {
    window.phoneEvents = [];
    my.onNetworkStatusChange((e) => phoneEvents.push(`net:${e.isConnected}:${e.networkType}`));
    my.onAppHide(() => phoneEvents.push('hide'));
    my.onAppShow((o) => phoneEvents.push(`show:${o.scene}`));
  });
  await page.click('[role=tab][data-tab=settings]');
  await page.selectOption('select[name=networkType]', '2G');
  await frame.waitForFunction(() => phoneEvents.includes('net:true:2G'), null, { timeout: TIMEOUT });
  await page.check('input[name=offline]');
  await frame.waitForFunction(() => phoneEvents.includes('net:false:NOTREACHABLE'), null, { timeout: TIMEOUT });
  assert.equal(await page.locator('#phone-network').textContent(), 'No service');
  await page.uncheck('input[name=offline]');
  await page.click('#app-visibility');
  await frame.waitForFunction(() => phoneEvents.includes('hide'), null, { timeout: TIMEOUT });
  assert.equal(await page.locator('#app-visibility').getAttribute('aria-pressed'), 'true');
  await page.click('#app-visibility');
  await frame.waitForFunction(() => phoneEvents.includes('show:1000'), null, { timeout: TIMEOUT });
  const events = await frame.evaluate(() => phoneEvents);
  assert.deepEqual(events, ['net:true:2G', 'net:false:NOTREACHABLE', 'net:true:2G', 'hide', 'show:1000']);
});

test('vibrate and makePhoneCall show in the phone frame; an unsupported API fails with error 1', async (t) => {
  const { page, frame } = await open(t);
  await frame.evaluate(() => my.vibrateLong());
  await page.locator('.phone.vibrating').waitFor({ state: 'attached', timeout: TIMEOUT });
  await frame.evaluate(() => my.makePhoneCall({ number: '+1 555 0100' }));
  await page.locator('#call-banner').waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.match(await page.locator('#call-banner').textContent(), /\+1 555 0100.*places no calls/);
  const failed = await frame.evaluate(() => my.startBeaconDiscovery().then(() => null, (e) => e));
  assert.deepEqual(failed, { error: 1, errorMessage: 'startBeaconDiscovery is not supported by this simulator' });
  await page.locator('#jsapi-log tr.fail', { hasText: 'startBeaconDiscovery' }).waitFor({ timeout: TIMEOUT });
});

test('the devtools screenshot button calls the onUserCaptureScreen listeners and is logged', async (t) => {
  const { page, frame } = await open(t);
  await frame.evaluate(() => {
    window.shots = 0;
    window.countShot = () => { shots += 1; };
    my.onUserCaptureScreen(countShot);
  });
  await page.click('[role=tab][data-tab=settings]');
  await page.click('#capture-screen');
  await frame.waitForFunction(() => shots === 1, null, { timeout: TIMEOUT });
  // The log is on its own tab (hidden while Settings shows): the entry is there all the same.
  await page.locator('#jsapi-log tr', { hasText: 'onUserCaptureScreen' }).first().waitFor({ state: 'attached', timeout: TIMEOUT });
  await frame.evaluate(() => my.offUserCaptureScreen(countShot));
  await page.click('#capture-screen');
  await page.waitForTimeout(300);
  assert.equal(await frame.evaluate(() => shots), 1, 'off removes the listener');
});

test('chooseLocation offers the devtools position in the phone, chosen with the keyboard', async (t) => {
  const { page, frame } = await open(t, '&location=30.2741,120.1551');
  const pending = frame.evaluate(() => my.chooseLocation({ latitude: 31.23, longitude: 121.47 }));
  const sheet = frame.locator('[role=dialog][aria-label="Choose a location"]');
  await sheet.waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await sheet.locator('select option').allTextContents(), ['Pinned location', 'Current position']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const place = await pending;
  assert.equal(place.name, 'Current position');
  assert.equal(place.latitude, '30.2741');
  await page.locator('#jsapi-log tr', { hasText: 'chooseLocation' }).first().waitFor({ timeout: TIMEOUT });
});

test('my.setNavigationBar and its parts drive the phone title bar of an H5 mini program', async (t) => {
  const { page, frame } = await open(t);
  const title = page.locator('#app-title');
  // The shell draws the bar when the call's change reaches it: wait for what the user sees.
  const until = (prop, value) => page.waitForFunction(([p, v]) => getComputedStyle(document.getElementById('navbar'))[p] === v, [prop, value], { timeout: TIMEOUT });
  const titled = (text) => page.waitForFunction((v) => document.getElementById('app-title').textContent === v, text, { timeout: TIMEOUT });
  const name = await title.textContent();
  // Colours alone: the app's name stays; a white title on the dark bar.
  await frame.evaluate(() => my.setNavigationBarColor({ backgroundColor: '#000000' }));
  await until('backgroundColor', 'rgb(0, 0, 0)');
  await until('color', 'rgb(255, 255, 255)');
  assert.equal(await title.textContent(), name);
  await frame.evaluate(() => my.setNavigationBar({ title: 'Orders', backgroundColor: '#ffd400', borderBottomColor: '#ff0000' }));
  await titled('Orders');
  await until('backgroundColor', 'rgb(255, 212, 0)');
  await until('borderBottomColor', 'rgb(255, 0, 0)');
  await until('color', 'rgb(0, 0, 0)');
  await frame.evaluate(() => my.showNavigationBarLoading());
  await page.locator('#app-title-loading').waitFor({ state: 'visible', timeout: TIMEOUT });
  if (SHOTS) {
    await mkdir(SHOTS, { recursive: true });
    await page.locator('.phone').screenshot({ path: join(SHOTS, 'title-bar.png') });
  }
  await frame.evaluate(() => my.hideNavigationBarLoading());
  await page.locator('#app-title-loading').waitFor({ state: 'hidden', timeout: TIMEOUT });
  // A colour that is more than a colour: error 2 naming it, and the bar stays as it was.
  const failed = await frame.evaluate(() => my.setNavigationBar({ backgroundColor: 'red;background:url(http://evil.example/x)' }).then(() => null, (e) => e));
  assert.equal(failed.error, 2);
  assert.match(failed.errorMessage, /`backgroundColor`/);
  await page.locator('#jsapi-log tr.fail', { hasText: 'setNavigationBar' }).first().waitFor({ timeout: TIMEOUT });
  await page.locator('#jsapi-log tr.ok', { hasText: 'showNavigationBarLoading' }).first().waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('#navbar').evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(255, 212, 0)');
  // H5's AlipayJSBridge name, and reset (back to the default colours; the title stays).
  await frame.evaluate(() => new Promise((resolve) => AlipayJSBridge.call('setTitle', { title: 'From H5' }, resolve)));
  await titled('From H5');
  await frame.evaluate(() => my.setNavigationBar({ reset: true }));
  await until('backgroundColor', 'rgb(255, 255, 255)');
  assert.equal(await title.textContent(), 'From H5');
});
