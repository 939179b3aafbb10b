// The frame of a native mini program, on the render side (DESIGN.md "Native mini programs: the
// frame"): the title bar (window config, my.setNavigationBar, loading, the back button), the tab
// bar and its APIs, pull-down refresh (mouse or finger drag, my.startPullDownRefresh,
// my.stopPullDownRefresh), onPageScroll, onReachBottom and my.pageScrollTo, and the simulator's
// devtools (page stack, AppData edits, Share, Pull-down refresh).
//
// In the simulator (`?__superapp=<shell origin>`, framed) there is one title bar, the shell's:
// the frame sends it `miniprogram-shim:navbar` and hides its own; the shell's back button and
// title answer with `native-back` and `native-title-click`. Opened alone, the frame draws it.

import { RuntimeError } from './core.mjs';
import { frontColorFor, tabIndex, yes } from './frame-core.mjs';
import { createQueries } from './queries.mjs';
import { isColour, NAVIGATION_BAR_OPTIONS, navigationBarProblem } from './navigation-bar.js';

const MSG = 'miniprogram-shim:';
const PULL_TRIGGER = 48; // px the indicator must reach for a pull to refresh
const PULL_MAX = 90;

const fail = (message, code = 2) => new RuntimeError(message, code);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

/**
 * `appJson`; `views`: pageId → view ({ root, route, config, isTab, hooks }); `pagesEl`: the
 * scrolling page area; `toWorker(message)`; `fileUrl(route, src)`; `params`: the page's query.
 */
export function createFrame({ appJson, views, pagesEl, toWorker, fileUrl, params }) {
  const $ = (id) => document.getElementById(id);
  let shellOrigin = null;
  try { shellOrigin = params.get('__superapp') ? new URL(params.get('__superapp')).origin : null; } catch { shellOrigin = null; }
  const hosted = Boolean(shellOrigin) && window.parent !== window;
  const toShell = (type, body) => { if (hosted) window.parent.postMessage({ ...body, type: `${MSG}${type}` }, shellOrigin); };

  let topId = null;
  let depth = 1;
  const top = () => views.get(topId) ?? null;

  // ---- the title bar -----------------------------------------------------------------------

  const titlebar = $('a-titlebar');
  const loading = el('span', { id: 'a-title-loading', className: 'a-spinner', hidden: true, title: 'Loading' });
  const titleImage = el('img', { id: 'a-title-image', alt: '', hidden: true });
  $('a-title').before(loading, titleImage);
  if (hosted) titlebar.hidden = true;

  function nav(view) {
    if (!view.nav) {
      const c = view.config ?? {};
      view.nav = {
        title: String(c.defaultTitle ?? ''), image: c.titleImage ? fileUrl(view.route, c.titleImage) : '',
        backgroundColor: c.titleBarColor ?? '', borderBottomColor: '', frontColor: '', loading: yes(c.showTitleLoading, false),
      };
    }
    return view.nav;
  }

  function drawTitle() {
    const view = top();
    if (!view) return;
    const n = nav(view);
    const state = {
      title: n.title, image: n.image, backgroundColor: n.backgroundColor || '#ffffff',
      frontColor: n.frontColor || frontColorFor(n.backgroundColor || '#ffffff'), borderBottomColor: n.borderBottomColor, loading: n.loading, back: depth > 1,
    };
    if (hosted) { toShell('navbar', state); return; }
    $('a-title').textContent = n.image ? '' : n.title;
    titleImage.hidden = !n.image;
    if (n.image) titleImage.src = n.image;
    titlebar.style.background = state.backgroundColor;
    titlebar.style.color = state.frontColor;
    titlebar.style.borderBottomColor = n.borderBottomColor;
    loading.hidden = !n.loading;
    $('a-back').hidden = !state.back;
  }

  const color = (name, value) => {
    if (value === undefined) return undefined;
    if (!isColour(value)) throw fail(`${name} is not a colour: ${JSON.stringify(value)}`);
    return value;
  };

  // ---- the tab bar ------------------------------------------------------------------------

  const tabItems = Array.isArray(appJson.tabBar?.items) ? appJson.tabBar.items : [];
  const tab = {
    items: tabItems.map((item) => {
      const path = String(item.pagePath ?? '').replace(/^\/+/, '');
      return { path, text: String(item.name ?? item.text ?? path), icon: item.icon ?? '', activeIcon: item.activeIcon ?? item.icon ?? '', badge: null, dot: false };
    }),
    color: appJson.tabBar?.textColor ?? '', selectedColor: appJson.tabBar?.selectedColor ?? '',
    backgroundColor: appJson.tabBar?.backgroundColor ?? '', borderStyle: '', visible: true,
  };
  const tabbar = $('a-tabbar');

  function drawTabs() {
    const view = top();
    tabbar.hidden = !(view?.isTab && tab.visible && tab.items.length);
    tabbar.style.background = tab.backgroundColor;
    tabbar.style.borderTopColor = tab.borderStyle === 'white' ? '#fff' : tab.borderStyle === 'black' ? '#000' : '';
    tabbar.replaceChildren(...tab.items.map((item, index) => {
      const active = item.path === view?.route;
      const button = el('button', { type: 'button', className: active ? 'a-tab-active' : '' });
      button.dataset.path = item.path;
      button.dataset.index = String(index);
      button.style.color = active ? tab.selectedColor : tab.color;
      const icon = active ? item.activeIcon : item.icon;
      const text = el('span', { className: 'a-tab-text', textContent: item.text });
      // The badge or red dot sits on the icon's corner, or on the text's when there is no icon.
      const holder = icon ? el('span', { className: 'a-tab-icon' }, el('img', { alt: '', src: fileUrl('', icon) })) : text;
      if (item.badge !== null) holder.append(el('span', { className: 'a-tab-badge', textContent: item.badge }));
      else if (item.dot) holder.append(el('span', { className: 'a-tab-dot' }));
      if (icon) button.append(holder);
      button.append(text);
      button.onclick = () => toWorker({ type: 'navigate', kind: 'switchTab', options: { url: `/${item.path}` } });
      return button;
    }));
  }

  // ---- pull-down refresh ------------------------------------------------------------------

  const refresh = el('div', { id: 'a-refresh', role: 'status' }, el('span', { className: 'a-spinner' }), el('span', { className: 'a-refresh-text' }));
  pagesEl.before(refresh);
  let refreshing = null; // pageId being refreshed
  const pullEnabled = (view) => yes(view?.config?.pullRefresh, false) && yes(view?.config?.allowsBounceVertical, true);

  function showRefresh(height, text) {
    refresh.style.height = `${height}px`;
    refresh.classList.toggle('a-refreshing', Boolean(refreshing));
    refresh.querySelector('.a-refresh-text').textContent = text;
  }

  /** Starts a refresh of the top page: the indicator stays until my.stopPullDownRefresh. */
  function startRefresh(from) {
    const view = top();
    if (!view || refreshing !== null) return;
    refreshing = topId;
    showRefresh(PULL_TRIGGER, 'Refreshing…');
    if (view.hooks?.includes('onPullDownRefresh')) toWorker({ type: 'pageHook', pageId: topId, hook: 'onPullDownRefresh', arg: { from } });
  }

  function stopRefresh() {
    refreshing = null;
    showRefresh(0, '');
  }

  let drag = null; // { y, pulled }
  pagesEl.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || pagesEl.scrollTop > 0 || refreshing !== null || e.target.closest?.('slider')) return;
    const view = top();
    if (!view || !yes(view.config?.allowsBounceVertical, true)) return;
    drag = { y: e.clientY, pulled: 0, id: e.pointerId };
  });
  window.addEventListener('pointermove', (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const dy = e.clientY - drag.y;
    // The first 10 px are a tap's jitter, not a pull.
    if (dy <= 10 && !drag.pulled) return;
    if (!drag.pulled) { document.body.classList.add('a-pulling'); window.getSelection()?.removeAllRanges(); }
    drag.pulled = Math.max(0.5, Math.min(PULL_MAX, (dy - 10) * 0.5));
    const ready = pullEnabled(top()) && drag.pulled >= PULL_TRIGGER;
    showRefresh(drag.pulled, pullEnabled(top()) ? (ready ? 'Release to refresh' : 'Pull down to refresh') : '');
    e.preventDefault();
  });
  window.addEventListener('pointerup', (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const { pulled } = drag;
    drag = null;
    document.body.classList.remove('a-pulling');
    if (pulled > 0) {
      // A pull is not a tap on what was under the pointer.
      const swallow = (c) => { c.stopPropagation(); c.preventDefault(); };
      window.addEventListener('click', swallow, { capture: true, once: true });
      setTimeout(() => window.removeEventListener('click', swallow, { capture: true }), 0);
    }
    if (pulled >= PULL_TRIGGER && pullEnabled(top())) startRefresh('manual');
    else if (refreshing === null) showRefresh(0, '');
  });
  window.addEventListener('pointercancel', () => {
    if (!drag) return;
    drag = null;
    document.body.classList.remove('a-pulling');
    if (refreshing === null) showRefresh(0, '');
  });

  // ---- page scroll: onPageScroll, onReachBottom, my.pageScrollTo ---------------------------

  let scrollFrame = false;
  pagesEl.addEventListener('scroll', () => {
    if (scrollFrame) return;
    scrollFrame = true;
    requestAnimationFrame(() => {
      scrollFrame = false;
      const view = top();
      if (!view) return;
      const scrollTop = pagesEl.scrollTop;
      if (view.reportedTop !== scrollTop) {
        view.reportedTop = scrollTop;
        if (view.hooks?.includes('onPageScroll')) toWorker({ type: 'pageHook', pageId: topId, hook: 'onPageScroll', arg: { scrollTop } });
      }
      const distance = Number(view.config?.onReachBottomDistance ?? 50);
      const atBottom = scrollTop + pagesEl.clientHeight >= pagesEl.scrollHeight - (Number.isFinite(distance) ? distance : 50);
      if (atBottom && !view.atBottom && view.hooks?.includes('onReachBottom')) toWorker({ type: 'pageHook', pageId: topId, hook: 'onReachBottom', arg: {} });
      view.atBottom = atBottom;
    });
  });

  function pageScrollTo(options) {
    const view = top();
    if (!view) throw fail('pageScrollTo: no page is open', 3);
    let target;
    if (options.selector !== undefined) {
      let node = null;
      try { node = view.root.querySelector(String(options.selector)); } catch { throw fail(`pageScrollTo: ${JSON.stringify(options.selector)} is not a valid selector`); }
      if (!node) throw fail(`pageScrollTo: no node matches ${JSON.stringify(options.selector)}`);
      target = node.getBoundingClientRect().top - pagesEl.getBoundingClientRect().top + pagesEl.scrollTop;
    } else {
      target = Number(options.scrollTop);
      if (options.scrollTop === undefined || !Number.isFinite(target) || target < 0) {
        throw fail(`pageScrollTo: scrollTop is a number ≥ 0 (or give a selector), got ${JSON.stringify(options.scrollTop)}`);
      }
    }
    const duration = Math.max(0, Math.min(10_000, Number(options.duration ?? 0) || 0));
    const from = pagesEl.scrollTop;
    const to = Math.max(0, Math.min(target, pagesEl.scrollHeight - pagesEl.clientHeight));
    if (!duration) { pagesEl.scrollTop = to; return {}; }
    return new Promise((resolve) => {
      const start = performance.now();
      const stepFrame = (now) => {
        const t = Math.min(1, (now - start) / duration);
        pagesEl.scrollTop = from + (to - from) * (1 - (1 - t) ** 3);
        if (t < 1) requestAnimationFrame(stepFrame); else resolve({});
      };
      requestAnimationFrame(stepFrame);
    });
  }

  // ---- the APIs answered here (the logic layer's `my` calls) ------------------------------

  const queries = createQueries({ views, pagesEl, toWorker });
  const needTop = (api) => { const view = top(); if (!view) throw fail(`${api}: no page is open`, 3); return view; };
  const tabItem = (api, options) => tab.items[tabIndex(api, options, tab.items.length)];

  /** my.setNavigationBar and its parts: the options `api` reads, checked by the rule the H5
   *  runtime shares (navigation-bar.js), then drawn. `reset`: back to the page's colours
   *  (window config); the title stays. */
  function setBar(api, options) {
    const view = needTop(api);
    const n = nav(view);
    const problem = navigationBarProblem(api, options);
    if (problem) throw fail(`${api}: ${problem[0]} ${problem[1]}`);
    const given = (name) => NAVIGATION_BAR_OPTIONS[api].includes(name) && options[name] !== undefined;
    if (given('reset') && options.reset) {
      n.backgroundColor = view.config?.titleBarColor ?? '';
      n.borderBottomColor = '';
      n.frontColor = '';
      n.image = view.config?.titleImage ? fileUrl(view.route, view.config.titleImage) : '';
    }
    if (given('title')) n.title = options.title;
    if (given('image')) n.image = options.image ? fileUrl(view.route, options.image) : '';
    if (given('backgroundColor')) n.backgroundColor = options.backgroundColor;
    if (given('borderBottomColor')) n.borderBottomColor = options.borderBottomColor;
    // A new bar colour without frontColor: the title's colour follows it again (as for H5).
    if (given('frontColor')) n.frontColor = options.frontColor;
    else if (given('backgroundColor')) n.frontColor = '';
    drawTitle();
    return {};
  }

  const apis = {
    ...queries.apis,
    setNavigationBar(options) { return setBar('setNavigationBar', options); },
    // The parts of setNavigationBar, under their own names (the options each reads).
    setNavigationBarTitle(options) { return setBar('setNavigationBarTitle', options); },
    setNavigationBarColor(options) { return setBar('setNavigationBarColor', options); },
    setNavigationBarBottomLineColor(options) { return setBar('setNavigationBarBottomLineColor', options); },
    showNavigationBarLoading() { nav(needTop('showNavigationBarLoading')).loading = true; drawTitle(); return {}; },
    hideNavigationBarLoading() { nav(needTop('hideNavigationBarLoading')).loading = false; drawTitle(); return {}; },
    getTitleColor() { return { color: nav(needTop('getTitleColor')).backgroundColor || '#ffffff' }; },
    setTabBarItem(options) {
      const item = tabItem('setTabBarItem', options);
      for (const key of ['text', 'iconPath', 'selectedIconPath']) {
        if (options[key] !== undefined && typeof options[key] !== 'string') throw fail(`setTabBarItem: ${key} is a string, got ${JSON.stringify(options[key])}`);
      }
      if (options.text !== undefined) item.text = options.text;
      if (options.iconPath !== undefined) item.icon = options.iconPath;
      if (options.selectedIconPath !== undefined) item.activeIcon = options.selectedIconPath;
      drawTabs();
      return {};
    },
    setTabBarStyle(options) {
      const colors = {};
      for (const key of ['color', 'selectedColor', 'backgroundColor']) colors[key] = color(`setTabBarStyle: ${key}`, options[key]);
      if (options.borderStyle !== undefined && !['black', 'white'].includes(options.borderStyle)) {
        throw fail(`setTabBarStyle: borderStyle is "black" or "white", got ${JSON.stringify(options.borderStyle)}`);
      }
      for (const [key, value] of Object.entries(colors)) if (value !== undefined) tab[key] = value;
      if (options.borderStyle !== undefined) tab.borderStyle = options.borderStyle;
      drawTabs();
      return {};
    },
    showTabBar() { tab.visible = true; drawTabs(); return {}; },
    hideTabBar() { tab.visible = false; drawTabs(); return {}; },
    setTabBarBadge(options) {
      const item = tabItem('setTabBarBadge', options);
      if (typeof options.text !== 'string' && typeof options.text !== 'number') throw fail(`setTabBarBadge: text is a string, got ${JSON.stringify(options.text)}`);
      item.badge = String(options.text);
      drawTabs();
      return {};
    },
    removeTabBarBadge(options) { tabItem('removeTabBarBadge', options).badge = null; drawTabs(); return {}; },
    showTabBarRedDot(options) { tabItem('showTabBarRedDot', options).dot = true; drawTabs(); return {}; },
    hideTabBarRedDot(options) { tabItem('hideTabBarRedDot', options).dot = false; drawTabs(); return {}; },
    startPullDownRefresh() { needTop('startPullDownRefresh'); startRefresh('code'); return {}; },
    stopPullDownRefresh() { stopRefresh(); return {}; },
    pageScrollTo(options) { return pageScrollTo(options); },
  };

  /** Runs a frame API for the logic layer (null: not one of ours); logs it in the devtools. */
  async function answer(api, options) {
    const fn = apis[api];
    if (!fn) return null;
    const t0 = performance.now();
    const log = (ok, result) => {
      if (!api.startsWith('__')) toShell('log', { entry: { api, options, ok, result, durationMs: performance.now() - t0 } });
    };
    try {
      const result = await fn(options ?? {});
      log(true, result);
      return { ok: true, value: result };
    } catch (e) {
      const error = e instanceof Error ? { error: e.code ?? 3, errorMessage: e.message } : e;
      log(false, error);
      return { ok: false, value: error };
    }
  }

  // ---- the page shown; the shell and the devtools -----------------------------------------

  function show(pageId, stackDepth) {
    if (refreshing !== null && refreshing !== pageId) stopRefresh();
    topId = pageId;
    depth = stackDepth;
    const view = top();
    if (view) view.reportedTop = pagesEl.scrollTop;
    drawTitle();
    drawTabs();
  }

  const forward = { log: 'log', pages: 'native-pages', shareResult: 'native-share-result', editResult: 'native-edit-result' };

  /** A message from the logic layer for the frame; false if it is not one. */
  function onWorkerMessage(m) {
    if (!forward[m?.type]) return false;
    toShell(forward[m.type], m);
    return true;
  }

  if (hosted) {
    window.addEventListener('message', (event) => {
      if (event.source !== window.parent || event.origin !== shellOrigin) return;
      const m = event.data;
      if (!m || typeof m.type !== 'string' || !m.type.startsWith(`${MSG}native-`)) return;
      switch (m.type.slice(MSG.length)) {
        case 'native-back': toWorker({ type: 'navigate', kind: 'navigateBack', options: { delta: 1 } }); break;
        case 'native-title-click':
          if (top()?.hooks?.includes('onTitleClick')) toWorker({ type: 'pageHook', pageId: topId, hook: 'onTitleClick', arg: {} });
          break;
        case 'native-pull-refresh': {
          const view = top();
          if (view && pullEnabled(view)) startRefresh('manual');
          toShell('native-note', {
            text: !view ? 'no page is open'
              : pullEnabled(view) ? `${view.route}: pull-down refresh started${view.hooks?.includes('onPullDownRefresh') ? '' : ' (the page defines no onPullDownRefresh)'}`
                : `${view.route}: pull-down refresh is off (set "pullRefresh": true in app.json window or the page's .json${yes(view.config?.allowsBounceVertical, true) ? '' : ', and allowsBounceVertical is "NO"'})`,
          });
          break;
        }
        case 'native-share': toWorker({ type: 'share', requestId: m.requestId }); break;
        case 'native-edit': toWorker({ type: 'editData', requestId: m.requestId, pageId: m.pageId, text: String(m.text ?? '') }); break;
        default: break;
      }
    });
    toWorker({ type: 'devtools', on: true });
  } else {
    $('a-back').addEventListener('click', () => toWorker({ type: 'navigate', kind: 'navigateBack', options: { delta: 1 } }));
    $('a-title').addEventListener('click', () => {
      if (top()?.hooks?.includes('onTitleClick')) toWorker({ type: 'pageHook', pageId: topId, hook: 'onTitleClick', arg: {} });
    });
  }
  drawTabs();

  return { answer, show, onWorkerMessage, hosted };
}
