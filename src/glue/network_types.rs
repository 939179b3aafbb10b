//! TypeScript declarations of `uploadFile`/`downloadFile` and the socket APIs (merged into `My`
//! of `glue::types`), compatible with `@mini-types/my`: code written against it compiles
//! against these (tests/ts/mini-types/network.ts).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const NETWORK_TYPES: &'static str = r#"
/** `onProgressUpdate`'s event: the file's bytes so far and in all, and the percentage. */
export interface TransferProgress {
  progress: number;
  totalBytesWritten: number;
  totalBytesExpectedToWrite: number;
}

/** What the Promise of `uploadFile`/`downloadFile` also is (the typings' UploadTask and
 *  DownloadTask). `abort()` fails the call with error 9. */
export interface TransferTask {
  abort(options?: AsyncCallbacks<{ success: true }> & Record<string, unknown>): Promise<{ success: true }>;
  onProgressUpdate(callback: (event: TransferProgress) => void): void;
  offProgressUpdate(callback?: (event: any) => void): void;
  /** Direct transport only: the relay gives the headers with the whole answer. */
  onHeadersReceived(callback: (event: { header: Record<string, string>; headers: Record<string, string> }) => void): void;
  offHeadersReceived(callback?: (event: any) => void): void;
}

/** `my.downloadFile` options: the `url` must be whitelisted; at most 10 MiB. */
export interface DownloadFileOptions extends AsyncCallbacks<DownloadFileSuccess> {
  url: string;
  header?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}

/** `my.downloadFile` success: the file's `apFilePath` in the page's file store. */
export interface DownloadFileSuccess {
  apFilePath: string;
  /** The same path. */
  tempFilePath: string;
  headers: Record<string, string>;
  header: Record<string, string>;
}

/** `my.uploadFile` options: a stored file sent as `multipart/form-data` (at most 1 MiB). */
export interface UploadFileOptions extends AsyncCallbacks<UploadFileSuccess> {
  url: string;
  /** An `apFilePath` that `my.downloadFile` gave. */
  filePath: string;
  /** The form field of the file (`fileName` is its alias). */
  name?: string;
  fileName?: string;
  fileType: 'image' | 'video' | 'audio' | string;
  /** Accepted; the simulator shows no loading indicator. */
  hideLoading?: boolean;
  header?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  formData?: Record<string, unknown>;
}

/** `my.uploadFile` success: the server's answer as text. */
export interface UploadFileSuccess {
  data: string;
  statusCode: number;
  header: Record<string, string>;
}

/** `my.connectSocket` options: a `ws://` (loopback) or `wss://` URL whose domain is
 *  whitelisted. `header` is accepted but a browser's WebSocket cannot send it. */
export interface ConnectSocketOptions extends AsyncCallbacks<{ socketTaskID?: string }> {
  url: string;
  data?: Record<string, unknown>;
  header?: Record<string, unknown>;
  protocols?: string[];
  multiple?: boolean;
}

/** `sendSocketMessage` / `SocketTask.send` options: text, or base64 with `isBuffer: true`. */
export interface SendSocketMessageOptions extends AsyncCallbacks<{ success: boolean }> {
  data: string | ArrayBuffer;
  isBuffer?: boolean;
}

/** `closeSocket` / `SocketTask.close` options: `code` 1000 or 3000–4999, `reason` ≤ 123 bytes. */
export interface CloseSocketOptions extends AsyncCallbacks<{ message: string }> {
  code?: number;
  reason?: string;
}

/** A message: text, or (binary) base64 for the global socket and an ArrayBuffer for a task. */
export interface SocketMessage {
  data: string | ArrayBuffer;
  isBuffer: boolean;
}

/** `connectSocket({ multiple: true })`. */
export interface SocketTask {
  socketTaskID: string;
  send(options: SendSocketMessageOptions): Promise<{ success: boolean }>;
  close(options?: CloseSocketOptions): Promise<{ message: string }>;
  onOpen(callback: (event: { data: { socketTaskID: string } }) => void): void;
  offOpen(callback?: (event: any) => void): void;
  onMessage(callback: (event: { data: SocketMessage & { socketTaskID: string } }) => void): void;
  offMessage(callback?: (event: any) => void): void;
  onError(callback: (event: { data: { socketTaskID: string; errorMessage: string }; error: number }) => void): void;
  offError(callback?: (event: any) => void): void;
  onClose(callback: (event: { data: { socketTaskID: string; code: number; reason: string } }) => void): void;
  offClose(callback?: (event: any) => void): void;
}

export interface My {
  downloadFile(options: DownloadFileOptions): Promise<DownloadFileSuccess> & TransferTask;
  uploadFile(options: UploadFileOptions): Promise<UploadFileSuccess> & TransferTask;
  connectSocket(options: ConnectSocketOptions & { multiple: true }): SocketTask;
  connectSocket(options: ConnectSocketOptions): Promise<{}>;
  sendSocketMessage(options: SendSocketMessageOptions): Promise<{ success: boolean }>;
  closeSocket(options?: CloseSocketOptions): Promise<{ message: string }>;
  onSocketOpen(callback: (event: {}) => void): void;
  offSocketOpen(callback?: (event: {}) => void): void;
  onSocketMessage(callback: (event: SocketMessage) => void): void;
  offSocketMessage(callback?: (event: SocketMessage) => void): void;
  onSocketError(callback: (event: { error: number; errorMessage: string }) => void): void;
  offSocketError(callback?: (event: { error: number; errorMessage: string }) => void): void;
  onSocketClose(callback: (event: { code: number; reason: string }) => void): void;
  offSocketClose(callback?: (event: { code: number; reason: string }) => void): void;
}
"#;
