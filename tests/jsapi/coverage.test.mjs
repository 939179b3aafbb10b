// The JSAPI coverage table and the lists that decide how unimplemented APIs answer agree with
// @mini-types/my (read at test time) and with the code.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  TABLE, render, registry, rustSyncReturning, bootstrapSyncReturning, bootstrapSupported,
  extrasNames, bootstrapExtras, nativeOnly, BEYOND_TYPINGS,
} from './coverage.mjs';
import { typingsApis, shapeOf } from './typings.mjs';

test('the typings package is read, not empty', () => {
  const apis = typingsApis();
  assert.ok(apis.length >= 290, `only ${apis.length} APIs read from @mini-types/my`);
  assert.ok(apis.some((a) => a.name === 'request' && a.shape === 'async'));
  assert.ok(apis.some((a) => a.name === 'getStorageSync' && a.shape === 'sync'));
  assert.ok(apis.some((a) => a.name === 'onAppShow' && a.shape === 'listener'));
});

test('docs/jsapi-coverage.md is the table the code gives (regenerate: node tests/jsapi/coverage.mjs --write)', () => {
  assert.equal(fs.readFileSync(TABLE, 'utf8'), render());
});

test('every registered API is in the typings or is a documented extra', () => {
  const typed = new Set(typingsApis().map((a) => a.name));
  for (const name of registry()) {
    assert.ok(typed.has(name) || name === 'canIUse' || name in BEYOND_TYPINGS,
      `${name} is not in @mini-types/my (nor in BEYOND_TYPINGS of tests/jsapi/coverage.mjs, with why)`);
  }
  // And one the typings declare after all leaves BEYOND_TYPINGS.
  for (const name of Object.keys(BEYOND_TYPINGS)) assert.ok(!typed.has(name), `${name} is in the typings now`);
});

test('the sync-returning lists of src/jsapi.rs and www/my.js are the typings', () => {
  const expected = typingsApis()
    .filter((a) => a.shape === 'sync' && !/Sync$/.test(a.name))
    .map((a) => a.name);
  assert.deepEqual(rustSyncReturning(), expected, 'src/jsapi.rs SYNC_RETURNING');
  assert.deepEqual(bootstrapSyncReturning(), expected, 'www/my.js SYNC_RETURNING');
});

test("www/my.js's static canIUse list names exactly the registry", () => {
  assert.deepEqual([...bootstrapSupported()].sort(), [...registry()].sort());
});

// The sync APIs of the extras module: their object is made at once by the start module's
// loader (src/glue/extras.js), which replays on the module's driver what was done meanwhile.
const EXTRAS_OBJECTS = ['createInnerAudioContext', 'getBackgroundAudioManager'];

test('the extras module holds registered async APIs (and the audio objects) only, and www/my.js lists the same', () => {
  const names = extrasNames();
  assert.ok(names.length > 0, 'shim-core/src/extras.rs NAMES not read');
  const ours = new Set(registry());
  const shapes = new Map([
    ...Object.entries(BEYOND_TYPINGS).map(([name, b]) => [name, b.shape]),
    ...typingsApis().map((a) => [a.name, a.shape]),
  ]);
  for (const name of names) {
    assert.ok(ours.has(name), `${name} (extras) is not in the registry, src/can_i_use.rs`);
    const expected = EXTRAS_OBJECTS.includes(name) ? 'sync' : 'async';
    assert.equal(shapes.get(name), expected, `${name} (extras): only async APIs (and the audio objects) can load on first use`);
  }
  assert.deepEqual(bootstrapExtras(), names, 'www/my.js EXTRAS');
});

test("the native-only APIs are typed, not in the H5 registry, and the native logic layer answers them", () => {
  const names = nativeOnly();
  assert.ok(names.includes('createAnimation'), 'www/native/sync-apis.mjs NATIVE_ONLY_APIS not read');
  const typed = new Set(typingsApis().map((a) => a.name));
  const ours = new Set(registry());
  const worker = fs.readFileSync(new URL('../../www/native/worker.mjs', import.meta.url), 'utf8');
  for (const name of names) {
    assert.ok(typed.has(name), `${name} is not in @mini-types/my`);
    assert.ok(!ours.has(name), `${name} is in src/can_i_use.rs: then it is not native only`);
    assert.ok(worker.includes(`local.${name} = `), `www/native/worker.mjs does not answer ${name}`);
  }
});

test('shapes: on/off listeners, Sync suffix, value-returning declarations', () => {
  assert.equal(shapeOf('onFoo', ['void']), 'listener');
  assert.equal(shapeOf('getFooSync', ['{ a: string }']), 'sync');
  assert.equal(shapeOf('createFoo', ['Foo']), 'sync');
  assert.equal(shapeOf('connectFoo', ['FooTask', 'void']), 'async');
  assert.equal(shapeOf('getFoo', ['Promise<void>']), 'async');
});
