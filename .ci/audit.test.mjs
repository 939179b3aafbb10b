// Tests of the offline advisory check (.ci/audit.mjs): run by `node --test .ci/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matches, findings, lockedPackages, readList } from './audit.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = (pkgs) =>
  `version = 4\n\n${pkgs.map(([n, v]) => `[[package]]\nname = "${n}"\nversion = "${v}"\nsource = "registry+x"\n`).join('\n')}`;
const LIST = readFileSync(join(ROOT, '.ci/advisories.txt'), 'utf8');

test('Cargo version requirements read as Cargo reads them', () => {
  const cases = [
    ['0.9.10', '>=0.9.0,<0.10.0', true], ['0.10.0', '>=0.9.0,<0.10.0', false],
    ['0.3.26', '^0.3.26', true], ['0.3.99', '^0.3.26', true], ['0.4.0', '^0.3.26', false],
    ['0.0.4', '^0.0.3', false], ['1.9.0', '^1.2', true], ['2.0.0', '^1.2', false],
    ['1.2.9', '~1.2.3', true], ['1.3.0', '~1.2.3', false], ['1.2.3', '=1.2.3', true],
    ['1.2.4', '=1.2.3', false], ['1.2.7', '=1.2', true], ['0.17.12', '>=0.17.12', true],
    ['0.17.11', '>=0.17.12', false], ['0.17.11', '<0.17.12', true], ['1.2.4', '>1.2.3', true],
    ['1.2.3', '>1.2.3', false], ['1.2.3', '<=1.2.3', true], ['7.0.0', '*', true],
    ['0.10.0-rc.1', '<0.10.0', true], ['0.10.0-rc.1', '>=0.10.0', false],
  ];
  for (const [v, req, want] of cases) assert.equal(matches(v, req), want, `${v} ${req}`);
  assert.throws(() => matches('1.0.0', '>= banana'), /unreadable requirement/);
});

test('the list is well formed and still lists rsa (Marvin, no patched release)', () => {
  const list = readList(LIST);
  assert.ok(list.length > 10);
  const marvin = list.find((a) => a.id === 'RUSTSEC-2023-0071');
  assert.deepEqual([marvin.crate, marvin.patched, marvin.unaffected], ['rsa', [], []]);
  // Every requirement in the list is one the matcher reads.
  for (const a of list) for (const r of [...a.patched, ...a.unaffected]) matches('1.0.0', r);
});

test('an affected version fails, a patched or unaffected one passes', () => {
  const hits = findings(lock([['rsa', '0.9.10'], ['ring', '0.17.11'], ['ring', '0.17.14'], ['h2', '0.4.20']]), LIST);
  assert.deepEqual(hits.map((h) => `${h.name} ${h.version} ${h.advisory.id}`).sort(),
    ['ring 0.17.11 RUSTSEC-2025-0009', 'rsa 0.9.10 RUSTSEC-2023-0071']);
  assert.deepEqual(findings(lock([['aws-lc-sys', '0.47.0'], ['smallvec', '1.15.1']]), LIST), []);
  // aws-lc-sys 0.35 was in the window of its X.509 and PKCS7 advisories.
  assert.ok(findings(lock([['aws-lc-sys', '0.35.0']]), LIST).length >= 3);
});

test("the repository's Cargo.lock passes", () => {
  const text = readFileSync(join(ROOT, 'Cargo.lock'), 'utf8');
  assert.ok(lockedPackages(text).length > 100);
  assert.deepEqual(findings(text, LIST).map((h) => `${h.name} ${h.version} ${h.advisory.id}`), []);
});
