// my.regionPicker's committed data file is what its generator makes from the pinned package.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { FILE, render } from './regions.mjs';

test('extras/data/regions.txt is the generated file (regenerate: node tests/jsapi/regions.mjs --write)', () => {
  assert.equal(fs.readFileSync(FILE, 'utf8'), render());
});

test('the data names its source and licence and holds the three levels', () => {
  const text = render();
  assert.match(text, /^# .*@vant\/area-data \d+\.\d+\.\d+ \(licence MIT\)/m);
  assert.match(text, /^# MIT License$/m);
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.ok(lines.includes('330000 浙江省') && lines.includes('330100 杭州市') && lines.includes('330106 西湖区'));
  assert.equal(lines.filter((l) => l.slice(2, 6) === '0000').length, 34);
});
