// Firmware settings that GET /status does not report (maxHeaderSize, maxFrames): the value in
// tools/testing/test-settings.js when it sets one (the platform layer and test:sim run with those), else the
// default in manifest.json → config (what a board is flashed with unless mcconfig overrides it).
import { readFileSync } from "node:fs";
import { settingsObject } from "../../tools/testing/test-settings.js";

const MANIFEST = new URL("../../manifest.json", import.meta.url);

export function firmwareSetting(name) {
  const overrides = settingsObject();
  if (name in overrides) return overrides[name];
  const config = JSON.parse(readFileSync(MANIFEST, "utf8")).config ?? {};
  if (!(name in config)) throw new Error(`manifest.json has no config.${name}`);
  return config[name];
}
