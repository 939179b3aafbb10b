#!/usr/bin/env node
// Loopback HTTP server for the shim's browser tests, bootstrap tests, demo and benchmark.
// Zero dependencies (Node 20). CORS on every response so pages on other origins can call it.
//
//   node tests/server/echo-server.mjs [--port 8791] [--static-port 8790] [--pkg DIR]
//                                     [--peer DIR] [--base DIR] [--gzip]
//   env: ECHO_PORT, STATIC_PORT, PKG_DIR
//
// API (port --port):
//   ANY  /echo...          → 200 JSON { method, path, query, headers, bodyBase64, bodyText }
//   GET  /slow?ms=N        → waits N ms, then 200 {"slow":N}
//   GET  /slow-body?ms=N   → sends the headers at once and the body after N ms
//   GET  /invalid-json     → 200 application/json that is not JSON
//   GET  /binary?size=N    → N bytes (byte i = i % 251), application/octet-stream
//   ANY  /status/{code}    → that status, JSON body {"status":code,"message":...}, x-custom header
//   ANY  /json1k           → ~1 KB JSON (POST reads the body first)
//   GET  /text             → text/plain "héllo 支付"
//   GET  /empty            → 200, empty body
//   GET  /multi-header     → two `x-multi` headers
//   GET  /close            → destroys the connection (network error)
//   POST /relay            → a minimal relay with DESIGN.md's envelope (hosts containing
//                            "blocked" answer {error:"whitelist"})
//   GET  /file?size=N&type=T → N bytes (as /binary) with content-length and content-type T
//   GET  /endless          → application/octet-stream that never ends (64 KiB slices)
//   POST /upload           → reads a multipart/form-data body: 200 JSON { contentType, fields,
//                            files: [{ name, filename, contentType, size, sum }] }
//   WS   /ws               → a WebSocket echo (text and binary); the text "close-me" makes the
//                            server close with 4001 "bye", "push" makes it send "pushed"
// Static (port --static-port, optional): `www/` at `/`, `pkg/` (or --pkg) at `/pkg/`,
// `tests/` at `/tests/`, and a fake `/sandbox/mini-programs/test-runtime/runtime`; with
// --peer, that folder at `/peer/` (the benchmark's bundled peer runtime); with --base, that
// folder at `/base/` (another build of pkg/, for tests/bench/profile.mjs); with --gzip, files
// compressed as the sandbox does (the cold start benchmark): brotli at quality 11 for browsers
// that accept it, else gzip.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const port = Number(arg('--port', process.env.ECHO_PORT || 8791));
const staticPort = Number(arg('--static-port', process.env.STATIC_PORT || 0));
const pkgDir = path.resolve(arg('--pkg', process.env.PKG_DIR || path.join(root, 'pkg')));
const peerDir = arg('--peer', '') && path.resolve(arg('--peer', ''));
const baseDir = arg('--base', '') && path.resolve(arg('--base', ''));
const gzip = args.includes('--gzip');

// ~1 KB of JSON: a list of order items.
const JSON_1K = (() => {
  const items = [];
  let text = '';
  for (let i = 0; text.length < 1000; i++) {
    items.push({ id: i, name: `item-${i}`, price: { currency: 'USD', value: String(1000 + i) } });
    text = JSON.stringify({ items });
  }
  return text;
})();

function cors(req, res) {
  const origin = req.headers.origin;
  res.setHeader('access-control-allow-origin', origin || '*');
  if (origin) {
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'origin');
  }
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS, HEAD, PATCH');
  res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] || '*');
  res.setHeader('access-control-max-age', '600');
}

function send(req, res, status, headers, body) {
  cors(req, res);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const names = new Set(Object.keys(res.getHeaders()));
  res.setHeader('access-control-expose-headers', [...names].join(', '));
  res.writeHead(status);
  res.end(req.method === 'HEAD' ? undefined : body);
}

const json = (req, res, status, value, headers = {}) =>
  send(req, res, status, { 'content-type': 'application/json', ...headers }, JSON.stringify(value));

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const binary = (size) => {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = i % 251;
  return buf;
};
const BINARY_CACHE = new Map();

async function relay(req, res) {
  const envelope = JSON.parse((await readBody(req)).toString('utf8') || '{}');
  let target;
  try {
    target = new URL(envelope.url);
  } catch {
    return json(req, res, 200, { error: 'bad_request', message: 'bad url' });
  }
  if (target.hostname.includes('blocked')) {
    return json(req, res, 200, { error: 'whitelist', message: `${target.host} is not whitelisted` });
  }
  // The sandbox relay's refusals, by name: a page that is not the app's registered origin, and
  // every relay slot in use.
  if (target.hostname === 'origin.localhost') {
    return json(req, res, 200, { error: 'origin', message: 'the relay of app test-app answers only its registered origin http://127.0.0.1:8701' });
  }
  if (target.hostname === 'busy.localhost') {
    return json(req, res, 200, { error: 'busy', message: '16 relays are in flight; try again' });
  }
  try {
    const upstream = await fetch(target, {
      method: envelope.method,
      headers: envelope.headers,
      body: envelope.body ? Buffer.from(envelope.body, 'base64') : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(envelope.timeoutMs || 30000),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    const headers = [];
    upstream.headers.forEach((v, k) => { if (!k.startsWith('access-control-')) headers.push([k, v]); });
    // As the sandbox's relay: the answer's length, and the upstream body's for progress.
    const text = JSON.stringify({ status: upstream.status, headers, body: body.toString('base64') });
    return send(req, res, 200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'x-relay-body-length': String(body.length),
    }, text);
  } catch (e) {
    const timeout = e.name === 'TimeoutError';
    return json(req, res, 200, { error: timeout ? 'timeout' : 'network', message: String(e.message) });
  }
}

async function api(req, res) {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    cors(req, res);
    res.writeHead(204);
    return res.end();
  }
  if (p.startsWith('/echo')) {
    const body = await readBody(req);
    return json(req, res, 200, {
      method: req.method,
      path: p,
      query: url.search.replace(/^\?/, ''),
      headers: req.headers,
      bodyBase64: body.toString('base64'),
      bodyText: body.toString('utf8'),
    });
  }
  if (p === '/slow') {
    const ms = Number(url.searchParams.get('ms') || 1000);
    await new Promise((r) => setTimeout(r, ms));
    return json(req, res, 200, { slow: ms });
  }
  if (p === '/slow-body') {
    const ms = Number(url.searchParams.get('ms') || 1000);
    cors(req, res);
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-expose-headers': '*' });
    res.write('{"slow":');
    setTimeout(() => res.end(`${ms}}`), ms);
    return;
  }
  if (p === '/invalid-json') return send(req, res, 200, { 'content-type': 'application/json' }, '{"not": json');
  if (p === '/binary') {
    const size = Math.min(Number(url.searchParams.get('size') || 1024), 10 * 1024 * 1024);
    if (!BINARY_CACHE.has(size)) BINARY_CACHE.set(size, binary(size));
    return send(req, res, 200, { 'content-type': 'application/octet-stream' }, BINARY_CACHE.get(size));
  }
  const status = p.match(/^\/status\/(\d{3})$/);
  if (status) {
    const code = Number(status[1]);
    await readBody(req);
    if (code === 204 || code === 304) return send(req, res, code, { 'x-custom': `status-${code}` }, undefined);
    return json(req, res, code, { status: code, message: http.STATUS_CODES[code] || 'status' }, { 'x-custom': `status-${code}` });
  }
  if (p === '/json1k') {
    await readBody(req);
    return send(req, res, 200, { 'content-type': 'application/json' }, JSON_1K);
  }
  if (p === '/text') return send(req, res, 200, { 'content-type': 'text/plain; charset=utf-8' }, 'héllo 支付');
  if (p === '/empty') return send(req, res, 200, {}, '');
  if (p === '/multi-header') {
    cors(req, res);
    res.setHeader('x-multi', ['a', 'b']);
    res.setHeader('access-control-expose-headers', 'x-multi');
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{}');
  }
  if (p === '/close') return req.socket.destroy();
  if (p === '/file') {
    const size = Math.min(Number(url.searchParams.get('size') || 1024), 20 * 1024 * 1024);
    if (!BINARY_CACHE.has(size)) BINARY_CACHE.set(size, binary(size));
    return send(req, res, 200, {
      'content-type': url.searchParams.get('type') || 'application/octet-stream',
      'content-length': String(size),
    }, BINARY_CACHE.get(size));
  }
  if (p === '/endless') {
    cors(req, res);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const slice = Buffer.alloc(64 * 1024, 7);
    const pump = () => {
      while (!res.destroyed && res.write(slice));
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => res.destroy());
    return pump();
  }
  if (p === '/upload' && req.method === 'POST') {
    const body = await readBody(req);
    return json(req, res, 200, parseMultipart(req.headers['content-type'] || '', body));
  }
  if (p === '/relay' && req.method === 'POST') return relay(req, res);
  return json(req, res, 404, { error: 'not found', path: p });
}

// A multipart/form-data body as the test asserts on it: each part's name, filename, type,
// size and byte sum (the file's bytes are i % 251, so the sum says they arrived unchanged).
function parseMultipart(contentType, body) {
  const m = contentType.match(/boundary=(.+)$/);
  const out = { contentType, fields: {}, files: [] };
  if (!m) return out;
  const delimiter = Buffer.from(`--${m[1]}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.slice(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.slice(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.slice(0, split).toString('utf8');
    const content = part.slice(split + 4);
    const name = (head.match(/name="([^"]*)"/) || [])[1];
    const filename = (head.match(/filename="([^"]*)"/) || [])[1];
    if (filename !== undefined) {
      const type = (head.match(/content-type: ?([^\r\n]+)/i) || [])[1];
      let sum = 0;
      for (const b of content) sum += b;
      out.files.push({ name, filename, contentType: type, size: content.length, sum });
    } else {
      out.fields[name] = content.toString('utf8');
    }
    at = next;
  }
  return out;
}

// A WebSocket echo (RFC 6455, no extensions): enough of the protocol for the socket APIs'
// tests — masked client frames up to 64-bit lengths, text, binary, ping, close.
function frame(opcode, payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n])
    : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 255])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; })()]);
  return Buffer.concat([head, payload]);
}

function websocket(req, socket) {
  const key = req.headers['sec-websocket-key'];
  if (!key || new URL(req.url, 'http://x').pathname !== '/ws') return socket.destroy();
  const accept = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  const protocol = (req.headers['sec-websocket-protocol'] || '').split(',')[0].trim();
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${accept}`, ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []), '', ''].join('\r\n'));
  let buffer = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      const opcode = buffer[0] & 15;
      let len = buffer[1] & 127;
      let at = 2;
      if (len === 126) { if (buffer.length < 4) return; len = buffer.readUInt16BE(2); at = 4; }
      else if (len === 127) { if (buffer.length < 10) return; len = Number(buffer.readBigUInt64BE(2)); at = 10; }
      if (buffer.length < at + 4 + len) return;
      const mask = buffer.slice(at, at + 4);
      const payload = Buffer.from(buffer.slice(at + 4, at + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      buffer = buffer.slice(at + 4 + len);
      if (opcode === 8) { socket.end(frame(8, payload)); return; }
      if (opcode === 9) { socket.write(frame(10, payload)); continue; }
      if (opcode === 1 && payload.toString() === 'close-me') {
        socket.end(frame(8, Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye')])));
        return;
      }
      if (opcode === 1 && payload.toString() === 'push') { socket.write(frame(1, Buffer.from('pushed'))); continue; }
      if (opcode === 1 && payload.toString() === 'protocol') { socket.write(frame(1, Buffer.from(`protocol:${protocol}`))); continue; }
      if (opcode === 1 && payload.toString() === 'query') { socket.write(frame(1, Buffer.from(`query:${new URL(req.url, 'http://x').search}`))); continue; }
      if (opcode === 1 || opcode === 2) socket.write(frame(opcode, payload));
    }
  });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.ts': 'text/plain', '.svg': 'image/svg+xml' };

// A stand-in for the sandbox's runtime config endpoint (DESIGN.md), for the bootstrap tests.
const RUNTIME_CONFIGS = {
  'test-runtime': { appId: 'test-runtime', name: 'Runtime test', whitelist: [`127.0.0.1:${process.env.ECHO_PORT || port}`], httpErrorAsFail: true, cashierOrigins: [] },
};

// Brotli at quality 11, made once per file content (as the sandbox serves its static files:
// sandbox/src/http/brotli_cache.rs), keyed by path, size and modification time.
const BROTLI = new Map();
// `br` listed in Accept-Encoding with a weight above zero.
const acceptsBr = (accept) => accept.split(',').some((item) => {
  const [coding, ...params] = item.split(';').map((x) => x.trim());
  return coding.toLowerCase() === 'br' && !params.some((p) => /^q=0(\.0*)?$/i.test(p));
});
function brotli11(file) {
  const st = fs.statSync(file);
  const key = `${st.size}:${st.mtimeMs}`;
  const hit = BROTLI.get(file);
  if (hit && hit.key === key) return hit.bytes;
  const content = fs.readFileSync(file);
  const bytes = zlib.brotliCompressSync(content, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 22, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length },
  });
  BROTLI.set(file, { key, bytes });
  return bytes;
}

function serveStatic(req, res) {
  const url = new URL(req.url, 'http://x');
  let p = decodeURIComponent(url.pathname);
  const runtime = p.match(/^\/sandbox\/mini-programs\/([^/]+)\/runtime$/);
  if (runtime) {
    const config = RUNTIME_CONFIGS[runtime[1]];
    res.writeHead(config ? 200 : 404, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(config || { error: 'unknown app' }));
  }
  let base = path.join(root, 'www');
  if (p.startsWith('/pkg/')) { base = pkgDir; p = p.slice(4); }
  else if (peerDir && p.startsWith('/peer/')) { base = peerDir; p = p.slice(5); }
  else if (baseDir && p.startsWith('/base/')) { base = baseDir; p = p.slice(5); }
  else if (p.startsWith('/tests/')) { base = path.join(root, 'tests'); p = p.slice(6); }
  if (p.endsWith('/')) p += 'index.html';
  const file = path.join(base, p);
  if (!file.startsWith(base) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end('not found');
  }
  const type = TYPES[path.extname(file)] || 'application/octet-stream';
  const accept = req.headers['accept-encoding'] || '';
  if (gzip && acceptsBr(accept)) {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-encoding': 'br', vary: 'accept-encoding' });
    return res.end(brotli11(file));
  }
  if (gzip && /\bgzip\b/.test(accept)) {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-encoding': 'gzip', vary: 'accept-encoding' });
    return res.end(zlib.gzipSync(fs.readFileSync(file), { level: 6 }));
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  const echoPort = process.env.ECHO_PORT || port;
  if (file.startsWith(path.join(root, 'tests')) && file.endsWith('.html') && String(echoPort) !== '8791') {
    // Test pages name the echo server's default port; follow ECHO_PORT when it differs.
    return res.end(fs.readFileSync(file, 'utf8').replaceAll('127.0.0.1:8791', `127.0.0.1:${echoPort}`));
  }
  fs.createReadStream(file).pipe(res);
}

const server = http.createServer((req, res) => {
  api(req, res).catch((e) => {
    if (!res.headersSent) json(req, res, 500, { error: String(e) });
    else res.destroy();
  });
});
server.keepAliveTimeout = 60_000;
server.on('upgrade', websocket);
server.listen(port, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${server.address().port}`);
  if (staticPort) {
    http.createServer(serveStatic).listen(staticPort, '127.0.0.1', () =>
      console.log(`static http://127.0.0.1:${staticPort}`));
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
