// Checks of manifest.json that mcconfig itself would not report.
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";

const manifest = JSON.parse(readFileSync(new URL("../../manifest.json", import.meta.url), "utf8"));

describe("manifest.json", () => {
  it("preloads every firmware module by name (mcconfig matches preload wildcards against .js only)", () => {
    const modules = readdirSync(new URL("../../modules/websocket", import.meta.url))
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .map((file) => `websocket/${file.slice(0, -3)}`);
    expect(modules).to.not.be.empty;
    const services = readdirSync(new URL("../../modules", import.meta.url))
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .map((file) => file.slice(0, -3));
    for (const name of [...modules, ...services]) {
      expect(manifest.preload, name).to.include(name);
    }
  });

  it("gives every setting main.ts reads a default in config", () => {
    const settings = readFileSync(new URL("../../modules/settings.ts", import.meta.url), "utf8");
    const read = [...settings.matchAll(/(?:integer|path)\("(\w+)"/g)].map((match) => match[1]);
    expect(read).to.not.be.empty;
    for (const key of read) expect(manifest.config, key).to.have.property(key);
  });
});
