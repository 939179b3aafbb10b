/*
 * miniprogram-shim bootstrap: gives a mini program page `my` from its first line of code.
 *
 *   <script src="http://127.0.0.1:8700/my.js" data-app-id="2102020000000001"></script>
 *
 * Classic script (no module syntax needed by the page). Defines `window.my` synchronously;
 * until the wasm runtime is ready, calls are queued and return Promises that settle with
 * the real call (`my.request(...).abort()` works while queued); `my.canIUse` answers from a
 * static list. Then it resolves the configuration (DESIGN.md "How a page gets `my`"):
 *   1. defaults: superAppOrigin = this script's origin, transport "direct";
 *   2. GET <superAppOrigin>/sandbox/mini-programs/<appId>/runtime (when data-app-id is set;
 *      ignored if it fails);
 *   3. data-* attributes: data-app-id, data-whitelist="a:1,b", data-transport="direct|relay",
 *      data-relay-url, data-super-app-origin, data-http-error-as-fail="true",
 *      data-trade-pay-fail-routing="true";
 *   4. inside the simulator (?__superapp=<shell origin>[&__appId=<appId>]): the appId the shell
 *      launched the page as, then the shell's `miniprogram-shim:settings` reply to our
 *      `miniprogram-shim:hello` (it carries the appId too, whatever data-app-id says);
 * imports pkg/miniprogram_shim.js from the super app (see `runtimeBase`), configures it and
 * replays the queue in order. `window.miniprogramShim` exposes { ready, configure(patch), onLog(fn), device() }.
 *
 * Also for H5 pages: `window.AlipayJSBridge.call(name, params, callback)` (queued like `my`;
 * `AlipayJSBridgeReady` is dispatched on `document` once the runtime is ready), and the Sync
 * storage APIs work from the first line (on localStorage, the runtime's key scheme).
 * See DESIGN.md "Small JSAPIs and the H5 bridge".
 */
(function () {
  'use strict';
  if (window.my && window.my.__miniprogramShim) return;

  var script = document.currentScript;
  var scriptUrl = new URL(script && script.src ? script.src : 'my.js', location.href);
  var data = (script && script.dataset) || {};
  var params = new URLSearchParams(location.search);
  var shellOrigin = params.get('__superapp');
  var launched = params.get('__appId');
  var framed = !!(window.parent && window.parent !== window);
  // The shell names itself in the launch URL only; a page the mini program then navigates to
  // in the same frame (`location.href = '/next.html'`) has no such query, as in a real
  // container, where the bridge is in every page of the webview. The launch page leaves the
  // two values in this tab's sessionStorage for its own origin, and a later page in a frame
  // reads them back (the shell still checks every message's origin).
  var LAUNCH_KEY = 'miniprogram-shim:launch';
  try {
    if (shellOrigin && framed) {
      sessionStorage.setItem(LAUNCH_KEY, JSON.stringify({ superapp: shellOrigin, appId: launched || null }));
    } else if (!shellOrigin && framed) {
      var saved = JSON.parse(sessionStorage.getItem(LAUNCH_KEY) || 'null');
      if (saved && typeof saved.superapp === 'string') {
        shellOrigin = saved.superapp;
        launched = typeof saved.appId === 'string' ? saved.appId : null;
      }
    }
  } catch (e) { /* no sessionStorage (sandboxed frame): only the launch page knows the shell */ }
  var inSimulator = !!(shellOrigin && framed);
  // The appId the simulator launched this page as (also in its settings reply): it wins over
  // data-app-id, and keys the Sync storage used before the runtime is ready.
  var launchAppId = inSimulator ? launched : null;

  // --- the runtime's fetches, first ---------------------------------------------------------
  // They start before the rest of this script runs (the `my` object, its tables, the bridge),
  // so that work overlaps the downloads (DESIGN.md "How a page gets `my`").
  var defaults = { superAppOrigin: inSimulator ? shellOrigin : scriptUrl.origin, transport: 'direct' };
  var attrs = fromDataset();
  var appId = launchAppId || attrs.appId;
  var superAppOrigin = attrs.superAppOrigin || defaults.superAppOrigin;

  // Where pkg/ is: next to this script when the super app serves it (the usual
  // <superapp>/my.js), else on the super app itself: a copy of my.js served from a CDN path or
  // from the app's own files has no runtime beside it. Inside the simulator the super app is
  // the shell (its origin is in ?__superapp=); standalone, data-super-app-origin says it.
  function runtimeBase() {
    var origin = inSimulator ? shellOrigin : attrs.superAppOrigin;
    var superApp = null;
    try { superApp = origin ? new URL(origin).origin : null; } catch (e) { superApp = null; }
    if (!superApp || superApp === scriptUrl.origin) return scriptUrl;
    return new URL('/', superApp);
  }
  var base = runtimeBase();
  var pkgUrl = new URL('pkg/miniprogram_shim.js', base).href;

  // Every fetch the runtime needs starts now, in parallel: the glue (a modulepreload, fetched
  // and parsed while the wasm downloads; .ci/build-pkg folds its JS snippets into it, so it
  // imports nothing), the wasm (compiled while it streams in) and the runtime config. The
  // extras module (pkg/extras/) is not fetched until one of its APIs is called.
  function preload(href) {
    var parent = document.head || document.documentElement;
    if (!parent || !document.createElement) return;
    var link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = href;
    parent.appendChild(link);
  }
  function compileWasm(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) throw new Error('failed to fetch Wasm: ' + response.status + ' fetching ' + url);
      var type = response.headers.get('content-type') || '';
      if (typeof WebAssembly.compileStreaming === 'function' && type.indexOf('application/wasm') === 0) {
        return WebAssembly.compileStreaming(response);
      }
      return response.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); });
    });
  }
  function loadRuntime(glueUrl, wasmUrl) {
    preload(glueUrl);
    var wasmModule = compileWasm(wasmUrl);
    wasmModule.catch(function () {}); // reported through `ready`
    return import(glueUrl).then(function (mod) {
      return mod.default({ module_or_path: wasmModule }).then(function () { return mod; });
    });
  }
  // From the super app; if it cannot give the runtime and my.js came from elsewhere, from next
  // to my.js after all (a page whose data-super-app-origin is not up, with my.js and pkg/ on
  // its own server).
  var runtime = loadRuntime(pkgUrl, new URL('pkg/miniprogram_shim_bg.wasm', base).href);
  if (base !== scriptUrl) {
    runtime = runtime.catch(function (error) {
      var beside = new URL('pkg/miniprogram_shim.js', scriptUrl).href;
      console.warn('miniprogram-shim: no runtime at ' + pkgUrl + ', trying ' + beside, error);
      pkgUrl = beside;
      return loadRuntime(beside, new URL('pkg/miniprogram_shim_bg.wasm', scriptUrl).href);
    });
  }
  var runtimeConfigLoaded = runtimeConfig(superAppOrigin, appId);

  // Mirrors src/can_i_use.rs (the bootstrap browser test checks they agree).
  var SUPPORTED = {
    request: {
      object: ['url', 'method', 'headers', 'header', 'data', 'timeout', 'dataType', 'enableCookie',
        'httpErrorAsFail', 'success', 'fail', 'complete'],
      return: ['abort'],
      success: ['data', 'status', 'headers', 'statusCode', 'header'],
    },
    tradePay: { object: ['paymentUrl', 'tradeNO', 'orderStr', 'success', 'fail', 'complete'], return: [], success: ['resultCode'] },
    getAuthCode: { object: ['scopes', 'success', 'fail', 'complete'], return: [], success: ['authCode', 'authSuccessScopes', 'authErrorScopes'] },
    alert: { object: ['title', 'content', 'buttonText', 'success', 'fail', 'complete'], return: [], success: [] },
    canIUse: { object: [], return: [], success: [] },
    confirm: { object: ['title', 'content', 'confirmButtonText', 'cancelButtonText', 'success', 'fail', 'complete'], return: [], success: ['confirm'] },
    showToast: { object: ['content', 'type', 'duration', 'success', 'fail', 'complete'], return: [], success: [] },
    hideToast: { object: ['success', 'fail', 'complete'], return: [], success: [] },
    showLoading: { object: ['content', 'delay', 'success', 'fail', 'complete'], return: [], success: [] },
    hideLoading: { object: ['success', 'fail', 'complete'], return: [], success: [] },
    setClipboard: { object: ['text', 'success', 'fail', 'complete'], return: [], success: [] },
    getClipboard: { object: ['success', 'fail', 'complete'], return: [], success: ['text'] },
    getSystemInfo: {
      object: ['success', 'fail', 'complete'],
      return: [],
      success: ['model', 'pixelRatio', 'windowWidth', 'windowHeight', 'language', 'version', 'storage',
        'currentBattery', 'system', 'platform', 'titleBarHeight', 'statusBarHeight', 'screenWidth',
        'screenHeight', 'brand', 'fontSizeSetting', 'app'],
    },
    setStorage: { object: ['key', 'data', 'success', 'fail', 'complete'], return: [], success: ['success'] },
    getStorage: { object: ['key', 'success', 'fail', 'complete'], return: [], success: ['data'] },
    removeStorage: { object: ['key', 'success', 'fail', 'complete'], return: [], success: ['success'] },
    setStorageSync: { object: ['key', 'data'], return: ['success'], success: [] },
    getStorageSync: { object: ['key'], return: ['data'], success: [] },
    removeStorageSync: { object: ['key'], return: ['success'], success: [] },
    // ---- pickers (src/pickers.rs) ----
    showActionSheet: { object: ['title', 'items', 'cancelButtonText', 'destructiveBtnIndex', 'badges', 'success', 'fail', 'complete'], return: [], success: ['index', 'success'] },
    prompt: { object: ['title', 'message', 'align', 'placeholder', 'okButtonText', 'cancelButtonText', 'success', 'fail', 'complete'], return: [], success: ['ok', 'inputValue'] },
    showModal: { object: ['title', 'content', 'showCancel', 'cancelText', 'confirmText', 'editable', 'placeholderText', 'success', 'fail', 'complete'], return: [], success: ['confirm', 'cancel', 'content'] },
    datePicker: { object: ['format', 'currentDate', 'startDate', 'endDate', 'success', 'fail', 'complete'], return: [], success: ['date'] },
    optionsSelect: {
      object: ['title', 'optionsOne', 'optionsTwo', 'selectedOneIndex', 'selectedTwoIndex', 'positiveString', 'negativeString', 'success', 'fail', 'complete'],
      return: [],
      success: ['selectedOneIndex', 'selectedOneOption', 'selectedTwoIndex', 'selectedTwoOption'],
    },
    multiLevelSelect: { object: ['title', 'list', 'success', 'fail', 'complete'], return: [], success: ['success', 'result'] },
    chooseCity: { object: ['cities', 'hotCities', 'showHotCities', 'success', 'fail', 'complete'], return: [], success: ['city', 'adCode'] },
    regionPicker: { object: ['title', 'customItem', 'mergeOptions', 'selectedItem', 'adVersion', 'success', 'fail', 'complete'], return: [], success: ['data', 'code'] },
    hideKeyboard: { object: ['success', 'fail', 'complete'], return: [], success: ['success'] },
    // ---- device inputs (src/device.rs) ----
    getLocation: {
      object: ['type', 'cacheTimeout', 'success', 'fail', 'complete'],
      return: [],
      success: ['longitude', 'latitude', 'accuracy', 'horizontalAccuracy', 'country', 'countryCode', 'province', 'city',
        'cityAdcode', 'district', 'districtAdcode', 'streetNumber', 'pois'],
    },
    scan: { object: ['scanType', 'hideAlbum', 'onlyFromCamera', 'success', 'fail', 'complete'], return: [], success: ['code', 'qrCode', 'barCode', 'imageChannel', 'result', 'scanType', 'rawData'] },
    choosePhoneContact: { object: ['success', 'fail', 'complete'], return: [], success: ['name', 'mobile'] },
    chooseContact: {
      object: ['chooseType', 'includeMe', 'includeMobileContactMode', 'multiChooseMax', 'multiChooseMaxTips', 'success', 'fail', 'complete'],
      return: [],
      success: ['contactsDicArray'],
    },
    getSetting: { object: ['success', 'fail', 'complete'], return: [], success: ['authSetting'] },
    getServerTime: { object: ['success', 'fail', 'complete'], return: [], success: ['time'] },
    openSetting: { object: ['success', 'fail', 'complete'], return: [], success: ['authSetting'] },
    getAuthUserInfo: { object: ['success', 'fail', 'complete'], return: [], success: ['nickName', 'avatar'] },
    openLocation: { object: ['latitude', 'longitude', 'name', 'address', 'scale', 'success', 'fail', 'complete'], return: [], success: [] },
    addPhoneContact: { object: ['firstName', 'lastName', 'nickName', 'mobilePhoneNumber', 'success', 'fail', 'complete'], return: [], success: ['success'] },
  };
  // --- issue 9 core (mirrors the block of the same name in src/can_i_use.rs) ---------------
  var CB = ['success', 'fail', 'complete'];
  var SYSTEM_INFO = SUPPORTED.getSystemInfo.success;
  var LAUNCH = ['path', 'query', 'scene', 'apiCategory'];
  function sync(fields) { return { object: [], return: fields, success: [] }; }
  function async(object, success) { return { object: object.concat(CB), return: [], success: success }; }
  function listener() { return { object: [], return: [], success: [] }; }
  Object.assign(SUPPORTED, {
    clearStorage: async([], ['success']),
    clearStorageSync: sync(['success']),
    getStorageInfo: async([], ['keys', 'currentSize', 'limitSize']),
    getStorageInfoSync: sync(['keys', 'currentSize', 'limitSize']),
    getSystemInfoSync: sync(SYSTEM_INFO),
    getWindowInfo: sync(['pixelRatio', 'screenWidth', 'screenHeight', 'windowWidth', 'windowHeight', 'statusBarHeight', 'safeArea']),
    getAppBaseInfo: sync(['SDKVersion', 'language', 'version']),
    getAccountInfoSync: sync(['miniProgram']),
    getAppIdSync: sync(['appId']),
    getLaunchOptionsSync: sync(LAUNCH),
    getEnterOptionsSync: sync(LAUNCH),
    getNetworkType: async([], ['networkAvailable', 'networkType']),
    onNetworkStatusChange: listener(),
    offNetworkStatusChange: listener(),
    onAppShow: listener(),
    offAppShow: listener(),
    onAppHide: listener(),
    offAppHide: listener(),
    onError: listener(),
    offError: listener(),
    onUnhandledRejection: listener(),
    offUnhandledRejection: listener(),
    onUserCaptureScreen: listener(),
    offUserCaptureScreen: listener(),
    vibrate: async([], []),
    vibrateShort: async([], []),
    vibrateLong: async([], []),
    makePhoneCall: async(['number'], []),
    setKeepScreenOn: async(['keepScreenOn'], []),
    getScreenBrightness: async([], ['brightness']),
    setScreenBrightness: async(['brightness'], []),
    getBatteryInfo: async([], ['level', 'isCharging']),
    getBatteryInfoSync: sync(['level', 'isCharging']),
    // the title bar (src/navigation_bar.rs)
    setNavigationBar: async(['title', 'image', 'backgroundColor', 'borderBottomColor', 'frontColor', 'reset'], []),
    setNavigationBarTitle: async(['title', 'image'], []),
    setNavigationBarColor: async(['backgroundColor', 'frontColor'], []),
    setNavigationBarBottomLineColor: async(['borderBottomColor'], []),
    showNavigationBarLoading: async([], []),
    hideNavigationBarLoading: async([], []),
  });
  // --- files over the network and sockets (mirrors the block in src/can_i_use.rs) ---------
  var TRANSFER_TASK = ['abort', 'onProgressUpdate', 'offProgressUpdate', 'onHeadersReceived', 'offHeadersReceived'];
  var SOCKET_TASK = ['send', 'close', 'onOpen', 'offOpen', 'onMessage', 'offMessage', 'onError', 'offError', 'onClose', 'offClose'];
  Object.assign(SUPPORTED, {
    downloadFile: { object: ['url', 'header', 'headers'].concat(CB), return: TRANSFER_TASK, success: ['apFilePath', 'tempFilePath', 'headers', 'header'] },
    uploadFile: {
      object: ['url', 'filePath', 'name', 'fileName', 'fileType', 'header', 'headers', 'formData'].concat(CB),
      return: TRANSFER_TASK,
      success: ['data', 'statusCode', 'header'],
    },
    connectSocket: { object: ['url', 'data', 'protocols', 'multiple'].concat(CB), return: SOCKET_TASK, success: [] },
    sendSocketMessage: async(['data', 'isBuffer'], ['success']),
    closeSocket: async(['code', 'reason'], ['message']),
    onSocketOpen: listener(),
    offSocketOpen: listener(),
    onSocketMessage: listener(),
    offSocketMessage: listener(),
    onSocketError: listener(),
    offSocketError: listener(),
    onSocketClose: listener(),
    offSocketClose: listener(),
  });

  // --- audio (mirrors the block of the same name in src/can_i_use.rs) ---------------------
  var AUDIO_EVENTS = ['Canplay', 'Play', 'Pause', 'Stop', 'Ended', 'TimeUpdate', 'Error', 'Waiting', 'Seeking', 'Seeked'];
  function audioMembers(fields, methods, events) {
    return fields.concat(['currentTime', 'duration', 'paused', 'buffered'], methods,
      [].concat.apply([], events.map(function (e) { return ['on' + e, 'off' + e]; })));
  }
  var INNER_AUDIO = audioMembers(['src', 'startTime', 'autoplay', 'loop', 'volume', 'obeyMuteSwitch', 'playbackRate'],
    ['play', 'pause', 'stop', 'seek', 'destroy'], AUDIO_EVENTS);
  var BACKGROUND_AUDIO = audioMembers(['src', 'startTime', 'title', 'epname', 'singer', 'coverImgUrl', 'webUrl', 'protocol', 'playbackRate'],
    ['play', 'pause', 'stop', 'seek'], AUDIO_EVENTS.concat(['Prev', 'Next']));
  Object.assign(SUPPORTED, {
    createInnerAudioContext: { object: [], return: INNER_AUDIO, success: [] },
    getBackgroundAudioManager: { object: [], return: BACKGROUND_AUDIO, success: [] },
  });

  // --- the file store and images (mirrors the block of the same name in src/can_i_use.rs) --
  var FILE = ['apFilePath', 'filePath'];
  Object.assign(SUPPORTED, {
    saveFile: async(FILE, ['success', 'apFilePath']),
    getSavedFileList: async([], ['success', 'fileList']),
    getSavedFileInfo: async(FILE, ['success', 'size', 'createTime']),
    removeSavedFile: async(FILE, ['success']),
    getFileInfo: async(FILE.concat(['digestAlgorithm']), ['size', 'digest']),
    openDocument: async(['filePath', 'apFilePath', 'fileType'], []),
    chooseImage: async(['count', 'sizeType', 'sourceType'], ['apFilePaths', 'tempFilePaths', 'tempFiles']),
    previewImage: async(['urls', 'current'], []),
    saveImage: async(['url'], []),
    getImageInfo: async(['src'], ['width', 'height', 'path', 'size', 'type', 'orientation']),
    chooseLocation: async(['title', 'latitude', 'longitude'], ['name', 'address', 'longitude', 'latitude', 'provinceName', 'cityName']),
    compressImage: async(['apFilePaths', 'compressLevel', 'compressedWidth', 'compressedHeight', 'maxWidth', 'maxHeight'], ['apFilePaths']),
  });

  // Every name gets an answer (src/jsapi.rs): `my.<name>` for a name my.js does not list is a
  // function forwarded to the runtime's `my` (a Proxy whose unimplemented names fail with
  // error 1 in their calling shape). Before the runtime is ready: async calls queue, listener
  // registrations queue, Sync calls answer here. SYNC_RETURNING mirrors src/jsapi.rs
  // (tests/jsapi/coverage.test.mjs checks both against @mini-types/my).
  var SYNC_RETURNING = ['arrayBufferToBase64', 'base64ToArrayBuffer', 'createAnimation', 'createCanvasContext',
    'createCloudContext', 'createInnerAudioContext', 'createIntersectionObserver', 'createLottieContext',
    'createMapContext', 'createOffscreenCanvas', 'createRewardedAd', 'createSelectorQuery', 'createVideoContext',
    'createWebViewContext', 'createWorker', 'getAccessibilityManager', 'getAppAuthorizeSetting', 'getAppBaseInfo',
    'getBackgroundAudioManager', 'getFileSystemManager', 'getGeocoder', 'getLeftButtonsBoundingClientRect',
    'getMenuButtonBoundingClientRect', 'getParentAppId', 'getRecorderManager', 'getSystemSetting',
    'getUpdateManager', 'getWindowInfo'];
  function shapeOf(name) {
    if (/^(on|off)[A-Z]/.test(name)) return 'listener';
    if (/Sync$/.test(name) || SYNC_RETURNING.indexOf(name) >= 0) return 'sync';
    return 'async';
  }
  function isApiName(name) {
    return typeof name === 'string' && /^[a-z][A-Za-z0-9]*$/.test(name) && name !== 'then' && name !== 'toJSON';
  }

  function staticCanIUse(schema) {
    if (typeof schema !== 'string') return false;
    var parts = schema.trim().split('.');
    var api = Object.prototype.hasOwnProperty.call(SUPPORTED, parts[0]) ? SUPPORTED[parts[0]] : null;
    if (!api) return false;
    if (parts.length === 1) return true;
    var list = api[parts[1]];
    return parts.length >= 3 && Array.isArray(list) && list.indexOf(parts.slice(2).join('.')) >= 0;
  }

  var shim = null; // the wasm module's exports, once ready
  var shimMy = null; // its `my` (shim.createMy()), for the names forwarded by the Proxy below
  var loadError = null;
  var queue = [];
  var logListeners = [];

  function hasCallbacks(options) {
    return !!options && (typeof options.fail === 'function' || typeof options.complete === 'function');
  }

  // A call made before the runtime is ready: a Promise settled by the real call later.
  function enqueue(api, options, forwarded) {
    var entry = { api: api, options: options, aborted: false, task: null, forwarded: !!forwarded };
    var promise = new Promise(function (resolve, reject) { entry.resolve = resolve; entry.reject = reject; });
    if (hasCallbacks(options)) promise.catch(function () {}); // as the runtime does (docs/protocol.md §2)
    if (api === 'request') {
      promise.abort = function () {
        entry.aborted = true;
        if (entry.task) entry.task.abort();
      };
    }
    // An UploadTask/DownloadTask while queued: its listeners and abort reach the real task.
    if (api === 'downloadFile' || api === 'uploadFile') {
      entry.ops = [];
      SUPPORTED[api].return.forEach(function (method) {
        promise[method] = function (cb) {
          if (method === 'abort') entry.aborted = true;
          if (entry.task) return entry.task[method](cb);
          entry.ops.push([method, cb]);
        };
      });
    }
    queue.push(entry);
    if (loadError) drain();
    return promise;
  }

  function failWithoutRuntime(entry) {
    var err = { error: 3, errorMessage: 'miniprogram-shim failed to load: ' + loadError };
    if (entry.bridge) return bridgeCallback(entry.name, entry.callback, err);
    var opts = entry.options || {};
    ['fail', 'complete'].forEach(function (name) {
      if (typeof opts[name] !== 'function') return;
      try { opts[name](err); } catch (e) { console.error('my.' + entry.api + ': the ' + name + ' callback threw', e); }
    });
    entry.reject(err);
  }

  function drain() {
    var pending = queue;
    queue = [];
    pending.forEach(function (entry) {
      if (entry.socket && !shim) return entry.failed({ error: 3, errorMessage: 'miniprogram-shim failed to load: ' + loadError });
      if (entry.listener && !shim) return; // no runtime: the event never comes
      if (!shim) return failWithoutRuntime(entry);
      if (entry.bridge) return shim.bridgeCall(entry.name, entry.params, entry.callback);
      if (entry.socket) return entry.socket(shimMy.connectSocket(entry.options));
      if (entry.audio) return entry.audio();
      if (entry.listener) return shimMy[entry.api](entry.options);
      var task = entry.forwarded ? shimMy[entry.api](entry.options) : shim[entry.api](entry.options);
      entry.task = task;
      (entry.ops || []).forEach(function (op) { task[op[0]](op[1]); });
      if (entry.aborted && task.abort) task.abort();
      task.then(entry.resolve, entry.reject);
    });
  }

  var my = {
    request: function (options) { return shim ? shim.request(options) : enqueue('request', options); },
    tradePay: function (options) { return shim ? shim.tradePay(options) : enqueue('tradePay', options); },
    getAuthCode: function (options) { return shim ? shim.getAuthCode(options) : enqueue('getAuthCode', options); },
    alert: function (options) { return shim ? shim.alert(options) : enqueue('alert', options); },
    canIUse: function (schema) { return shim ? shim.canIUse(schema) : staticCanIUse(schema); },
    // Sync storage cannot wait for the runtime: before it is ready these run here, on the same
    // localStorage keys and rules as src/storage.rs (the bootstrap test checks they agree).
    setStorageSync: function (a, b) { return shim ? shim.setStorageSync(a, b) : early.set(a, b); },
    getStorageSync: function (a) { return shim ? shim.getStorageSync(a) : early.get(a); },
    removeStorageSync: function (a) { return shim ? shim.removeStorageSync(a) : early.remove(a); },
  };
  ['confirm', 'showToast', 'hideToast', 'showLoading', 'hideLoading', 'getSystemInfo',
    'setStorage', 'getStorage', 'removeStorage'].forEach(function (api) {
    my[api] = function (options) { return shim ? shim[api](options) : enqueue(api, options); };
  });
  // ---- the extras module's APIs (pickers, the phone's inputs and actuators, the clipboard, files, images, transfers): the runtime's `my` loads that
  // second wasm module on the first call of one of them (DESIGN.md "Size of the start wasm").
  // EXTRAS mirrors shim-core/src/extras.rs NAMES (tests/jsapi/coverage.test.mjs checks it).
  var EXTRAS = ['showActionSheet', 'prompt', 'showModal', 'datePicker', 'optionsSelect', 'multiLevelSelect',
    'chooseCity', 'regionPicker', 'hideKeyboard', 'getLocation', 'scan', 'choosePhoneContact', 'chooseContact', 'addPhoneContact', 'openLocation',
    'chooseLocation', 'saveFile', 'getSavedFileList', 'getSavedFileInfo', 'removeSavedFile', 'getFileInfo', 'openDocument',
    'chooseImage', 'previewImage', 'saveImage', 'getImageInfo', 'compressImage', 'setClipboard', 'getClipboard',
    'downloadFile', 'uploadFile', 'connectSocket', 'sendSocketMessage', 'closeSocket', 'vibrate', 'vibrateShort',
    'vibrateLong', 'makePhoneCall', 'setKeepScreenOn', 'getScreenBrightness', 'setScreenBrightness', 'createInnerAudioContext',
    'getBackgroundAudioManager', 'getSetting', 'openSetting', 'getAuthUserInfo', 'getServerTime'];
  EXTRAS.forEach(function (api) {
    my[api] = function (options) {
      // The one background manager: the stand-in, once there was one (it forwards to the real).
      if (api === 'getBackgroundAudioManager' && backgroundStandIn) return backgroundStandIn;
      if (shimMy) return shimMy[api](options);
      // connectSocket({ multiple: true }) answers with its SocketTask at once, as on a device.
      if (api === 'connectSocket' && options && options.multiple) return queuedSocketTask(options);
      // The audio objects too: a stand-in that replays on the real object (queuedAudio).
      if (api === 'createInnerAudioContext' || api === 'getBackgroundAudioManager') return queuedAudio(api);
      return enqueue(api, options, true);
    };
  });

  // --- Sync storage before the runtime is ready (mirror of src/storage.rs) -------------
  // The app's total size is kept running as in src/glue/storage.rs: summed again only when
  // another tab's `storage` event names a shim key (or a clear), or localStorage.length is not
  // what our last change left.
  var early = (function () {
    var MAX_DATA = 200 * 1024;
    var MAX_TOTAL = 10 * 1024 * 1024;
    var tally = null; // { prefix, total, length }
    window.addEventListener('storage', function (e) {
      if (e.key === null || e.key.indexOf('miniprogram-shim/') === 0) tally = null;
    });
    function prefix() { return 'miniprogram-shim/' + encodeURIComponent(launchAppId || data.appId || '') + '/'; }
    function fail(param, reason) { return { error: 2, errorMessage: 'invalid parameter `' + param + '`: ' + reason }; }
    function unknown(message) { return { error: 3, errorMessage: 'unknown error: ' + message }; }
    function args(a, b) {
      if (typeof a === 'string') return { key: a, data: b };
      if (a !== undefined && a !== null && typeof a !== 'object' && typeof a !== 'function') return { bad: true };
      return { key: a ? a.key : undefined, data: a ? a.data : undefined };
    }
    function checkKey(key) {
      if (typeof key !== 'string') return fail('key', 'is required and must be a string');
      if (key === '') return fail('key', 'must not be an empty string');
      return null;
    }
    // The fail object for unreadable options or key, or null when both are fine.
    function invalid(o) { return o.bad ? fail('options', 'must be an object') : checkKey(o.key); }
    function storage() { try { return window.localStorage; } catch (e) { return null; } }
    // Characters the app's keys (without the prefix) and data use.
    function usage(ls, p) {
      if (tally && tally.prefix === p && tally.length === ls.length) return tally.total;
      var total = 0;
      for (var i = 0; i < ls.length; i++) {
        var k = ls.key(i);
        if (k && k.indexOf(p) === 0) total += k.length - p.length + (ls.getItem(k) || '').length;
      }
      return total;
    }
    function remember(ls, p, total) { tally = { prefix: p, total: total, length: ls.length }; }
    return {
      set: function (a, b) {
        var o = args(a, b);
        var bad = invalid(o);
        if (bad) return bad;
        var json;
        try { json = o.data === undefined ? undefined : JSON.stringify(o.data); } catch (e) {
          return fail('data', 'cannot be serialised to JSON: ' + (e && e.message));
        }
        if (typeof json !== 'string') return fail('data', 'is required and must be serialisable to JSON');
        if (json.length > MAX_DATA) return fail('data', 'is ' + json.length + ' characters as JSON; one key holds at most ' + MAX_DATA);
        var ls = storage();
        if (!ls) return unknown('localStorage is not available on this page');
        var p = prefix(), name = p + o.key, old = ls.getItem(name);
        var others = usage(ls, p) - (old === null ? 0 : o.key.length + old.length);
        var total = others + o.key.length + json.length;
        if (total > MAX_TOTAL) {
          return fail('data', "would bring this mini program's storage to " + total + ' characters; the limit is ' + MAX_TOTAL + ' (10 MB)');
        }
        try { ls.setItem(name, json); } catch (e) {
          return unknown('the browser refused to store the data (its localStorage is full)');
        }
        remember(ls, p, total);
        return { success: true };
      },
      get: function (a) {
        var o = args(a);
        var bad = invalid(o);
        if (bad) return bad;
        var ls = storage();
        if (!ls) return unknown('localStorage is not available on this page');
        var text = ls.getItem(prefix() + o.key);
        if (text === null) return { data: null };
        try { return { data: JSON.parse(text) }; } catch (e) { return { data: text }; }
      },
      clear: function () {
        var ls = storage();
        if (!ls) return Object.assign({ success: false }, unknown('localStorage is not available on this page'));
        var p = prefix(), names = [];
        for (var i = 0; i < ls.length; i++) { var k = ls.key(i); if (k && k.indexOf(p) === 0) names.push(k); }
        names.forEach(function (k) { ls.removeItem(k); });
        remember(ls, p, 0);
        return { success: true };
      },
      info: function () {
        var ls = storage();
        if (!ls) return unknown('localStorage is not available on this page');
        var p = prefix(), keys = [];
        for (var i = 0; i < ls.length; i++) { var k = ls.key(i); if (k && k.indexOf(p) === 0) keys.push(k.slice(p.length)); }
        var total = usage(ls, p);
        remember(ls, p, total);
        return { keys: keys, currentSize: Math.ceil(total / 1024), limitSize: MAX_TOTAL / 1024 };
      },
      // A Sync API other than storage before the runtime is ready: the unsupported answer for a
      // name the runtime lacks, else error 3 saying to wait (DESIGN.md "Every name gets an answer").
      sync: function (name, a) {
        if (name === 'clearStorageSync') return this.clear();
        if (name === 'getStorageInfoSync') return this.info();
        if (name === 'getAppIdSync') return { appId: launchAppId || data.appId || '' };
        if (!staticCanIUse(name)) return { error: 1, errorMessage: name + ' is not supported by this simulator' };
        return { error: 3, errorMessage: 'unknown error: my.' + name + ' is not available until the runtime is ready (await miniprogramShim.ready)' };
      },
      remove: function (a) {
        var o = args(a);
        var bad = invalid(o);
        if (bad) return bad;
        var ls = storage();
        if (!ls) return unknown('localStorage is not available on this page');
        var p = prefix(), name = p + o.key, old = ls.getItem(name);
        var before = usage(ls, p);
        ls.removeItem(name);
        remember(ls, p, before - (old === null ? 0 : o.key.length + old.length));
        return { success: true };
      },
    };
  })();
  Object.defineProperty(my, '__miniprogramShim', { value: true });

  // --- the web-view bridge ---------------------------------------------------------------------
  // An H5 page inside a native mini program's <web-view> (www/native/web-view.mjs; DESIGN.md
  // "Native mini programs: swiper, picker-view, rich-text, web-view"): `my.postMessage(data)` to
  // the page's `onMessage`, `my.onMessage = function (data) {}` for the page's
  // `createWebViewContext(id).postMessage`, `my.getEnv(cb)` → `{ miniprogram }`. The host is
  // the parent window that answered our `web-view-ready` with a hello; messages go to its
  // origin only, and only its messages (that window, that origin) reach `my.onMessage`.
  var webViewHost = null;
  var webViewQueue = [];
  function webViewSend(data) {
    try {
      window.parent.postMessage({ type: 'miniprogram-shim:web-view-message', data: data }, webViewHost);
    } catch (e) { console.error('my.postMessage: the message could not be sent', e); }
  }
  my.postMessage = function (data) {
    var copy;
    try { copy = JSON.parse(JSON.stringify(data === undefined ? null : data)); } catch (e) {
      console.error('my.postMessage: the message is not JSON data', e);
      return;
    }
    if (!framed) { console.warn('my.postMessage: this page is not inside a web-view'); return; }
    if (webViewHost === null) { if (webViewQueue.length < 100) webViewQueue.push(copy); return; }
    webViewSend(copy);
  };
  my.onMessage = null;
  my.getEnv = function (callback) {
    var env = { miniprogram: webViewHost !== null };
    if (typeof callback === 'function') setTimeout(function () { callback(env); }, 0);
    return Promise.resolve(env);
  };
  // The simulator's launch page (`?__superapp=`) is framed by the shell, not by a web-view.
  if (framed && !params.get('__superapp')) {
    window.addEventListener('message', function (event) {
      if (event.source !== window.parent) return;
      var msg = event.data;
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'miniprogram-shim:web-view-hello') {
        if (webViewHost !== null) return;
        webViewHost = event.origin;
        webViewQueue.splice(0).forEach(webViewSend);
        return;
      }
      if (msg.type !== 'miniprogram-shim:web-view-message' || event.origin !== webViewHost) return;
      var handler = my.onMessage;
      if (typeof handler === 'function') {
        try { handler(msg.data); } catch (e) { console.error('my.onMessage threw', e); }
      }
    });
    try { window.parent.postMessage({ type: 'miniprogram-shim:web-view-ready' }, '*'); } catch (e) { /* no parent */ }
  }

  // --- every other name (issue 9) ----------------------------------------------------------
  var forwarders = {};
  function forwarder(name) {
    return function (a, b) {
      if (shimMy) return shimMy[name](a, b);
      var shape = shapeOf(name);
      if (shape === 'listener') { queue.push({ listener: true, api: name, options: a }); return undefined; }
      if (shape === 'sync') return early.sync(name, a);
      return enqueue(name, a, true);
    };
  }
  // `createInnerAudioContext()` / `getBackgroundAudioManager()` before the runtime is ready: a
  // stand-in with the object's members (SUPPORTED's `return` list) that records what is done
  // and replays it in order on the runtime's object once it is ready; then every member is the
  // real object's. Without a runtime the audio never plays (the load failure is reported).
  var backgroundStandIn = null;
  function queuedAudio(api) {
    if (api === 'getBackgroundAudioManager' && backgroundStandIn) return backgroundStandIn;
    var real = null, ops = [], kept = {};
    var object = {};
    var READS = { currentTime: 0, duration: 0, paused: true, buffered: 0 };
    SUPPORTED[api].return.forEach(function (name) {
      if (/^(on|off)[A-Z]|^(play|pause|stop|seek|destroy)$/.test(name)) {
        object[name] = function (arg) {
          if (real) return real[name](arg);
          if (ops.length < MAX_TASK_CALLS) ops.push(function (r) { r[name](arg); });
          return undefined;
        };
        return;
      }
      Object.defineProperty(object, name, {
        enumerable: true,
        get: function () { return real ? real[name] : name in kept ? kept[name] : name in READS ? READS[name] : undefined; },
        set: function (value) {
          if (name in READS) return;
          if (real) { real[name] = value; return; }
          kept[name] = value;
          if (ops.length < MAX_TASK_CALLS) ops.push(function (r) { r[name] = value; });
        },
      });
    });
    queue.push({ listener: true, audio: function () {
      real = shimMy[api]();
      ops.splice(0).forEach(function (op) { op(real); });
    } });
    if (api === 'getBackgroundAudioManager') backgroundStandIn = object;
    return object;
  }

  // `connectSocket({ multiple: true })` before the runtime is ready: a SocketTask whose calls
  // are replayed, in order, on the real one (send/close return Promises settled by it). At
  // most MAX_TASK_CALLS wait, as in the runtime's loader of the extras module
  // (src/glue/extras.js); `socketTaskID` is the real task's once it exists.
  var MAX_TASK_CALLS = 128;
  function queuedSocketTask(options) {
    var real = null, ops = [], failure = null;
    var task = {};
    Object.defineProperty(task, 'socketTaskID', {
      enumerable: true,
      get: function () { return real ? real.socketTaskID : undefined; },
    });
    // fail, complete and a rejected Promise, as the runtime answers (docs/protocol.md §2).
    function refuse(api, arg, err) {
      ['fail', 'complete'].forEach(function (name) {
        if (arg && typeof arg[name] === 'function') {
          try { arg[name](err); } catch (e) { console.error('my.' + api + ': the ' + name + ' callback threw', e); }
        }
      });
      var p = Promise.reject(err);
      if (hasCallbacks(arg)) p.catch(function () {});
      return p;
    }
    SUPPORTED.connectSocket.return.forEach(function (method) {
      var answers = method === 'send' || method === 'close';
      task[method] = function (arg) {
        if (real) return real[method](arg);
        if (failure) return answers ? refuse('SocketTask.' + method, arg, failure) : undefined;
        if (ops.length >= MAX_TASK_CALLS) {
          var message = 'SocketTask.' + method + ':fail ' + MAX_TASK_CALLS +
            ' calls already wait on this SocketTask for the runtime to load, the limit';
          if (answers) return refuse('SocketTask.' + method, arg, { error: 12, errorMessage: message });
          console.error('miniprogram-shim: ' + message);
          return undefined;
        }
        if (!answers) { ops.push([method, arg, null]); return undefined; }
        var op = [method, arg, null];
        var p = new Promise(function (resolve) { op[2] = resolve; });
        if (hasCallbacks(arg)) p.catch(function () {});
        ops.push(op);
        return p;
      };
    });
    queue.push({ listener: true, api: 'connectSocket', options: options, failed: function (err) {
      failure = err;
      refuse('connectSocket', options, err).catch(function () {});
      ops.splice(0).forEach(function (op) { if (op[2]) op[2](refuse('SocketTask.' + op[0], op[1], err)); });
    }, socket: function (t) {
      real = t;
      ops.splice(0).forEach(function (op) {
        var r = t[op[0]](op[1]);
        if (op[2]) op[2](r);
      });
    } });
    return task;
  }

  window.my = new Proxy(my, {
    get: function (target, name) {
      if (name in target || !isApiName(name)) return target[name];
      if (!Object.prototype.hasOwnProperty.call(forwarders, name)) forwarders[name] = forwarder(name);
      return forwarders[name];
    },
    // `'getNetworkType' in my` says what is implemented, as my.canIUse does.
    has: function (target, name) { return name in target || (isApiName(name) && staticCanIUse(name)); },
  });

  // --- AlipayJSBridge (H5 pages) -------------------------------------------------------
  // Defined at once (calls are queued with the my.* ones until the runtime is ready), so the
  // documented `if (window.AlipayJSBridge) ready(); else document.addEventListener(
  // 'AlipayJSBridgeReady', ready)` works, and `AlipayJSBridgeReady` is dispatched on
  // `document` once the runtime is ready, for pages that only listen. A page that already
  // has a real bridge (inside a super app) keeps it.
  function bridgeCallback(name, callback, value) {
    if (typeof callback !== 'function') return;
    Promise.resolve().then(function () {
      try { callback(value); } catch (e) { console.error("AlipayJSBridge.call('" + name + "'): the callback threw", e); }
    });
  }
  if (!window.AlipayJSBridge) {
    window.AlipayJSBridge = {
      call: function (name, params, callback) {
        if (typeof params === 'function') { callback = params; params = undefined; }
        if (shim) return shim.bridgeCall(name, params, callback);
        if (loadError) {
          return bridgeCallback(name, callback, { error: 3, errorMessage: 'miniprogram-shim failed to load: ' + loadError });
        }
        queue.push({ bridge: true, name: name, params: params, callback: callback });
      },
    };
    Object.defineProperty(window.AlipayJSBridge, '__miniprogramShim', { value: true });
  }

  // --- configuration -------------------------------------------------------------------
  function clean(value) {
    return JSON.parse(JSON.stringify(value === undefined ? null : value, function (key, v) {
      if (typeof v === 'function') return undefined;
      if (v instanceof ArrayBuffer) return '[ArrayBuffer ' + v.byteLength + ' bytes]';
      if (ArrayBuffer.isView(v)) return '[' + v.constructor.name + ' ' + v.byteLength + ' bytes]';
      return v;
    }));
  }
  function logger(entry) {
    var summary = null;
    if (inSimulator) {
      summary = { api: entry.api, options: clean(entry.options), ok: entry.ok, result: clean(entry.result), durationMs: entry.durationMs };
      try {
        window.parent.postMessage({ type: 'miniprogram-shim:log', entry: summary }, shellOrigin);
      } catch (e) { /* the shell went away */ }
    }
    logListeners.forEach(function (fn) {
      try { fn(entry); } catch (e) { console.error('miniprogram-shim: a log listener threw', e); }
    });
  }
  function wantsLogger() { return inSimulator || logListeners.length > 0; }

  function fromDataset() {
    var c = {};
    if (data.appId) c.appId = data.appId;
    if (data.whitelist !== undefined) {
      c.whitelist = data.whitelist.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
    }
    if (data.transport) c.transport = data.transport;
    if (data.relayUrl) c.relayUrl = data.relayUrl;
    if (data.superAppOrigin) c.superAppOrigin = data.superAppOrigin;
    if (data.httpErrorAsFail) c.httpErrorAsFail = data.httpErrorAsFail === 'true';
    if (data.tradePayFailRouting) c.tradePayFailRouting = data.tradePayFailRouting === 'true';
    return c;
  }

  function runtimeConfig(superAppOrigin, appId) {
    if (!appId) return Promise.resolve({});
    var url = superAppOrigin + '/sandbox/mini-programs/' + encodeURIComponent(appId) + '/runtime';
    var init = typeof AbortSignal !== 'undefined' && AbortSignal.timeout ? { signal: AbortSignal.timeout(3000) } : {};
    return fetch(url, init)
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (c) {
        var picked = {};
        ['appId', 'whitelist', 'relayUrl', 'cashierOrigins', 'tradePayFailRouting', 'httpErrorAsFail', 'transport']
          .forEach(function (k) { if (c && c[k] !== undefined && c[k] !== null) picked[k] = c[k]; });
        return picked;
      })
      .catch(function () { return {}; }); // no sandbox running: keep the other sources
  }

  // The phone's state from the simulator's devtools (`settings.device`: networkType,
  // batteryLevel, charging, foreground): a bad value is reported to the devtools log.
  var deviceState = null;
  function applyDevice(state) {
    try { shim.setDeviceState(state); } catch (e) {
      console.error('miniprogram-shim: bad device state', state, e);
      logger({ api: 'setDeviceState', options: state, ok: false, result: { error: 2, errorMessage: String(e && e.message || e) }, durationMs: 0 });
    }
  }

  // Simulator shell: hello → settings (first answer awaited briefly; later ones applied live).
  // A shell that must ask the sandbox first (which app this is, or registering a throwaway one)
  // says `settings-pending` at once, and the wait becomes SETTINGS_PENDING_MS: the appId must
  // not arrive after the app's first call on a slow or loaded machine.
  var SETTINGS_WAIT_MS = 1500;
  var SETTINGS_PENDING_MS = 15000;
  var settingsHandlers = [];
  var settingsPending = [];
  function simulatorSettings() {
    if (!inSimulator) return Promise.resolve({});
    return new Promise(function (resolve) {
      var done = false;
      function giveUp() { if (!done) { done = true; resolve({}); } }
      var timer = setTimeout(giveUp, SETTINGS_WAIT_MS);
      settingsPending.push(function () { clearTimeout(timer); timer = setTimeout(giveUp, SETTINGS_PENDING_MS); });
      settingsHandlers.push(function (settings) { if (!done) { done = true; clearTimeout(timer); resolve(settings); } });
      try {
        window.parent.postMessage({ type: 'miniprogram-shim:hello', appId: attrs.appId || null }, shellOrigin);
      } catch (e) { resolve({}); }
    });
  }
  if (inSimulator) {
    window.addEventListener('message', function (event) {
      if (event.source !== window.parent || event.origin !== shellOrigin) return;
      var msg = event.data;
      // The devtools' "Take a screenshot" button (a browser has no screenshot event).
      if (msg && msg.type === 'miniprogram-shim:capture-screen') { if (shim) shim.userCaptureScreen(); return; }
      if (msg && msg.type === 'miniprogram-shim:settings-pending') {
        settingsPending.splice(0).forEach(function (h) { h(); });
        return;
      }
      if (!msg || msg.type !== 'miniprogram-shim:settings') return;
      var settings = msg.settings || {};
      if (settings.device) { deviceState = settings.device; if (shim) applyDevice(deviceState); }
      if (settingsHandlers.length) settingsHandlers.forEach(function (h) { h(settings); });
      if (shim) {
        try { shim.configure(settings); } catch (e) { console.error('miniprogram-shim: bad settings', e); }
      }
    });
  }

  var ready = Promise.all([
    runtime,
    runtimeConfigLoaded,
    simulatorSettings(),
  ]).then(function (results) {
    var mod = results[0];
    var launched = launchAppId ? { appId: launchAppId } : {};
    var config = Object.assign({}, defaults, results[1], attrs, launched, results[2]);
    if (wantsLogger()) config.logger = logger;
    try {
      mod.configure(config);
    } catch (e) {
      console.error('miniprogram-shim: invalid configuration, using the defaults', config, e);
      mod.configure(Object.assign({}, defaults, { logger: config.logger || null }));
    }
    shim = mod;
    shimMy = mod.createMy();
    if (deviceState) applyDevice(deviceState);
    drain();
    if (window.AlipayJSBridge && window.AlipayJSBridge.__miniprogramShim) {
      document.dispatchEvent(new Event('AlipayJSBridgeReady'));
    }
    return { config: config };
  }, function (error) {
    loadError = (error && error.message) || String(error);
    console.error('miniprogram-shim: the runtime failed to load from ' + pkgUrl, error);
    drain();
    throw error;
  });
  ready.catch(function () {});

  window.miniprogramShim = {
    /** Resolves with { config } once `my` is backed by the wasm runtime. */
    ready: ready,
    /** A copy of the table `my.canIUse` answers from (api → { object, return, success }; the
     *  same as the wasm runtime's, which the bootstrap test checks): for a container that must
     *  answer canIUse where `my` is not (the native logic layer's Worker). */
    supported: function () { return JSON.parse(JSON.stringify(SUPPORTED)); },
    /** Merges configuration keys (see RuntimeConfig in pkg/miniprogram_shim.d.ts). The phone's
     *  inputs (`device.location`, `scan`, `scanImage`, `contacts`, `images`, `region`) and `regionsUrl`
     *  belong to the extras module: it is loaded
     *  first, so a bad one rejects naming the field (DESIGN.md "Size of the start wasm"). */
    configure: function (patch) {
      return ready.then(function () {
        var device = patch && patch.device;
        var inputs = (!!device && typeof device === 'object' &&
          ('location' in device || 'scan' in device || 'scanImage' in device || 'contacts' in device ||
            'images' in device || 'region' in device)) || (!!patch && 'regionsUrl' in patch);
        // Not loaded (reported through the calls): configure the start module all the same.
        return inputs ? shim.loadExtras().catch(function () {}) : null;
      }).then(function () { shim.configure(patch); });
    },
    /** The phone's state as the simulator's devtools set it ({ networkType, batteryLevel,
     *  charging, foreground }; {} standalone): for the container's own decisions (a native
     *  app's preloadRule), with no JSAPI call logged. */
    device: function () { return Object.assign({}, deviceState); },
    /** Calls `fn({ api, options, ok, result, durationMs })` after every my.* call. */
    onLog: function (fn) {
      logListeners.push(fn);
      if (shim) shim.configure({ logger: logger });
    },
  };
})();
