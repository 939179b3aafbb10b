// Reads the API names and their calling shapes from the @mini-types/my package installed in
// tests/node_modules (the declarations Alipay mini program developers compile against).
//
// Shapes (the same rule as src/jsapi.rs `shape`):
//   listener — `on<Event>` / `off<Event>` returning void: registers or removes a callback;
//   sync     — the name ends in `Sync`, or no declaration of it returns a Promise or void
//              (`createSelectorQuery(): SelectorQuery`, `getWindowInfo(): {...}`);
//   async    — everything else: callbacks `success`/`fail`/`complete` and a Promise.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TYPINGS_DIR = path.join(ROOT, 'tests/node_modules/@mini-types/my');

/** The package's version (for the table's heading). */
export function typingsVersion() {
  return JSON.parse(fs.readFileSync(path.join(TYPINGS_DIR, 'package.json'), 'utf8')).version;
}

/** `/* … *\/` and `// …` comments removed (they hold Chinese parentheses and examples). */
function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The return type text of the function whose parameter list opens at `open` ('(' index). */
function returnType(src, open) {
  let i = open + 1;
  let depth = 1;
  while (depth > 0 && i < src.length) {
    const c = src[i++];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
  }
  let j = i;
  let d = 0;
  let text = '';
  while (j < src.length) {
    const c = src[j];
    if (d === 0 && c === ';') break;
    if ('({[<'.includes(c)) d++;
    if (')}]>'.includes(c)) d--;
    text += c;
    j++;
  }
  return text.replace(/^\s*:\s*/, '').replace(/\s+/g, ' ').trim();
}

/** Every `export function` of `my` in one declaration file: name → [return types]. */
function declarations(file) {
  const src = stripComments(fs.readFileSync(path.join(TYPINGS_DIR, 'types', file), 'utf8'));
  const re = /^ {2}export function ([A-Za-z0-9_$]+)\s*\(/gm;
  const out = new Map();
  let m;
  while ((m = re.exec(src))) {
    const list = out.get(m[1]) || [];
    list.push(returnType(src, m.index + m[0].length - 1));
    out.set(m[1], list);
  }
  return out;
}

/** The shape of one API from its declarations' return types. */
export function shapeOf(name, returns) {
  if (/^(on|off)[A-Z]/.test(name) && returns.every((r) => r === 'void')) return 'listener';
  if (/Sync$/.test(name)) return 'sync';
  if (returns.some((r) => r === 'void' || r.startsWith('Promise'))) return 'async';
  return 'sync';
}

/** The APIs of `lib.my.d.ts` (the package's JSAPI list), sorted: [{ name, shape }]. */
export function typingsApis() {
  return [...declarations('lib.my.d.ts')]
    .map(([name, returns]) => ({ name, shape: shapeOf(name, returns) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The extra, generic members of `lib.my.extra.d.ts` (`call`, `on`, `off`, `canIUse`). */
export function typingsExtras() {
  return [...declarations('lib.my.extra.d.ts').keys()].sort();
}
