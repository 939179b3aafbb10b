//! TypeScript declarations of `uploadFile`/`downloadFile` (merged into this module's `My`, which
//! the start module's `My` extends), compatible with `@mini-types/my`
//! (tests/ts/mini-types/network.ts).

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

export interface My {
  downloadFile(options: DownloadFileOptions): Promise<DownloadFileSuccess> & TransferTask;
  uploadFile(options: UploadFileOptions): Promise<UploadFileSuccess> & TransferTask;
}
"#;
