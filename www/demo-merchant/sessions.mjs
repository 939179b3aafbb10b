// Signing the user in (docs/protocol.md §5b): the auth code from my.getAuthCode buys tokens
// (applyToken), the access token buys the user (inquiryUserInfo). The tokens stay on this server;
// the mini program gets a session id, sent back as the `x-session-id` header.
//
// Handlers: POST /api/session (createSession), GET /api/session (currentSession),
// DELETE /api/session (endSession); `signedIn(handler)` guards the order routes.

import { randomBytes } from 'node:crypto';

import { SESSION_HEADER, authFailure, headerValue, isExpired, newSessionId, readAuthCode, tokensOf, userOf } from './lib.mjs';
import { readJson, sendJson, walletNotReady } from './http.mjs';
import { WalletError, identityHint } from './wallet.mjs';

/** Sessions kept in memory at most; the oldest is forgotten first. */
export const MAX_SESSIONS = 10_000;

/**
 * The signed-in users, in memory (a restart signs everyone out). A session is
 * `{ sessionId, user, tokens, createdAt, refreshing }`; `refreshing` is the refresh in flight.
 */
export class SessionStore {
  constructor(max = MAX_SESSIONS) {
    this.max = max;
    /** @type {Map<string, object>} insertion order = age */
    this.byId = new Map();
  }

  get(sessionId) {
    return (typeof sessionId === 'string' && this.byId.get(sessionId)) || null;
  }

  add(session) {
    this.byId.set(session.sessionId, session);
    if (this.byId.size > this.max) this.byId.delete(this.byId.keys().next().value);
  }

  delete(sessionId) {
    return this.byId.delete(sessionId);
  }

  /** The session named by the request's `x-session-id` header, or null. */
  of(req) {
    return this.get(headerValue(req.headers, SESSION_HEADER));
  }
}

/** A refusal to the mini program: HTTP status, error name, message (and the wallet's resultCode). */
export class Refusal extends Error {
  constructor(status, error, message, { relogin = false, resultCode } = {}) {
    super(message);
    Object.assign(this, { status, error, relogin, resultCode });
  }

  static from({ status, error, message, relogin, resultCode }) {
    return new Refusal(status, error, message, { relogin, resultCode });
  }
}

/** Wraps an order handler: it runs with the request's session, or the answer is 401 LOGIN_REQUIRED. */
export function signedIn(handler) {
  return (ctx, req, res, route) => {
    const session = ctx.sessions.of(req);
    if (!session) return loginRequired(req, res);
    return handler(ctx, req, res, { ...route, session });
  };
}

function loginRequired(req, res) {
  const named = headerValue(req.headers, SESSION_HEADER);
  return sendJson(res, 401, {
    error: 'LOGIN_REQUIRED',
    message: named
      ? 'this session is unknown or over (the shop may have restarted); sign in again: my.getAuthCode, then POST /api/session'
      : `sign in first: my.getAuthCode, then POST /api/session {authCode}, and send the sessionId as the ${SESSION_HEADER} header`,
  });
}

/**
 * `POST /api/session {authCode}`: applyToken (AUTHORIZATION_CODE), then inquiryUserInfo; the
 * mini program gets a session id and the user.
 */
export async function createSession(ctx, req, res) {
  const body = await readJson(req, res);
  if (body === undefined) return;
  const read = readAuthCode(body);
  if (!read.ok) return sendJson(res, 400, { error: 'INVALID_PARAM', field: read.field, message: read.message });
  if (!ctx.wallet) return walletNotReady(ctx, res);
  try {
    const tokens = await grant(ctx, { grantType: 'AUTHORIZATION_CODE', authCode: read.authCode });
    const session = { sessionId: newSessionId(randomBytes(32)), tokens, user: null, createdAt: new Date(ctx.now()).toISOString() };
    session.user = await fetchUser(ctx, session, { fresh: true });
    ctx.sessions.add(session);
    ctx.log(`session: ${session.user.customerId} (${session.user.nickName ?? 'no nickname granted'}) signed in`);
    return sendJson(res, 200, { sessionId: session.sessionId, user: session.user });
  } catch (err) {
    return refusal(ctx, res, err);
  }
}

/** `GET /api/session`: the current user, asked again of the wallet (refreshing the token first if needed). */
export async function currentSession(ctx, req, res) {
  const session = ctx.sessions.of(req);
  if (!session) return loginRequired(req, res);
  if (!ctx.wallet) return walletNotReady(ctx, res);
  try {
    session.user = await fetchUser(ctx, session);
    return sendJson(res, 200, { sessionId: session.sessionId, user: session.user });
  } catch (err) {
    if (err instanceof Refusal && err.relogin) ctx.sessions.delete(session.sessionId);
    return refusal(ctx, res, err);
  }
}

/** `DELETE /api/session`: sign out (the tokens are forgotten). */
export function endSession(ctx, req, res) {
  const session = ctx.sessions.of(req);
  if (session) {
    ctx.sessions.delete(session.sessionId);
    ctx.log(`session: ${session.user.customerId} signed out`);
  }
  return sendJson(res, 200, { signedOut: Boolean(session) });
}

/** applyToken → the tokens, or throws a Refusal / WalletError. */
async function grant(ctx, request) {
  const answer = await ctx.wallet.applyToken(request);
  const { result } = answer;
  if (result.resultStatus === 'S') {
    const read = tokensOf(answer);
    if (!read.ok) throw new Refusal(502, 'AUTH_UNKNOWN', read.reason);
    return read.tokens;
  }
  if (result.resultStatus === 'F') {
    const failure = authFailure(result.resultCode, result.resultMessage);
    if (failure.status === 502) failure.message += identityHint(ctx.config, result.resultCode);
    throw Refusal.from(failure);
  }
  throw new Refusal(502, 'AUTH_UNKNOWN', `applyToken answered ${result.resultStatus} ${result.resultCode ?? ''}; try again`);
}

/**
 * A new access token from the refresh token (which the wallet rotates: the old one is spent).
 * One refresh per session at a time: a second caller waits for the first one's tokens.
 */
function refresh(ctx, session) {
  if (session.refreshing) return session.refreshing;
  const { refreshToken, refreshTokenExpiryTime } = session.tokens;
  if (!refreshToken) return Promise.reject(Refusal.from(authFailure('INVALID_REFRESH_TOKEN', 'no refresh token was issued')));
  if (isExpired(refreshTokenExpiryTime, ctx.now(), 0)) {
    return Promise.reject(Refusal.from(authFailure('EXPIRED_REFRESH_TOKEN', `expired at ${refreshTokenExpiryTime}`)));
  }
  session.refreshing = grant(ctx, { grantType: 'REFRESH_TOKEN', refreshToken })
    .then((tokens) => {
      session.tokens = tokens;
      ctx.log(`session: ${tokens.customerId} access token refreshed (valid until ${tokens.accessTokenExpiryTime ?? '?'})`);
      return tokens;
    })
    .finally(() => {
      session.refreshing = null;
    });
  return session.refreshing;
}

/**
 * inquiryUserInfo with the session's access token: refreshed first when it has expired, and
 * once more if the wallet says it has (clocks differ) or no longer accepts it.
 */
async function fetchUser(ctx, session, { fresh = false } = {}) {
  if (session.refreshing) await session.refreshing;
  let refreshed = fresh; // tokens just granted are used as they are, however short-lived
  if (!fresh && isExpired(session.tokens.accessTokenExpiryTime, ctx.now())) {
    await refresh(ctx, session);
    refreshed = true;
  }
  for (;;) {
    const answer = await ctx.wallet.inquiryUserInfo({ accessToken: session.tokens.accessToken });
    const { result } = answer;
    if (result.resultStatus === 'S') return userOf(answer.userInfo, session.tokens.customerId);
    const stale = result.resultCode === 'ACCESS_TOKEN_EXPIRED' || result.resultCode === 'INVALID_ACCESS_TOKEN';
    if (result.resultStatus === 'F' && stale && !refreshed && session.tokens.refreshToken) {
      await refresh(ctx, session);
      refreshed = true;
      continue;
    }
    if (result.resultStatus === 'F') throw Refusal.from(authFailure(result.resultCode, result.resultMessage));
    throw new Refusal(502, 'AUTH_UNKNOWN', `inquiryUserInfo answered ${result.resultStatus} ${result.resultCode ?? ''}; try again`);
  }
}

/** Sends a Refusal or a WalletError as the mini program's error answer. */
function refusal(ctx, res, err) {
  if (err instanceof Refusal) {
    return sendJson(res, err.status, { error: err.error, message: err.message, ...(err.resultCode ? { resultCode: err.resultCode } : {}) });
  }
  if (err instanceof WalletError) {
    const hint = err.kind === 'signature' ? identityHint(ctx.config, 'INVALID_SIGNATURE') : '';
    return sendJson(res, 502, { error: 'AUTH_UNKNOWN', message: err.message + hint });
  }
  throw err;
}
