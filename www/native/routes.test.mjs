import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appRoutes } from './routes.mjs';

test('pages, then each subpackage\'s pages under its root', () => {
  assert.deepEqual(appRoutes({
    pages: ['pages/index/index', '/pages/me/me'],
    subPackages: [{ root: 'shop/', pages: ['pages/list/list', 'pages/detail/detail'] }, { root: '/pay', pages: ['result'] }],
  }), ['pages/index/index', 'pages/me/me', 'shop/pages/list/list', 'shop/pages/detail/detail', 'pay/result']);
  assert.deepEqual(appRoutes({ pages: ['a'], subpackages: [{ root: 'b', pages: ['c'] }] }), ['a', 'b/c']);
  assert.deepEqual(appRoutes({ pages: ['a', 'a'] }), ['a']);
  assert.deepEqual(appRoutes({}), []);
});

test('a subpackage without root or pages is named in the error', () => {
  assert.throws(() => appRoutes({ pages: [], subPackages: [{ pages: ['x'] }] }), /subPackages\[0\] has no root/);
  assert.throws(() => appRoutes({ pages: [], subPackages: [{ root: 'r', pages: 'x' }] }), /subPackages\[0\] \(r\): pages must be a list/);
  assert.throws(() => appRoutes({ subPackages: {} }), /must be a list/);
});
