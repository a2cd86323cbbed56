// Module customization hooks (node:module register) that load firmware the way XS finds modules,
// for the Node engine (see firmware-imports.js). They run in Node's loader thread;
// loader/register.js passes them the app's module table. Imports made by anything else (the layer
// itself, tests) resolve normally.
import { fileURLToPath } from "node:url";
import { checkModuleFile, firmwareSource, resolveFirmwareImport } from "./firmware-imports.js";

const CONFIG_URL = "moddable-node:mc/config";

let state = null;

/**
 * @param {object} data
 * @param {[string, string][]} data.modules module name -> file URL
 * @param {string[]} data.preloaded
 * @param {Record<string, string>} data.platform specifier -> file URL
 * @param {string} data.preloadUrl
 * @param {string} data.configSource
 */
export function initialize(data) {
  state = {
    urlOf: new Map(data.modules),
    nameOf: new Map(data.modules.map(([name, url]) => [url, name])),
    preloaded: new Set(data.preloaded),
    platform: new Map(Object.entries(data.platform)),
    preloadUrl: data.preloadUrl,
    configSource: data.configSource,
  };
}

export async function resolve(specifier, context, nextResolve) {
  const importer = context.parentURL && state?.nameOf.get(context.parentURL);
  if (importer === undefined) return nextResolve(specifier, context);
  if (specifier === context.parentURL || specifier === state.preloadUrl) {
    return { url: specifier, shortCircuit: true };
  }
  const { kind, name } = resolveFirmwareImport(specifier, importer, state.urlOf, state.platform);
  if (kind === "engine") return { url: state.platform.get(name), shortCircuit: true };
  if (kind === "config") return { url: CONFIG_URL, shortCircuit: true };
  const url = state.urlOf.get(name);
  checkModuleFile(name, fileURLToPath(url));
  return { url, shortCircuit: true };
}

export async function load(url, context, nextLoad) {
  if (url === CONFIG_URL) {
    return { format: "module", source: state.configSource, shortCircuit: true };
  }
  const name = state?.nameOf.get(url);
  if (name === undefined) return nextLoad(url, context);
  const loaded = await nextLoad(url, { ...context, format: "module" });
  const source = firmwareSource(String(loaded.source), {
    name,
    self: url,
    runtime: state.preloadUrl,
    preloaded: state.preloaded.has(name),
  });
  return { format: "module", source, shortCircuit: true };
}
