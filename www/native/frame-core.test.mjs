// The frame's pure logic (node --test): window flags, the title's colour, tab indexes, the
// switchTab plan (tab pages kept alive), devtools data edits, intersection ratios and bands.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSelector, dataEdit, stepValue, expand, frontColorFor, intersect, intersectionRatio, observerOptions, planSwitchTab, ratioBand, tabIndex, yes,
} from './frame-core.mjs';

test('window flags: booleans and YES/NO strings, with a default', () => {
  assert.equal(yes(undefined, true), true);
  assert.equal(yes(undefined, false), false);
  assert.equal(yes(true, false), true);
  assert.equal(yes('YES', false), true);
  assert.equal(yes('NO', true), false);
  assert.equal(yes('no', true), false);
  assert.equal(yes(false, true), false);
});

test('the title is white on a dark bar and black on a light one', () => {
  assert.equal(frontColorFor('#000'), '#ffffff');
  assert.equal(frontColorFor('#1677ff'), '#ffffff');
  assert.equal(frontColorFor('#ffffff'), '#000000');
  assert.equal(frontColorFor('#ffd400'), '#000000');
  assert.equal(frontColorFor('#108ee9ff'), '#ffffff');
  assert.equal(frontColorFor('red'), '#000000', 'a named colour: the default');
});

test('tab indexes are integers within the items', () => {
  assert.equal(tabIndex('setTabBarBadge', { index: 1 }, 2), 1);
  for (const index of [-1, 2, 1.5, '1', undefined, null]) {
    assert.throws(() => tabIndex('setTabBarBadge', { index }, 2), (e) => e.code === 2 && /setTabBarBadge: index must be an integer from 0 to 1/.test(e.message));
  }
});

test('switchTab keeps tab pages alive, unloads the others top first, hides only the page showing', () => {
  const isTab = (r) => r === 'a' || r === 't';
  const a = { route: 'a' }; const b1 = { route: 'b' }; const b2 = { route: 'b' }; const t = { route: 't' };
  let plan = planSwitchTab([a, b1, b2], new Map(), 't', isTab);
  assert.deepEqual(plan.unload, [b2, b1]);
  assert.deepEqual(plan.keep, [a]);
  assert.deepEqual(plan.hide, [], 'a was hidden when b1 covered it');
  assert.equal(plan.reuse, null);
  plan = planSwitchTab([t], new Map([['a', a]]), 'a', isTab);
  assert.deepEqual(plan.hide, [t]);
  assert.equal(plan.reuse, a);
  plan = planSwitchTab([a], new Map([['a', a]]), 'a', isTab);
  assert.deepEqual(plan.hide, [], 'switching to the tab already showing hides nothing');
  assert.equal(plan.reuse, a);
});

test('devtools data edits: changed top-level keys only; bad JSON, non-objects and removed keys refused', () => {
  const current = { n: 1, list: [1, 2], title: 'x' };
  assert.deepEqual(dataEdit(current, '{"n":2,"list":[1,2],"title":"x","added":true}'), { n: 2, added: true });
  assert.deepEqual(dataEdit(current, JSON.stringify(current)), {});
  assert.throws(() => dataEdit(current, '{"n":2,'), /^RuntimeError: not JSON: .*; nothing was changed$/);
  assert.throws(() => dataEdit(current, '[1]'), /is a JSON object/);
  assert.throws(() => dataEdit(current, 'null'), /is a JSON object/);
  assert.throws(() => dataEdit(current, '{"n":1,"list":[]}'), /cannot remove a key \("title"\): set it to null/);
  assert.throws(() => dataEdit(current, '{"n":1,"list":[1,2],"title":"x","a.b":1}'), /reads "a\.b" as a path/);
});

test('intersections: rects, margins, ratios', () => {
  const viewport = { left: 0, top: 0, right: 100, bottom: 100 };
  assert.deepEqual(intersect({ left: 50, top: 80, right: 150, bottom: 120 }, viewport), { left: 50, top: 80, right: 100, bottom: 100, width: 50, height: 20 });
  assert.deepEqual(intersect({ left: 0, top: 200, right: 10, bottom: 210 }, viewport), { left: 0, top: 0, right: 0, bottom: 0, width: 0, height: 0 });
  assert.equal(intersectionRatio({ left: 0, top: 50, right: 100, bottom: 150 }, viewport), 0.5);
  assert.equal(intersectionRatio({ left: 0, top: 150, right: 100, bottom: 250 }, viewport), 0);
  assert.equal(intersectionRatio({ left: 0, top: 150, right: 100, bottom: 250 }, expand(viewport, { bottom: 150 })), 1);
  assert.equal(intersectionRatio({ left: 10, top: 10, right: 10, bottom: 10 }, viewport), 1, 'an empty target inside');
});

test('threshold bands: 0 means any intersection; the band changes when a threshold is crossed', () => {
  assert.equal(ratioBand(0, [0]), 0);
  assert.equal(ratioBand(0.01, [0]), 1);
  assert.equal(ratioBand(0.3, [0.5]), 0);
  assert.equal(ratioBand(0.5, [0.5]), 1);
  assert.equal(ratioBand(1, [0, 0.5, 1]), 3);
});

test('slider values go to the nearest step within min and max', () => {
  const s = { min: 10, max: 50, step: 5 };
  assert.equal(stepValue(41, s), 40);
  assert.equal(stepValue(43, s), 45);
  assert.equal(stepValue(-3, s), 10);
  assert.equal(stepValue(99, s), 50);
  assert.equal(stepValue('x', s), 10);
  assert.equal(stepValue(0.30000000000000004, { min: 0, max: 1, step: 0.1 }), 0.3);
});

test('observer options and selectors are checked', () => {
  assert.deepEqual(observerOptions(), { thresholds: [0], initialRatio: 0, selectAll: false });
  assert.deepEqual(observerOptions({ thresholds: [1, 0.5], selectAll: true }), { thresholds: [0.5, 1], initialRatio: 0, selectAll: true });
  assert.throws(() => observerOptions({ thresholds: [2] }), /thresholds is an array of numbers from 0 to 1/);
  assert.throws(() => observerOptions({ thresholds: 'x' }), /thresholds/);
  assert.throws(() => observerOptions({ initialRatio: -1 }), /initialRatio is a number from 0 to 1/);
  assert.equal(checkSelector('select', '#a'), '#a');
  assert.throws(() => checkSelector('select', ''), /select: the selector is a non-empty string/);
  assert.throws(() => checkSelector('observe', 3), /observe: the selector/);
});
