// Orders: priced from the catalogue, paid with a signed `pay` for the signed-in buyer
// (docs/protocol.md §1, §5), settled by the wallet's notification (notify.mjs) or, while none has
// come, by inquiryPayment.
//
// Handlers (each behind `signedIn`, which adds `session`): POST /api/orders (createOrder),
// GET /api/orders (listOrders), GET /api/orders/:orderId (getOrder),
// POST /api/orders/:orderId/cancel (cancelOrder). Public: GET /api/goods (listGoods).

import { CURRENCY, GOODS, formatRequestTime, isFinal, newOrderId, orderStatusFromPayment, paymentUrlOf, priceOrder } from './lib.mjs';
import { readJson, sendJson, walletNotReady } from './http.mjs';
import { WalletError, identityHint } from './wallet.mjs';

export const MERCHANT_NAME = 'Demo Coffee';
/** Minimum time between two inquiryPayment calls for one order. */
export const INQUIRY_INTERVAL_MS = 2000;
/** How long a payment stays payable (sent as paymentExpiryTime). */
export const PAYMENT_EXPIRY_MS = 15 * 60 * 1000;

/** `GET /api/goods`: the catalogue, prices in minor units; no session needed. */
export function listGoods(ctx, req, res) {
  return sendJson(res, 200, { currency: CURRENCY, goods: GOODS });
}

/** `GET /api/orders`: the session user's orders, newest first. */
export function listOrders(ctx, req, res, { session }) {
  return sendJson(res, 200, { orders: ctx.store.list().filter((o) => ownedBy(o, session)).map(view) });
}

/** `POST /api/orders {items}`: prices the order, then `pay` for the session's user. */
export async function createOrder(ctx, req, res, { session }) {
  const body = await readJson(req, res);
  if (body === undefined) return;
  const priced = priceOrder(body);
  if (!priced.ok) return sendJson(res, 400, { error: 'INVALID_PARAM', field: priced.field, message: priced.message });
  if (!ctx.wallet) return walletNotReady(ctx, res);
  const now = new Date(ctx.now());
  const order = {
    orderId: newOrderId(now),
    status: 'PENDING',
    statusSource: null,
    failReason: null,
    items: priced.lines,
    amount: priced.amount,
    description: priced.description,
    paymentId: null,
    paymentUrl: null,
    paymentTime: null,
    createdAt: now.toISOString(),
    notifications: 0,
    buyer: { customerId: session.user.customerId, nickName: session.user.nickName },
  };
  const payRequest = {
    productCode: 'CASHIER_PAYMENT',
    paymentRequestId: order.orderId,
    paymentAmount: order.amount,
    order: {
      referenceOrderId: order.orderId,
      orderDescription: order.description,
      orderAmount: order.amount,
      // The customer id applyToken gave us: the wallet pays as this user.
      buyer: { referenceBuyerId: session.user.customerId },
      merchant: { referenceMerchantId: 'demo-coffee', merchantName: MERCHANT_NAME },
    },
    paymentExpiryTime: formatRequestTime(new Date(now.getTime() + PAYMENT_EXPIRY_MS)),
    paymentNotifyUrl: ctx.notifyUrl,
  };
  await ctx.store.save(order);
  ctx.creating.add(order.orderId); // no inquiry for it until pay has answered
  let answer;
  try {
    answer = await ctx.wallet.pay(payRequest);
  } catch (err) {
    if (!(err instanceof WalletError)) throw err;
    // The payment may or may not exist: the order stays PENDING and inquiry will tell.
    const hint = err.kind === 'signature' ? identityHint(ctx.config, 'INVALID_SIGNATURE') : '';
    return sendJson(res, 502, { error: 'PAYMENT_UNKNOWN', message: err.message + hint, orderId: order.orderId });
  } finally {
    ctx.creating.delete(order.orderId);
  }
  const { result } = answer;
  const paymentUrl = paymentUrlOf(answer);
  if ((result.resultStatus === 'A' || result.resultStatus === 'S') && answer.paymentId && paymentUrl) {
    order.paymentId = answer.paymentId;
    order.paymentUrl = paymentUrl;
    await ctx.store.save(order);
    return sendJson(res, 201, {
      orderId: order.orderId,
      paymentId: order.paymentId,
      paymentUrl,
      amount: order.amount,
      status: order.status,
    });
  }
  if (result.resultStatus === 'F') {
    order.status = 'FAILED';
    order.statusSource = 'pay';
    order.failReason = `${result.resultCode}: ${result.resultMessage ?? ''}`.trim();
    await ctx.store.save(order);
    return sendJson(res, 502, {
      error: 'PAYMENT_REJECTED',
      message: `the wallet refused the payment (${order.failReason})${identityHint(ctx.config, result.resultCode)}`,
      resultCode: result.resultCode,
      orderId: order.orderId,
    });
  }
  // U after every retry, or an A without a paymentUrl: nothing the client can pay with.
  return sendJson(res, 502, {
    error: 'PAYMENT_UNKNOWN',
    message: `the wallet gave no usable answer (${result.resultStatus} ${result.resultCode ?? ''}); try again`,
    orderId: order.orderId,
  });
}

/** `GET /api/orders/:orderId`: the order; while PENDING, inquiryPayment first (rate-limited). */
export async function getOrder(ctx, req, res, { params, session }) {
  const order = ownedBy(ctx.store.get(params.orderId), session);
  if (!order) return sendJson(res, 404, { error: 'ORDER_NOT_FOUND', message: `no order '${params.orderId}'` });
  let inquiryError = null;
  if (!isFinal(order.status)) inquiryError = await inquire(ctx, order);
  return sendJson(res, 200, { ...view(order), ...(inquiryError ? { inquiryError } : {}) });
}

/** `POST /api/orders/:orderId/cancel`: the open API `cancel`; 409 when the order is final or the wallet refused. */
export async function cancelOrder(ctx, req, res, { params, session }) {
  const order = ownedBy(ctx.store.get(params.orderId), session);
  if (!order) return sendJson(res, 404, { error: 'ORDER_NOT_FOUND', message: `no order '${params.orderId}'` });
  if (isFinal(order.status)) {
    return sendJson(res, 409, { error: 'ORDER_FINAL', message: `order is already ${order.status}`, order: view(order) });
  }
  if (!ctx.wallet) return walletNotReady(ctx, res);
  let answer;
  try {
    answer = await ctx.wallet.cancel(order.paymentId ? { paymentId: order.paymentId } : { paymentRequestId: order.orderId });
  } catch (err) {
    if (!(err instanceof WalletError)) throw err;
    return sendJson(res, 502, { error: 'WALLET_ERROR', message: err.message });
  }
  const { result } = answer;
  if (result.resultStatus === 'S') {
    if (!isFinal(order.status)) {
      order.status = 'CANCELLED';
      order.statusSource = 'cancel';
      order.cancelTime = answer.cancelTime ?? null;
      await ctx.store.save(order);
    }
    return sendJson(res, 200, view(order));
  }
  // Typically ORDER_STATUS_INVALID: it was paid or failed meanwhile; find out which.
  ctx.lastInquiry.delete(order.orderId);
  await inquire(ctx, order);
  return sendJson(res, 409, {
    error: result.resultCode ?? 'CANCEL_FAILED',
    message: `the wallet refused to cancel: ${result.resultMessage ?? result.resultCode}`,
    order: view(order),
  });
}

/**
 * The fallback when no notification came: asks the wallet, at most every INQUIRY_INTERVAL_MS
 * per order, one call at a time. Resolves with an error message or null.
 */
async function inquire(ctx, order) {
  if (!ctx.wallet || ctx.creating.has(order.orderId)) return null;
  const running = ctx.inquiries.get(order.orderId);
  if (running) return running;
  // An interval, not a date: measured on the monotonic clock, whatever the merchant's clock says.
  const now = performance.now();
  const last = ctx.lastInquiry.get(order.orderId);
  if (last !== undefined && now - last < INQUIRY_INTERVAL_MS) return null;
  ctx.lastInquiry.set(order.orderId, now);
  const query = order.paymentId ? { paymentId: order.paymentId } : { paymentRequestId: order.orderId };
  const work = (async () => {
    let answer;
    try {
      answer = await ctx.wallet.inquiryPayment(query);
    } catch (err) {
      if (err instanceof WalletError) return err.message;
      throw err;
    }
    const { result } = answer;
    if (isFinal(order.status)) return null; // a notification arrived meanwhile
    if (result.resultStatus === 'S') {
      const status = orderStatusFromPayment(answer.paymentStatus);
      if (!status) return `inquiryPayment returned an unknown paymentStatus '${answer.paymentStatus}'`;
      if (status === 'PENDING') return null;
      settle(order, status, 'inquiry', answer);
      await ctx.store.save(order);
      ctx.log(`order ${order.orderId}: ${status} (learned from inquiryPayment)`);
      return null;
    }
    if (result.resultCode === 'ORDER_NOT_EXIST' && !order.paymentId) {
      // pay never got through: nothing can be paid for this order.
      order.status = 'FAILED';
      order.statusSource = 'inquiry';
      order.failReason = 'PAYMENT_NOT_CREATED';
      await ctx.store.save(order);
      return null;
    }
    return `inquiryPayment: ${result.resultStatus} ${result.resultCode ?? ''} ${result.resultMessage ?? ''}`.trim();
  })();
  ctx.inquiries.set(order.orderId, work);
  try {
    return await work;
  } finally {
    ctx.inquiries.delete(order.orderId);
  }
}

/** The order when it belongs to the session's user, else null (another's order is "not found"). */
function ownedBy(order, session) {
  return order && order.buyer?.customerId === session.user.customerId ? order : null;
}

/** Applies a final wallet status (from a notification or an inquiry) to a pending order. */
export function settle(order, status, source, payment) {
  order.status = status;
  order.statusSource = source;
  order.failReason = status === 'FAILED' ? payment.paymentFailReason || 'UNKNOWN' : null;
  order.paymentTime = payment.paymentTime ?? order.paymentTime ?? null;
  if (!order.paymentId && payment.paymentId) order.paymentId = payment.paymentId;
}

/** What the mini program sees of an order. */
function view(order) {
  return {
    orderId: order.orderId,
    status: order.status,
    statusSource: order.statusSource,
    failReason: order.failReason,
    amount: order.amount,
    items: order.items,
    description: order.description,
    paymentId: order.paymentId,
    paymentUrl: isFinal(order.status) ? null : order.paymentUrl,
    paymentTime: order.paymentTime,
    notifications: order.notifications ?? 0,
    buyer: order.buyer ?? null,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}
