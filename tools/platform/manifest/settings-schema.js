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

/**
 * What is wrong with `overrides` ([key, value] pairs given on the command line), as the schema
 * reads them: one message for each value a setting cannot take (naming what it accepts) and each
 * key that is no setting (naming the nearest one). Empty when all are right.
 * @param {object} schema the module loadSettingsSchema returned
 * @param {[string, string][]} overrides
 * @returns {string[]}
 */
export function overrideProblems(schema, overrides) {
  const problems = [];
  schema.readSettings(Object.fromEntries(overrides), (problem) => {
    if (problem.renamedTo !== undefined) return; // an old name: the firmware says so at boot
    if (problem.accepts !== undefined) {
      problems.push(`${problem.key}=${problem.value}: ${problem.key} takes ${problem.accepts}`);
    } else {
      const hint = problem.nearest ? ` (did you mean ${problem.nearest}?)` : "";
      problems.push(`${problem.key}=${problem.value}: ${problem.key} is not a setting${hint}`);
    }
  });
  return problems;
}
