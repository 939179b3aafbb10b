// The issue 9 core APIs called as code written against `@mini-types/my` calls them. Checked
// against @mini-types/my and against our declarations (tests/ts/check), like program.ts.

export async function storageAndInfo(): Promise<number> {
  const cleared: boolean = my.clearStorageSync().success;
  my.clearStorage({ success: (res) => console.log(res.success) });
  await my.clearStorage();
  const info = my.getStorageInfoSync();
  const keys: string[] = info.keys;
  const used: number = info.currentSize + info.limitSize;
  const { currentSize } = await my.getStorageInfo();
  my.getStorageInfo({ success: (res) => console.log(res.keys.length), fail: (e) => console.warn(e.errorMessage) });
  const width: number = my.getSystemInfoSync().windowWidth;
  const w = my.getWindowInfo();
  const safe: number = w.safeArea.width + w.pixelRatio + w.statusBarHeight;
  const base: string = my.getAppBaseInfo().SDKVersion + my.getAppBaseInfo().language;
  const appId: string = my.getAccountInfoSync().miniProgram.appId + my.getAppIdSync().appId;
  const launch = my.getLaunchOptionsSync();
  const enter = my.getEnterOptionsSync();
  console.log(cleared, keys, base, appId, launch.path, launch.query, enter.scene);
  return used + currentSize + width + safe;
}

export async function network(): Promise<boolean> {
  const { networkAvailable, networkType } = await my.getNetworkType();
  my.getNetworkType({ success: (res) => console.log(res.networkType) });
  const onChange = (res: { isConnected: boolean; networkType: string }) => console.log(res.isConnected, res.networkType);
  my.onNetworkStatusChange(onChange);
  my.offNetworkStatusChange(onChange);
  return networkAvailable && networkType !== 'NOTREACHABLE';
}

export function appEvents(): void {
  const shown = (options: { path?: string; query?: Record<string, unknown> }) => console.log(options.path);
  my.onAppShow(shown);
  // @mini-types/my types offAppShow's callback as `() => void`: remove them all.
  my.offAppShow();
  const hidden = () => console.log('hidden');
  my.onAppHide(hidden);
  my.offAppHide(hidden);
  const onError = (message: string, stack: string) => console.error(message, stack);
  my.onError(onError);
  my.offError(onError);
  const onRejection = (event: { reason: unknown }) => console.error(event.reason);
  my.onUnhandledRejection(onRejection);
  my.offUnhandledRejection(onRejection);
}

export async function device(): Promise<number> {
  my.vibrate({ success: () => console.log('buzz') });
  await my.vibrateShort();
  my.vibrateLong({});
  my.makePhoneCall({ number: '+1 555 0100' });
  my.setKeepScreenOn({ keepScreenOn: true, fail: (e) => console.warn(e.errorMessage) });
  await my.setScreenBrightness({ brightness: 0.5 });
  const { brightness } = await my.getScreenBrightness();
  const { level, isCharging } = await my.getBatteryInfo();
  const sync = my.getBatteryInfoSync();
  console.log(isCharging, sync.isCharging);
  return brightness + level + sync.level;
}

export async function titleBar(): Promise<void> {
  await my.setNavigationBar({ title: 'Orders', backgroundColor: '#ffd400', borderBottomColor: '#ff0000', frontColor: '#000000' });
  my.setNavigationBar({ image: 'https://example.com/logo.png', reset: true, success: () => console.log('set'), fail: (e) => console.warn(e.errorMessage) });
  await my.setNavigationBarTitle({ title: 'Order 42' });
  await my.setNavigationBarColor({ backgroundColor: '#000000', frontColor: '#ffffff' });
  await my.setNavigationBarBottomLineColor({ borderBottomColor: '#eeeeee' });
  my.showNavigationBarLoading();
  await my.hideNavigationBarLoading({ complete: () => console.log('done') });
}
