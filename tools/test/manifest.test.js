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

  it("gives every setting main.ts reads a default in config, the same as settings.ts falls back to", () => {
    const settings = readFileSync(new URL("../../modules/settings.ts", import.meta.url), "utf8");
    const read = [...settings.matchAll(/\b(?:integer|path|flag|text|list|hostname)\("(\w+)"/g)].map(
      (match) => match[1],
    );
    expect(read).to.not.be.empty;
    const block = settings.slice(settings.indexOf("const defaults = {"));
    const fallbacks = block.slice(0, block.indexOf("};"));
    for (const key of read) {
      expect(manifest.config, key).to.have.property(key);
      const fallback = new RegExp(`\\n  ${key}: (.+),\\n`).exec(fallbacks)?.[1];
      expect(JSON.parse(fallback ?? "null"), `settings.ts fallback of ${key}`).to.deep.equal(
        manifest.config[key],
      );
    }
  });
});
