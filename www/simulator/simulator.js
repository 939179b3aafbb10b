// The super app shell: a phone frame with the mini program inside, the cashier over it, and a
// devtools panel. It runs in the super app's origin. Protocol: DESIGN.md, "Shell ↔ mini program".
//
// Trust: a message is acted on only when it comes from the window we expect (event.source) at
// the origin we expect (event.origin); everything we send names its target origin.

// Money is formatted in one place for every page, from ISO 4217 minor units (money.js).
import '/cashier/money.js';
import { initDevice } from './device.js';
import { initNative } from './native.js';
import { initSettings } from './settings.js';

const { displayMoney } = globalThis.Money;
const $ = (id) => document.getElementById(id);
const SUPERAPP = location.origin;
const params = new URLSearchParams(location.search);
const MSG = 'miniprogram-shim:';

// ---------------------------------------------------------------- settings (persisted)
// The shim's settings for the mini program, kept in this browser.
const DEFAULT_SETTINGS = {
  relay: true, httpErrorAsFail: false, latencyMs: 0, offline: false, forceTimeout: false,
  tradePayFailRouting: false,
};
const settings = { ...DEFAULT_SETTINGS, ...readStored() };
// The super app's automation switches live on the server (GET/PUT /sandbox/settings), never in
// a URL: the cashier and consent pages read them there. This is the last copy the server sent.
const AUTOMATION = ['autopay', 'autoconsent'];
let automation = { autopay: null, autoconsent: null };

function readStored() {
  let stored = {};
  try { stored = JSON.parse(localStorage.getItem('simulator.settings') || '{}'); } catch { /* none */ }
  // Only the shim's own keys (older versions stored the automation switches here too).
  return Object.fromEntries(Object.entries(stored ?? {}).filter(([k]) => k in DEFAULT_SETTINGS));
}
function storeSettings() {
  try { localStorage.setItem('simulator.settings', JSON.stringify(settings)); } catch { /* private mode */ }
}

// ---------------------------------------------------------------- the mini program frame
const miniFrame = $('mini-program');
const defaultApp = `${location.protocol}//${location.hostname}:8701/`;
let appUrl = params.get('app') || defaultApp;
let miniOrigin = '';
// The page in the phone said hello: until then the frame may still hold about:blank (the
// shell's origin), and a message for miniOrigin would only make the browser warn.
let miniReady = false;
let appId = '';
// The registered name of the app in the phone: its title until it sets one (my.setNavigationBar).
let appName = '';
// True when the shell chose the appId (launched by appId, or the URL is a registered app's):
// the page is told that one, whatever its script tag says.
let launched = false;
let whitelist = [];
// The registry (GET /sandbox/mini-programs), for the picker and for finding a URL's app.
let apps = [];

/** Says in the devtools how the mini program was launched (and anything that went wrong). */
function launchNote(text) {
  $('launch-state').textContent = text;
  $('launch-state').hidden = !text;
}

async function loadApps() {
  try {
    const res = await fetch('/sandbox/mini-programs', { cache: 'no-store' });
    const body = res.ok ? await res.json() : {};
    apps = Array.isArray(body.miniPrograms) ? body.miniPrograms : [];
  } catch { apps = []; }
  const picker = $('app-picker');
  const first = document.createElement('option');
  first.value = '';
  first.textContent = apps.length ? 'Registered apps…' : 'No registered apps';
  picker.replaceChildren(first, ...apps.map((a) => {
    const o = document.createElement('option');
    o.value = a.appId;
    o.textContent = `${a.name} · ${a.appId}${a.url ? '' : ' (no url)'}`;
    o.disabled = !a.url;
    return o;
  }));
  picker.value = launched ? appId : '';
}

/** Where a URL belongs: the app registered with that url, else the first one at its origin. */
function appFor(url) {
  const origin = new URL(url).origin;
  const at = (a) => { try { return new URL(a.url).origin === origin; } catch { return false; } };
  return apps.find((a) => a.url === url) ?? apps.find(at) ?? null;
}

/**
 * Opens `url` in the phone; with `id`, as that registered app (the page is told so). `launch`:
 * the start page and its query (`/?appId=&page=&query=`, as the IDE's custom compile), passed
 * on as `page` and `query` (a native mini program starts there; an H5 page may read them).
 */
function openMiniProgram(url, id = '', launch = {}) {
  let parsed;
  try { parsed = new URL(url, location.href); } catch { alert(`Not a URL: ${url}`); return; }
  if (!/^https?:$/.test(parsed.protocol)) { alert('A mini program URL must be http(s).'); return; }
  closeCashier(null);
  authSettings.abandon();
  appUrl = parsed.href;
  miniOrigin = parsed.origin;
  miniReady = false;
  appId = '';
  launched = Boolean(id);
  whitelist = [];
  parsed.searchParams.set('__superapp', SUPERAPP);
  if (id) parsed.searchParams.set('__appId', id);
  for (const key of ['page', 'query']) if (launch[key]) parsed.searchParams.set(key, launch[key]);
  $('app-url').value = appUrl;
  $('app-picker').value = id;
  native.reset();
  nowPlaying(null); // the closed app's audio stopped with its page
  appName = '';
  $('app-title').textContent = 'Mini program';
  $('app-id').textContent = '(waiting for the mini program)';
  if (id) loadMiniProgram(id);
  miniFrame.src = parsed.href;
}

/**
 * The background audio of the mini program (`my.getBackgroundAudioManager()`, reported by the
 * runtime as `{ state, title, singer, epname, src }`): a "now playing" line in the devtools and
 * ♪ in the phone's status bar while it plays; `null` (the app closed) clears them.
 */
function nowPlaying(info) {
  const line = $('now-playing');
  const text = (v) => (typeof v === 'string' ? v : '');
  const state = info ? text(info.state) : 'stopped';
  if (!info || state === 'stopped') {
    line.hidden = true;
    line.textContent = '';
    $('phone-audio').hidden = true;
    return;
  }
  const title = text(info.title) || text(info.src) || 'untitled';
  const by = [text(info.singer), text(info.epname)].filter(Boolean).join(' · ');
  line.textContent = `${state === 'playing' ? '▶ Now playing' : '❚❚ Paused'}: ${title}${by ? ` (${by})` : ''}`;
  line.hidden = false;
  $('phone-audio').hidden = state !== 'playing';
}

/** `/?appId=<id>`: the registered app's `url`, told its appId. */
function launchApp(id) {
  const app = apps.find((a) => a.appId === id);
  if (!app) return launchNote(`No mini program is registered as ${id}: PUT /sandbox/mini-programs/${id} {name, url}.`);
  if (!app.url) return launchNote(`Mini program ${id} has no url to open: PUT /sandbox/mini-programs/${id} {url}.`);
  launchNote(`Launched ${app.name} as appId ${id}.`);
  const start = id === params.get('appId') ? { page: params.get('page'), query: params.get('query') } : {};
  openMiniProgram(app.url, id, start);
}

/** `?app=<url>` or the address bar: as the app that registers it, if one does. */
function openUrl(url) {
  let app = null;
  try { app = appFor(new URL(url, location.href).href); } catch { /* openMiniProgram says why */ }
  if (app) launchNote(`${url} is ${app.name}: launched as appId ${app.appId}.`); else launchNote('');
  openMiniProgram(url, app?.appId ?? '');
}

/**
 * A page no app registers said hello without an appId: the shell registers a throwaway app for
 * its URL (a generated appId, no whitelist, no merchant: its codes are for nobody and its origin
 * frames no cashier) so that calls needing an appId work, and says so.
 */
async function registerThrowaway() {
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b % 10).join('');
  const id = `9999${digits}`;
  const url = appUrl;
  const res = await fetch(`/sandbox/mini-programs/${id}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Throwaway app for ${new URL(url).origin}`, url, whitelist: [], merchantClientId: '' }),
  }).catch(() => null);
  if (url !== appUrl) return; // another mini program was opened meanwhile
  if (!res || !res.ok) {
    launchNote(`${url} is not a registered mini program, and registering a throwaway app for it failed`
      + ` (${res ? `HTTP ${res.status}` : 'the sandbox is not reachable'}): calls that need an appId fail with error 4.`);
    return sendSettings();
  }
  launchNote(`${url} is not a registered mini program: registered throwaway app ${id} for it`
    + ' (empty whitelist, no merchant). Register it yourself with PUT /sandbox/mini-programs/{appId} {name, url, whitelist, merchantClientId}.');
  launched = true;
  await loadMiniProgram(id);
  loadApps();
}

/** Posts to the page in the phone once it has said hello (it asks for its settings then). */
function postToMiniProgram(message) {
  if (miniReady && miniFrame.contentWindow && miniOrigin) miniFrame.contentWindow.postMessage(message, miniOrigin);
}

// A native mini program's title bar (the phone's one) and the Pages devtools: www/simulator/native.js.
const native = initNative({ $, post: postToMiniProgram });

function shimSettings() {
  return {
    ...(appId ? { appId } : {}),
    whitelist,
    transport: settings.relay ? 'relay' : 'direct',
    relayUrl: `${SUPERAPP}/relay`,
    superAppOrigin: SUPERAPP,
    cashierOrigins: [SUPERAPP],
    httpErrorAsFail: settings.httpErrorAsFail,
    tradePayFailRouting: settings.tradePayFailRouting,
    tradePayHost: 'shell',
    networkFaults: { latencyMs: Number(settings.latencyMs) || 0, offline: settings.offline, timeout: settings.forceTimeout },
    // The phone's state (`phone`) and its inputs (position, scan code, address book).
    device: { ...phone, ...inputs.settings() },
  };
}
function sendSettings() { postToMiniProgram({ type: `${MSG}settings`, settings: shimSettings() }); }

// The phone's inputs (Device tab, URL parameters): www/simulator/device.js.
const inputs = initDevice({ params, onChange: sendSettings });

async function loadMiniProgram(id) {
  appId = id;
  const opened = appUrl;
  $('app-id').textContent = id;
  try {
    const res = await fetch(`/sandbox/mini-programs/${encodeURIComponent(id)}`, { cache: 'no-store' });
    if (res.ok) {
      const app = await res.json();
      whitelist = app.whitelist || [];
      // A native mini program's frame titles its pages itself (native.js).
      appName = typeof app.name === 'string' ? app.name : '';
      if (app.name && !native.ownsTitle()) $('app-title').textContent = app.name;
      $('settings').whitelist.value = whitelist.join('\n');
      $('whitelist-state').textContent = '';
    } else {
      $('whitelist-state').textContent = `the sandbox does not know app ${id} (HTTP ${res.status})`;
    }
  } catch {
    $('whitelist-state').textContent = 'the sandbox is not reachable';
  }
  if (opened === appUrl) sendSettings();
}

// ---------------------------------------------------------------- the super app sheet (cashier, consent)
const sheet = $('cashier-sheet');
const cashierFrame = $('cashier');
// What the sheet shows: { kind: 'pay', callId, paymentId } or { kind: 'auth', callId, requestId, scopes }.
let openSheet = null;
/** The shell checks the paymentUrl again: the mini program's word is not trusted. */
function validatePaymentUrl(raw) {
  let url;
  try { url = new URL(raw); } catch { return [null, 'paymentUrl is not a valid URL']; }
  if (url.origin !== SUPERAPP) return [null, `paymentUrl must be on the super app cashier (${SUPERAPP}), not ${url.origin}`];
  if (!url.pathname.startsWith('/cashier/')) return [null, 'paymentUrl is not a cashier URL'];
  const paymentId = url.searchParams.get('paymentId');
  if (!paymentId) return [null, 'paymentUrl has no paymentId'];
  return [url, null, paymentId];
}

function showSheet(state, src) {
  openSheet = state;
  cashierFrame.src = src;
  sheet.hidden = false;
  cashierFrame.focus();
}

function startTradePay(callId, paymentUrl) {
  const fail = (error, errorMessage) => postToMiniProgram({ type: `${MSG}trade-pay-error`, callId, error, errorMessage });
  if (openSheet || authSettings.isOpen()) return fail(3, 'tradePay:fail another payment is in progress');
  const [url, problem, paymentId] = validatePaymentUrl(paymentUrl);
  if (!url) return fail(2, `tradePay:fail ${problem}`);
  showSheet({ kind: 'pay', callId, paymentId }, url.href);
}

/**
 * tradePay({ tradeNO }): a trade the app's server made with alipay.trade.create. The shell asks
 * the super app's server for its cashier with the appId *it* launched (not the page's word);
 * another app's trade is unknown there. The trade number is the payment's id, which the result names.
 */
async function startTradePayByTradeNo(callId, tradeNo) {
  const fail = (error, errorMessage) => postToMiniProgram({ type: `${MSG}trade-pay-error`, callId, error, errorMessage });
  if (openSheet || authSettings.isOpen()) return fail(3, 'tradePay:fail another payment is in progress');
  if (!appId) return fail(2, 'tradePay:fail this page was not launched as a mini program (no appId): a tradeNO belongs to an app');
  let body = null;
  try {
    const res = await fetch(`/cashier/api/trades/${encodeURIComponent(tradeNo)}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId }),
    });
    body = await res.json().catch(() => null);
    if (!res.ok) return fail(2, `tradePay:fail ${body?.message ?? `HTTP ${res.status}`}`);
  } catch {
    return fail(2, 'tradePay:fail the sandbox is not reachable');
  }
  if (openSheet || authSettings.isOpen()) return fail(3, 'tradePay:fail another payment is in progress');
  const [url, problem, paymentId] = validatePaymentUrl(String(body?.paymentUrl ?? ''));
  if (!url) return fail(2, `tradePay:fail ${problem}`);
  if (paymentId !== tradeNo) return fail(2, 'tradePay:fail the sandbox answered another payment');
  showSheet({ kind: 'pay', callId, paymentId }, url.href);
}

function declinedScopes(scopes) {
  return { authSuccessScopes: [], authErrorScopes: Object.fromEntries(scopes.map((s) => [s, '10001'])) };
}
function answerAuth(callId, answer) {
  postToMiniProgram({ type: `${MSG}auth-result`, callId, ...answer });
  refreshSandbox();
}

/**
 * getAuthCode: the shell asks the super app's server, which decides whether the scopes need the
 * user's consent (it grants silent scopes at once and answers `consentRequired` otherwise; the
 * shell keeps no list of its own). Only then does the consent sheet ask the user.
 */
async function startAuth(callId, scopes) {
  if (!appId) return answerAuth(callId, { failure: 'no-app-id' });
  let body;
  try {
    const res = await fetch('/sandbox/auth/authorize', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId, scopes }),
    });
    body = await res.json();
    if (!res.ok) return answerAuth(callId, declinedScopes(scopes));
  } catch {
    return answerAuth(callId, declinedScopes(scopes));
  }
  if (body.consentRequired !== true) return answerAuth(callId, body);
  if (openSheet || authSettings.isOpen()) return answerAuth(callId, declinedScopes(scopes));
  const requestId = `shell-${callId}`;
  const url = new URL('/consent/', SUPERAPP);
  url.searchParams.set('appId', appId);
  url.searchParams.set('scopes', scopes.join(','));
  url.searchParams.set('requestId', requestId);
  showSheet({ kind: 'auth', callId, requestId, scopes }, url.href);
}

/**
 * getAuthUserInfo: the signed-in user's nickname and avatar, for the app this shell launched
 * (not the page's word), once that user granted it auth_user. The sandbox decides; it answers
 * only this origin.
 */
async function answerUserInfo(callId) {
  const answer = (body) => postToMiniProgram({ type: `${MSG}auth-user-info-result`, callId, ...body });
  if (!appId) return answer({ failure: 'no-app-id' });
  try {
    const res = await fetch(`/sandbox/auth/user-info?appId=${encodeURIComponent(appId)}`, { cache: 'no-store' });
    const body = await res.json().catch(() => ({}));
    if (res.ok) return answer({ nickName: String(body.nickName ?? ''), avatar: String(body.avatar ?? '') });
    if (body.error === 'AUTH_USER_NOT_GRANTED') return answer({ failure: 'not-granted' });
    return answer({ failure: body.message || `the sandbox answered HTTP ${res.status}` });
  } catch {
    return answer({ failure: 'the sandbox is not reachable' });
  }
}

/** Ends what the sheet shows. `answer` null: the mini program went away, nobody to tell. */
function closeSheet(answer) {
  if (!openSheet) return;
  const state = openSheet;
  openSheet = null;
  sheet.hidden = true;
  cashierFrame.src = 'about:blank';
  if (answer === null) return;
  if (state.kind === 'pay') {
    const message = { type: `${MSG}trade-pay-result`, callId: state.callId, paymentId: state.paymentId, outcome: answer.outcome };
    if (answer.failReason) message.failReason = answer.failReason;
    postToMiniProgram(message);
    refreshSandbox();
  } else {
    answerAuth(state.callId, answer.auth ?? declinedScopes(state.scopes));
  }
}
function closeCashier(outcome) { closeSheet(outcome === null ? null : { outcome }); }

sheet.addEventListener('click', (e) => { if (e.target.matches('[data-close]')) closeSheet({ outcome: 'cancelled' }); });
document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && openSheet) closeSheet({ outcome: 'cancelled' }); });

// my.getSetting / my.openSetting: the settings sheet (www/simulator/settings.js).
const authSettings = initSettings({
  $, post: postToMiniProgram, appId: () => appId, busy: () => openSheet !== null, onChange: () => refreshSandbox(),
});

// ---------------------------------------------------------------- messages
window.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || typeof data !== 'object' || typeof data.type !== 'string' || !data.type.startsWith(MSG)) return;

  if (event.source === cashierFrame.contentWindow && event.origin === SUPERAPP) {
    if (data.type === `${MSG}cashier-result` && openSheet?.kind === 'pay' && data.paymentId === openSheet.paymentId) {
      closeSheet({ outcome: String(data.outcome), failReason: typeof data.failReason === 'string' ? data.failReason : undefined });
    }
    if (data.type === `${MSG}consent-result` && openSheet?.kind === 'auth' && data.requestId === openSheet.requestId) {
      const { authCode, authSuccessScopes, authErrorScopes } = data;
      closeSheet({ auth: { authCode, authSuccessScopes, authErrorScopes } });
    }
    return;
  }
  if (event.source !== miniFrame.contentWindow || event.origin !== miniOrigin) return;

  switch (data.type) {
    case `${MSG}hello`:
      miniReady = true;
      // Launched as an app: that appId, whatever the page says. Else the page's data-app-id,
      // else a throwaway app for its URL.
      // The last two ask the sandbox first: say so, so that my.js waits for the appId.
      if (launched) { sendSettings(); break; }
      postToMiniProgram({ type: `${MSG}settings-pending` });
      if (typeof data.appId === 'string' && data.appId) loadMiniProgram(data.appId);
      else registerThrowaway();
      break;
    case `${MSG}log`:
      if (data.entry && typeof data.entry === 'object') { logCall(data.entry); phoneEffect(data.entry); }
      break;
    case `${MSG}auth`:
      if ((typeof data.callId === 'string' || typeof data.callId === 'number') && Array.isArray(data.scopes)) {
        startAuth(data.callId, data.scopes.filter((x) => typeof x === 'string'));
      }
      break;
    case `${MSG}auth-user-info`:
      if (typeof data.callId === 'string' || typeof data.callId === 'number') answerUserInfo(data.callId);
      break;
    case `${MSG}auth-setting`:
      if (typeof data.callId === 'string' || typeof data.callId === 'number') authSettings.request(data.callId, data.open === true);
      break;
    case `${MSG}now-playing`:
      nowPlaying(data);
      break;
    case `${MSG}server-time`:
      if (typeof data.callId === 'string' || typeof data.callId === 'number') answerServerTime(data.callId);
      break;
    case `${MSG}navigation-bar`:
      // An H5 mini program's title bar (www/simulator/native.js h5Bar).
      native.h5Bar(data.change, appName || 'Mini program');
      break;
    case `${MSG}trade-pay`:
      if (typeof data.callId !== 'string' && typeof data.callId !== 'number') break;
      if (typeof data.tradeNO === 'string') startTradePayByTradeNo(data.callId, data.tradeNO);
      else startTradePay(data.callId, String(data.paymentUrl ?? ''));
      break;
    default:
      native.onMessage(data);
  }
});

/** `my.getServerTime`: the sandbox's clock (docs/protocol.md §5e). */
async function answerServerTime(callId) {
  const answer = (body) => postToMiniProgram({ type: `${MSG}server-time-result`, callId, ...body });
  try {
    const res = await fetch('/sandbox/time', { cache: 'no-store' });
    const body = await res.json();
    if (!res.ok || !Number.isInteger(body?.time)) throw new Error(`HTTP ${res.status}`);
    answer({ time: body.time });
  } catch (e) {
    answer({ failure: `the sandbox did not answer: ${e.message}` });
  }
}

// ---------------------------------------------------------------- devtools: logs
const counts = { jsapi: 0, network: 0, payments: 0, notifications: 0, grants: 0 };
function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}
function detailsCell(summary, full) {
  const td = document.createElement('td');
  const details = document.createElement('details');
  const s = document.createElement('summary');
  s.textContent = summary;
  const pre = document.createElement('pre');
  pre.textContent = full;
  details.append(s, pre);
  td.append(details);
  return td;
}
function short(value) {
  let text;
  try { text = JSON.stringify(value); } catch { text = String(value); }
  return text === undefined ? '' : text;
}
function bump(name, n) { counts[name] = n ?? counts[name] + 1; $(`count-${name}`).textContent = counts[name]; }
function clock(t) { return new Date(t ?? Date.now()).toLocaleTimeString(undefined, { hour12: false }); }

/** One `my.*` call as the shim logs it: `{ api, options, ok, result, durationMs }`. */
function logCall(raw) {
  const entry = { api: raw.api, args: raw.options, at: Date.now() - (Number(raw.durationMs) || 0), ms: raw.durationMs };
  const ok = raw.ok !== false;
  if (ok) entry.result = raw.result; else entry.error = raw.result;
  const outcome = ok ? entry.result : entry.error;
  const tr = document.createElement('tr');
  tr.className = ok ? 'ok' : 'fail';
  const args = short(entry.args);
  tr.append(cell(clock(entry.at)), cell(String(entry.api ?? '?')),
    detailsCell(args.slice(0, 120), JSON.stringify(entry.args ?? null, null, 2) ?? ''),
    detailsCell(`${ok ? 'success' : 'fail'} ${short(outcome).slice(0, 100)}`, JSON.stringify(outcome ?? null, null, 2) ?? ''),
    cell(entry.ms == null ? '' : String(Math.round(entry.ms))));
  $('jsapi-log').prepend(tr);
  bump('jsapi');
  inputs.onLog({ api: entry.api, ok, options: entry.args });
  if (entry.api === 'request') logNetwork(entry, ok);
}

function logNetwork(entry, ok) {
  const a = entry.args || {};
  const r = entry.result || {};
  const tr = document.createElement('tr');
  tr.className = ok ? 'ok' : 'fail';
  const status = ok ? String(r.status ?? r.statusCode ?? '') : `error ${entry.error?.error ?? '?'}: ${entry.error?.errorMessage ?? ''}`;
  tr.append(cell(clock(entry.at)), cell(String(a.method || 'GET').toUpperCase()),
    detailsCell(String(a.url ?? ''), JSON.stringify({ request: a, response: ok ? r : entry.error }, null, 2)),
    cell(status, ok && Number(r.status) < 400 ? 'okc' : 'ko'), cell(entry.ms == null ? '' : String(Math.round(entry.ms))));
  $('network-log').prepend(tr);
  bump('network');
}

document.querySelectorAll('[data-clear]').forEach((b) => b.addEventListener('click', () => {
  const name = b.dataset.clear;
  $(`${name}-log`).replaceChildren();
  bump(name, 0);
}));

// ---------------------------------------------------------------- devtools: sandbox state
function statusClass(status) {
  return { SUCCESS: 'okc', TRADE_SUCCESS: 'okc', FAIL: 'ko', CANCELLED: 'ko', TRADE_CLOSED: 'ko', PROCESSING: 'pending' }[status] || '';
}
/** An amount `{ currency, value }` in minor units as people read it ("IQD 1,000.000"; money.js). */
function money(amount) {
  if (!amount) return '';
  return displayMoney(amount);
}
function actionButton(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}
async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  if (!res.ok) alert(`${path}: HTTP ${res.status} ${await res.text()}`);
  refreshSandbox();
}

function renderPayments(list) {
  const rows = list.map((p) => {
    const tr = document.createElement('tr');
    const actions = document.createElement('td');
    if (p.status === 'PROCESSING') {
      actions.append(
        actionButton('→ SUCCESS', () => post(`/sandbox/payments/${encodeURIComponent(p.paymentId)}/complete`, { outcome: 'SUCCESS' })),
        actionButton('→ FAIL', () => post(`/sandbox/payments/${encodeURIComponent(p.paymentId)}/complete`, { outcome: 'FAIL' })));
    }
    tr.append(cell(clock(p.createTime ?? p.paymentCreateTime ?? p.createdAt)),
      detailsCell(p.paymentId, JSON.stringify(p, null, 2)),
      cell(money(p.paymentAmount ?? p.amount)),
      cell(p.status ?? p.paymentStatus ?? '', statusClass(p.status ?? p.paymentStatus)),
      cell([p.orderDescription, p.failReason ?? p.paymentFailReason].filter(Boolean).join(' · ')),
      actions);
    return tr;
  });
  $('payments').replaceChildren(...rows);
  bump('payments', list.length);
}

/** Delivery lag (due → sent), in ms: how far the dispatcher's queue is behind. */
function lag(ms) {
  if (typeof ms !== 'number') return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function renderNotifications(list) {
  const rows = [];
  for (const n of list) {
    const attempts = Array.isArray(n.attempts) && n.attempts.length ? n.attempts : [n];
    attempts.forEach((a, i) => {
      const tr = document.createElement('tr');
      const actions = document.createElement('td');
      if (i === 0 && n.id != null) actions.append(actionButton('Resend', () => post(`/sandbox/notifications/${encodeURIComponent(n.id)}/resend`)));
      const http = a.httpStatus ?? a.status ?? '';
      tr.append(cell(clock(a.time ?? a.attemptedAt ?? a.at ?? n.createdAt)),
        cell(String(n.paymentId ?? '')),
        cell(String(n.paymentStatus ?? n.state ?? ''), statusClass(n.paymentStatus)),
        cell(String(a.attempt ?? i + 1) + (a.state && a.state !== 'done' ? ` (${a.state})` : '')),
        cell(lag(i === 0 && n.waiting ? n.lagMs : a.lagMs)),
        cell(String(http), http === 200 && a.acknowledged !== false ? 'okc' : 'ko'),
        detailsCell(String(a.responseExcerpt ?? a.response ?? a.error ?? '').slice(0, 80), String(a.responseExcerpt ?? a.response ?? a.error ?? '')),
        actions);
      rows.push(tr);
    });
  }
  $('notifications').replaceChildren(...rows);
  bump('notifications', list.length);
}

function renderUsers(users, session) {
  const select = $('session-user');
  const current = session?.userId ?? session?.user?.userId;
  if (document.activeElement !== select) {
    select.replaceChildren(...users.map((u) => {
      const o = document.createElement('option');
      o.value = u.userId;
      o.textContent = `${u.nickName} (${u.userId})`;
      o.selected = u.userId === current;
      return o;
    }));
  }
  $('users').replaceChildren(...users.map((u) => {
    const tr = document.createElement('tr');
    const balances = Object.entries(u.balances ?? {}).map(([currency, value]) => money({ currency, value })).join(', ');
    // gender · birth date · nationality: what USER_GENDER, USER_BIRTHDAY, USER_NATIONALITY reveal.
    const profile = [u.gender, u.birthDate, u.nationality].filter(Boolean).join(' · ');
    tr.append(cell(`${u.userId}${u.userId === current ? ' ●' : ''}`), cell(u.nickName ?? ''), cell(u.mobile ?? ''), cell(balances), cell(profile));
    return tr;
  }));
}

function renderGrants(grants) {
  $('grants').replaceChildren(...grants.map((g) => {
    const tr = document.createElement('tr');
    const granted = (g.authSuccessScopes ?? g.scopes ?? []).join(' ');
    tr.append(cell(clock(g.createdAt ?? g.time)), cell(String(g.appId ?? '')), cell(String(g.nickName ?? g.userId ?? '')),
      cell(granted || Object.keys(g.authErrorScopes ?? {}).join(' ')),
      cell(String(g.decision ?? (g.authCode ? 'allow' : 'deny')), g.decision === 'deny' ? 'ko' : 'okc'),
      cell(g.used ? 'used' : (g.authCode ? 'issued' : '')));
    return tr;
  }));
  bump('grants', grants.length);
}

$('session-user').addEventListener('change', async (e) => {
  await fetch('/sandbox/session', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: e.target.value }) });
  refreshSandbox();
});

let refreshing = false;
async function refreshSandbox() {
  if (refreshing) return;
  refreshing = true;
  try {
    const [payments, notifications] = await Promise.all([
      fetch('/sandbox/payments', { cache: 'no-store' }).then((r) => r.json()),
      fetch('/sandbox/notifications', { cache: 'no-store' }).then((r) => r.json()),
    ]);
    renderPayments(Array.isArray(payments) ? payments : payments.payments ?? []);
    renderNotifications(Array.isArray(notifications) ? notifications : notifications.notifications ?? []);
    const [users, session, grants] = await Promise.all([
      fetch('/sandbox/users', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : [])),
      fetch('/sandbox/session', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : {})),
      fetch('/sandbox/auth/grants', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : [])),
    ]);
    renderUsers(Array.isArray(users) ? users : users.users ?? [], session);
    await loadAutomation();
    renderGrants(Array.isArray(grants) ? grants : grants.grants ?? []);
    $('sandbox-state').textContent = 'sandbox up';
    $('sandbox-state').className = 'pill up';
  } catch {
    $('sandbox-state').textContent = 'sandbox down';
    $('sandbox-state').className = 'pill down';
  } finally {
    refreshing = false;
  }
}

// ---------------------------------------------------------------- tabs and settings form
document.querySelectorAll('[role=tab]').forEach((tab) => tab.addEventListener('click', () => {
  document.querySelectorAll('[role=tab]').forEach((t) => t.setAttribute('aria-selected', String(t === tab)));
  document.querySelectorAll('[role=tabpanel]').forEach((p) => { p.hidden = p.id !== `panel-${tab.dataset.tab}`; });
}));

const form = $('settings');
for (const [key, value] of Object.entries(settings)) {
  const input = form.elements[key];
  if (!input) continue;
  if (input.type === 'checkbox') input.checked = Boolean(value); else input.value = value;
}

/** Shows the server's automation switches in the form (unless the user is choosing). */
function renderAutomation() {
  for (const key of AUTOMATION) {
    const select = form.elements[key];
    if (select && document.activeElement !== select) select.value = automation[key] ?? '';
  }
}
async function loadAutomation() {
  const res = await fetch('/sandbox/settings', { cache: 'no-store' });
  if (res.ok) { automation = await res.json(); renderAutomation(); }
}
/** Writes switches to the server (PUT /sandbox/settings); rejects with its message. */
async function saveAutomation(patch) {
  const res = await fetch('/sandbox/settings', {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  automation = body;
  renderAutomation();
  return body;
}

form.addEventListener('change', (e) => {
  const input = e.target;
  if (AUTOMATION.includes(input.name)) {
    $('automation-state').textContent = 'saving…';
    saveAutomation({ [input.name]: input.value || null })
      .then((now) => { $('automation-state').textContent = `saved on the sandbox: autopay ${now.autopay ?? 'off'}, consent ${now.autoconsent ?? 'ask the user'}`; })
      .catch((err) => { $('automation-state').textContent = `refused: ${err.message}`; renderAutomation(); });
    return;
  }
  if (!(input.name in DEFAULT_SETTINGS)) return;
  settings[input.name] = input.type === 'checkbox' ? input.checked
    : input.type === 'number' ? Math.max(0, Math.min(60000, Number(input.value) || 0)) : input.value;
  storeSettings();
  sendSettings();
  renderPhone();
});
$('save-whitelist').addEventListener('click', async () => {
  if (!appId) return;
  const entries = form.whitelist.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  const res = await fetch(`/sandbox/mini-programs/${encodeURIComponent(appId)}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ whitelist: entries }),
  }).catch(() => null);
  if (!res || !res.ok) {
    $('whitelist-state').textContent = res ? `refused: ${await res.text()}` : 'the sandbox is not reachable';
    return;
  }
  whitelist = (await res.json()).whitelist ?? entries;
  $('whitelist-state').textContent = 'saved';
  sendSettings();
});

$('open-app').addEventListener('submit', (e) => {
  e.preventDefault();
  const url = $('app-url').value;
  history.replaceState(null, '', `/?app=${encodeURIComponent(url)}`);
  openUrl(url);
});
$('app-picker').addEventListener('change', (e) => {
  if (!e.target.value) return;
  history.replaceState(null, '', `/?appId=${encodeURIComponent(e.target.value)}`);
  launchApp(e.target.value);
});
setInterval(() => { $('clock').textContent = new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false }); }, 10000);


// ---------------------------------------------------------------- the phone's state (issue 9)
// Network type, battery and foreground/background: devtools inputs (Settings → Phone), each
// also preset by a URL parameter for automated tests (`?networkType=4G&batteryLevel=20&
// charging=true&foreground=false`). This is phone state, not automation: it moves no money and
// grants nothing (docs/security.md). A bad parameter is refused and reported in the devtools
// (the status line and the JSAPI log), never ignored silently. The page's runtime checks the
// values again (`setDeviceState`, src/device.rs).
const NETWORK_TYPES = ['WIFI', '4G', '3G', '2G', 'WWAN', 'UNKNOWN', 'NOTREACHABLE'];
const phone = { networkType: 'WIFI', batteryLevel: 100, charging: false, foreground: true };

/** `{ patch, errors }` from URL-style text values; `errors` name the parameter and why. */
function parsePhoneParams(get) {
  const patch = {}; const errors = [];
  const type = get('networkType');
  if (type !== null) {
    if (NETWORK_TYPES.includes(type)) patch.networkType = type;
    else errors.push(`networkType must be one of ${NETWORK_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  const level = get('batteryLevel');
  if (level !== null) {
    const n = Number(level);
    if (level.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 100) patch.batteryLevel = n;
    else errors.push(`batteryLevel must be a whole number from 0 to 100, got ${JSON.stringify(level)}`);
  }
  for (const key of ['charging', 'foreground']) {
    const v = get(key);
    if (v === null) continue;
    if (v === 'true' || v === 'false') patch[key] = v === 'true';
    else errors.push(`${key} must be true or false, got ${JSON.stringify(v)}`);
  }
  return { patch, errors };
}

function renderPhone() {
  const f = form.elements;
  if (f.networkType) f.networkType.value = phone.networkType;
  if (f.batteryLevel && document.activeElement !== f.batteryLevel) f.batteryLevel.value = String(phone.batteryLevel);
  if (f.charging) f.charging.checked = phone.charging;
  const offline = settings.offline || phone.networkType === 'NOTREACHABLE';
  $('phone-network').textContent = offline ? 'No service' : phone.networkType;
  $('phone-battery').textContent = `${phone.charging ? '⚡' : ''}${phone.batteryLevel}%`;
  $('app-visibility').textContent = phone.foreground ? 'Send app to background' : 'Bring app to foreground';
  $('app-visibility').setAttribute('aria-pressed', String(!phone.foreground));
  document.querySelector('.screen').classList.toggle('in-background', !phone.foreground);
}

/** Applies a phone patch: the frame, the form and the mini program follow. */
function setPhone(patch) {
  Object.assign(phone, patch);
  renderPhone();
  sendSettings();
}

function reportPhoneErrors(errors, source) {
  $('phone-state').textContent = errors.length ? `refused (${source}): ${errors.join('; ')}` : '';
  for (const message of errors) {
    logCall({ api: 'devtools: phone state', options: source, ok: false, result: { error: 2, errorMessage: message } });
  }
}

{
  const { patch, errors } = parsePhoneParams((k) => params.get(k));
  Object.assign(phone, patch);
  reportPhoneErrors(errors, 'URL parameters');
  renderPhone();
}
form.addEventListener('change', (e) => {
  const input = e.target;
  if (!['networkType', 'batteryLevel', 'charging'].includes(input.name)) return;
  const { patch, errors } = parsePhoneParams((k) => (k !== input.name ? null
    : input.type === 'checkbox' ? String(input.checked) : input.value));
  reportPhoneErrors(errors, 'devtools');
  if (errors.length) { renderPhone(); return; }
  setPhone(patch);
});
$('app-visibility').addEventListener('click', () => setPhone({ foreground: !phone.foreground }));
// A screenshot of the phone: the mini program's onUserCaptureScreen listeners run.
$('capture-screen').addEventListener('click', () => postToMiniProgram({ type: `${MSG}capture-screen` }));

// What some calls do to the phone frame (seen in the log the page posts): a shake for
// vibrate*, a call banner for makePhoneCall (no call is placed), the screen's brightness.
function phoneEffect(entry) {
  if (entry.ok === false) return;
  const api = String(entry.api ?? '');
  const phoneEl = document.querySelector('.phone');
  if (api.startsWith('vibrate')) {
    phoneEl.classList.remove('vibrating');
    void phoneEl.offsetWidth; // restart the animation
    phoneEl.classList.add('vibrating');
    setTimeout(() => phoneEl.classList.remove('vibrating'), api === 'vibrateShort' ? 150 : 400);
  } else if (api === 'makePhoneCall') {
    const banner = $('call-banner');
    banner.textContent = `📞 Calling ${String(entry.options?.number ?? '')} — the simulator places no calls`;
    banner.hidden = false;
    clearTimeout(phoneEffect.callTimer);
    phoneEffect.callTimer = setTimeout(() => { banner.hidden = true; }, 4000);
  } else if (api === 'setScreenBrightness') {
    const b = Number(entry.options?.brightness);
    if (b >= 0 && b <= 1) document.querySelector('.screen').style.filter = `brightness(${0.35 + 0.65 * b})`;
  } else if (api === 'setKeepScreenOn') {
    $('phone-keep-on').hidden = !entry.options?.keepScreenOn;
  }
}

// Hook for tests and scripts: await window.simulator.set({ autopay: 'BALANCE', latencyMs: 200 }),
// .state(). The automation switches go to the server (PUT /sandbox/settings; '' or null = off),
// the rest to the shim.
window.simulator = {
  async set(patch) {
    const local = {}; const remote = {};
    for (const [key, value] of Object.entries(patch ?? {})) {
      if (AUTOMATION.includes(key)) remote[key] = value === '' ? null : value; else local[key] = value;
    }
    Object.assign(settings, local);
    storeSettings();
    sendSettings();
    if (Object.keys(remote).length) await saveAutomation(remote);
    return window.simulator.state();
  },
  state: () => ({ appId, miniOrigin, whitelist: [...whitelist], settings: { ...settings, ...automation }, sheetOpen: openSheet?.kind ?? null, phone: { ...phone } }),
  /** The phone's state (networkType, batteryLevel, charging, foreground), checked as the
   *  devtools check it; rejects naming what was refused. */
  async setPhone(patch) {
    const text = (k) => (patch && k in patch ? String(patch[k]) : null);
    const { patch: ok, errors } = parsePhoneParams(text);
    reportPhoneErrors(errors, 'simulator.setPhone');
    if (errors.length) throw new Error(errors.join('; '));
    setPhone(ok);
    return window.simulator.state();
  },
  refresh: refreshSandbox,
  // The phone's inputs (Device tab): window.simulator.inputs.set({ location: '30.27,120.15', scan: 'text', contacts: 'A: 1' }).
  inputs,
};

loadApps().then(() => {
  if (params.get('appId')) launchApp(params.get('appId')); else openUrl(appUrl);
});
refreshSandbox();
setInterval(refreshSandbox, 1500);
