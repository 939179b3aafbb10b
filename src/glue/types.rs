//! TypeScript declarations of the `my` API, emitted into `pkg/miniprogram_shim.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const MY_TYPES: &'static str = r#"
/** The fail object of every `my.*` API (docs/protocol.md §2). */
export interface MyError {
  /** 2 invalid parameter, 3 unknown, 4 no permission / domain not whitelisted, 9 aborted,
   *  12 network, 13 timeout, 14 JSON decode, 19 HTTP status (with `httpErrorAsFail`). */
  error: number;
  errorMessage: string;
}

/** Callbacks every async API accepts; `complete` runs last, once. */
export interface AsyncCallbacks<S, F = MyError> {
  success?: (result: S) => void;
  fail?: (error: F) => void;
  complete?: (resultOrError: S | F) => void;
}

export type RequestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'TRACE' | 'CONNECT';
export type RequestDataType = 'json' | 'text' | 'base64' | 'arraybuffer';

/** `my.request` options (docs/protocol.md §3). */
export interface RequestOptions<T = unknown> extends AsyncCallbacks<RequestSuccess<T>, RequestFail<T>> {
  /** Absolute http(s) URL; its `host[:port]` must be whitelisted. */
  url: string;
  /** Default `GET`. */
  method?: RequestMethod;
  /** Request headers; default `content-type: application/json`. */
  headers?: Record<string, string>;
  /** Alias of `headers`. */
  header?: Record<string, string>;
  /** GET/HEAD: object → query string. Others: object → JSON or form body per content-type;
   *  a string or ArrayBuffer is sent as is. */
  data?: string | Record<string, unknown> | ArrayBuffer | ArrayBufferView;
  /** Milliseconds, default 30000, at most 60000; error 13 when it elapses. */
  timeout?: number;
  /** How `data` of the result is decoded; default `json`. */
  dataType?: RequestDataType;
  /** Send and store cookies (`credentials: 'include'` in direct transport). */
  enableCookie?: boolean;
  /** Fail with error 19 on HTTP status ≥ 400 (overrides the configured default). */
  httpErrorAsFail?: boolean;
}

/** `my.request` success result: `statusCode`/`header` alias `status`/`headers`. */
export interface RequestSuccess<T = unknown> {
  data: T;
  status: number;
  headers: Record<string, string>;
  statusCode: number;
  header: Record<string, string>;
}

/** `my.request` fail object; error 19 also carries the response. */
export interface RequestFail<T = unknown> extends MyError {
  status?: number;
  statusCode?: number;
  data?: T;
  headers?: Record<string, string>;
  header?: Record<string, string>;
}

/** What `my.request` returns: a Promise that can be aborted (fail 9). */
export interface RequestTask<T = unknown> extends Promise<RequestSuccess<T>> {
  /** Fails the call with error 9. Any argument is ignored (`@mini-types/my` declares one). */
  abort(options?: unknown): void;
}

/** `my.alert` options. */
export interface AlertOptions extends AsyncCallbacks<AlertSuccess> {
  title?: string;
  content?: string;
  /** Default "OK". */
  buttonText?: string;
}

/** `my.alert` success result (no fields). */
export interface AlertSuccess {}

/** `my.tradePay` options (docs/protocol.md §4): exactly one of `paymentUrl`, `tradeNO`, `orderStr`.
 *  Only `paymentUrl` (on the super app's cashier origin) is supported by this super app. */
export interface TradePayOptions extends AsyncCallbacks<TradePaySuccess, TradePayFail> {
  /** The cashier URL your server got from `/v1/payments/pay` (`redirectActionForm.redirectUrl`). */
  paymentUrl?: string;
  /** A trade number (≤ 64 characters); fails as unsupported here. */
  tradeNO?: string;
  /** A signed order string; fails as unsupported here. */
  orderStr?: string;
}

/** `9000` paid, `8000` processing, `4000` failed, `6001` cancelled, `6002` network error,
 *  `6004` unknown (may be paid). A hint only: the server notification is the truth. */
export type TradePayResultCode = '9000' | '8000' | '4000' | '6001' | '6002' | '6004';

/** Every payment outcome arrives here (docs/protocol.md §4). */
export interface TradePaySuccess {
  resultCode: TradePayResultCode;
}

/** `fail`: the call could not start (2 invalid parameter, 3 another payment open, 4 not the
 *  cashier origin); with `tradePayFailRouting`, also 4000/6001/6002 (`error` = the code). */
export interface TradePayFail extends MyError {
  resultCode?: TradePayResultCode;
}

/** `my.getAuthCode` options (docs/protocol.md §5b). `auth_base` / `USER_ID` are silent; any other scope
 *  (`auth_user`, `USER_NICKNAME`, `USER_AVATAR`, `USER_CONTACTINFO`, …) asks the user. */
export interface GetAuthCodeOptions extends AsyncCallbacks<GetAuthCodeSuccess, GetAuthCodeFail> {
  /** Default `['auth_base']`. */
  scopes?: string | string[];
}

/** The code for your server's `/v1/authorizations/applyToken` (single use, 5 minutes). */
export interface GetAuthCodeSuccess {
  authCode: string;
  authSuccessScopes: string[];
  /** Scopes refused while others were granted: scope → error code. */
  authErrorScopes?: Record<string, string>;
}

/** error 11 `USER_CANCEL` when the user declines; `authErrorScopes`: scope → error code
 *  (`"10001"` declined, `"40006"` not available to this app). */
export interface GetAuthCodeFail extends MyError {
  authErrorScopes?: Record<string, string>;
}

/** `my.confirm` options. */
export interface ConfirmOptions extends AsyncCallbacks<ConfirmSuccess> {
  title?: string;
  content?: string;
  /** Default "OK". */
  confirmButtonText?: string;
  /** Default "Cancel". */
  cancelButtonText?: string;
}

/** `my.confirm` success result: `true` when the confirm button was chosen. */
export interface ConfirmSuccess {
  confirm: boolean;
}

/** `my.showToast` icon; `none` (the default) shows text only. */
export type ToastType = 'success' | 'fail' | 'exception' | 'none';

/** `my.showToast` options; `success` runs when the toast disappears. */
export interface ShowToastOptions extends AsyncCallbacks<{}> {
  content?: string;
  type?: ToastType;
  /** Milliseconds, default 2000. */
  duration?: number;
}

/** `my.showLoading` options. */
export interface ShowLoadingOptions extends AsyncCallbacks<{}> {
  content?: string;
  /** Milliseconds before it appears, default 0. */
  delay?: number;
}

/** `my.setClipboard` options. */
export interface SetClipboardOptions extends AsyncCallbacks<{}> {
  text: string;
}

/** `my.getClipboard` success result. */
export interface GetClipboardSuccess {
  text: string;
}

/** `my.getSystemInfo` success result (Alipay's fields). */
export interface SystemInfo {
  /** Always `Simulator`. */
  model: string;
  pixelRatio: number;
  windowWidth: number;
  windowHeight: number;
  /** The browser's language, e.g. `en-US`. */
  language: string;
  /** The super app's version. */
  version: string;
  /** Storage available to the mini program: `10 MB`. */
  storage: string;
  /** Always `100%`. */
  currentBattery: string;
  /** OS and version from the user agent: `Android 14`, `iOS 17.4`, `Linux`, `Unknown`, … */
  system: string;
  /** `iOS` on Apple systems, else `Android`. */
  platform: 'iOS' | 'Android';
  /** 0: no native title bar. */
  titleBarHeight: number;
  /** 0: no native status bar. */
  statusBarHeight: number;
  screenWidth: number;
  screenHeight: number;
  /** Always `Simulator`. */
  brand: string;
  /** 16 (px). */
  fontSizeSetting: number;
  /** `superapp-sandbox`. */
  app: string;
}

/** `my.setStorage` options: `data` is stored as JSON (≤ 200 KB per key, 10 MB per mini program). */
export interface SetStorageOptions extends AsyncCallbacks<StorageSuccess> {
  key: string;
  data: unknown;
}

/** `my.getStorage` options. */
export interface GetStorageOptions<T = unknown> extends AsyncCallbacks<GetStorageSuccess<T>> {
  key: string;
}

/** `my.removeStorage` options. */
export interface RemoveStorageOptions extends AsyncCallbacks<StorageSuccess> {
  key: string;
}

/** `my.getStorage(Sync)` result: `null` when nothing is stored under the key. */
export interface GetStorageSuccess<T = unknown> {
  data: T | null;
}

/** `my.getStorageSync` result: `{ data }` (`null` when nothing is stored under the key), or,
 *  on invalid input, the fail fields instead (the Sync forms never throw). Read `.data` at
 *  once, as code written for `@mini-types/my` does, or check `error` first to narrow it. */
export type GetStorageSyncResult<T = unknown> =
  | { data: T | null; error?: undefined; errorMessage?: undefined }
  | { data?: undefined; error: number; errorMessage: string };

/** `my.setStorageSync`/`my.removeStorageSync` result: `{ success: true }`, or the fail fields
 *  (invalid input, storage full). */
export type StorageSyncResult =
  | { success: true; error?: undefined; errorMessage?: undefined }
  | { success?: undefined; error: number; errorMessage: string };

/** `my.setStorage`/`my.removeStorage` (and `Sync`) result. */
export interface StorageSuccess {
  success: true;
}

/** The H5 bridge (`window.AlipayJSBridge`), defined by the my.js bootstrap. */
export interface AlipayJSBridgeApi {
  /** Runs an H5 JSAPI (`toast`, `alert`, `confirm`, `tradePay`, `getStorage`, …); `callback`
   *  gets the result, or `{ error, errorMessage }` (error 1: no such API). */
  call(name: string, params?: Record<string, unknown>, callback?: (result: any) => void): void;
  call(name: string, callback: (result: any) => void): void;
}

/** One entry per `my.*` call, given to the `logger` of `configure`. */
export interface CallLogEntry {
  api: string;
  options: unknown;
  ok: boolean;
  result: unknown;
  durationMs: number;
}

/** `configure(...)` keys; all optional, merged over the current configuration. */
export interface RuntimeConfig {
  appId?: string;
  /** `[http(s)://]host[:port]` (no port: the default port only), `*.domain` or `*`; an empty list allows nothing (docs/protocol.md §3 "The domain whitelist"). */
  whitelist?: string[];
  transport?: 'direct' | 'relay';
  /** Default `<superAppOrigin>/relay`. */
  relayUrl?: string | null;
  superAppOrigin?: string | null;
  cashierOrigins?: string[];
  httpErrorAsFail?: boolean;
  tradePayFailRouting?: boolean;
  /** Where the cashier shows: `overlay` (default) or `shell` (the simulator). */
  tradePayHost?: 'overlay' | 'shell';
  /** Faults injected into `my.request` (the simulator's devtools). */
  networkFaults?: { latencyMs?: number; offline?: boolean; timeout?: boolean };
  logger?: ((entry: CallLogEntry) => void) | null;
}

/** The `my` object of a mini program. */
export interface My {
  request<T = unknown>(options: RequestOptions<T>): RequestTask<T>;
  tradePay(options: TradePayOptions): Promise<TradePaySuccess>;
  getAuthCode(options?: GetAuthCodeOptions): Promise<GetAuthCodeSuccess>;
  alert(options?: AlertOptions): Promise<AlertSuccess>;
  canIUse(schema: string): boolean;
  confirm(options?: ConfirmOptions): Promise<ConfirmSuccess>;
  showToast(options?: ShowToastOptions): Promise<{}>;
  hideToast(options?: AsyncCallbacks<{}>): Promise<{}>;
  showLoading(options?: ShowLoadingOptions): Promise<{}>;
  hideLoading(options?: AsyncCallbacks<{}>): Promise<{}>;
  setClipboard(options: SetClipboardOptions): Promise<{}>;
  getClipboard(options?: AsyncCallbacks<GetClipboardSuccess>): Promise<GetClipboardSuccess>;
  getSystemInfo(options?: AsyncCallbacks<SystemInfo>): Promise<SystemInfo>;
  setStorage(options: SetStorageOptions): Promise<StorageSuccess>;
  getStorage<T = unknown>(options: GetStorageOptions<T>): Promise<GetStorageSuccess<T>>;
  removeStorage(options: RemoveStorageOptions): Promise<StorageSuccess>;
  /** Returns the fail object (never throws) on invalid input or a full storage. */
  setStorageSync(options: { key: string; data: unknown }): StorageSyncResult;
  setStorageSync(key: string, data: unknown): StorageSyncResult;
  getStorageSync<T = unknown>(options: { key: string } | string): GetStorageSyncResult<T>;
  removeStorageSync(options: { key: string } | string): StorageSyncResult;
}

declare global {
  /** The mini program's `my`, defined by the `my.js` bootstrap script. */
  const my: My;
  /** The H5 bridge, defined by the my.js bootstrap (calls queue until the runtime is ready). */
  const AlipayJSBridge: AlipayJSBridgeApi;
}
"#;
