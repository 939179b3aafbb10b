// Definitions the shim and the sandbox share live once, in policy/ (DESIGN.md "Shared
// definitions"): no other file may spell out the silent-scope list again. Run by
// `node --test .ci/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OWNER = 'policy/src/lib.rs';

test('the silent scopes are listed in policy/ only', () => {
  const files = execFileSync('git', ['ls-files', '-z', '--', '*.rs', '*.js', '*.mjs', '*.ts', '*.html'], { cwd: ROOT })
    .toString().split('\0').filter((f) => f && f !== '.ci/shared.test.mjs');
  // `SILENT… = [`, `SILENT…: &[&str] = &[`, `const silent = [`: a list of silent scopes.
  const definition = /silent\w*\s*(:[^=\n]*)?=\s*&?\s*\[/i;
  const copies = files.filter((f) => definition.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(copies, [OWNER], 'the silent scopes are defined once');
});
