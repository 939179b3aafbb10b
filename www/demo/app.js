// Demo Coffee, a mini program. Written the way a mini program developer writes one: `my.*`
// from the super app (loaded by index.html) and plain DOM, no framework.
//
// First the user signs in, as Alipay+ mini programs do (docs/protocol.md §5b): my.getAuthCode({ scopes:
// ['auth_user'] }) → the code to our server (POST /api/session), which redeems it with the wallet
// (applyToken, inquiryUserInfo) and answers a session id and the user's name; every later call
// carries the session (x-session-id). No sign-in, no Pay.
//
// The flow (docs/protocol.md §1): pick goods → my.request POST /api/orders to our own server → it creates
// the payment and returns a paymentUrl → my.tradePay({ paymentUrl }) → the result page shows
// the app's resultCode, then what our server confirms. The resultCode is only a hint: the
// server's status (from the wallet's notification or its inquiryPayment) is the truth.

'use strict';

/** Our server. On a device this is a fixed HTTPS domain; ?merchant= overrides it for tests. */
const MERCHANT_URL = readUrlParam('merchant', 'http://127.0.0.1:8702');
/** How long and how often the result page asks our server while the payment is not final. */
const POLL_EVERY_MS = 1500;
const POLL_FOR_MS = 60000;
/** Our server's session: kept with my.setStorage (else in memory), sent as this header. */
const SESSION_KEY = 'demo.sessionId';
const SESSION_HEADER = 'x-session-id';
/** The user's id, nickname and avatar: the scope that asks the user's consent. */
const AUTH_SCOPES = ['auth_user'];

const SOURCES = {
  notification: 'from the payment notification',
  inquiry: 'from inquiryPayment (no notification yet)',
  pay: 'the wallet refused to create the payment',
  cancel: 'cancelled by the shop',
};
const { RESULT_CODES, STATUS_WORDS, compareResults, failReasonText } = window.demoVerdict; // verdict.js

const $ = (id) => document.getElementById(id);

const state = {
  goods: [],
  currency: 'USD',
  cart: {}, // goods id → quantity
  paying: false, // a my.tradePay is open (one payment at a time)
  orders: {}, // orderId → the order as our server last returned it
  clientResults: loadClientResults(), // orderId → { resultCode } | { error } | { waiting: true }
  view: 0, // bumped on every page change: stops the polling of the page left
  auth: 'signing-in', // signing-in | signed-in | declined | error | unavailable
  user: null, // { customerId, nickName, avatar } from our server
  sessionId: null,
  signingIn: null, // the sign-in in progress (one at a time)
};

// ---------------------------------------------------------------------------- start

if (typeof my === 'undefined') {
  showRuntimeError();
} else {
  $('pay').addEventListener('click', () => checkout());
  $('sign-in').addEventListener('click', () => startSession());
  $('sign-out').addEventListener('click', switchUser);
  $('user-avatar').addEventListener('error', () => {
    // An avatar that does not load: the initial instead of a broken image.
    $('user-avatar').hidden = true;
    $('user-initial').hidden = !state.user;
  });
  $('pay-again').addEventListener('click', payAgain);
  $('refresh-status').addEventListener('click', () => showOrder(currentOrderId(), { poll: true }));
  $('refresh-orders').addEventListener('click', showOrders);
  $('retry-goods').addEventListener('click', loadGoods);
  window.addEventListener('hashchange', route);
  loadGoods();
  startSession();
  route();
}

function route() {
  const hash = location.hash.replace(/^#/, '');
  state.view += 1;
  const orderMatch = hash.match(/^order\/(.+)$/);
  const page = orderMatch ? 'result' : hash === 'orders' ? 'orders' : 'shop';
  for (const name of ['shop', 'result', 'orders']) $(`page-${name}`).hidden = name !== page;
  $('checkout').hidden = page !== 'shop';
  $('nav-shop').setAttribute('aria-current', page === 'shop' ? 'page' : 'false');
  $('nav-orders').setAttribute('aria-current', page === 'orders' ? 'page' : 'false');
  if (page === 'result') showOrder(decodeURIComponent(orderMatch[1]), { poll: true });
  if (page === 'orders') showOrders();
  // Move focus to the new page's heading, as a screen reader user expects after navigation.
  if (document.activeElement && document.activeElement !== document.body) {
    $(`${page}-title`).focus();
  }
}

function currentOrderId() {
  const match = location.hash.match(/^#order\/(.+)$/);
  return match ? decodeURIComponent(match[1]) : null;
}

// ---------------------------------------------------------------------------- our server

/** One call to our server through my.request; resolves `{ status, data }`, rejects with a message. */
async function callServer(method, path, data) {
  let res;
  const headers = { 'content-type': 'application/json' };
  if (state.sessionId) headers[SESSION_HEADER] = state.sessionId;
  try {
    res = await my.request({
      url: MERCHANT_URL + path,
      method,
      headers,
      data,
      dataType: 'json',
      timeout: 20000,
    });
  } catch (err) {
    throw new Error(requestFailure(err));
  }
  return { status: res.status, data: res.data };
}

/** A readable sentence for a my.request fail object. */
function requestFailure(err) {
  const code = err && err.error;
  const detail = (err && err.errorMessage) || String(err);
  if (code === 4) return `This mini program may not call ${MERCHANT_URL} (not in its domain whitelist): ${detail}`;
  if (code === 12) return `Cannot reach the shop server at ${MERCHANT_URL}. Is it running? (${detail})`;
  if (code === 13) return 'The shop server did not answer in time.';
  if (code === 14) return 'The shop server sent something that is not JSON.';
  // Super apps configured to route 4xx/5xx to fail (error 19) still hand over the body.
  if (code === 19) return (err.data && err.data.message) || `The shop server answered HTTP ${err.status}.`;
  return `my.request failed (error ${code}): ${detail}`;
}

/** The message of an error body `{ error, message }` from our server. */
function serverMessage(res) {
  const body = res.data || {};
  return body.message || body.error || `HTTP ${res.status}`;
}

// ---------------------------------------------------------------------------- sign-in

/**
 * A saved session still valid on our server is used as it is (no consent asked again);
 * otherwise, or when it is over, the user signs in afresh.
 */
function startSession() {
  if (state.signingIn) return state.signingIn;
  state.signingIn = (async () => {
    setAuth('signing-in');
    const saved = state.sessionId || (await loadSavedSession());
    if (saved) {
      state.sessionId = saved;
      let res;
      try {
        res = await callServer('GET', '/api/session');
      } catch (err) {
        // Our server is unreachable: keep the session and offer to try again.
        return setAuth('error', `Could not check your sign-in: ${err.message}`);
      }
      if (res.status === 200) return signedIn(res.data);
      if (res.status !== 401) return setAuth('error', `Could not check your sign-in: ${serverMessage(res)}`);
      forgetSession(); // over (expired, signed out, the shop restarted): sign in again
    }
    return signIn();
  })().finally(() => {
    state.signingIn = null;
  });
  return state.signingIn;
}

/** my.getAuthCode (the super app asks the user's consent) → POST /api/session. */
async function signIn() {
  if (!canUse('getAuthCode')) {
    return setAuth('unavailable', 'This super app cannot sign you in (my.getAuthCode is not available), ' +
      'so Demo Coffee cannot take your order here. Open it in a super app that supports sign-in.');
  }
  setAuth('signing-in');
  let auth;
  try {
    auth = await getAuthCode(AUTH_SCOPES);
  } catch (err) {
    if (err && err.error === 11) {
      return setAuth('declined', 'Sign in to order: Demo Coffee needs your name to take your order, ' +
        'and you declined to share it. Nothing is shared until you allow it.');
    }
    return setAuth('error', `Sign-in failed: my.getAuthCode error ${err && err.error}: ${(err && err.errorMessage) || err}`);
  }
  let res;
  try {
    res = await callServer('POST', '/api/session', { authCode: auth.authCode });
  } catch (err) {
    return setAuth('error', `Sign-in failed: ${err.message}`);
  }
  if (res.status !== 200) return setAuth('error', `The shop could not sign you in: ${serverMessage(res)}`);
  saveSession(res.data.sessionId);
  return signedIn(res.data);
}

function signedIn(session) {
  state.sessionId = session.sessionId;
  state.user = session.user;
  setAuth('signed-in');
  if (location.hash === '#orders') showOrders();
}

/** "Switch user": our server forgets the session, then the super app is asked again. */
async function switchUser() {
  try {
    await callServer('DELETE', '/api/session');
  } catch (e) { /* the session is dropped here anyway */ }
  forgetSession();
  startSession();
}

/** Shows the sign-in state in the header, and allows Pay only when signed in. */
function setAuth(kind, message) {
  state.auth = kind;
  if (kind !== 'signed-in') state.user = null;
  const user = state.user;
  $('account').dataset.state = kind;
  $('auth-status').hidden = kind === 'signed-in';
  $('auth-status').textContent = kind === 'signing-in' ? 'Signing in…' : 'Not signed in';
  $('user-name').hidden = !user;
  $('user-name').textContent = user ? `Hi, ${user.nickName || 'there'}` : '';
  $('user-name').dataset.customerId = user ? user.customerId : '';
  $('user-avatar').hidden = !(user && user.avatar);
  if (user && user.avatar) $('user-avatar').src = user.avatar;
  else $('user-avatar').removeAttribute('src');
  $('user-initial').hidden = !user || Boolean(user.avatar);
  $('user-initial').textContent = user ? (user.nickName || '?').trim().charAt(0).toUpperCase() : '';
  $('sign-out').hidden = kind !== 'signed-in';
  const problem = kind === 'declined' || kind === 'error' || kind === 'unavailable';
  $('auth-error').hidden = !problem;
  $('auth-error').dataset.reason = problem ? kind : '';
  $('auth-error-text').textContent = problem ? message : '';
  $('sign-in').hidden = kind === 'unavailable';
  renderCart();
}

/** my.getAuthCode as a promise: resolves the success object, rejects the fail object. */
function getAuthCode(scopes) {
  return new Promise((resolve, reject) => {
    try {
      const task = my.getAuthCode({ scopes, success: resolve, fail: reject });
      if (task && typeof task.catch === 'function') task.catch(() => {}); // the callbacks carry the outcome
    } catch (err) {
      reject({ error: 3, errorMessage: `my.getAuthCode threw: ${err && err.message}` });
    }
  });
}

/** True when the runtime has `my.<api>` and says so (my.canIUse). */
function canUse(api) {
  try {
    return typeof my[api] === 'function' && (typeof my.canIUse !== 'function' || my.canIUse(api) !== false);
  } catch (e) {
    return false;
  }
}

/** The saved session id (my.getStorage), or null; never waits more than 2 s. */
function loadSavedSession() {
  if (!canUse('getStorage')) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (value) => resolve(typeof value === 'string' && value ? value : null);
    setTimeout(() => done(null), 2000);
    try {
      const task = my.getStorage({ key: SESSION_KEY, success: (res) => done(res && res.data), fail: () => done(null) });
      if (task && typeof task.catch === 'function') task.catch(() => {});
    } catch (e) {
      done(null);
    }
  });
}

function saveSession(sessionId) {
  state.sessionId = sessionId;
  storageCall('setStorage', { key: SESSION_KEY, data: sessionId });
}

function forgetSession() {
  state.sessionId = null;
  state.user = null;
  storageCall('removeStorage', { key: SESSION_KEY });
}

/** A storage call whose failure does not matter: memory still holds the session. */
function storageCall(api, options) {
  if (!canUse(api)) return;
  try {
    const task = my[api]({ ...options, fail: (err) => console.warn(`my.${api} failed`, err) });
    if (task && typeof task.catch === 'function') task.catch(() => {});
  } catch (e) { /* memory is enough */ }
}

/** A 401 from our server: the session is over. */
function loginRequired(res) {
  return res.status === 401;
}

// ---------------------------------------------------------------------------- shop

async function loadGoods() {
  $('shop-status').hidden = false;
  $('shop-status').textContent = 'Loading the menu…';
  $('retry-goods').hidden = true;
  try {
    const res = await callServer('GET', '/api/goods');
    if (res.status !== 200) throw new Error(serverMessage(res));
    state.goods = res.data.goods;
    state.currency = res.data.currency;
    $('shop-status').hidden = true;
    renderGoods();
  } catch (err) {
    $('shop-status').textContent = err.message;
    $('retry-goods').hidden = false;
  }
}

function renderGoods() {
  $('goods').replaceChildren();
  $('test-goods').replaceChildren();
  $('test-goods-panel').hidden = !state.goods.some((good) => good.sandbox);
  for (const good of state.goods) {
    const list = good.sandbox ? $('test-goods') : $('goods');
    const item = el('li', { className: 'good', 'data-testid': `goods-${good.id}` });
    item.append(
      el('span', { className: 'emoji', 'aria-hidden': 'true', textContent: good.emoji || '' }),
      el('span', { className: 'good-text' }, [
        el('strong', { textContent: good.name }),
        el('small', { className: 'muted', textContent: good.description || '' }),
        el('span', { className: 'price', textContent: money(good.price) }),
      ]),
      el('span', { className: 'stepper' }, [
        el('button', {
          type: 'button', className: 'step', textContent: '−', 'data-testid': `remove-${good.id}`,
          'aria-label': `One ${good.name} less`, onclick: () => changeQty(good.id, -1),
        }),
        el('output', { className: 'qty', 'data-testid': `qty-${good.id}`, 'aria-live': 'polite', textContent: '0' }),
        el('button', {
          type: 'button', className: 'step', textContent: '+', 'data-testid': `add-${good.id}`,
          'aria-label': `One more ${good.name}`, onclick: () => changeQty(good.id, +1),
        }),
      ]),
    );
    list.append(item);
  }
  renderCart();
}

function changeQty(id, delta) {
  const qty = Math.min(99, Math.max(0, (state.cart[id] || 0) + delta));
  if (qty === 0) delete state.cart[id];
  else state.cart[id] = qty;
  renderCart();
}

function renderCart() {
  let total = 0;
  for (const good of state.goods) {
    const qty = state.cart[good.id] || 0;
    total += qty * good.price;
    const out = document.querySelector(`[data-testid="qty-${good.id}"]`);
    if (out) out.textContent = String(qty);
    const less = document.querySelector(`[data-testid="remove-${good.id}"]`);
    if (less) less.disabled = qty === 0;
  }
  // Shown for the user's convenience only: the server prices the order from its own catalogue.
  $('total').textContent = money(total);
  $('total').dataset.value = String(total);
  const hasUser = Boolean(state.user);
  $('pay').disabled = total === 0 || state.paying || !hasUser;
  $('pay').textContent = state.paying
    ? 'Paying…'
    : !hasUser && state.auth !== 'signing-in'
      ? 'Sign in to order'
      : total ? `Pay ${money(total)}` : 'Pay';
}

async function checkout({ retried = false } = {}) {
  if (state.paying || !state.user) return;
  const items = Object.entries(state.cart).map(([id, qty]) => ({ id, qty }));
  if (items.length === 0) return;
  state.paying = true;
  renderCart();
  let res;
  try {
    res = await callServer('POST', '/api/orders', { items });
  } catch (err) {
    return orderNotCreated(err.message);
  }
  if (loginRequired(res) && !retried) {
    // The session ended (expired, or the shop restarted): sign in again, then order once more.
    state.paying = false;
    forgetSession();
    await startSession();
    if (state.user) return checkout({ retried: true });
    $('shop-status').hidden = false;
    $('shop-status').textContent = 'The order was not created: sign in to order.';
    return;
  }
  if (res.status !== 201) return orderNotCreated(serverMessage(res));
  const order = res.data;
  state.cart = {};
  state.orders[order.orderId] = { orderId: order.orderId, status: 'PENDING', amount: order.amount, paymentUrl: order.paymentUrl };
  location.hash = `#order/${encodeURIComponent(order.orderId)}`;
  startTradePay(order.orderId, order.paymentUrl);
}

function orderNotCreated(message) {
  state.paying = false;
  renderCart();
  $('shop-status').hidden = false;
  $('shop-status').textContent = `The order was not created: ${message}`;
  alertUser('Order not created', message);
}

// ---------------------------------------------------------------------------- payment

/** Opens the super app's cashier. Every payment outcome arrives in `success` (docs/protocol.md §4). */
function startTradePay(orderId, paymentUrl) {
  state.paying = true;
  setClientResult(orderId, { waiting: true });
  try {
    my.tradePay({
      paymentUrl,
      success: (res) => onTradePayResult(orderId, { resultCode: String(res.resultCode) }),
      fail: (err) => {
        // Some super apps route 4000/6001/6002 to fail({ resultCode }): still a payment outcome.
        if (err && err.resultCode) onTradePayResult(orderId, { resultCode: String(err.resultCode), viaFail: true });
        else onTradePayResult(orderId, { error: { error: err && err.error, errorMessage: (err && err.errorMessage) || String(err) } });
      },
    });
  } catch (err) {
    // my.tradePay missing or throwing synchronously: the runtime is older than this page.
    onTradePayResult(orderId, { error: { error: 3, errorMessage: `my.tradePay is not available: ${err.message}` } });
  }
}

function onTradePayResult(orderId, result) {
  state.paying = false;
  renderCart();
  setClientResult(orderId, result);
  if (result.error) alertUser('Payment could not start', result.error.errorMessage);
  // Whatever the app says, ask our server: it is the one that knows.
  if (currentOrderId() === orderId) showOrder(orderId, { poll: true });
  else location.hash = `#order/${encodeURIComponent(orderId)}`;
}

function payAgain() {
  const order = state.orders[currentOrderId()];
  if (!order || !order.paymentUrl || state.paying) return;
  startTradePay(order.orderId, order.paymentUrl);
}

// ---------------------------------------------------------------------------- result page

/**
 * Shows an order, and with `poll` asks our server again every POLL_EVERY_MS until the status
 * is final or POLL_FOR_MS has passed. Leaving the page (a new `state.view`) stops the polling.
 */
async function showOrder(orderId, { poll = false } = {}) {
  if (!orderId) return;
  renderResult(orderId, { polling: poll });
  if (!poll) return;
  const view = ++state.view; // one polling loop at a time
  const until = Date.now() + POLL_FOR_MS;
  for (;;) {
    const order = await fetchOrder(orderId);
    if (view !== state.view) return;
    const final = order && order.status !== 'PENDING';
    const waiting = state.clientResults[orderId] && state.clientResults[orderId].waiting;
    const more = !final && Date.now() < until && (order || waiting);
    renderResult(orderId, { polling: Boolean(more) });
    if (!more) return;
    await sleep(POLL_EVERY_MS);
    if (view !== state.view) return;
  }
}

/** GET /api/orders/{id}; null when the server could not be asked (the page says why). */
async function fetchOrder(orderId) {
  try {
    const res = await callServer('GET', `/api/orders/${encodeURIComponent(orderId)}`);
    if (loginRequired(res)) throw new Error('sign in to see this order.');
    if (res.status !== 200) throw new Error(serverMessage(res));
    state.orders[orderId] = res.data;
    state.serverError = null;
    return res.data;
  } catch (err) {
    state.serverError = err.message;
    return null;
  }
}

function renderResult(orderId, { polling }) {
  const order = state.orders[orderId];
  const client = state.clientResults[orderId];
  $('order-id').textContent = orderId;
  $('order-description').textContent = order && order.description ? order.description.replace(/^Demo Coffee: /, '') : '';
  $('order-amount').textContent = order && order.amount ? money(order.amount.value, order.amount.currency) : '';

  // The app's answer.
  const code = client && client.resultCode;
  $('result-code').textContent = code || (client && client.waiting ? '…' : '—');
  $('result-code').dataset.code = code || '';
  $('result-meaning').textContent = code
    ? (RESULT_CODES[code] ? RESULT_CODES[code].meaning : 'Unknown resultCode.') + (client.viaFail ? ' (delivered to fail)' : '')
    : client && client.waiting
      ? 'Waiting for the cashier…'
      : client && client.error
        ? 'my.tradePay failed.'
        : 'Not known on this device (the payment was made elsewhere or earlier).';
  $('trade-pay-error').hidden = !(client && client.error);
  $('trade-pay-error').textContent = client && client.error
    ? `my.tradePay fail: error ${client.error.error}: ${client.error.errorMessage}`
    : '';

  // Our server's answer.
  const status = order && order.statusSource !== undefined ? order.status : '';
  $('server-status').textContent = status ? STATUS_WORDS[status] || status : '…';
  $('server-status').dataset.status = status;
  $('server-source').textContent = status
    ? order.statusSource
      ? SOURCES[order.statusSource] || `from ${order.statusSource}`
      : 'no notification or inquiry result yet'
    : '';
  $('fail-reason').hidden = !(order && order.failReason);
  $('fail-reason').textContent = order && order.failReason ? `Reason: ${failReasonText(order.failReason)}` : '';
  $('server-polling').hidden = !polling;
  $('server-error').hidden = !state.serverError;
  $('server-error').textContent = state.serverError ? `Could not ask the shop server: ${state.serverError}` : '';

  const verdict = compareResults(code, status, { settled: !polling });
  $('status-mismatch').hidden = verdict.kind !== 'mismatch';
  $('status-mismatch').textContent = verdict.kind === 'mismatch' ? verdict.message : '';
  $('status-mismatch').dataset.client = code || '';
  $('status-mismatch').dataset.server = status;
  $('status-match').hidden = verdict.kind !== 'match';
  $('status-match').textContent = verdict.kind === 'match' ? verdict.message : '';

  // Offer the cashier again only when the app does not believe the payment went through.
  const appThinksPaid = code === '9000' || code === '8000';
  const payable = order && status === 'PENDING' && order.paymentUrl && !appThinksPaid && !(client && client.waiting);
  $('pay-again').hidden = !payable;
  $('pay-again').disabled = state.paying;
}

// ---------------------------------------------------------------------------- history

async function showOrders() {
  const view = state.view;
  $('orders-status').textContent = 'Loading…';
  let res;
  try {
    res = await callServer('GET', '/api/orders');
    if (loginRequired(res)) throw new Error('Sign in to see your orders.');
    if (res.status !== 200) throw new Error(serverMessage(res));
  } catch (err) {
    if (view !== state.view) return;
    $('orders-status').textContent = err.message;
    $('orders').replaceChildren();
    return;
  }
  if (view !== state.view) return;
  const orders = res.data.orders || [];
  $('orders-status').textContent = orders.length ? '' : 'No orders yet.';
  const list = $('orders');
  list.replaceChildren();
  for (const order of orders) {
    state.orders[order.orderId] = order;
    const client = state.clientResults[order.orderId];
    list.append(
      el('li', {}, [
        el('a', { href: `#order/${encodeURIComponent(order.orderId)}`, className: 'order', 'data-testid': `order-${order.orderId}` }, [
          el('span', { className: 'order-text' }, [
            el('strong', { textContent: order.description.replace(/^Demo Coffee: /, '') }),
            el('small', { className: 'muted', textContent: new Date(order.createdAt).toLocaleString() }),
            el('small', { className: 'muted order-ref', textContent: order.orderId }),
          ]),
          el('span', { className: 'order-side' }, [
            el('span', { className: 'price', textContent: money(order.amount.value, order.amount.currency) }),
            el('span', { className: 'badge', 'data-status': order.status, textContent: STATUS_WORDS[order.status] || order.status }),
            client && client.resultCode ? el('small', { className: 'muted', textContent: `app: ${client.resultCode}` }) : '',
          ]),
        ]),
      ]),
    );
  }
}

// ---------------------------------------------------------------------------- small helpers

function setClientResult(orderId, result) {
  state.clientResults[orderId] = result;
  try {
    sessionStorage.setItem('demo.clientResults', JSON.stringify(state.clientResults));
  } catch (e) { /* storage unavailable: memory is enough */ }
  if (currentOrderId() === orderId) renderResult(orderId, { polling: !$('server-polling').hidden });
}

function loadClientResults() {
  try {
    const saved = JSON.parse(sessionStorage.getItem('demo.clientResults') || '{}');
    // A cashier that was open when the page reloaded is not open any more.
    for (const id of Object.keys(saved)) if (saved[id].waiting) delete saved[id];
    return saved;
  } catch (e) {
    return {};
  }
}

function alertUser(title, content) {
  my.alert({ title, content, buttonText: 'OK', fail: (err) => console.warn('my.alert failed', err) });
}

/**
 * An amount in minor units as text, e.g. 350 USD → "USD 3.50", 1000000 IQD → "IQD 1,000.000":
 * the super app's money.js (loaded by index.html), the one format of every page, with the
 * decimals of ISO 4217 (Intl's are wrong for IQD).
 */
function money(minor, currency = state.currency) {
  const amount = { currency, value: minor };
  if (!window.Money) return `${minor} ${currency} (minor units)`; // the super app's script did not load
  return window.Money.displayMoney(amount);
}

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node && !key.includes('-')) node[key] = value;
    else node.setAttribute(key, value);
  }
  if (children) node.append(...children);
  return node;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readUrlParam(name, fallback) {
  const value = new URLSearchParams(location.search).get(name);
  if (!value) return fallback;
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) ? url.href.replace(/\/+$/, '') : fallback;
  } catch (e) {
    return fallback;
  }
}

function showRuntimeError() {
  const box = $('runtime-error');
  box.hidden = false;
  box.textContent = `The super app runtime did not load (${window.SUPERAPP_URL}/my.js). ` +
    'Start the sandbox (make run) and reload, or open this mini program inside the simulator.';
  $('shop-status').textContent = 'Unavailable without the super app.';
  $('account').dataset.state = 'unavailable';
  $('auth-status').textContent = 'Not signed in';
  $('pay').disabled = true;
}
