//! TypeScript declarations of the socket APIs of the extras module (merged into its `My`; the
//! start module's `My` extends it), compatible with `@mini-types/my`: code written against it
//! compiles against these (tests/ts/mini-types/network.ts). The global listeners
//! (`onSocketOpen` …) are the start module's, declared in `src/glue/socket.rs`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const SOCKET_TYPES: &'static str = r#"
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
  connectSocket(options: ConnectSocketOptions & { multiple: true }): SocketTask;
  connectSocket(options: ConnectSocketOptions): Promise<{}>;
  sendSocketMessage(options: SendSocketMessageOptions): Promise<{ success: boolean }>;
  closeSocket(options?: CloseSocketOptions): Promise<{ message: string }>;
}
"#;
