// Our server, through my.request (the super app relays it; the merchant needs no CORS), and
// sign-in through my.getAuthCode → POST /api/session (docs/protocol.md §5b).
const { money, ready } = require('./money');

const SESSION_HEADER = 'x-session-id';

function call(method, path, data) {
  const app = getApp();
  const headers = { 'content-type': 'application/json' };
  if (app.globalData.sessionId) headers[SESSION_HEADER] = app.globalData.sessionId;
  return my.request({ url: app.globalData.merchant + path, method, headers, data, dataType: 'json', timeout: 20000 })
    .then((res) => ({ status: res.status, data: res.data }))
    .catch((err) => { throw new Error(failure(err, app.globalData.merchant)); });
}

function failure(err, merchant) {
  const code = err && err.error;
  if (code === 4) return `This mini program may not call ${merchant} (not in its domain whitelist).`;
  if (code === 12) return `Cannot reach the shop server at ${merchant}. Is it running?`;
  return `my.request failed (error ${code}): ${(err && err.errorMessage) || err}`;
}

/** Signs in once per launch: my.getAuthCode (the user consents) → our server's session. */
async function signIn() {
  const app = getApp();
  if (app.globalData.user) return app.globalData.user;
  const { authCode } = await my.getAuthCode({ scopes: ['auth_user'] });
  const res = await call('POST', '/api/session', { authCode });
  if (res.status !== 200) throw new Error((res.data && res.data.message) || `sign-in failed: HTTP ${res.status}`);
  app.globalData.sessionId = res.data.sessionId;
  app.globalData.user = res.data.user;
  return res.data.user;
}

module.exports = { call, signIn, money, ready };
