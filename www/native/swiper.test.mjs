// The swiper's slide arithmetic (swiper.mjs); the element itself: tests/e2e/native-walk.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSlide } from './swiper.mjs';

test('nextSlide wraps when circular, else stays in range; no slides is slide 0', () => {
  assert.equal(nextSlide(2, 3, 1, true), 0);
  assert.equal(nextSlide(0, 3, -1, true), 2);
  assert.equal(nextSlide(2, 3, 1, false), 2);
  assert.equal(nextSlide(0, 3, -1, false), 0);
  assert.equal(nextSlide(1, 3, 1, false), 2);
  assert.equal(nextSlide(5, 0, 1, true), 0);
});
