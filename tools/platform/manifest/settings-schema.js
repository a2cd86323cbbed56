// The firmware's settings schema, when it has one: its `settings/schema` module (plain data and
// functions, importing nothing), compiled, so that the tools on this machine describe and check
// settings as the firmware reads them.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

export const SCHEMA_MODULE = "settings/schema";

/**
 * @param {Map<string, { file: string }>} modules the app's module table (module-table.js)
 * @returns {Promise<object | null>} the module's exports, or null when there is none or it is
 *   not built
 */
export async function loadSettingsSchema(modules) {
  const entry = modules.get(SCHEMA_MODULE);
  if (!entry || !existsSync(entry.file)) return null;
  return import(pathToFileURL(entry.file).href);
}
