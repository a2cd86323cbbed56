// Module customization hooks (node:module register) that load firmware the way XS finds modules.
// They run in Node's loader thread; loader/register.js passes them the app's module table.
//
// For an import made by a firmware module:
// 1. specifiers the platform layer provides (embedded:io/socket/tcp, timer, crypt, net, …) load
//    the layer's module; "mc/config" loads the generated config module;
// 2. other specifiers become module names as XS computes them ("./x" relative to the importer's
//    module name, ".js" dropped) and are looked up in the manifest's module table;
// 3. Node built-ins are refused; anything else is not found, as on XS.
// Imports made by anything else (the layer itself, tests) resolve normally.
import { existsSync } from "node:fs";
import { isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";
import { xsModuleName } from "../manifest/module-table.js";
import { instrumentSource } from "./instrument-source.js";
import { refusePreloadedRegExps } from "./preload-regexps.js";

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

function notFound(specifier, importer) {
  return new ReferenceError(`module "${specifier}" not found (imported by ${importer})`);
}

export async function resolve(specifier, context, nextResolve) {
  const importer = context.parentURL && state?.nameOf.get(context.parentURL);
  if (importer === undefined) return nextResolve(specifier, context);
  if (specifier === context.parentURL || specifier === state.preloadUrl) {
    return { url: specifier, shortCircuit: true };
  }
  const name = xsModuleName(specifier, importer);
  if (name !== undefined && state.platform.has(name)) {
    return { url: state.platform.get(name), shortCircuit: true };
  }
  if (name === "mc/config") return { url: CONFIG_URL, shortCircuit: true };
  const url = name === undefined ? undefined : state.urlOf.get(name);
  if (url !== undefined) {
    if (!existsSync(fileURLToPath(url))) {
      throw new Error(
        `module "${name}": ${fileURLToPath(url)} does not exist (run npm run build first)`,
      );
    }
    return { url, shortCircuit: true };
  }
  if (isBuiltin(specifier)) {
    throw new Error(
      `firmware must not import Node module "${specifier}" (imported by ${importer}): XS has no Node APIs`,
    );
  }
  throw notFound(specifier, importer);
}

export async function load(url, context, nextLoad) {
  if (url === CONFIG_URL) {
    return { format: "module", source: state.configSource, shortCircuit: true };
  }
  const name = state?.nameOf.get(url);
  if (name === undefined) return nextLoad(url, context);
  const loaded = await nextLoad(url, { ...context, format: "module" });
  const preloaded = state.preloaded.has(name);
  if (preloaded) refusePreloadedRegExps(String(loaded.source), name);
  const source = instrumentSource(String(loaded.source), {
    url,
    preloadUrl: state.preloadUrl,
    preloaded,
  });
  return { format: "module", source, shortCircuit: true };
}
