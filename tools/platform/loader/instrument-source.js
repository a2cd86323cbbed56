// The text the load hook adds around a firmware module so that runtime/preload.js can reproduce
// what XS's preloading freezes. Added on the first line (so line numbers do not move) and at the end.

/**
 * @param {string} source the module's JavaScript
 * @param {object} options
 * @param {string} options.self the specifier of the module itself (a module may import itself)
 * @param {string} options.runtime the specifier of sdk/runtime/preload.js
 * @param {boolean} options.preloaded
 */
export function instrumentSource(source, { self, runtime: runtimeSpecifier, preloaded }) {
  const runtime = JSON.stringify(runtimeSpecifier);
  if (!preloaded) {
    return `import { runtimeBegins as __mnRuntimeBegins } from ${runtime}; __mnRuntimeBegins(); ${source}`;
  }
  return (
    `import * as __mnSelf from ${JSON.stringify(self)}; ` +
    `import { preloadBegin as __mnPreloadBegin, preloadEnd as __mnPreloadEnd } from ${runtime}; ` +
    `__mnPreloadBegin(); ${source}\n;__mnPreloadEnd(__mnSelf);\n`
  );
}
