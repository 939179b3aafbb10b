// The native runtime's pure logic (node --test): setData keys, the page stack, page URLs,
// module paths, and the import/export finder behind the "ES modules" compile error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyPath, getPath, spliceChanges, moduleCandidates, PageStack, parsePath, parseQuery, resolvePageUrl, setDataChanges, styleText, attributeName,
} from './core.mjs';

test('setData keys parse into names and indexes', () => {
  assert.deepEqual(parsePath('a'), ['a']);
  assert.deepEqual(parsePath('a.b[2].c'), ['a', 'b', 2, 'c']);
  assert.deepEqual(parsePath('list[0][1]'), ['list', 0, 1]);
  for (const bad of ['', '.', 'a.', '.a', 'a..b', '[0]', 'a[', 'a[x]', 'a[1', 'a]', 'a[1]b', 'a.[1]', 'a[100001]']) {
    assert.throws(() => parsePath(bad), /setData key/, bad);
  }
  assert.throws(() => parsePath('list[x]'), /"list\[x\]": an index must be digits at character 5/);
});

test('setData paths apply into existing and missing parents, like the render side', () => {
  const data = { a: { b: [1, 2, { c: 0 }] }, keep: true };
  applyPath(data, 'a.b[2].c', 'x');
  assert.equal(data.a.b[2].c, 'x');
  applyPath(data, 'n.m[1].k', 5);
  assert.deepEqual(data.n, { m: [null, { k: 5 }] });
  applyPath(data, 'a.b[4]', 9);
  assert.deepEqual(data.a.b, [1, 2, { c: 'x' }, null, 9]);
  applyPath(data, 'keep.deep', 1);
  assert.deepEqual(data.keep, { deep: 1 });
});

test('setData refuses a bad key before anything applies, and copies values as JSON', () => {
  assert.throws(() => setDataChanges({ ok: 1, 'b[': 2 }), /b\[/);
  assert.throws(() => setDataChanges('x'), /object/);
  assert.deepEqual(setDataChanges({ f: { g: () => 1, h: 2, u: undefined } }), [['f', { h: 2 }]]);
});

test('the page stack holds ten pages and never pops the last', () => {
  const stack = new PageStack();
  for (let i = 0; i < 10; i += 1) stack.push({ id: i });
  assert.throws(() => stack.push({ id: 10 }), /full \(10 pages\)/);
  assert.deepEqual(stack.pop(2).map((p) => p.id), [9, 8]);
  assert.deepEqual(stack.pop(99).map((p) => p.id).length, 7);
  assert.equal(stack.length, 1);
  assert.deepEqual(stack.pop(), []);
  assert.deepEqual(stack.replaceTop({ id: 'r' }).map((p) => p.id), [0]);
  stack.push({ id: 's' });
  assert.deepEqual(stack.clear().map((p) => p.id), ['s', 'r']);
  assert.equal(stack.top, null);
});

test('page URLs resolve against the current page and must be in app.json', () => {
  const pages = ['pages/index/index', 'pages/order/order', 'pages/result/result'];
  assert.deepEqual(resolvePageUrl('/pages/order/order?id=7&n=a%20b', 'pages/index/index', pages),
    { route: 'pages/order/order', query: { id: '7', n: 'a b' } });
  assert.deepEqual(resolvePageUrl('../result/result', 'pages/order/order', pages).route, 'pages/result/result');
  assert.throws(() => resolvePageUrl('/pages/nope/nope', 'pages/index/index', pages), /not in app.json's pages/);
  assert.throws(() => resolvePageUrl('', 'pages/index/index', pages), /url is required/);
  assert.deepEqual(parseQuery('a=1&b=2'), { a: '1', b: '2' });
});

test('require paths are extensionless and relative, then node_modules', () => {
  assert.deepEqual(moduleCandidates('pages/index/index.js', '../../utils/api').slice(0, 2), ['utils/api', 'utils/api.js']);
  assert.ok(moduleCandidates('app.js', 'lodash').includes('node_modules/lodash/index.js'));
  assert.ok(moduleCandidates('app.js', 'lodash').includes('miniprogram_npm/lodash/index.js'));
});

test('$spliceData splices a copy of the list at a key', () => {
  const data = { a: { list: [1, 2, 3] } };
  assert.deepEqual(spliceChanges(data, { 'a.list': [1, 1, 'x', 'y'] }), { 'a.list': [1, 'x', 'y', 3] });
  assert.deepEqual(data.a.list, [1, 2, 3], 'the data itself changes through setData');
  assert.deepEqual(spliceChanges(data, { missing: [0, 0, 'z'] }), { missing: ['z'] });
  assert.equal(getPath(data, 'a.list[2]'), 3);
  assert.throws(() => spliceChanges(data, { 'a.list': 'nope' }), /\[start, deleteCount, \.\.\.items\]/);
});

test('an inline style given as an object becomes CSS text', () => {
  assert.equal(styleText({ transform: 'translate3d(-100vw, 0, 0)' }), 'transform: translate3d(-100vw, 0, 0)');
  assert.equal(styleText({ marginTop: 4, opacity: 0.5, zIndex: 2, left: 0, '--tone': 'red' }), 'margin-top: 4px; opacity: 0.5; z-index: 2; left: 0; --tone: red');
  assert.equal(styleText({ color: null, width: '', display: false, height: undefined }), '');
});

test('a built-in component\'s camelCase attribute is its kebab-case one; data-* stays', () => {
  assert.equal(attributeName('formType'), 'form-type');
  assert.equal(attributeName('indicatorDots'), 'indicator-dots');
  assert.equal(attributeName('form-type'), 'form-type');
  assert.equal(attributeName('data-userId'), 'data-userId');
  assert.equal(attributeName('class'), 'class');
});
