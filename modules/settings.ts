/*
 * The board's settings, read from the manifest's `config` section (mc/config) as
 * settings/schema.ts describes them. `mcconfig … key=value` (and `npm start -- key=value`)
 * override them as strings; a value a setting cannot take, and a key that is no setting, is traced
 * at start, and the setting keeps its default.
 */
import config from "mc/config";
import { describeProblem, readSettings } from "settings/schema";

const settings = readSettings(config, (problem) => trace(`${describeProblem(problem)}\n`));

export default settings;
