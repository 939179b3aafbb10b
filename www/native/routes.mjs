// The routes of a native mini program from its app.json: `pages`, then each subpackage's
// `pages` under its `root` (`subPackages`, or `subpackages` as some tools write it). Pure: used
// by the logic layer (worker.mjs) and tested by routes.test.mjs.

import { RuntimeError } from './core.mjs';

const clean = (path) => String(path ?? '').replace(/^\/+/, '').replace(/\/+$/, '');

/**
 * Every page route of `appJson`, in order: `pages` first, then the subpackages'. Throws a
 * RuntimeError naming what is wrong when a subpackage has no `root` or its `pages` is not a list.
 */
export function appRoutes(appJson) {
  const routes = Array.isArray(appJson?.pages) ? appJson.pages.map(clean) : [];
  const subPackages = appJson?.subPackages ?? appJson?.subpackages ?? [];
  if (!Array.isArray(subPackages)) throw new RuntimeError('app.json subPackages must be a list of { root, pages }');
  subPackages.forEach((sub, n) => {
    const root = clean(sub?.root);
    if (!root) throw new RuntimeError(`app.json subPackages[${n}] has no root`);
    if (!Array.isArray(sub.pages)) throw new RuntimeError(`app.json subPackages[${n}] (${root}): pages must be a list`);
    for (const page of sub.pages) routes.push(`${root}/${clean(page)}`);
  });
  return [...new Set(routes)];
}
