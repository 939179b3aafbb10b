// The peer baseline of the benchmark: Taro's H5 runtime (@tarojs/taro-h5), the same mini program
// JSAPIs in a browser. A Taro H5 app's compiler turns `Taro.request(...)` into an import of the
// named export `request`, so an app's bundle carries the APIs it uses: these are the bench's.
// Bundled by tests/bench/peer into target/bench-peer/dist/taro-h5.js; exposes `window.Taro`.
import {
  request, setStorageSync, getStorageSync, removeStorageSync, showToast, hideToast, getSystemInfoSync,
} from '@tarojs/taro-h5';

window.Taro = {
  request, setStorageSync, getStorageSync, removeStorageSync, showToast, hideToast, getSystemInfoSync,
};
