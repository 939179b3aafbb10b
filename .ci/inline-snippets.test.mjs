// .ci/inline-snippets.mjs folds wasm-bindgen's JS snippets into the glue (one fetch for the
// runtime's JS): the folded glue still gets every export, named and as a namespace, its
// import.meta.url is the glue's, and a snippet it cannot fold stops the build. Run by
// `node --test .ci/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'inline-snippets.mjs');
const SNIPPET = 'snippets/crate-0123456789abcdef/src/glue';

function pkg(snippet) {
  const dir = mkdtempSync(join(tmpdir(), 'inline-snippets-'));
  mkdirSync(join(dir, SNIPPET), { recursive: true });
  writeFileSync(join(dir, SNIPPET, 'a.js'), snippet);
  writeFileSync(join(dir, 'glue.js'), [
    `import { twice, Box as Crate } from './${SNIPPET}/a.js';`,
    `import * as import1 from "./${SNIPPET}/a.js"`,
    'let wasm;',
    'export function run() { return [twice(2), new Crate(3).n, import1.where(), import1.count]; }',
    `export const imports = { "./${SNIPPET}/a.js": import1 };`,
    '',
  ].join('\n'));
  return dir;
}

const run = (dir) => spawnSync(process.execPath, [SCRIPT, dir, 'glue.js'], { encoding: 'utf8' });

test('every export reaches the glue, by name and as a namespace; snippets/ is gone', async () => {
  const dir = pkg([
    '// a snippet',
    'const hidden = 10;',
    'export function twice(n) { return 2 * n; }',
    'export class Box { constructor(n) { this.n = n; } }',
    'export const where = () => import.meta.url;',
    'export let count = hidden + 1;',
    'export async function later() { return 1; }',
  ].join('\n'));
  const r = run(dir);
  assert.equal(r.status, 0, r.stderr);
  const glue = readFileSync(join(dir, 'glue.js'), 'utf8');
  assert.doesNotMatch(glue, /^import /m);
  assert.equal(existsSync(join(dir, 'snippets')), false);
  const url = pathToFileURL(join(dir, 'glue.js')).href;
  const mod = await import(url);
  assert.deepEqual(mod.run(), [4, 3, url, 11]);
  assert.deepEqual(Object.keys(mod.imports[`./${SNIPPET}/a.js`]).sort(), ['Box', 'count', 'later', 'twice', 'where']);
});

test('a snippet that imports or exports in another form stops the build, naming it', () => {
  for (const [source, why] of [
    ["import x from './x.js';\nexport function twice() {}\nexport class Box {}", /cannot be folded/],
    ['export default function twice() {}', /only `export function/],
    ['function twice() {}\nclass Box {}\nexport { twice, Box };', /only `export function/],
  ]) {
    const r = run(pkg(source));
    assert.equal(r.status, 1, source);
    assert.match(r.stderr, why);
    assert.match(r.stderr, /a\.js/);
  }
});
