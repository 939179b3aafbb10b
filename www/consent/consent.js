// The super app's consent page (DESIGN.md "User identity"): in the super app origin, it asks
// the signed-in user whether a mini program may have an auth code for some scopes, mints the
// code through the sandbox, and posts the answer to the window that embedded it, naming the
// target origin (never '*').

import { automation, showAutomation } from '../cashier/automation.js';

const params = new URLSearchParams(location.search);
const appId = params.get('appId') || '';
const scopes = (params.get('scopes') || 'auth_base').split(',').map((s) => s.trim()).filter(Boolean);
const requestId = params.get('requestId') || '';
// Who embeds this page (the mini program's overlay names its origin; the shell names none).
// The server refuses an embedder that is not the super app or this app's registered origin,
// and the browser refuses to show the page in any other (frame-ancestors).
const embedder = params.get('embedder');
const DESCRIPTIONS = {
  auth_user: 'Know who you are: your user id, nickname and avatar',
  USER_NICKNAME: 'See your nickname', USER_AVATAR: 'See your avatar', USER_NAME: 'See your name',
  USER_LOGIN_ID: 'See your login id (mobile number or email), partly hidden',
  HASH_LOGIN_ID: 'Recognise your login id (a one-way hash of it, not the id itself)',
  PLAINTEXT_USER_LOGIN_ID: 'See your login id (mobile number or email) in full',
  USER_GENDER: 'See your gender', USER_BIRTHDAY: 'See your date of birth',
  USER_NATIONALITY: 'See your nationality', USER_CONTACTINFO: 'See your mobile number and email',
  PLAINTEXT_MOBILE_PHONE: 'See your mobile number', auth_base: 'Know your user id', USER_ID: 'Know your user id',
};

const $ = (id) => document.getElementById(id);
let answered = false;

function show(id) {
  for (const s of ['loading', 'ask', 'error']) $(s).hidden = s !== id;
}

/** Sends the answer once to the embedding window (the shell, or the mini program's overlay). */
function answer(result) {
  if (answered) return;
  answered = true;
  if (window.parent === window) return;
  let target = location.origin;
  if (embedder) {
    try { target = new URL(embedder).origin; } catch { return; }
  }
  window.parent.postMessage({ type: 'miniprogram-shim:consent-result', requestId, ...result }, target);
}

function declined() {
  const authErrorScopes = Object.fromEntries(scopes.map((s) => [s, '10001']));
  return { authSuccessScopes: [], authErrorScopes };
}

/**
 * Asks the sandbox for a code. `decision` is the user's answer; without one the server decides
 * whether the scopes need asking at all (silent scopes are granted at once, the others answer
 * `consentRequired`): this page keeps no list of silent scopes.
 */
async function authorize(decision) {
  const res = await fetch('/sandbox/auth/authorize', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId, scopes, ...(decision ? { decision } : {}), ...(embedder ? { embedder } : {}) }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

function granted(body) {
  return { authCode: body.authCode, authSuccessScopes: body.authSuccessScopes ?? [], authErrorScopes: body.authErrorScopes ?? {} };
}

function failed(e) {
  $('error-text').textContent = `The super app could not authorize: ${e.message}`;
  show('error');
  $('error-close').focus();
}

async function decide(decision) {
  $('allow').disabled = true;
  $('deny').disabled = true;
  try {
    answer(granted(await authorize(decision)));
  } catch (e) {
    if (decision === 'deny') return answer(declined());
    failed(e);
  }
}

async function load() {
  // The server first: silent scopes come back with a code and nobody is asked.
  const asked = authorize(null);
  let app = {}; let session = {}; let switches = {};
  const details = Promise.all([
    fetch(`/sandbox/mini-programs/${encodeURIComponent(appId)}`).then((r) => (r.ok ? r.json() : {})),
    fetch('/sandbox/session').then((r) => (r.ok ? r.json() : {})),
    automation(embedder),
  ]).catch(() => [{}, {}, {}]);
  let first;
  try {
    first = await asked;
  } catch (e) {
    return failed(e);
  }
  if (first.consentRequired !== true) return answer(granted(first));
  [app, session, switches] = await details;
  const user = session.user || {};
  $('app-name').textContent = app.name || 'This mini program';
  $('user-name').textContent = user.nickName || user.userId || 'you';
  if (user.avatar) $('avatar').src = user.avatar; else $('avatar').hidden = true;
  $('scopes').replaceChildren(...scopes.map((s) => {
    const li = document.createElement('li');
    li.textContent = DESCRIPTIONS[s] || `Use "${s}"`;
    return li;
  }));
  show('ask');
  $('allow').focus();
  const { autoconsent } = switches;
  const automatic = autoconsent === 'allow' || autoconsent === 'deny';
  showAutomation(automatic && autoconsent);
  if (automatic) decide(autoconsent);
}

$('allow').addEventListener('click', () => decide('allow'));
$('deny').addEventListener('click', () => decide('deny'));
$('close').addEventListener('click', () => answer(declined()));
$('error-close').addEventListener('click', () => answer(declined()));
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') answer(declined()); });
load();
