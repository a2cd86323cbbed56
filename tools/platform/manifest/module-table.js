// The firmware's modules, named the way mcconfig names them (tools/mcmanifest.js, class Rule and
// ModulesRule): a key of "modules" is a module specifier or a "prefix/*" wildcard; a value is a path
// or an array of paths relative to the manifest folder, without extension. mcconfig lists the
// source folder and takes the files whose name matches:
//   "*": ["./main"]                           -> module "main" (the key "*" names a file by its own name)
//   "settings": "./modules/settings"          -> module "settings"
//   "websocket/*": "./modules/websocket/*"    -> "websocket/<name>" for every file in that folder
// Paths starting with "$(" are SDK files; the platform layer provides their equivalents.
//
// A TypeScript source runs from its compiled file under the build folder (the compiled tree mirrors
// the source tree); a JavaScript source runs as is.
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve } from "node:path";

const SCRIPT_EXTENSIONS = new Set([".ts", ".js", ".mjs"]);

/** Splits a file name the way mcconfig does: "x.d.ts" has the extension ".d.ts". */
function splitName(file) {
  if (file.endsWith(".d.ts")) return { name: file.slice(0, -5), extension: ".d.ts" };
  const extension = extname(file);
  return { name: file.slice(0, file.length - extension.length), extension };
}

function listFolder(folder) {
  try {
    return readdirSync(folder).sort();
  } catch {
    return null;
  }
}

/**
 * The files matched by one source path of the manifest, as [moduleSuffix, file] pairs, following
 * mcconfig's Rule.iterate: a source name with "*" matches every file starting with the part before
 * the star (the rest of the name is the suffix); a name without star matches the file of that name.
 */
function matchSources(sourcePath, root) {
  const folder = resolve(root, dirname(sourcePath));
  const pattern = basename(sourcePath);
  const star = pattern.lastIndexOf("*");
  const prefix = star >= 0 ? pattern.slice(0, star) : pattern;
  const files = listFolder(folder);
  if (!files) return [];
  const matches = [];
  for (const file of files) {
    if (file.startsWith(".")) continue;
    const path = join(folder, file);
    if (!statSync(path).isFile()) continue;
    const { name, extension } = splitName(file);
    if (!SCRIPT_EXTENSIONS.has(extension)) continue;
    if (star >= 0) {
      if (name.startsWith(prefix)) matches.push([name.slice(prefix.length), path, extension]);
    } else if (name === prefix || file === prefix) {
      matches.push([name, path, extension]);
    }
  }
  return matches;
}

function sourcesOf(value) {
  const list = Array.isArray(value) ? value : [value];
  return list
    .map((entry) => (typeof entry === "string" ? entry : entry?.source))
    .filter((entry) => typeof entry === "string" && !entry.startsWith("$("));
}

/**
 * @param {object} manifestJson parsed manifest.json
 * @param {string} root the manifest folder
 * @param {string} buildRoot folder holding the compiled TypeScript, mirroring `root`
 * @returns {Map<string, { source: string, file: string, language: "ts"|"js" }>} by module name;
 *   `file` is what runs: the compiled file for TypeScript, the source itself for JavaScript
 */
export function buildModuleTable(manifestJson, root, buildRoot) {
  const table = new Map();
  // the top level, then the "esp32" platform section, as an esp32 build reads them
  for (const modules of [manifestJson.modules, manifestJson.platforms?.esp32?.modules]) {
    addModules(table, modules ?? {}, root, buildRoot);
  }
  return table;
}

function addModules(table, modules, root, buildRoot) {
  const excluded = new Set();
  if (modules["~"] !== undefined) {
    for (const source of sourcesOf(modules["~"])) {
      for (const [, path] of matchSources(source, root)) excluded.add(path);
    }
  }
  for (const [key, value] of Object.entries(modules)) {
    if (key === "~") continue;
    const star = key.lastIndexOf("*");
    const target = star >= 0 ? key.slice(0, star) : key;
    for (const source of sourcesOf(value)) {
      for (const [suffix, path, extension] of matchSources(source, root)) {
        if (excluded.has(path)) continue;
        const name = star >= 0 ? target + suffix : target;
        if (table.has(name)) continue; // mcconfig keeps the first file for a target
        const language = extension === ".ts" ? "ts" : "js";
        const file =
          language === "ts"
            ? join(buildRoot, relative(root, dirname(path)), `${splitName(basename(path)).name}.js`)
            : path;
        table.set(name, { source: path, file, language });
      }
    }
  }
}

/**
 * Resolves an import specifier to a module name the way XS does on a microcontroller
 * (xs/platforms/mc/xsHosts.c, fxFindModule): "moddable:" is dropped, a ".js" or ".mjs" extension is
 * dropped, and "./" or "../" is taken relative to the importing module's name, not to its file.
 * @returns {string|undefined} undefined when a relative specifier climbs above the root
 */
export function xsModuleName(specifier, importerName) {
  let name = specifier.startsWith("moddable:") ? specifier.slice(9) : specifier;
  let dots = 0;
  if (name.startsWith("./")) {
    dots = 1;
    name = name.slice(2);
  } else if (name.startsWith("../")) {
    dots = 2;
    name = name.slice(3);
    while (name.startsWith("../")) {
      dots++;
      name = name.slice(3);
    }
  }
  const lastSegment = name.slice(name.lastIndexOf("/") + 1);
  const dot = lastSegment.lastIndexOf(".");
  if (dot >= 0 && [".js", ".mjs"].includes(lastSegment.slice(dot))) {
    name = name.slice(0, name.length - lastSegment.length + dot);
  }
  if (dots === 0) return name;
  if (importerName === undefined) return undefined;
  const parts = importerName.split("/");
  parts.pop();
  for (let i = 1; i < dots; i++) {
    if (parts.length === 0) return undefined;
    parts.pop();
  }
  return [...parts, name].join("/");
}
