// Test harness of the demo merchant's tests (not used at run time): the real sandbox binary on a
// free port, JSON calls, an auth code as the consent dialog mints it, polling, and an on-path
// attacker (a proxy that can read, rewrite or re-address what passes).
//
// The sandbox is `target/debug/superapp-sandbox` (or SANDBOX_BIN): `cargo build -p superapp-sandbox`.
// .ci/test builds it before the node tests.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SANDBOX_BIN = process.env.SANDBOX_BIN || join(ROOT, 'target', 'debug', 'superapp-sandbox');
/** The demo mini program, bound to the sandbox's default merchant. */
export const APP_ID = '2102020000000001';

/**
 * Starts the sandbox on a free port (port 0, the bound address read from its log), in memory,
 * with fast notification retries. Fails with the way to build it when the binary is missing.
 */
export async function startSandbox() {
  if (!existsSync(SANDBOX_BIN)) {
    throw new Error(`the sandbox binary ${SANDBOX_BIN} is not built: run cargo build -p superapp-sandbox (or set SANDBOX_BIN)`);
  }
  const child = spawn(
    SANDBOX_BIN,
    ['--listen', '127.0.0.1:0', '--mini-program-listen', 'off', '--memory', '--notify-schedule', 'fast',
      '--time-scale', '0.1', '--pending-delay', '1', '--log', 'warn'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`sandbox did not start in 20 s:\n${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        ok(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`sandbox exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A JSON call: `{ status, headers, body }` (body `{ text }` when the answer is not JSON). */
export async function json(method, url, body, headers = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * An auth code for the sandbox's signed-in user, as the super app's consent dialog mints it
 * (`POST /sandbox/auth/authorize`, no Origin header: a tool, not a mini program page).
 */
export async function authCode(sandboxUrl, scopes = ['auth_user']) {
  const res = await json('POST', `${sandboxUrl}/sandbox/auth/authorize`, { appId: APP_ID, scopes, decision: 'allow' });
  if (res.status !== 200 || typeof res.body.authCode !== 'string') {
    throw new Error(`POST /sandbox/auth/authorize: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.authCode;
}

/** Polls `check()` until it returns a truthy value, or fails after `ms`. */
export async function eventually(check, ms = 8000, what = 'condition') {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/**
 * An attacker on the path between two parties: a proxy that forwards every request to
 * `route(path)` → `{ target, path }` (a base URL and the path to ask it for; null answers 404),
 * records what passed in `seen`, and lets the test rewrite the request body (`tamperRequest`)
 * or the answer body (`tamperResponse`) of a path, keeping every header (so the signature
 * still claims to be the original sender's).
 */
export async function startOnPathAttacker(route) {
  const attacker = {
    seen: [],
    /** `(path, body: string) → string`: what the far side receives instead. */
    tamperRequest: null,
    /** `(path, body: string) → string`: what the caller receives instead. */
    tamperResponse: null,
  };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    let body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url, 'http://attacker').pathname;
    const to = route(path);
    if (!to) {
      res.writeHead(404).end();
      return;
    }
    attacker.seen.push({ path, headers: req.headers, body });
    if (attacker.tamperRequest) body = attacker.tamperRequest(path, body);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)),
    );
    let answer;
    try {
      answer = await fetch(to.target + to.path, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
    } catch (err) {
      res.writeHead(502).end(String(err.cause?.code ?? err.message));
      return;
    }
    let text = await answer.text();
    if (attacker.tamperResponse) text = attacker.tamperResponse(path, text);
    const back = {};
    answer.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) back[name] = value;
    });
    res.writeHead(answer.status, back).end(text);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  attacker.url = `http://127.0.0.1:${server.address().port}`;
  attacker.close = () => new Promise((ok) => {
    server.close(ok);
    server.closeAllConnections();
  });
  return attacker;
}
