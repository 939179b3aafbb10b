// A mini program written against `@mini-types/my`, the declarations Alipay mini program
// developers use, calling every API this runtime implements the way such code calls them.
// `tests/ts/check` type-checks it twice: against `@mini-types/my` (plus the Alipay+
// `paymentUrl` of tradePay, `alipay-plus.d.ts`), which proves it is ordinary code of that
// world, and against our `pkg/miniprogram_shim.d.ts`, which must accept it unchanged.

const API = 'https://shop.example/api';

export async function signIn(): Promise<string> {
  const { authCode } = await my.getAuthCode({ scopes: ['auth_user'] });
  my.getAuthCode({
    scopes: 'auth_base',
    success: (res) => console.log(res.authCode, res.authSuccessScopes),
    fail: (err) => console.warn(err.error, err.errorMessage),
    complete: () => console.log('asked'),
  });
  return authCode;
}

export async function authorizations(): Promise<boolean> {
  const { authSetting } = await my.getSetting();
  my.getSetting({ success: (res) => console.log(res.authSetting.userInfo, res.authSetting.location) });
  if (authSetting.userInfo === false) {
    const after = await my.openSetting({ fail: (err) => console.warn(err.error, err.errorMessage) });
    return after.authSetting.userInfo === true;
  }
  return authSetting.userInfo === true;
}

export async function createOrder(sku: string): Promise<string> {
  const res = await my.request({
    url: `${API}/orders`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    data: { sku, qty: '1' },
    dataType: 'json',
    timeout: 10000,
  });
  const status: number = res.status;
  const same: number = res.statusCode;
  const contentType = res.headers['content-type'] ?? res.header['content-type'];
  console.log(status, same, contentType);
  return (res.data as { paymentUrl: string }).paymentUrl;
}

export function loadGoods(onDone: (count: number) => void): void {
  const task = my.request({
    url: `${API}/goods`,
    success(res) {
      onDone((res.data as unknown as unknown[]).length);
    },
    fail(err) {
      if (err.error === 13) console.warn('timed out');
      console.warn(err.errorMessage);
    },
    complete() {
      console.log('loaded');
    },
  });
  // @mini-types/my declares abort with an options object; the runtime ignores it.
  setTimeout(() => task.abort({ requestTaskId: 1, operationType: 'abort' }), 5000);
}

export async function pay(paymentUrl: string): Promise<string> {
  my.tradePay({
    paymentUrl,
    success: (res) => console.log(res.resultCode),
    fail: (err) => console.warn(err.error, err.errorMessage),
  });
  const { resultCode } = await my.tradePay({ paymentUrl });
  return resultCode;
}

export async function remember(orderId: string): Promise<unknown> {
  my.setStorageSync({ key: 'lastOrder', data: { orderId } });
  const last = my.getStorageSync({ key: 'lastOrder' }).data;
  my.removeStorageSync({ key: 'lastOrder' });
  await my.setStorage({ key: 'cart', data: [orderId] });
  const { data } = await my.getStorage({ key: 'cart' });
  my.removeStorage({ key: 'cart', success: () => console.log('removed') });
  return last ?? data;
}

export async function dialogs(): Promise<boolean> {
  await my.alert({ title: 'Paid', content: 'Thank you', buttonText: 'OK' });
  const { confirm } = await my.confirm({
    title: 'Cancel the order?',
    content: 'Your latte is not paid yet.',
    confirmButtonText: 'Cancel it',
    cancelButtonText: 'Keep it',
  });
  my.showToast({ content: 'Saved', type: 'success', duration: 1500 });
  my.hideToast();
  my.showLoading({ content: 'Paying…', delay: 100 });
  my.hideLoading();
  return confirm;
}

export async function device(): Promise<string> {
  await my.setClipboard({ text: 'ORDER-1' });
  const { text } = await my.getClipboard();
  const info = await my.getSystemInfo();
  const width: number = info.windowWidth;
  const ratio: number = info.pixelRatio;
  const canPay: boolean = my.canIUse('tradePay');
  return `${text} ${info.platform} ${info.system} ${width}x${ratio} ${canPay}`;
}
