#!/usr/bin/env node
// The offline stand-in for `cargo audit` (which needs the RustSec advisory database from the
// network, out of reach here): fails when Cargo.lock holds a crate version that an advisory in
// .ci/advisories.txt says is affected. The list is a copy, kept in the repository, of the
// RustSec vulnerability advisories for the crates in Cargo.lock (see the list's header).
//
// Usage:
//   node .ci/audit.mjs [--lock FILE] [--list FILE]   check (exit 1 on an affected crate)
//   node .ci/audit.mjs --refresh DB_DIR              rewrite the list from a checkout of the
//                                                    RustSec advisory-db, for every crate in
//                                                    Cargo.lock and every crate already listed
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `[{name, version}]` of every `[[package]]` in a Cargo.lock text. */
export function lockedPackages(text) {
  const out = [];
  for (const block of text.split(/^\[\[package\]\]$/m).slice(1)) {
    const name = /^name = "([^"]+)"$/m.exec(block)?.[1];
    const version = /^version = "([^"]+)"$/m.exec(block)?.[1];
    if (name && version) out.push({ name, version });
  }
  return out;
}

/** `[major, minor, patch, pre]` of `1.2.3` or `1.2.3-rc.1` (`+build` ignored), or null. */
function parseVersion(text) {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? null] : null;
}

/** Semver order; a pre-release sorts before its release, pre-releases compare as text. */
function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  if (a[3] === b[3]) return 0;
  if (a[3] === null) return 1;
  if (b[3] === null) return -1;
  return a[3] < b[3] ? -1 : 1;
}

/**
 * Whether `version` matches one Cargo version requirement (`>= 1.2.0, < 1.3.0`, `^0.3.26`,
 * `~1.2`, `= 1.2.3`, `1.2`, `*`): every comma-separated comparator must hold. Throws on text
 * it cannot read, so a list it does not understand fails loudly rather than passing.
 */
export function matches(versionText, requirement) {
  const v = parseVersion(versionText);
  if (!v) throw new Error(`unreadable version ${JSON.stringify(versionText)}`);
  return requirement.split(',').every((part) => {
    const m = /^\s*(>=|<=|>|<|=|\^|~)?\s*(\*|\d+)(?:\.(\*|\d+))?(?:\.(\*|\d+))?(?:-([0-9A-Za-z.-]+))?\s*$/.exec(part);
    if (!m) throw new Error(`unreadable requirement ${JSON.stringify(requirement)}`);
    const op = m[1] ?? '^';
    const nums = [m[2], m[3], m[4]].filter((x) => x !== undefined && x !== '*').map(Number);
    if (nums.length === 0) return true; // `*`
    const at = (n) => [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0, n === nums.length ? (m[5] ?? null) : null];
    const low = at(nums.length);
    // The first version above everything the partial version names (`1.2` → 1.3.0).
    const bump = (k) => {
      const x = [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0, null];
      x[k] += 1;
      for (let i = k + 1; i < 3; i++) x[i] = 0;
      return x;
    };
    const ge = (x) => compare(v, x) >= 0;
    const lt = (x) => compare(v, x) < 0;
    const top = bump(nums.length - 1);
    switch (op) {
      case '>=': return ge(low);
      case '>': return ge(top);
      case '<': return lt(low);
      case '<=': return lt(top);
      case '=': return ge(low) && lt(top);
      case '~': return ge(low) && lt(bump(nums.length === 1 ? 0 : 1));
      case '^': {
        // The left-most non-zero part may not change (`^0.2.3` < 0.3.0, `^0.0.3` < 0.0.4).
        const k = nums.findIndex((n) => n !== 0);
        return ge(low) && lt(bump(k === -1 ? nums.length - 1 : k));
      }
    }
    return false;
  });
}

/** The advisories of the list: `{id, crate, patched: [req], unaffected: [req], title}`. */
export function readList(text) {
  const out = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(\S+)\s+patched=(\S+)\s+unaffected=(\S+)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`advisories list line ${i + 1}: expected "ID crate patched=… unaffected=… title"`);
    const reqs = (s) => (s === '-' ? [] : s.split(';'));
    out.push({ id: m[1], crate: m[2], patched: reqs(m[3]), unaffected: reqs(m[4]), title: m[5] });
  }
  return out;
}

/** RustSec's rule: affected unless a `patched` or an `unaffected` requirement matches. */
export function affected(version, advisory) {
  return ![...advisory.patched, ...advisory.unaffected].some((r) => matches(version, r));
}

/** `[{name, version, advisory}]` for every locked package an advisory affects. */
export function findings(lockText, listText) {
  const list = readList(listText);
  const hits = [];
  for (const pkg of lockedPackages(lockText)) {
    for (const advisory of list) {
      if (advisory.crate === pkg.name && affected(pkg.version, advisory)) hits.push({ ...pkg, advisory });
    }
  }
  return hits;
}

/** One list line from an advisory-db file, or null for informational or withdrawn ones. */
function listLine(markdown) {
  const toml = /```toml\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!toml) return null;
  if (/^informational\s*=/m.test(toml) || /^withdrawn\s*=/m.test(toml)) return null;
  const field = (name) => new RegExp(`^${name}\\s*=\\s*"([^"]+)"`, 'm').exec(toml)?.[1];
  const array = (name) => {
    const body = new RegExp(`^${name}\\s*=\\s*\\[([\\s\\S]*?)\\]`, 'm').exec(toml)?.[1] ?? '';
    const reqs = [...body.matchAll(/"([^"]*)"/g)].map((x) => x[1].replace(/\s+/g, ''));
    return reqs.length ? reqs.join(';') : '-';
  };
  const title = /^# (.+)$/m.exec(markdown.slice(markdown.indexOf('```', markdown.indexOf('```toml') + 7)))?.[1];
  return `${field('id')} ${field('package')} patched=${array('patched')} unaffected=${array('unaffected')} ${title ?? ''}`.trim();
}

function refresh(dbDir, listPath, lockText) {
  const crates = new Set(lockedPackages(lockText).map((p) => p.name));
  if (existsSync(listPath)) for (const a of readList(readFileSync(listPath, 'utf8'))) crates.add(a.crate);
  const lines = [];
  for (const crate of [...crates].sort()) {
    const dir = join(dbDir, 'crates', crate);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
      const line = listLine(readFileSync(join(dir, file), 'utf8'));
      if (line) lines.push(line);
    }
  }
  const header = readFileSync(listPath, 'utf8').split('\n').filter((l) => l.startsWith('#'));
  writeFileSync(listPath, `${header.join('\n')}\n${lines.join('\n')}\n`);
  console.log(`[audit] ${lines.length} advisories for ${crates.size} crates written to ${listPath}; update the date in its header`);
}

function main(argv) {
  const opt = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  const lockPath = opt('--lock', join(ROOT, 'Cargo.lock'));
  const listPath = opt('--list', join(ROOT, '.ci/advisories.txt'));
  const lockText = readFileSync(lockPath, 'utf8');
  if (argv.includes('--refresh')) return refresh(opt('--refresh', ''), listPath, lockText);
  const listText = readFileSync(listPath, 'utf8');
  const hits = findings(lockText, listText);
  for (const h of hits) {
    const a = h.advisory;
    const fixed = a.patched.length ? `patched: ${a.patched.join(' or ')}` : 'no patched release';
    console.error(`[audit] ${h.name} ${h.version} in Cargo.lock: ${a.id} ${a.title} (${fixed})`);
  }
  const n = lockedPackages(lockText).length;
  console.log(`[audit] ${n} locked packages checked against ${readList(listText).length} advisories: ${hits.length} affected`);
  if (hits.length) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
