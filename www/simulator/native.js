// The shell's side of native mini programs (www/native/frame.mjs; DESIGN.md "Native mini
// programs: the frame"): the phone's one title bar (title, image, colours, loading, back button)
// as the frame asks (and as an H5 mini program's my.setNavigationBar asks: h5Bar), and the devtools' Pages panel: the page stack, each page's data editable
// as in the IDE's AppData panel (applied by setData in the logic layer, which checks the JSON),
// a Pull-down refresh button and a Share button (the page's onShareAppMessage result).
//
// Messages come from the mini program frame only (simulator.js checks source and origin).

const MSG = 'miniprogram-shim:';

/** `$`: getElementById; `post(message)`: to the mini program frame. */
export function initNative({ $, post }) {
  let pages = []; // the last snapshot: [{ pageId, route, query, state, data }], top first
  let selected = null; // pageId shown in the AppData editor
  let pinned = false; // the user chose it (else it follows the top page)
  let dirty = false; // the editor holds the user's edit
  let shown = ''; // the JSON the editor showed last (to tell a change underneath)
  let nextRequest = 1;
  let owned = false; // the frame drives the title bar

  // ---- the title bar ----------------------------------------------------------------------

  function navbar(m) {
    const bar = $('navbar');
    const title = typeof m.title === 'string' ? m.title.slice(0, 200) : '';
    let image = '';
    try { image = m.image && /^https?:$/.test(new URL(m.image).protocol) ? new URL(m.image).href : ''; } catch { image = ''; }
    $('app-title').textContent = image ? '' : title;
    $('app-title-image').hidden = !image;
    if (image) $('app-title-image').src = image; else $('app-title-image').removeAttribute('src');
    // Assigned through the CSSOM: a value that is not a colour is dropped, never parsed as more.
    bar.style.backgroundColor = '';
    bar.style.backgroundColor = typeof m.backgroundColor === 'string' ? m.backgroundColor : '';
    bar.style.color = '';
    bar.style.color = typeof m.frontColor === 'string' ? m.frontColor : '';
    bar.style.borderBottomColor = '';
    bar.style.borderBottomColor = typeof m.borderBottomColor === 'string' ? m.borderBottomColor : '';
    $('app-title-loading').hidden = m.loading !== true;
    $('app-back').hidden = m.back !== true;
  }

  $('app-back').addEventListener('click', () => post({ type: `${MSG}native-back` }));
  $('app-title').addEventListener('click', () => post({ type: `${MSG}native-title-click` }));

  // ---- the Pages panel --------------------------------------------------------------------

  const note = (text) => { $('native-note').textContent = text; };

  function renderPages() {
    $('count-pages').textContent = String(pages.filter((p) => p.state !== 'kept').length);
    // The panel is drawn when it shows (a page's data may be large): its tab draws it on opening.
    if ($('panel-pages').hidden) return;
    if (!pinned || !pages.some((p) => p.pageId === selected)) {
      const top = pages[0]?.pageId ?? null;
      if (top !== selected) { selected = top; dirty = false; }
      pinned = false;
    }
    $('native-stack').replaceChildren(...pages.map((p) => {
      const li = document.createElement('li');
      li.dataset.pageId = String(p.pageId);
      li.setAttribute('aria-current', String(p.pageId === selected));
      const query = Object.keys(p.query ?? {}).length ? `?${new URLSearchParams(p.query)}` : '';
      li.append(`${p.route}${query}`);
      const state = document.createElement('span');
      state.className = 'state';
      state.textContent = { top: 'top', stack: '', kept: 'tab page kept alive' }[p.state] ?? '';
      li.append(state);
      li.addEventListener('click', () => { selected = p.pageId; pinned = true; dirty = false; renderPages(); });
      return li;
    }));
    const page = pages.find((p) => p.pageId === selected);
    $('native-route').textContent = page ? page.route : '';
    const text = page ? JSON.stringify(page.data, null, 2) : '';
    if (!dirty) {
      $('native-data').value = text;
    } else if (text !== shown) {
      $('native-edit-state').textContent = 'The page\'s data changed since you started editing: Revert shows it.';
    }
    if (!dirty) shown = text;
    $('native-data').disabled = !page;
  }

  $('native-data').addEventListener('input', () => { dirty = true; });
  document.querySelector('[data-tab=pages]').addEventListener('click', () => setTimeout(renderPages, 0));
  $('native-revert').addEventListener('click', () => { dirty = false; $('native-edit-state').textContent = ''; renderPages(); });
  $('native-apply').addEventListener('click', () => {
    if (selected === null) return;
    $('native-edit-state').textContent = 'applying…';
    $('native-edit-state').className = 'hint';
    post({ type: `${MSG}native-edit`, requestId: nextRequest++, pageId: selected, text: $('native-data').value });
  });
  $('native-pull').addEventListener('click', () => post({ type: `${MSG}native-pull-refresh` }));
  $('native-share').addEventListener('click', () => {
    $('native-share-result').hidden = true;
    post({ type: `${MSG}native-share`, requestId: nextRequest++ });
  });

  /** Handles a message from the mini program frame; false if it is not one of ours. */
  function onMessage(m) {
    switch (m.type.slice(MSG.length)) {
      case 'navbar': owned = true; navbar(m); return true;
      case 'native-pages':
        pages = Array.isArray(m.pages) ? m.pages.filter((p) => p && typeof p.route === 'string') : [];
        if (pages.length && $('native-note').dataset.native !== '1') { $('native-note').dataset.native = '1'; note(''); }
        renderPages();
        return true;
      case 'native-edit-result': {
        const state = $('native-edit-state');
        state.textContent = `${m.ok ? 'Applied' : 'Refused'}: ${String(m.message ?? '')}`;
        state.className = m.ok ? 'hint okc' : 'hint ko';
        if (m.ok) dirty = false;
        return true;
      }
      case 'native-share-result': {
        const out = $('native-share-result');
        out.textContent = m.ok ? `onShareAppMessage of ${m.route} returned:\n${JSON.stringify(m.value, null, 2)}` : String(m.message ?? '');
        out.className = `share-result ${m.ok ? '' : 'ko'}`;
        out.hidden = false;
        return true;
      }
      case 'native-note': note(String(m.text ?? '')); return true;
      default: return false;
    }
  }

  /** An H5 mini program's title bar: the shell keeps it (src/glue/navigation_bar.rs sends each
   *  call's checked change: `reset` first, then the options given) and draws it as a native
   *  one, without a back button; until the app sets a title, `fallbackTitle` (its name) stays. */
  const H5_BAR = { image: '', backgroundColor: '', borderBottomColor: '', frontColor: '', loading: false };
  let h5 = { ...H5_BAR };
  function h5Bar(change, fallbackTitle) {
    const c = change && typeof change === 'object' ? change : {};
    if (c.reset === true) h5 = { ...H5_BAR, title: h5.title, loading: h5.loading };
    for (const key of ['title', 'image', 'backgroundColor', 'borderBottomColor', 'frontColor']) {
      if (typeof c[key] === 'string') h5[key] = c[key];
    }
    if (typeof c.loading === 'boolean') h5.loading = c.loading;
    if (typeof h5.title === 'string') owned = true;
    navbar({ ...h5, title: typeof h5.title === 'string' ? h5.title : fallbackTitle, back: false });
  }

  /** Another mini program opens: the title bar and the panel start over. */
  function reset() {
    navbar({ title: '' });
    h5 = { ...H5_BAR };
    owned = false;
    pages = [];
    selected = null;
    pinned = false;
    dirty = false;
    $('native-note').dataset.native = '';
    note('The page stack of a native mini program shows here.');
    $('native-share-result').hidden = true;
    $('native-edit-state').textContent = '';
    renderPages();
  }

  return { onMessage, reset, h5Bar, ownsTitle: () => owned };
}
