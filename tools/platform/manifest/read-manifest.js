// Reads an app's manifest.json. Only the project's own manifest is read: entries that point into the
// Moddable SDK ("$(MODDABLE)/…") are not followed, because the platform layer replaces the SDK.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * @param {string} manifestPath path of manifest.json
 * @returns {{ path: string, root: string, json: any }} root is the folder paths are relative to
 */
export function readManifest(manifestPath) {
  const path = resolve(manifestPath);
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read manifest ${path}: ${err.message}`, { cause: err });
  }
  try {
    return { path, root: dirname(path), json: JSON.parse(text) };
  } catch (err) {
    throw new Error(`${path}: invalid manifest (${err.message})`, { cause: err });
  }
}

/** The manifest's "include" entries as an array of strings. */
export function manifestIncludes(json) {
  const include = json.include ?? [];
  return Array.isArray(include) ? include : [include];
}

/** A value of "preload" (string or array) as an array. */
export function asList(value) {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
