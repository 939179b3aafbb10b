// The super app's cashier page: the page a paymentUrl opens (DESIGN.md, "paymentUrl and the cashier").
// It runs in the super app's origin, loads the payment with its token, lets the user pay or cancel,
// and reports an *outcome* (never a resultCode: the shim's Rust core maps outcomes to codes) to
// the window that opened it, by postMessage with an explicit target origin.

import { automation, showAutomation } from './automation.js';
// Money is formatted in one place for every page, from ISO 4217 minor units (money.js).
import './money.js';

const { displayMoney } = globalThis.Money;

const params = new URLSearchParams(location.search);
const paymentId = params.get('paymentId') || '';
const token = params.get('token') || '';
// Standalone pages embed the cashier themselves and say which origin they are; inside the
// simulator the shell (this same origin) embeds it. Never '*'. The server refuses an embedder
// that may not embed this payment's cashier, and the browser refuses to show the page in any
// other (the Content-Security-Policy frame-ancestors the server sends with it).
const embedder = params.get('embedder');
// How long the result shows before it goes back (display only; it decides nothing).
const returnDelayMs = Math.max(0, Number(params.get('return') ?? 1500) || 0);

const $ = (id) => document.getElementById(id);
const api = `/cashier/api/payments/${encodeURIComponent(paymentId)}`;
let payment = null;
let reported = false;
let refused = false; // the server refused the embedder: tell it nothing
let autoReturnMs; // set by autopay: the result shows briefly
let countdownTimer = 0;

function show(screen) {
  for (const id of ['loading', 'order', 'processing', 'result']) $(id).hidden = id !== screen;
  const focus = { order: 'pay', result: 'done' }[screen];
  if (focus) $(focus).focus();
}

/** Sends the outcome to the embedding window once; a top-level cashier just shows it. */
function report(outcome, failReason) {
  if (reported) return;
  reported = true;
  clearInterval(countdownTimer);
  if (window.parent === window || refused) return;
  let target = location.origin;
  if (embedder) {
    try { target = new URL(embedder).origin; } catch { return; }
  }
  const message = { type: 'miniprogram-shim:cashier-result', paymentId, outcome };
  if (failReason) message.failReason = failReason;
  performance.mark('cashier:reported'); // read by the tradePay benchmark
  window.parent.postMessage(message, target);
}

const RESULT_TEXT = {
  paid: ['Payment successful', 'The merchant has been notified.'],
  failed: ['Payment failed', ''],
  pending: ['Payment processing', 'Your bank has not confirmed yet. You will be told when it settles.'],
  unknown: ['Result unknown', 'The connection dropped before the answer came. The payment may have gone through.'],
  network_error: ['Network error', 'We could not reach the server. You have not been charged.'],
  error: ['Cannot pay this order', ''],
};

/** Shows the result screen, then hands the outcome back (after a short pause the user can skip). */
function finish(outcome, detail) {
  const [title, text] = RESULT_TEXT[outcome] ?? RESULT_TEXT.error;
  $('result-icon').className = `result-icon ${outcome}`;
  $('result-title').textContent = title;
  $('result-detail').textContent = detail || text;
  show('result');
  const reportOutcome = outcome === 'error' ? 'cancelled' : outcome;
  const done = () => report(reportOutcome, outcome === 'failed' ? detail : undefined);
  $('done').onclick = done;
  if (outcome !== 'error') setTimeout(done, autoReturnMs ?? returnDelayMs);
}

function startCountdown(expiryTime) {
  const end = Date.parse(expiryTime);
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    $('countdown').textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    if (left === 0) {
      clearInterval(countdownTimer);
      finish('failed', 'This payment has expired. Go back and place the order again.');
    }
  };
  if (Number.isFinite(end)) { tick(); countdownTimer = setInterval(tick, 1000); }
}

/** Explains a payment that can no longer be paid (HTTP 409 or a final status on load). */
function explainFinal(status, failReason) {
  switch (status) {
    case 'SUCCESS': return finish('paid', 'This order has already been paid.');
    case 'CANCELLED': return finish('failed', 'The merchant cancelled this payment.');
    case 'FAIL': return finish('failed', failReason || 'This payment has failed.');
    default: return finish('error', `This payment cannot be paid (${status}).`);
  }
}

/** The token and, when named, the embedder: what every cashier call carries. */
function proof() {
  return embedder ? { token, embedder } : { token };
}

async function load() {
  if (!paymentId || !token) return finish('error', 'This payment link is incomplete.');
  let res;
  try {
    res = await fetch(`${api}?${new URLSearchParams(proof())}`, { cache: 'no-store' });
  } catch {
    return finish('network_error', 'We could not reach the server to load this payment.');
  }
  const body = await res.json().catch(() => ({}));
  if (res.status === 404) return finish('error', 'This payment does not exist, or the link is not valid.');
  if (res.status === 403) {
    refused = true;
    return finish('error', body.message || 'This cashier may not be shown here.');
  }
  if (!res.ok) return explainFinal(body.status, body.failReason ?? body.message);
  payment = body;
  if (payment.status !== 'PROCESSING') return explainFinal(payment.status, payment.failReason);
  $('merchant-name').textContent = payment.merchantName || 'Merchant';
  $('amount').textContent = displayMoney(payment.amount);
  $('description').textContent = payment.orderDescription || '';
  const payer = payment.buyer?.nickName ? payment.buyer : payment.payer;
  if (payer) {
    $('buyer').hidden = false;
    const balance = payment.payer?.balance ? ` · balance ${displayMoney(payment.payer.balance)}` : '';
    $('buyer').textContent = `Paying as ${payer.nickName || payer.userId || payer.customerId}${balance}`;
  }
  startCountdown(payment.expiryTime);
  show('order');
  performance.mark('cashier:order-shown'); // read by the tradePay benchmark
  // Asked only now, so the order shows as fast as without automation.
  const { autopay } = await automation(embedder);
  showAutomation(autopay);
  if (autopay) runAutopay(autopay);
}

/** After a lost answer, asks once more: still PROCESSING means the confirm never landed. */
async function finishLost() {
  try {
    const res = await fetch(`${api}?${new URLSearchParams(proof())}`, { cache: 'no-store' });
    const body = await res.json();
    if (body.status === 'PROCESSING') return finish('network_error');
  } catch { /* the server is still unreachable: the payment may have gone through */ }
  return finish('unknown');
}

async function pay() {
  const method = document.querySelector('input[name=method]:checked')?.value ?? 'BALANCE';
  $('pay').disabled = true;
  show('processing');
  let res;
  try {
    res = await fetch(`${api}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...proof(), method: method === 'NETWORK_DROP' ? 'BALANCE' : method }),
    });
  } catch {
    return finishLost();
  }
  // The "network drops" method: the server got the confirm, the answer never comes back.
  if (method === 'NETWORK_DROP') return finish('unknown');
  let body;
  try { body = await res.json(); } catch { return finishLost(); }
  if (res.status >= 500) return finishLost();
  if (!res.ok && res.status !== 409) return finish('error', body.message || `The server refused the payment (${res.status}).`);
  switch (body.status) {
    case 'SUCCESS': return res.ok ? finish('paid') : explainFinal(body.status);
    case 'FAIL': return finish('failed', body.failReason || 'The payment was declined.');
    case 'PROCESSING': return finish('pending');
    default: return explainFinal(body.status, body.failReason);
  }
}

async function cancel() {
  // Tell the server the user closed the cashier (it keeps the payment open until it expires).
  fetch(`${api}/cancel`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(proof()),
  }).catch(() => {});
  report('cancelled');
}

/** The super app's autopay switch: choose `choice` as the user would, and return quickly. */
function runAutopay(choice) {
  autoReturnMs = Math.min(returnDelayMs, 300);
  if (choice === 'CANCEL') return cancel();
  const input = document.querySelector(`input[name=method][value="${CSS.escape(choice)}"]`);
  if (input) { input.checked = true; pay(); }
}

$('pay').addEventListener('click', pay);
$('cancel').addEventListener('click', cancel);
$('close').addEventListener('click', () => (payment && !reported && !$('order').hidden ? cancel() : report('cancelled')));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('order').hidden) cancel();
});
load();
