#!/usr/bin/env node
// Folds wasm-bindgen's JS snippets (`pkg/snippets/<crate-hash>/src/glue/*.js`) into the glue
// (`pkg/<name>.js`), so a page loads the runtime's JS in one fetch: a snippet's name carries a
// build hash `www/my.js` cannot know, so it could not be preloaded and cost one more round trip
// after the glue (BENCHMARKS.md, cold start). Each snippet becomes one object made where its
// import was; its `import.meta.url` is then the glue's (src/glue/extras.js expects either).
//
//   node .ci/inline-snippets.mjs <pkg dir> <glue file name>     (run by .ci/build-pkg)
//
// A snippet may only `export` functions, classes and const/let/var bindings by name; anything
// else (an `import`, `export default`, `export { … }`) stops the build with the reason.
import fs from 'node:fs';
import path from 'node:path';

const [dir, glueName] = process.argv.slice(2);
if (!dir || !glueName) {
  console.error('usage: inline-snippets.mjs <pkg dir> <glue file name>');
  process.exit(2);
}
const gluePath = path.join(dir, glueName);
let glue = fs.readFileSync(gluePath, 'utf8');

const objects = new Map(); // snippet path → name of its object in the glue
const definitions = [];

function snippetObject(rel) {
  if (objects.has(rel)) return objects.get(rel);
  const file = path.join(dir, rel);
  const source = fs.readFileSync(file, 'utf8');
  const fail = (why) => {
    console.error(`inline-snippets: ${rel}: ${why}`);
    process.exit(1);
  };
  if (/^\s*import[\s{*'"]/m.test(source)) fail('a snippet with imports cannot be folded into the glue');
  if (/^\s*export\s+(default\b|\{|\*)/m.test(source)) fail('only `export function|class|const|let|var <name>` can be folded');
  const names = [];
  const body = source.replace(
    /^(\s*)export\s+((?:async\s+)?function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)/gm,
    (_, indent, kind, name) => {
      names.push(name);
      return `${indent}${kind} ${name}`;
    },
  );
  if (/^\s*export\b/m.test(body)) fail('an export this script does not understand');
  const name = `__wbg_snippet${objects.size}`;
  objects.set(rel, name);
  definitions.push(
    `// ${rel}\nconst ${name} = (() => {\n${body}\nreturn Object.freeze({ ${names.join(', ')} });\n})();\n`,
  );
  return name;
}

// import { a, b as c } from './snippets/…';
glue = glue.replace(/^import \{([^}]*)\} from ['"](\.\/snippets\/[^'"]+)['"];?$/gm, (_, list, rel) => {
  const object = snippetObject(rel);
  const bindings = list.split(',').map((s) => s.trim()).filter(Boolean)
    .map((s) => s.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'));
  return `const { ${bindings.join(', ')} } = ${object};`;
});
// import * as importN from './snippets/…';
glue = glue.replace(/^import \* as ([\w$]+) from ['"](\.\/snippets\/[^'"]+)['"];?$/gm, (_, local, rel) =>
  `const ${local} = ${snippetObject(rel)};`);
// (The keys of the wasm's import object keep the snippets' paths: they are names, not fetches.)
if (/['"]\.\/snippets\//.test(glue.replace(/["']\.\/snippets\/[^"']+["']\s*:\s*import\d+/g, ''))) {
  console.error(`inline-snippets: ${glueName} still refers to ./snippets/ in a form this script does not fold`);
  process.exit(1);
}
if (objects.size === 0) process.exit(0);
// The definitions go before the first use: at the top, after the glue's leading comments.
glue = definitions.join('\n') + '\n' + glue;
fs.writeFileSync(gluePath, glue);
fs.rmSync(path.join(dir, 'snippets'), { recursive: true, force: true });
console.log(`inline-snippets: folded ${objects.size} snippet(s) into ${glueName}`);
