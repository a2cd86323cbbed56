// The firmware's settings as a board has them unless mcconfig overrides them: the defaults of its
// settings schema (modules/settings/schema.ts, compiled by `npm run build`), or the value of
// tools/testing/test-settings.js where the tests' firmware runs with another. For the settings
// GET /status does not report (maxHeaderSize, maxFrames) and the target's defaults.
import { settingsObject } from "../../tools/testing/test-settings.js";

const SCHEMA = new URL("../../build/firmware/modules/settings/schema.js", import.meta.url);

let settings;
try {
  settings = (await import(SCHEMA.href)).SETTINGS;
} catch (error) {
  throw new Error(`the firmware's settings schema is not built: run npm run build first`, {
    cause: error,
  });
}

export function firmwareSetting(name) {
  const overrides = settingsObject();
  if (name in overrides) return overrides[name];
  if (!(name in settings)) throw new Error(`the firmware has no setting ${name}`);
  return settings[name].default;
}
