// Checks of manifest.json that mcconfig itself would not report.
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { firmwareModule } from "./firmware-modules.js";

const manifest = JSON.parse(readFileSync(new URL("../../manifest.json", import.meta.url), "utf8"));

/** The firmware's module names, from the files under modules/ (the simulators' stand-ins apart). */
function firmwareModuleNames() {
  const root = new URL("../../modules/", import.meta.url);
  return readdirSync(root, { recursive: true })
    .map((file) => file.split("\\").join("/"))
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .filter((file) => !file.startsWith("simulator/"))
    .map((file) => file.slice(0, -3));
}

describe("manifest.json", () => {
  it("preloads every firmware module by name (mcconfig matches preload wildcards against .js only)", () => {
    const names = firmwareModuleNames();
    expect(names).to.include.members(["settings/schema", "http/session", "websocket/hub"]);
    for (const name of names) expect(manifest.preload, name).to.include(name);
  });

  it("holds no setting's default: settings/schema has each, once", async () => {
    const { SETTINGS } = await firmwareModule("settings/schema");
    const config = { ...manifest.config, ...manifest.platforms?.esp32?.config };
    for (const key of Object.keys(SETTINGS)) expect(config, key).not.to.have.property(key);
  });
});
