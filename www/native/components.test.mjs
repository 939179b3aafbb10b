// The logic layer's custom components (components.mjs), without a browser: usingComponents
// paths, mixins, and an instance's life driven by the render side's messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Components, mergeOptions, propName, resolveComponent } from './components.mjs';

test('usingComponents paths: root, relative, bare (next to the file, then npm), a folder\'s index; nothing else', () => {
  const files = new Set(['components/card/index.js', 'pages/a/local.json', 'node_modules/mini-ui/es/badge/index.js', 'components/box/index.json']);
  const exists = (p) => files.has(p);
  assert.equal(resolveComponent('pages/a/a', '/components/card/index', exists), 'components/card/index');
  assert.equal(resolveComponent('pages/a/a', '../../components/card/index', exists), 'components/card/index');
  assert.equal(resolveComponent('pages/a/a', './local', exists), 'pages/a/local');
  assert.equal(resolveComponent('pages/a/a', 'local', exists), 'pages/a/local');
  assert.equal(resolveComponent('pages/a/a', 'mini-ui/es/badge', exists), 'node_modules/mini-ui/es/badge/index');
  assert.equal(resolveComponent('pages/a/a', '/components/box', exists), 'components/box/index');
  assert.equal(resolveComponent('pages/a/a', '/components/card/index.axml', exists), 'components/card/index');
  for (const bad of ['/nope', '../../../../x', 'plugin://p/c', '', 7, null]) assert.equal(resolveComponent('pages/a/a', bad, exists), null, String(bad));
});

test('mixins: data, props and methods under the component\'s own; every hook, mixins first', () => {
  const calls = [];
  const merged = mergeOptions({
    mixins: [{ data: { a: 1, b: 1 }, props: { p: 1 }, methods: { m() { return 'mixin'; }, n() {} }, didMount() { calls.push('mixin'); } }],
    data: { b: 2 }, methods: { m() { return 'own'; } }, didMount() { calls.push('own'); },
  });
  assert.deepEqual(merged.data, { a: 1, b: 2 });
  assert.deepEqual(merged.props, { p: 1 });
  assert.equal(merged.methods.m(), 'own');
  for (const h of merged.hooks.didMount) h();
  assert.deepEqual(calls, ['mixin', 'own']);
  assert.equal(propName({ event: 'pick', catch: false }), 'onPick');
  assert.equal(propName({ event: 'pick', catch: true }), 'catchPick');
});

test('an instance\'s life: created (onInit, deriveDataFromProps, ref, didMount), props to the parent, setData, updated, removed', () => {
  const log = [];
  const posted = [];
  const files = { 'c/x.js': '', 'pages/p/p.json': JSON.stringify({ usingComponents: { x: '/c/x' } }) };
  const page = { id: 1, instance: { route: 'pages/p/p', picked(a, b) { log.push(`picked ${a} ${b}`); return 'ok'; }, keep(r) { log.push(`ref ${r.$id}`); } } };
  let components;
  const host = {
    files: () => files,
    loadModule: () => components.register({
      props: { size: 'm', onPick: () => 'default' },
      data: { n: 0 },
      onInit() { log.push(`onInit ${this.props.size} ${this.is}`); },
      deriveDataFromProps(next) { log.push(`derive ${next.size}`); },
      didMount() { log.push('didMount'); },
      didUpdate(prevProps, prevData) { log.push(`didUpdate ${prevProps.size}->${this.props.size} ${prevData.n}->${this.data.n}`); },
      didUnmount() { log.push('didUnmount'); },
      methods: { go() { return this.props.onPick(1, 2); } },
    }),
    post: (m) => posted.push(m),
    reportError: (e) => { throw e; },
    call: (target, name, ...args) => target[name](...args),
    page: (id) => (id === 1 ? page : null),
  };
  components = new Components(host);
  const defs = components.prepare('pages/p/p');
  assert.deepEqual(defs, { 'pages/p/p': { using: { x: 'c/x' } }, 'c/x': { component: true, data: { n: 0 }, props: { size: 'm' }, using: {} } });
  components.lifecycle({ pageId: 1, created: [{ id: 4, path: 'c/x', owner: 0, props: { ref: 'keep' }, events: [{ event: 'pick', handler: 'picked', catch: false }] }] });
  assert.deepEqual(log.splice(0), ['onInit m /c/x', 'derive m', 'ref 4', 'didMount']);
  const x = components.instance(1, 4);
  assert.equal(x.go(), 'ok');
  assert.deepEqual(log.splice(0), ['picked 1 2']);
  let called = null;
  x.setData({ n: 5 }, function cb() { called = this; });
  assert.deepEqual(posted.at(-1), { type: 'setData', pageId: 1, componentId: 4, changes: [['n', 5]], callbackId: 1 });
  components.rendered(1);
  assert.equal(called, x);
  assert.deepEqual(log.splice(0), ['didUpdate m->m 0->5']);
  assert.throws(() => x.setData({ 'a[': 1 }), /setData key/);
  components.lifecycle({ pageId: 1, updated: [{ id: 4, props: { size: 'l' }, events: [] }] });
  assert.deepEqual(log.splice(0), ['derive l', 'didUpdate m->l 5->5']);
  assert.equal(x.go(), 'default', 'the binding is gone: the default prop again');
  components.lifecycle({ pageId: 1, removed: [{ id: 4, path: 'c/x' }] });
  assert.deepEqual(log.splice(0), ['didUnmount']);
  assert.equal(components.instance(1, 4), null);
});
