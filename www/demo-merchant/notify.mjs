// The wallet's payment notification (notifyPayment, docs/protocol.md §5): verified, matched with
// its order, applied once, acknowledged. And the debug switch that refuses the next N valid
// notifications, to watch the wallet retry.
//
// Handlers: POST /notify/payment (notifyPayment), GET /debug/notify-mode (getNotifyMode),
// POST /debug/notify-mode {failNext} (setNotifyMode).

import { isFinal, orderStatusFromPayment, verifyWalletSignature } from './lib.mjs';
import { readJson, readRaw, sendJson } from './http.mjs';
import { settle } from './orders.mjs';

/** The path of the notify URL given to the wallet (`paymentNotifyUrl`). */
export const NOTIFY_PATH = '/notify/payment';
const ACK = { result: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' } };

/**
 * `POST /notify/payment`: the signature is checked over the path as received, `Client-Id` must be
 * ours, the order must exist and match; then the order is updated (a final status never changes)
 * and acknowledged. Anything wrong is answered `F`, and the wallet will retry.
 */
export async function notifyPayment(ctx, req, res, { path }) {
  const raw = await readRaw(req, res);
  if (raw === undefined) return;
  const refuse = (resultCode, message) => {
    ctx.log(`notify REFUSED (${resultCode}): ${message}`);
    sendJson(res, 200, { result: { resultCode, resultStatus: 'F', resultMessage: message } });
  };
  if (!ctx.wallet) return refuse('UNKNOWN_EXCEPTION', 'merchant identity not loaded yet, retry later');
  const check = verifyWalletSignature({
    headers: req.headers,
    path,
    body: raw,
    publicKey: ctx.wallet.walletPublicKey,
    expectedClientId: ctx.wallet.clientId,
    timeHeader: 'Request-Time',
  });
  if (!check.ok) return refuse('INVALID_SIGNATURE', check.reason);
  let note;
  try {
    note = JSON.parse(raw.toString('utf8'));
  } catch {
    return refuse('PARAM_ILLEGAL', 'body is not JSON');
  }
  const status = orderStatusFromPayment(note?.paymentStatus);
  if (typeof note?.paymentRequestId !== 'string') return refuse('PARAM_ILLEGAL', 'paymentRequestId missing');
  if (!status) return refuse('PARAM_ILLEGAL', `unknown paymentStatus '${note.paymentStatus}'`);
  const order = ctx.store.get(note.paymentRequestId);
  if (!order) return refuse('ORDER_NOT_EXIST', `no order '${note.paymentRequestId}'`);
  if (order.paymentId && note.paymentId && note.paymentId !== order.paymentId) {
    return refuse('PARAM_ILLEGAL', `paymentId ${note.paymentId} is not the payment of order ${order.orderId}`);
  }
  if (
    note.paymentAmount &&
    (note.paymentAmount.value !== order.amount.value || note.paymentAmount.currency !== order.amount.currency)
  ) {
    return refuse('PARAM_ILLEGAL', `amount ${JSON.stringify(note.paymentAmount)} differs from the order's`);
  }
  if (ctx.notifyFailuresLeft > 0) {
    ctx.notifyFailuresLeft -= 1;
    return refuse('PROCESS_FAIL', `failing on purpose (debug notify mode), ${ctx.notifyFailuresLeft} more to fail`);
  }
  order.notifications = (order.notifications ?? 0) + 1;
  order.lastNotificationAt = new Date(ctx.now()).toISOString();
  if (!isFinal(order.status) && status !== 'PENDING') {
    settle(order, status, 'notification', note);
  } else if (isFinal(order.status) && status !== order.status) {
    ctx.log(`notify WARNING order ${order.orderId} is ${order.status} but the notification says ${status}; kept`);
  }
  await ctx.store.save(order);
  ctx.log(`notify order ${order.orderId} payment ${note.paymentId ?? '?'}: ${note.paymentStatus} ` +
    `(notification #${order.notifications}) -> acknowledged, order ${order.status}`);
  return sendJson(res, 200, ACK);
}

/** `GET /debug/notify-mode`: how many valid notifications will still be refused. */
export function getNotifyMode(ctx, req, res) {
  return sendJson(res, 200, { failNext: ctx.notifyFailuresLeft });
}

/** `POST /debug/notify-mode {failNext}`: refuse the next N valid notifications (no authentication: a loopback demo). */
export async function setNotifyMode(ctx, req, res) {
  const body = await readJson(req, res);
  if (body === undefined) return;
  if (!Number.isInteger(body?.failNext) || body.failNext < 0) {
    return sendJson(res, 400, { error: 'INVALID_PARAM', field: 'failNext', message: 'failNext must be an integer ≥ 0' });
  }
  ctx.notifyFailuresLeft = body.failNext;
  ctx.log(`debug: the next ${body.failNext} notification(s) will be refused`);
  return sendJson(res, 200, { failNext: ctx.notifyFailuresLeft });
}
