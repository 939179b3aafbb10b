// The phone's state in the simulator (issue 9): the devtools' Phone inputs and the URL
// parameters that preset them reach the mini program (getNetworkType, getBatteryInfoSync,
// onNetworkStatusChange, onAppHide/onAppShow); a bad parameter is refused and said in the
// devtools; vibrate and makePhoneCall show in the phone frame; the screenshot button reaches
// onUserCaptureScreen; an unsupported API fails with
// error 1 and is logged. Real browser, real sandbox, the fixture mini program in the simulator.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureUrl, FIXTURES, simulatorUrl, startStack } from './harness.mjs';

const TIMEOUT = 20_000;
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
