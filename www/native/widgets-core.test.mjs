// The pure rules of swiper, picker-view and rich-text (widgets-core.mjs): indexes, offsets and
// swipes; picker-view values; the rich-text sanitizer against hostile nodes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attributeValue, clampIndex, cssLength, imageSource, indexAt, itemOffset, keepStyle, pickerViewValue, sanitizeNodes,
  stepIndex, swipeTarget, travel, RICH_TEXT_LIMITS,
} from './widgets-core.mjs';

test('swiper: current is clamped to the items; offsets wrap when circular', () => {
  assert.equal(clampIndex(5, 3), 2);
  assert.equal(clampIndex(-1, 3), 0);
  assert.equal(clampIndex('1', 3), 1);
  assert.equal(clampIndex('x', 3), 0);
  assert.equal(clampIndex(2, 0), 0);
  assert.deepEqual([0, 1, 2, 3].map((i) => itemOffset(i, 0, 4, false)), [0, 1, 2, 3]);
  assert.deepEqual([0, 1, 2, 3].map((i) => itemOffset(i, 0, 4, true)), [0, 1, -2, -1], 'the last item waits before the first');
  assert.deepEqual([0, 1, 2].map((i) => itemOffset(i, 2.5, 3, true)), [0.5, -1.5, -0.5], 'half way from the last to the first');
});

test('swiper: a swipe past half an item (or a quick one) moves one; ends clamp or wrap', () => {
  assert.equal(swipeTarget(1, 0.6, 3), 2);
  assert.equal(swipeTarget(1, -0.6, 3), 0);
  assert.equal(swipeTarget(1, 0.3, 3), 1);
  assert.equal(swipeTarget(1, 0.3, 3, { fling: true }), 2);
  assert.equal(swipeTarget(1, 0.01, 3, { fling: true }), 1, 'a twitch is not a fling');
  assert.equal(swipeTarget(2, 0.9, 3), 2, 'not circular: the last stays');
  assert.equal(swipeTarget(2, 0.9, 3, { circular: true }), 0);
  assert.equal(swipeTarget(0, -0.9, 3, { circular: true }), 2);
  assert.equal(stepIndex(0, -1, 3, false), 0);
  assert.equal(stepIndex(0, -1, 3, true), 2);
  assert.equal(travel(2, 0, 3, true), 1, 'autoplay from the last goes on to the first');
  assert.equal(travel(0, 2, 3, true), -1);
  assert.equal(travel(2, 0, 3, false), -2, 'not circular: back over the items');
  assert.equal(travel(0, 2, 5, true), 2);
});

test('swiper margins: px or rpx, anything else 0px', () => {
  assert.equal(cssLength('20px'), '20px');
  assert.equal(cssLength('15'), '15px');
  assert.equal(cssLength('30rpx'), 'calc(30 * var(--rpx, 100vw / 750))');
  assert.equal(cssLength('calc(1px); background: red'), '0px');
  assert.equal(cssLength(undefined), '0px');
});

test('picker-view: each column\'s index, clamped; the row a scroll shows', () => {
  assert.deepEqual(pickerViewValue([1, 9], [8, 4]), [1, 3], 'past the column: the last');
  assert.deepEqual(pickerViewValue([1], [8, 4]), [1, 0]);
  assert.deepEqual(pickerViewValue('1,2', [8, 4]), [0, 0]);
  assert.deepEqual(pickerViewValue([-3, 'x'], [8, 4]), [0, 0]);
  assert.equal(indexAt(125, 40, 8), 3);
  assert.equal(indexAt(139, 40, 8), 3);
  assert.equal(indexAt(141, 40, 8), 4);
  assert.equal(indexAt(9999, 40, 8), 7);
  assert.equal(indexAt(10, 0, 8), 0);
});

test('rich-text: trusted nodes and attributes kept, names any case, text as text', () => {
  const out = sanitizeNodes([
    { name: 'DIV', attrs: { class: 'a', style: 'color: red', id: 'x', onclick: 'evil()' }, children: [{ type: 'text', text: '<b>hi</b>' }] },
    { name: 'img', attrs: { src: 'https://cdn.example/a.png', width: '100', height: '20px', alt: 'A', onerror: 'evil()' } },
    { name: 'td', attrs: { colspan: '2', rowspan: 'x' } },
    { name: 'ol', attrs: { start: '3', type: 'a' } },
    'plain',
  ]);
  assert.deepEqual(out, [
    { type: 'node', name: 'div', attrs: { class: 'a', style: 'color: red' }, children: [{ type: 'text', text: '<b>hi</b>' }] },
    { type: 'node', name: 'img', attrs: { src: 'https://cdn.example/a.png', width: '100', height: '20px', alt: 'A' }, children: [] },
    { type: 'node', name: 'td', attrs: { colspan: '2' }, children: [] },
    { type: 'node', name: 'ol', attrs: { start: '3', type: 'a' }, children: [] },
    { type: 'text', text: 'plain' },
  ]);
});

test('rich-text attack: untrusted nodes go with their children; no handler, href or script URL survives', () => {
  const out = sanitizeNodes([
    { name: 'script', children: [{ type: 'text', text: 'evil()' }] },
    { name: 'svg', children: [{ name: 'a', attrs: { 'xlink:href': 'javascript:evil()' } }] },
    { name: 'iframe', attrs: { srcdoc: '<script>evil()</script>' } },
    { name: 'a', attrs: { href: 'javascript:evil()', target: '_top' }, children: [{ type: 'text', text: 'link' }] },
    { name: 'img', attrs: { src: 'javascript:evil()' } },
    { name: 'img', attrs: { src: 'java\tscript:evil()' } },
    { name: 'img', attrs: { src: ' JaVaScRiPt:evil()' } },
    { name: 'img', attrs: { src: 'data:text/html,<script>evil()</script>' } },
    { name: 'img', attrs: { src: '//evil.example/pixel.png' } },
    { name: 'img', attrs: { src: 'vbscript:x' } },
    { name: 'img', attrs: { src: { toString: () => 'javascript:evil()' } } },
    { name: 'p', attrs: { ONMOUSEOVER: 'evil()', style: 'color: red' } },
    { name: 'style', children: [{ type: 'text', text: '* { display: none }' }] },
    { type: 'comment', text: 'x' },
    { name: 'div', children: 'not an array' },
    { name: 'constructor' }, { name: '__proto__' }, { name: 'toString' },
    null, 42, () => {},
  ]);
  assert.deepEqual(out, [
    { type: 'node', name: 'a', attrs: {}, children: [{ type: 'text', text: 'link' }] },
    ...Array(7).fill({ type: 'node', name: 'img', attrs: {}, children: [] }),
    { type: 'node', name: 'p', attrs: { style: 'color: red' }, children: [] },
    { type: 'node', name: 'div', attrs: {}, children: [] },
    { type: 'text', text: '42' },
  ]);
});

test('rich-text: image sources, attribute values and styles', () => {
  assert.equal(imageSource('data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"/>'), 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"/>');
  assert.equal(imageSource('images/a.png'), 'images/a.png');
  assert.equal(imageSource('HTTPS://cdn/a.png'), 'HTTPS://cdn/a.png');
  assert.equal(imageSource('file:///etc/passwd'), null);
  assert.equal(attributeValue('bdo', 'dir', 'rtl'), 'rtl');
  assert.equal(attributeValue('bdo', 'dir', 'x" onclick="y'), null);
  assert.equal(attributeValue('table', 'width', '100%'), '100%');
  assert.equal(attributeValue('table', 'width', 'expression(evil())'), null);
  assert.equal(attributeValue('span', 'width', '10'), null, 'only the tags the docs give it');
  assert.equal(keepStyle('color', 'red'), true);
  assert.equal(keepStyle('background-image', 'url("http://evil/x.png")'), false);
  assert.equal(keepStyle('background-image', 'image-set("a.png" 1x)'), false);
  assert.equal(keepStyle('background-image', 'u\\rl(x)'), false);
  assert.equal(keepStyle('position', 'fixed'), false);
  assert.equal(keepStyle('position', 'sticky'), false);
  assert.equal(keepStyle('position', 'relative'), true);
  assert.equal(keepStyle('-moz-binding', 'x'), false);
  assert.equal(keepStyle('behavior', 'x'), false);
  assert.equal(keepStyle('cursor', 'url(x.cur), auto'), false);
});

test('rich-text: hostile sizes stop at the limits', () => {
  let deep = { type: 'text', text: 'bottom' };
  for (let i = 0; i < 10_000; i++) deep = { name: 'div', children: [deep] };
  const out = sanitizeNodes([deep]);
  let depth = 0;
  for (let n = out[0]; n?.children?.length; n = n.children[0]) depth += 1;
  assert.equal(depth, RICH_TEXT_LIMITS.depth - 1, 'nesting stops at the limit, without overflowing the stack');
  const wide = sanitizeNodes(Array.from({ length: 50_000 }, () => ({ name: 'span' })));
  assert.equal(wide.length, RICH_TEXT_LIMITS.nodes);
  const long = sanitizeNodes(['x'.repeat(RICH_TEXT_LIMITS.text + 10), 'more']);
  assert.equal(long.length, 1);
  assert.equal(long[0].text.length, RICH_TEXT_LIMITS.text);
});
