// Reading the app manifest like mcconfig: module names, preload list, mc/config, lwip limits.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConfig, parseOverrides } from "../platform/manifest/mc-config.js";
import { lwipSettings } from "../platform/manifest/lwip-settings.js";
import { buildModuleTable, xsModuleName } from "../platform/manifest/module-table.js";
import { preloadedModules } from "../platform/manifest/preload-list.js";

describe("platform: manifest", () => {
  let root;
  const file = (path, text = "") => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "platform-manifest-"));
    file("main.ts");
    file("modules/settings.ts");
    file("modules/websocket/server.ts");
    file("modules/websocket/frame.ts");
    file("modules/websocket/types.d.ts");
    file("modules/websocket/notes.txt");
    file("modules/websocket/.hidden.ts");
    file("modules/legacy/helper.js");
    file("modules/legacy/ws-util.js");
    file("modules/board.ts");
    file("modules/sim.ts");
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const manifest = {
    modules: {
      "*": ["./main", "$(MODULES)/base/instrumentation/modInstrumentation"],
      settings: "./modules/settings",
      "websocket/*": "./modules/websocket/*",
      "legacy/*": ["./modules/legacy/*"],
      "util/*": "./modules/legacy/ws-*",
    },
    preload: ["settings", "websocket/*", "legacy/*"],
    platforms: {
      esp32: { modules: { board: "./modules/board" }, preload: "board" },
      lin: { modules: { sim: "./modules/sim" } },
    },
  };

  describe("module table", () => {
    it('names modules like mcconfig: "*" by file name, wildcards by suffix, esp32 section, no SDK', () => {
      const table = buildModuleTable(manifest, root, join(root, "build/firmware"));
      expect([...table.keys()].sort()).to.deep.equal([
        "board",
        "legacy/helper",
        "legacy/ws-util",
        "main",
        "settings",
        "util/util",
        "websocket/frame",
        "websocket/server",
      ]);
    });

    it("runs TypeScript from the mirrored build folder and JavaScript in place", () => {
      const table = buildModuleTable(manifest, root, join(root, "build/firmware"));
      expect(table.get("main").file).to.equal(join(root, "build/firmware/main.js"));
      expect(table.get("websocket/server").file).to.equal(
        join(root, "build/firmware/modules/websocket/server.js"),
      );
      expect(table.get("legacy/helper").file).to.equal(join(root, "modules/legacy/helper.js"));
    });
  });

  describe("XS module names", () => {
    it("resolves relative specifiers against the importer's module name and drops .js", () => {
      expect(xsModuleName("./frame", "websocket/server")).to.equal("websocket/frame");
      expect(xsModuleName("./frame.js", "websocket/server")).to.equal("websocket/frame");
      expect(xsModuleName("../settings.js", "websocket/server")).to.equal("settings");
      expect(xsModuleName("../../x", "a/b/c")).to.equal("x");
      expect(xsModuleName("./x", "main")).to.equal("x");
      expect(xsModuleName("../x", "main")).to.equal(undefined);
      expect(xsModuleName("moddable:timer", "main")).to.equal("timer");
      expect(xsModuleName("websocket/server.mjs", "main")).to.equal("websocket/server");
      expect(xsModuleName("embedded:io/socket/tcp", "main")).to.equal("embedded:io/socket/tcp");
    });
  });

  describe("preload list", () => {
    it("matches wildcards against JavaScript modules only, exact names against both", () => {
      const table = buildModuleTable(manifest, root, join(root, "build/firmware"));
      expect([...preloadedModules(manifest, table)].sort()).to.deep.equal([
        "board",
        "legacy/helper",
        "legacy/ws-util",
        "settings",
      ]);
    });
  });

  describe("mc/config", () => {
    it("parses key=value like mcconfig: split at the first =, values stay strings", () => {
      expect(parseOverrides(["port=8080", "a=b=c", "empty="])).to.deep.equal([
        ["port", "8080"],
        ["a", "b=c"],
        ["empty", ""],
      ]);
      expect(() => parseOverrides(["oops"])).to.throw('"oops" is not key=value');
    });

    it("merges manifest config, SDK keys and overrides in mcconfig's order", () => {
      const config = buildConfig(
        {
          include: ["$(MODDABLE)/modules/io/manifest.json"],
          config: { port: 80, nested: { a: 1, b: 2 }, mode: "top" },
          platforms: { esp32: { config: { mode: "esp32" } }, lin: { config: { mode: "lin" } } },
        },
        [
          ["port", "8080"],
          ["nested", "x"],
        ],
      );
      expect(config).to.deep.equal({
        sntp: "pool.ntp.org",
        port: "8080",
        nested: "x",
        mode: "esp32",
        format: "RGB565LE",
        rotation: 0,
      });
      expect(Object.keys(buildConfig({ config: { a: 1 } }, []))).to.deep.equal([
        "a",
        "format",
        "rotation",
      ]);
    });
  });

  describe("lwip limits", () => {
    it("defaults to the SDK's ESP32 sdkconfig", () => {
      expect(lwipSettings({}, root, {})).to.deep.equal({
        maxActiveTcp: 8,
        maxListeningTcp: 4,
        mss: 1436,
        sendBuffer: 8192,
        receiveWindow: 8192,
      });
    });

    it("reads the project's sdkconfig (release file last), then the environment", () => {
      file(
        "sdk/sdkconfig.defaults",
        "CONFIG_LWIP_MAX_ACTIVE_TCP=12\nCONFIG_LWIP_TCP_WND_DEFAULT=5744\n",
      );
      file("sdk/sdkconfig.defaults.release", "CONFIG_LWIP_MAX_ACTIVE_TCP=10\n");
      const json = { platforms: { esp32: { build: { SDKCONFIGPATH: "./sdk" } } } };
      expect(lwipSettings(json, root, {})).to.include({ maxActiveTcp: 10, receiveWindow: 5744 });
      const env = { MODDABLE_NODE_MAX_TCP: "3", MODDABLE_NODE_SND_BUF: "1024" };
      expect(lwipSettings(json, root, env)).to.include({ maxActiveTcp: 3, sendBuffer: 1024 });
      expect(() => lwipSettings(json, root, { MODDABLE_NODE_WND: "0" })).to.throw(
        "MODDABLE_NODE_WND=0",
      );
    });
  });
});
