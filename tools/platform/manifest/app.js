// Everything the platform layer needs to know about one app, read from its manifest: the module
// table, the preloaded modules, the mc/config object and the lwip limits.
import { join } from "node:path";
import { buildConfig, configModuleSource } from "./mc-config.js";
import { lwipSettings } from "./lwip-settings.js";
import { buildModuleTable } from "./module-table.js";
import { preloadedModules } from "./preload-list.js";
import { readManifest } from "./read-manifest.js";

/** mcconfig's stack for an app whose manifests set no creation.stack (tools/mcconfig.js). */
export const MCCONFIG_STACK = 384;

/** The XS stack an esp32 build gets, in slots: creation.stack (its esp32 section's first). */
export function stackSlots(json) {
  return json.platforms?.esp32?.creation?.stack ?? json.creation?.stack ?? MCCONFIG_STACK;
}

/**
 * @param {object} options
 * @param {string} options.manifestPath
 * @param {string} [options.buildRoot] compiled TypeScript; default: build/firmware beside the manifest
 * @param {[string, string][]} [options.overrides] mc/config overrides (values are strings)
 * @param {object} [options.env] environment for the lwip overrides
 * @param {string} [options.engine] the engine's name ("node", "xs 13.3.0"): mc/config's `engine`,
 *   a key only the platform layer adds (a board's firmware finds none there)
 */
export function loadApp({ manifestPath, buildRoot, overrides = [], env = {}, engine }) {
  const manifest = readManifest(manifestPath);
  const compiledRoot = buildRoot ?? join(manifest.root, "build", "firmware");
  const modules = buildModuleTable(manifest.json, manifest.root, compiledRoot);
  const config = buildConfig(manifest.json, overrides);
  if (engine !== undefined) config.engine = engine;
  return {
    manifestPath: manifest.path,
    root: manifest.root,
    buildRoot: compiledRoot,
    json: manifest.json,
    modules,
    preloaded: preloadedModules(manifest.json, modules),
    mainName: manifest.json.creation?.main ?? "main",
    stack: stackSlots(manifest.json),
    config,
    configSource: configModuleSource(config),
    lwip: lwipSettings(manifest.json, manifest.root, env),
  };
}
