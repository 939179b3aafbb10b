// The super app's settings sheet of my.openSetting, and the answer to my.getSetting
// (docs/protocol.md §5c). It lives in the shell's document, over the phone's screen but outside
// the mini program's frame, like the consent sheet: the mini program can ask for it and read
// the result, never click it. It lists what the signed-in user decided for the launched app
// (GET /sandbox/auth/settings) with a switch each; turning one off is a PUT from this origin.
// Turning one back on is the consent page's job: the switch says so instead.

const MSG = 'miniprogram-shim:';

/**
 * `$`: getElementById; `post(message)`: to the mini program; `appId()`: the launched app;
 * `busy()`: true while the shell's other sheet (cashier, consent) is open; `onChange()`: after a
 * change (the devtools refresh).
 */
export function initSettings({ $, post, appId, busy, onChange }) {
  const sheet = $('settings-sheet');
  const list = $('settings-list');
  const state = $('settings-state');
  let open = null; // { callId, app, previousFocus }

  const answer = (callId, body) => post({ type: `${MSG}auth-setting-result`, callId, ...body });

  async function read(app) {
    const res = await fetch(`/sandbox/auth/settings?appId=${encodeURIComponent(app)}`, { cache: 'no-store' });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
    return body;
  }

  function render(body) {
    list.replaceChildren();
    $('settings-user').textContent = body.nickName ? `Signed in as ${body.nickName}` : '';
    if (!body.authorizations.length) {
      const li = document.createElement('li');
      li.className = 'settings-empty';
      li.textContent = 'This mini program has not asked for any of your information.';
      list.append(li);
      return;
    }
    for (const a of body.authorizations) {
      const li = document.createElement('li');
      const id = `setting-${a.scope}`;
      const label = document.createElement('span');
      label.id = `${id}-label`;
      label.className = 'settings-label';
      label.textContent = a.label;
      const scope = document.createElement('small');
      scope.textContent = a.scope;
      label.append(document.createElement('br'), scope);
      const toggle = document.createElement('button');
      toggle.type = 'button';
      toggle.id = id;
      toggle.className = 'switch';
      toggle.setAttribute('role', 'switch');
      toggle.setAttribute('aria-checked', String(a.granted));
      toggle.setAttribute('aria-labelledby', `${id}-label`);
      toggle.dataset.scope = a.scope;
      if (!a.granted) {
        // Only the consent page grants: an off switch stays off here.
        toggle.setAttribute('aria-disabled', 'true');
        toggle.title = 'Off. The app asks again the next time it needs this.';
        toggle.setAttribute('aria-describedby', 'settings-off-hint');
      }
      li.append(label, toggle);
      list.append(li);
    }
  }

  async function turnOff(toggle) {
    if (!open || toggle.getAttribute('aria-checked') !== 'true') return;
    toggle.disabled = true;
    state.textContent = '';
    try {
      const res = await fetch('/sandbox/auth/settings', {
        method: 'PUT', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appId: open.app, authSetting: { [toggle.dataset.scope]: false } }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
      render(body);
      state.textContent = `${toggle.dataset.scope} turned off.`;
      $(`setting-${toggle.dataset.scope}`)?.focus();
      onChange();
    } catch (e) {
      toggle.disabled = false;
      state.textContent = `Could not turn it off: ${e.message}`;
    }
  }

  async function show(callId, app) {
    open = { callId, app, previousFocus: document.activeElement };
    $('settings-app').textContent = $('app-title').textContent || app;
    state.textContent = 'Loading…';
    list.replaceChildren();
    sheet.hidden = false;
    $('settings-title').focus();
    try {
      render(await read(app));
      state.textContent = '';
    } catch (e) {
      state.textContent = `The sandbox did not answer: ${e.message}`;
    }
  }

  async function close() {
    if (!open) return;
    const { callId, app, previousFocus } = open;
    open = null;
    sheet.hidden = true;
    previousFocus?.focus?.();
    try {
      answer(callId, { authSetting: (await read(app)).authSetting });
    } catch (e) {
      answer(callId, { failure: `the sandbox did not answer: ${e.message}` });
    }
  }

  list.addEventListener('click', (e) => {
    const toggle = e.target.closest('button[role=switch]');
    if (toggle) turnOff(toggle);
  });
  sheet.addEventListener('click', (e) => { if (e.target.matches('[data-close-settings]')) close(); });
  sheet.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.stopPropagation(); close(); }
    // Keep the focus inside the dialog (aria-modal).
    if (e.key === 'Tab') {
      const items = [...sheet.querySelectorAll('button:not([disabled]), [tabindex="-1"]#settings-title')];
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    }
  });

  return {
    /** A `miniprogram-shim:auth-setting` request of the mini program: `{ callId, open }`. */
    async request(callId, wantsSheet) {
      const app = appId();
      if (!app) return answer(callId, { failure: 'no-app-id' });
      if (!wantsSheet) {
        try { return answer(callId, { authSetting: (await read(app)).authSetting }); }
        catch (e) { return answer(callId, { failure: `the sandbox did not answer: ${e.message}` }); }
      }
      if (open || busy()) return answer(callId, { failure: 'another super app sheet is open' });
      show(callId, app);
    },
    /** The mini program went away: close without answering. */
    abandon() { if (open) { open = null; sheet.hidden = true; } },
    isOpen: () => open !== null,
  };
}
