// How an import made by a firmware module resolves, the way XS finds modules on the board, for
// both engines (the Node engine's loader hooks and the XS engine's module requests):
// 1. a specifier the platform layer provides (embedded:io/socket/tcp, timer, crypt, net, …) is an
//    engine module; "mc/config" is the generated config module;
// 2. any other specifier becomes a module name as XS computes it ("./x" relative to the importer's
//    module name, ".js" dropped) and is looked up in the manifest's module table;
// 3. a Node built-in is refused, anything else is not found, as on XS.
import { existsSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { xsModuleName } from "../manifest/module-table.js";
import { instrumentSource } from "./instrument-source.js";
import { refusePreloadedRegExps } from "./preload-regexps.js";

/**
 * @param {string} specifier
 * @param {string} importer the importing module's name
 * @param {{ has(name: string): boolean }} modules module names of the manifest's table
 * @param {{ has(name: string): boolean }} platform specifiers the platform layer provides
 * @returns {{ kind: "engine" | "config" | "module", name: string }}
 */
export function resolveFirmwareImport(specifier, importer, modules, platform) {
  const name = xsModuleName(specifier, importer);
  if (name !== undefined && platform.has(name)) return { kind: "engine", name };
  if (name === "mc/config") return { kind: "config", name };
  if (name !== undefined && modules.has(name)) return { kind: "module", name };
  if (isBuiltin(specifier)) {
    throw new Error(
      `firmware must not import Node module "${specifier}" (imported by ${importer}): XS has no Node APIs`,
    );
  }
  throw new ReferenceError(`module "${specifier}" not found (imported by ${importer})`);
}

/** Throws when the compiled file of a module the manifest defines is missing. */
export function checkModuleFile(name, file) {
  if (!existsSync(file)) {
    throw new Error(`module "${name}": ${file} does not exist (run npm run build first)`);
  }
}

/**
 * A firmware module's source as the engine runs it: refused if preloaded with a top-level RegExp,
 * and bracketed for runtime/preload.js (see instrument-source.js).
 * @param {string} source
 * @param {{ name: string, self: string, runtime: string, preloaded: boolean }} options
 */
export function firmwareSource(source, { name, self, runtime, preloaded }) {
  if (preloaded) refusePreloadedRegExps(source, name);
  return instrumentSource(source, { self, runtime, preloaded });
}

/** Reads and prepares the source of module `name` from `file` (the XS engine's loader). */
export function readFirmwareSource(name, file, options) {
  checkModuleFile(name, file);
  return firmwareSource(readFileSync(file, "utf8"), { name, ...options });
}
