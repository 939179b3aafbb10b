//! TypeScript declarations of the issue 9 core APIs (merged into `My` of `glue::types`),
//! compatible with `@mini-types/my`: code written against it compiles against these.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CORE_TYPES: &'static str = r#"
/** `my.getStorageInfo(Sync)` result: the app's keys and its sizes in KB. */
export interface StorageInfo {
  keys: string[];
  /** KB in use (keys plus data; a started KB counts). */
  currentSize: number;
  /** 10240 (10 MB). */
  limitSize: number;
}

/** `my.clearStorage` / `clearStorageSync` result. */
export interface ClearStorageSuccess {
  success: boolean;
}

/** `my.getWindowInfo()`. */
export interface WindowInfo {
  pixelRatio: number;
  screenWidth: number;
  screenHeight: number;
  windowWidth: number;
  windowHeight: number;
  statusBarHeight: number;
  safeArea: { left: number; right: number; top: number; bottom: number; width: number; height: number };
  screenTop?: number;
}

/** `my.getAppBaseInfo()`: `SDKVersion` and `version` are the shim's version. */
export interface AppBaseInfo {
  SDKVersion: string;
  language: string;
  version: string;
}

/** `my.getAccountInfoSync()`: `envVersion` is always `develop` in the simulator. */
export interface AccountInfo {
  miniProgram: { appId: string; envVersion: 'release' | 'develop' | 'trial' | 'gray'; version: string };
  plugin?: { appId: string; version: string };
}

/** `my.getLaunchOptionsSync()` / `getEnterOptionsSync()` (scene 1000). */
export interface LaunchOptions {
  path?: string;
  query?: Record<string, unknown>;
  referrerInfo?: { appId: string; sourceServiceId?: string; extraData: Record<string, unknown> };
  scene?: number;
  apiCategory?: 'default' | 'embedded';
}

export type NetworkType = 'UNKNOWN' | 'NOTREACHABLE' | 'WIFI' | '3G' | '2G' | '4G' | 'WWAN';

/** `my.getNetworkType` success (also carries `isConnected`). */
export interface NetworkTypeSuccess {
  networkAvailable: boolean;
  networkType: NetworkType;
  isConnected?: boolean;
}

/** The `my.onNetworkStatusChange` event (also carries `networkAvailable`). */
export interface NetworkStatusChange {
  isConnected: boolean;
  networkType: NetworkType;
  networkAvailable?: boolean;
}

/** `my.getBatteryInfo(Sync)`: what the devtools set (default 100, not charging). */
export interface BatteryInfo {
  level: number;
  isCharging: boolean;
}

/** `my.onUnhandledRejection` event. */
export interface UnhandledRejectionEvent {
  reason: unknown;
  promise: Promise<unknown>;
}

/** `setDeviceState(...)`: the phone's state the simulator's devtools set. */
export interface DeviceStatePatch {
  networkType?: NetworkType;
  /** Whole percent, 0–100. */
  batteryLevel?: number;
  charging?: boolean;
  /** false: the app goes to the background (`onAppHide`); true: back (`onAppShow`). */
  foreground?: boolean;
}

/** The fail object an unimplemented API answers with: error 1, "<name> is not supported by
 *  this simulator". Unimplemented names are reachable as `my[name]` (never `undefined`), but
 *  are not declared: `my.canIUse(name)` says what exists. */
export interface UnsupportedError extends MyError {
  error: 1;
}

export interface My {
  clearStorage(options?: AsyncCallbacks<ClearStorageSuccess>): Promise<ClearStorageSuccess>;
  /** `{ success: true }`, or `{ success: false, error, errorMessage }` when localStorage is
   *  unavailable. */
  clearStorageSync(): { success: boolean; error?: number; errorMessage?: string };
  getStorageInfo(options?: AsyncCallbacks<StorageInfo>): Promise<StorageInfo>;
  getStorageInfoSync(): StorageInfo;
  /** The fail object instead for a non-object argument. */
  getSystemInfoSync(options?: { includeNotification?: boolean; includeBluetooth?: boolean }): SystemInfo;
  getWindowInfo(): WindowInfo;
  getAppBaseInfo(): AppBaseInfo;
  getAccountInfoSync(): AccountInfo;
  getAppIdSync(): { appId: string };
  getLaunchOptionsSync(): LaunchOptions;
  getEnterOptionsSync(): LaunchOptions;
  getNetworkType(options?: AsyncCallbacks<NetworkTypeSuccess>): Promise<NetworkTypeSuccess>;
  onNetworkStatusChange(callback: (event: NetworkStatusChange) => void): void;
  offNetworkStatusChange(callback?: (event: NetworkStatusChange) => void): void;
  onAppShow(callback: (options: LaunchOptions) => void): void;
  offAppShow(callback?: (options: LaunchOptions) => void): void;
  onAppHide(callback: () => void): void;
  offAppHide(callback?: () => void): void;
  onError(callback: (message: string, stack: string) => void): void;
  offError(callback?: (message: string, stack: string) => void): void;
  onUnhandledRejection(callback: (event: UnhandledRejectionEvent) => void): void;
  offUnhandledRejection(callback?: (event: UnhandledRejectionEvent) => void): void;
  /** The simulator's "Take a screenshot" button (a browser has no screenshot event). */
  onUserCaptureScreen(callback: () => void): void;
  offUserCaptureScreen(callback?: () => void): void;
  getBatteryInfo(options?: AsyncCallbacks<BatteryInfo>): Promise<BatteryInfo>;
  getBatteryInfoSync(): BatteryInfo;
}
"#;
