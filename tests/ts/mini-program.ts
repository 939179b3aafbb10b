// A mini program page written in TypeScript: `my` is the global the my.js bootstrap defines.
// Type-checked (never run) by `tsc -p tests/ts --noEmit`; the @ts-expect-error lines make the
// check fail if the declarations ever stop catching those mistakes.

interface Order {
  orderId: string;
  amount: { currency: string; value: string };
}

const API = 'http://127.0.0.1:8702/api';

// Callback style.
my.request<Order>({
  url: `${API}/orders`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  data: { sku: 'latte', qty: 2 },
  timeout: 10_000,
  success(res) {
    const id: string = res.data.orderId;
    const status: number = res.statusCode;
    const contentType: string | undefined = res.header['content-type'];
    console.log(id, status, contentType);
  },
  fail(err) {
    const code: number = err.error;
    const message: string = err.errorMessage;
    console.log(code, message, err.status);
  },
  complete() {
    console.log('done');
  },
});

// await style, with abort().
async function loadOrder(orderId: string): Promise<Order | null> {
  const task = my.request<Order>({ url: `${API}/orders/${orderId}`, dataType: 'json', httpErrorAsFail: true });
  const timer = setTimeout(() => task.abort(), 5000);
  try {
    const res = await task;
    return res.status === 200 ? res.data : null;
  } catch (e) {
    const err = e as { error: number; errorMessage: string };
    if (err.error === 9) return null;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

async function download(): Promise<number> {
  const res = await my.request<ArrayBuffer>({ url: `${API}/receipt.pdf`, dataType: 'arraybuffer' });
  return res.data.byteLength;
}

async function pay(paymentUrl: string): Promise<string> {
  await my.alert({ title: 'Pay', content: 'Opening the cashier', buttonText: 'Continue' });
  const { resultCode } = await my.tradePay({ paymentUrl });
  return resultCode;
}

const canPay: boolean = my.canIUse('tradePay.object.paymentUrl');

// The small JSAPIs.
async function checkout(cart: Order[]): Promise<boolean> {
  const { confirm } = await my.confirm({ title: 'Pay now?', content: `${cart.length} items`, confirmButtonText: 'Pay' });
  if (!confirm) return false;
  my.showLoading({ content: 'Creating the order…', delay: 200 });
  try {
    await my.setStorage({ key: 'cart', data: cart });
  } finally {
    await my.hideLoading();
  }
  my.showToast({ type: 'success', content: 'Saved', duration: 1500, success: () => console.log('gone') });
  return true;
}

async function restoreCart(): Promise<Order[]> {
  const { data } = await my.getStorage<Order[]>({ key: 'cart' });
  return data ?? [];
}

function lastOrderId(): string | null {
  const res = my.getStorageSync<string>({ key: 'lastOrderId' });
  if (res.error !== undefined) {
    console.warn(res.errorMessage);
    return null;
  }
  return res.data;
}

async function layout(): Promise<string> {
  const info = await my.getSystemInfo();
  const width: number = info.windowWidth;
  const copied = await my.setClipboard({ text: String(width) }).then(() => my.getClipboard());
  return `${info.platform} ${info.system} ${copied.text}`;
}

// An H5 page's bridge call.
AlipayJSBridge.call('toast', { content: 'hello', type: 'success' }, (res) => console.log(res));
AlipayJSBridge.call('hideLoading');

// @ts-expect-error toast types are Alipay's four
my.showToast({ type: 'warning' });
// @ts-expect-error setClipboard needs text
my.setClipboard({});
// @ts-expect-error the sync result may be a fail object (no data): check `error` first
const unchecked: string | null = my.getStorageSync<string>('k').data;

// Mistakes the declarations must catch:
// @ts-expect-error url is required
my.request({ method: 'GET' });
// @ts-expect-error timeout is a number of milliseconds
my.request({ url: API, timeout: '30s' });
// @ts-expect-error not one of the four dataTypes
my.request({ url: API, dataType: 'xml' });
// @ts-expect-error PATCH is not a my.request method
my.request({ url: API, method: 'PATCH' });
// @ts-expect-error header values are strings
my.request({ url: API, headers: { 'x-id': { nested: true } } });
// @ts-expect-error the success result has no `body`
my.request({ url: API, success: (res) => res.body });
// @ts-expect-error data is unknown until typed
my.request({ url: API, success: (res) => res.data.orderId });
// @ts-expect-error canIUse answers a boolean
const wrong: string = my.canIUse('request');

export { loadOrder, download, pay, canPay, wrong, checkout, restoreCart, lastOrderId, layout, unchecked };
