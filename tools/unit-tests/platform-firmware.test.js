// Loading firmware on the platform layer (both engines): mc/config, preloaded modules, module resolution,
// the XS global environment and XS aborts. Each case runs a fixture firmware in a child process.
import { expect } from "chai";
import { engineName, forEachEngine, runFixture } from "./platform-support.js";

/** The `label=json` lines a fixture printed, as an object. */
function reports(stdout) {
  return Object.fromEntries(
    stdout
      .split("\n")
      .filter((line) => /^[\w .]+=/.test(line))
      .map((line) => {
        const at = line.indexOf("=");
        return [line.slice(0, at), JSON.parse(line.slice(at + 1))];
      }),
  );
}

describe("platform: firmware loading", function () {
  this.timeout(15_000);
  forEachEngine((engine) => {
    describe("mc/config", () => {
      it("merges key=value overrides as strings and deep-freezes the object, like mcconfig", async () => {
        const run = await runFixture("config", {
          engine,
          overrides: ["port=1234", "flag=true", "x=a=b"],
        });
        expect(run.code, run.stderr).to.equal(0);
        const seen = reports(run.stdout);
        expect(seen.config).to.deep.equal({
          sntp: "pool.ntp.org",
          port: "1234",
          name: "board",
          nested: { a: 1, list: [1, 2] },
          flag: "true",
          x: "a=b",
          ssid: "loopback", // an app on the network: as if built with ssid=, unless --no-network
          format: "RGB565LE",
          rotation: 0,
          engine: engineName(engine),
        });
        expect(seen.types.port).to.equal("string");
        expect(seen.frozen).to.deep.equal([true, true, true]);
        expect(seen["set port"]).to.equal("TypeError");
        expect(seen["set nested.a"]).to.equal("TypeError");
        expect(seen["push list"]).to.equal("TypeError");
      });
    });

    describe("preloaded modules", () => {
      it("freezes what XS freezes at preload and leaves the rest writable", async () => {
        const run = await runFixture("preload", { engine });
        expect(run.code, run.stderr).to.equal(0);
        const outcome = Object.fromEntries(
          run.stdout
            .split("\n")
            .filter((line) => line.includes(": "))
            .map((line) => {
              const [label, result] = line.split(": ");
              return [label, result.split(" ")[0]];
            }),
        );
        expect(outcome).to.deep.equal({
          "class static": "TypeError",
          "class prototype": "TypeError",
          "function property": "TypeError",
          "plain object": "allowed",
          "nested object": "allowed",
          array: "allowed",
          "module let": "allowed",
          "Map in closure": "TypeError",
          "exported Set": "TypeError",
          "not preloaded static": "allowed",
          "Map made at run time": "allowed",
        });
        expect(run.stdout).to.include("Map in closure: TypeError this: read-only Map instance");
      });
    });

    describe("module resolution", () => {
      it("resolves ./relative specifiers by module name, then calls main's default export", async () => {
        const run = await runFixture("imports", { engine, overrides: ["what=relative"] });
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.equal("value=relative:sibling\ndefault export called\n");
      });

      it('refuses Node built-ins: firmware importing "node:fs" aborts', async () => {
        const run = await runFixture("imports", { engine, overrides: ["what=node"] });
        expect(run.code).to.equal(1);
        expect(run.stderr).to.match(/^XS abort: unhandled exception .*/m);
        expect(run.stderr).to.include('firmware must not import Node module "node:fs"');
      });

      it("fails like XS on a module the manifest does not define", async () => {
        const run = await runFixture("imports", { engine, overrides: ["what=missing"] });
        expect(run.code).to.equal(1);
        expect(run.stderr).to.include('module "nothing/here" not found');
      });

      it("does not load a file outside the manifest's modules, even by relative path", async () => {
        const run = await runFixture("imports", { engine, overrides: ["what=unlisted"] });
        expect(run.code).to.equal(1);
        expect(run.stderr).to.include('module "../unlisted.js" not found');
      });
    });

    describe("RegExps in preloaded modules", () => {
      it("refuses a preloaded module whose top-level code creates a RegExp (XS segfaults on it)", async () => {
        const run = await runFixture("preload-regexp", { engine, overrides: ["what=top-level"] });
        expect(run.code).to.equal(1);
        expect(run.stderr).to.include('preloaded module "top-level" creates a RegExp');
        expect(run.stdout).to.not.include("isWord=");
      });

      it("runs a preloaded module that creates its RegExp inside a function", async () => {
        const run = await runFixture("preload-regexp", { engine, overrides: ["what=inside"] });
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.equal("isWord=true\n");
      });
    });

    describe("global environment", () => {
      it("has XS's globals, not Node's, and frozen built-ins", async () => {
        const run = await runFixture("environment", { engine });
        expect(run.code, run.stderr).to.equal(0);
        const seen = reports(run.stdout);
        expect(seen["node globals"]).to.deep.equal([]);
        expect(seen["xs globals"]).to.deep.equal(["function", "function", "function"]);
        expect(seen["Error subclass this.name"]).to.equal("TypeError");
        expect(seen["Array.prototype extension"]).to.equal("TypeError");
        expect(seen["override toString by assignment"]).to.equal("TypeError");
        expect(seen["global variable"]).to.equal("allowed");
      });
    });

    describe("XS abort", () => {
      it("exits with code 1 and 'XS abort: unhandled exception' when a timer callback throws", async () => {
        const run = await runFixture("abort", { engine, overrides: ["where=timer"] });
        expect(run.code).to.equal(1);
        expect(run.stdout).to.equal("started\n");
        expect(run.stderr).to.match(
          /^XS abort: unhandled exception boom in timer\nError: boom in timer/,
        );
      });

      it("exits with 'XS abort: unhandled rejection' on a rejected promise nobody handles", async () => {
        const run = await runFixture("abort", { engine, overrides: ["where=promise"] });
        expect(run.code).to.equal(1);
        expect(run.stderr).to.match(/^XS abort: unhandled rejection boom in promise/);
      });

      it("runs to the end when nothing throws", async () => {
        const run = await runFixture("abort", { engine, overrides: ["where=nowhere"] });
        expect(run).to.include({ code: 0, stdout: "started\nfinished\n", stderr: "" });
      });
    });
  });
});

describe("the firmware's server with a faulty application handler", function () {
  this.timeout(15_000);
  forEachEngine((engine) => {
    it("closes only the client whose message made the handler throw, with 1011, and traces why", async () => {
      const { fileURLToPath } = await import("node:url");
      const { startFirmware } = await import("../platform/index.js");
      const { default: WebSocket } = await import("ws");
      const firmware = await startFirmware({
        manifest: fileURLToPath(new URL("./fixtures/app-exception/manifest.json", import.meta.url)),
        build: fileURLToPath(
          new URL("../../build/firmware/tools/unit-tests/fixtures/app-exception", import.meta.url),
        ),
        overrides: ["port=0"],
        engine,
      });
      const open = () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(firmware.url);
          ws.once("open", () => resolve(ws));
          ws.once("error", reject);
        });
      const echo = (ws, text) =>
        new Promise((resolve) => {
          ws.once("message", (data) => resolve(String(data)));
          ws.send(text);
        });
      try {
        const faulty = await open();
        const other = await open();
        const closed = new Promise((resolve) =>
          faulty.once("close", (code, reason) => resolve([code, String(reason)])),
        );
        faulty.send("boom");
        expect(await closed).to.deep.equal([1011, "internal error"]);
        expect(await echo(other, "still served")).to.equal("still served");
        expect(await echo(await open(), "a new client too")).to.equal("a new client too");
        expect(firmware.output()).to.include(
          "ws #1: TypeError: the handler's bug; closing with 1011",
        );
        other.terminate();
      } finally {
        await firmware.stop();
      }
    });
  });
});
