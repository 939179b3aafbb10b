// The logic layer's storage mirror (sync-apis.mjs): the H5 runtime's rules, write-through in
// order, acknowledgements, refusals and other documents' changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canIUse, infoAnswer, MAX_TOTAL, StorageMirror, storagePrefix } from './sync-apis.mjs';

function mirror(entries) {
  const sent = [];
  return { m: new StorageMirror(entries, (c) => sent.push(c)), sent };
}

test('set, get, remove and info, with the JSON text stored and writes sent in order', () => {
  const { m, sent } = mirror({ a: '1', bad: 'not json' });
  assert.deepEqual(m.get('a'), { data: 1 });
  assert.deepEqual(m.get({ key: 'bad' }), { data: 'not json' });
  assert.deepEqual(m.get('none'), { data: null });
  assert.deepEqual(m.set('b', { x: [1] }), { success: true });
  assert.deepEqual(m.set({ key: 'c', data: new Date(0) }), { success: true });
  assert.deepEqual(m.get('c'), { data: '1970-01-01T00:00:00.000Z' });
  assert.deepEqual(m.remove('a'), { success: true });
  assert.deepEqual(sent, [
    { seq: 1, op: 'set', key: 'b', value: '{"x":[1]}' },
    { seq: 2, op: 'set', key: 'c', value: '"1970-01-01T00:00:00.000Z"' },
    { seq: 3, op: 'remove', key: 'a' },
  ]);
  assert.deepEqual(m.info(), { keys: ['bad', 'b', 'c'], currentSize: 1, limitSize: 10240 });
  assert.deepEqual(m.clear(), { success: true });
  assert.deepEqual(sent.at(-1), { seq: 4, op: 'clear' });
  assert.deepEqual(m.info(), { keys: [], currentSize: 0, limitSize: 10240 });
});

test('bad input: the fail objects of the H5 runtime, and nothing changes', () => {
  const { m, sent } = mirror({});
  assert.deepEqual(m.set({ data: 1 }), { error: 2, errorMessage: 'invalid parameter `key`: is required and must be a string' });
  assert.deepEqual(m.get(''), { error: 2, errorMessage: 'invalid parameter `key`: must not be an empty string' });
  assert.deepEqual(m.set(5), { error: 2, errorMessage: 'invalid parameter `options`: must be an object' });
  assert.deepEqual(m.set('k', () => 1), { error: 2, errorMessage: 'invalid parameter `data`: is required and must be serialisable to JSON' });
  const cyclic = {}; cyclic.self = cyclic;
  assert.match(m.set('k', cyclic).errorMessage, /^invalid parameter `data`: cannot be serialised to JSON: /);
  assert.deepEqual(m.set('k', 'x'.repeat(200 * 1024)), { error: 2, errorMessage: 'invalid parameter `data`: is 204802 characters as JSON; one key holds at most 204800' });
  assert.deepEqual(sent, []);
});

test('the app\'s 10 MB counts keys and data, and an overwrite counts once', () => {
  const { m } = mirror({});
  const chunk = 'q'.repeat(200 * 1024 - 2);
  let i = 0;
  while (!m.set(`k${i}`, chunk).error) i += 1;
  assert.equal(i, 51);
  assert.equal(m.total, 51 * (200 * 1024) + [...m.entries.keys()].join('').length);
  assert.match(m.set(`k${i}`, chunk).errorMessage, new RegExp(`the limit is ${MAX_TOTAL} \\(10 MB\\)$`));
  assert.deepEqual(m.set('k0', chunk), { success: true }); // replaces its own size
});

test('a refused write takes back what localStorage holds, unless a later write is on its way', () => {
  const { m } = mirror({ a: '1' });
  m.set('a', 2);
  assert.equal(m.ack(1, false, '1'), 'a');
  assert.deepEqual(m.get('a'), { data: 1 });
  m.set('a', 3);
  m.set('a', 4);
  m.ack(2, false, '1');
  assert.deepEqual(m.get('a'), { data: 4 });
  m.ack(3, true);
  assert.equal(m.ack(3, true), null); // acknowledged once
});

test('other documents\' changes: taken unless ours to that key are still on their way', () => {
  const { m } = mirror({});
  m.external('x', '"theirs"');
  assert.deepEqual(m.get('x'), { data: 'theirs' });
  m.set('y', 'ours');
  m.external('y', '"theirs"');
  assert.deepEqual(m.get('y'), { data: 'ours' });
  m.ack(1, true);
  m.external('y', null);
  assert.deepEqual(m.get('y'), { data: null });
  m.set('z', 1);
  m.externalAll({ w: '2' });
  assert.deepEqual(m.info().keys.sort(), ['w', 'z']);
  m.clear();
  m.externalAll({ v: '1' }); // our clear lands after it
  assert.deepEqual(m.info().keys, []);
});

test('prefix and info answers', () => {
  assert.equal(storagePrefix('a b/c'), 'miniprogram-shim/a%20b%2Fc/');
  const info = { getAppIdSync: { appId: 'x' } };
  const got = infoAnswer(info, 'getAppIdSync');
  got.appId = 'changed';
  assert.deepEqual(infoAnswer(info, 'getAppIdSync'), { appId: 'x' });
  assert.equal(infoAnswer(info, 'getWindowInfo').error, 3);
});

test('canIUse answers from the runtime table, the logic layer\'s own APIs and the components', () => {
  const table = { request: { object: ['url', 'headers'], return: ['abort'], success: ['data'] } };
  const own = (name) => name === 'navigateTo';
  assert.equal(canIUse(table, own, 'request'), true);
  assert.equal(canIUse(table, own, ' request.object.url '), true);
  assert.equal(canIUse(table, own, 'request.object.timeout'), false);
  assert.equal(canIUse(table, own, 'request.return.abort'), true);
  assert.equal(canIUse(table, own, 'request.nope.url'), false);
  assert.equal(canIUse(table, own, 'request.object'), false);
  assert.equal(canIUse(table, own, 'navigateTo'), true);
  assert.equal(canIUse(table, own, 'navigateTo.object.url'), false, 'no parameter table for the logic layer\'s own');
  assert.equal(canIUse(table, own, 'swiper'), true);
  assert.equal(canIUse(table, own, 'lifestyle'), false);
  assert.equal(canIUse(table, own, 'toString'), false, 'not an inherited member of the table');
  assert.equal(canIUse(table, own, ''), false);
  assert.equal(canIUse(table, own, 42), false);
  assert.equal(canIUse(undefined, undefined, 'request'), false);
});
