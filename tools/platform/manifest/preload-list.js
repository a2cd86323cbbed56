// Which modules XS preloads, decided like mcconfig (tools/mcconfig.js, filterPreload):
// - an exact name ("settings") preloads that module, JavaScript or TypeScript;
// - a wildcard ("websocket/*") is matched against the JavaScript modules only. mcconfig compares
//   it with `this.jsFiles`, and TypeScript sources are in `this.tsFiles` at that point, so a
//   TypeScript module reached only through a wildcard is NOT preloaded (checked on SDK 8.2.3: a class
//   static in such a module stays writable, one in an exactly named module throws).
import { asList } from "./read-manifest.js";

/**
 * @param {object} manifestJson
 * @param {Map<string, { language: string }>} table from buildModuleTable
 * @returns {Set<string>} preloaded module names
 */
export function preloadedModules(manifestJson, table) {
  const preloaded = new Set();
  const patterns = [
    ...asList(manifestJson.preload),
    ...asList(manifestJson.platforms?.esp32?.preload),
  ];
  for (const pattern of patterns) {
    const star = pattern.lastIndexOf("*");
    for (const [name, entry] of table) {
      if (star >= 0) {
        if (entry.language === "js" && name.slice(0, star) === pattern.slice(0, star)) {
          preloaded.add(name);
        }
      } else if (name === pattern) {
        preloaded.add(name);
      }
    }
  }
  return preloaded;
}
