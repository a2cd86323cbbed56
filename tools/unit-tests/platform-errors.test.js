// Where the firmware's errors are said to be: an exception that escapes the firmware (an XS abort)
// and one a WebSocket handler throws (1011) name the TypeScript file and line, on both engines. XS
// names lines only: the host maps the worker's `(build/firmware/x.js:line)` through tsc's source
// map (host/source-positions.js). The fixture (fixtures/platform-errors/main.ts) is compiled here,
// with a source map, beside the firmware's build (`npm run build` first: its modules come from it).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import ts from "typescript";
import WebSocket from "ws";
import { runFirmware, startFirmware } from "../platform/index.js";
import {
  createXsPositionMapper,
  decodeMappings,
  originalPosition,
  readSourceMap,
} from "../platform/host/source-positions.js";
import { forEachEngine } from "./platform-support.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = join(REPO, "tools/unit-tests/fixtures/platform-errors");
const SOURCE = join(FIXTURE, "main.ts");
const MANIFEST = join(FIXTURE, "manifest.json");
const BUILD = join(REPO, "build/firmware/tools/unit-tests/fixtures/platform-errors");

/** tsc's output for the fixture, with its source map, where --build finds it. */
function compileFixture() {
  const output = ts.transpileModule(readFileSync(SOURCE, "utf8"), {
    fileName: "main.ts",
    compilerOptions: {
      target: ts.ScriptTarget.ES2024,
      module: ts.ModuleKind.Preserve,
      sourceMap: true,
    },
  });
  const map = JSON.parse(output.sourceMapText);
  map.sources = [relative(BUILD, SOURCE).split("\\").join("/")];
  mkdirSync(BUILD, { recursive: true });
  writeFileSync(join(BUILD, "main.js"), output.outputText);
  writeFileSync(join(BUILD, "main.js.map"), JSON.stringify(map));
}

/** The 1-based line of the fixture marked `// bug: <name>`. */
function bugLine(name) {
  const lines = readFileSync(SOURCE, "utf8").split("\n");
  const index = lines.findIndex((line) => line.endsWith(`// bug: ${name}`));
  if (index < 0) throw new Error(`no "bug: ${name}" in ${SOURCE}`);
  return index + 1;
}

/**
 * A position of the fixture's main.ts as each engine prints it: on XS, relative to the working
 * directory (the repository) with a column; Node prints the absolute path.
 */
function fixturePosition(engine, line) {
  const path = engine === "xs" ? relative(REPO, SOURCE).split("\\").join("/") : SOURCE;
  return new RegExp(`\\(${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:${line}:\\d+\\)`);
}

const runWhere = (where, engine) =>
  runFirmware({ manifest: MANIFEST, build: BUILD, overrides: [`where=${where}`], engine });

describe("platform: where errors are", function () {
  this.timeout(20_000);
  before(compileFixture);

  describe("source maps (host/source-positions.js)", () => {
    it("decodes base64 VLQ: signs, several digits, lines without segments", () => {
      // each number relative to the segment before (the column: within its line)
      expect(decodeMappings("AAAA,gBADC;;GAEC")).to.deep.equal([
        [
          [0, 0, 0, 0],
          [16, 0, -1, 1],
        ],
        [],
        [[3, 0, 1, 2]],
      ]);
      expect(decodeMappings("w+B,x+B")).to.deep.equal([[[1000], [0]]]); // +1000, -1000
    });

    it("decodes the firmware's build as TypeScript wrote it", () => {
      const maps = [];
      const walk = (folder) => {
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
          const path = join(folder, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (entry.name.endsWith(".js.map")) maps.push(path);
        }
      };
      walk(join(REPO, "build/firmware"));
      expect(maps.length, "npm run build first").to.be.above(10);
      if (typeof ts.decodeMappings !== "function") return; // TypeScript's own, not public API
      for (const file of maps) {
        const { mappings } = JSON.parse(readFileSync(file, "utf8"));
        const ours = decodeMappings(mappings).flatMap((segments, line) =>
          segments.map((segment) => [line, ...segment]),
        );
        const theirs = [...ts.decodeMappings(mappings)].map((m) => [
          m.generatedLine,
          m.generatedCharacter,
          m.sourceIndex,
          m.sourceLine,
          m.sourceCharacter,
        ]);
        expect(ours, file).to.deep.equal(theirs);
      }
    });

    it("maps each marked line of the fixture's output back to its line in main.ts", () => {
      const map = readSourceMap(join(BUILD, "main.js"));
      expect(map.sources).to.deep.equal([SOURCE]);
      const compiled = readFileSync(join(BUILD, "main.js"), "utf8").split("\n");
      for (const name of ["explode", "timer", "promise", "handler"]) {
        const line = compiled.findIndex((text) => text.endsWith(`// bug: ${name}`)) + 1;
        expect(originalPosition(map, line)?.line, name).to.equal(bugLine(name));
      }
    });

    it("rewrites XS positions of compiled files only", () => {
      const show = createXsPositionMapper(REPO);
      const line = bugLine("explode");
      const compiled = readFileSync(join(BUILD, "main.js"), "utf8").split("\n");
      const at = compiled.findIndex((text) => text.endsWith("// bug: explode")) + 1;
      const text = [
        "Error: boom",
        ` at explode (${relative(REPO, join(BUILD, "main.js")).split("\\").join("/")}:${at})`,
        " at callFirmware (tools/platform/sdk/runtime/deliver.js:32)",
        " at (#30:30)",
        " at apply ()",
      ].join("\n");
      expect(show(text).split("\n")).to.deep.equal([
        "Error: boom",
        ` at explode (tools/unit-tests/fixtures/platform-errors/main.ts:${line}:3)`,
        " at callFirmware (tools/platform/sdk/runtime/deliver.js:32)",
        " at (#30:30)",
        " at apply ()",
      ]);
    });
  });

  forEachEngine((engine) => {
    it("an exception in a timer callback: the abort names main.ts and the line of the throw", async () => {
      const run = await runWhere("timer", engine);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.include("XS abort: unhandled exception boom in timer");
      expect(run.stderr).to.match(fixturePosition(engine, bugLine("explode")));
      if (engine === "xs") {
        expect(run.stderr, "no compiled file, no script number").not.to.match(/build\/|\(#\d+/);
      }
    });

    it("an unhandled rejection: the abort names main.ts and the line of the throw", async () => {
      const run = await runWhere("promise", engine);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.include("XS abort: unhandled rejection boom in promise");
      expect(run.stderr).to.match(fixturePosition(engine, bugLine("explode")));
    });

    it("a WebSocket handler that throws: the 1011 trace names main.ts and the line", async () => {
      const firmware = await startFirmware({
        manifest: MANIFEST,
        build: BUILD,
        overrides: ["port=0", "where=handler"],
        engine,
      });
      try {
        const ws = new WebSocket(firmware.url);
        await new Promise((resolve, reject) => {
          ws.once("open", resolve);
          ws.once("error", reject);
        });
        const closed = new Promise((resolve) => ws.once("close", resolve));
        ws.send('{"x":null}');
        expect(await closed).to.equal(1011);
        const lines = firmware.output().split("\n");
        const at = lines.findIndex((line) => line.startsWith("ws #1: TypeError"));
        expect(at, firmware.output()).to.be.at.least(0);
        expect(lines[at]).to.match(/; closing with 1011$/);
        // the handler's frame, then its caller's: the firmware's own module, in TypeScript
        expect(lines[at + 1]).to.match(fixturePosition(engine, bugLine("handler")));
        expect(lines[at + 2]).to.match(/^ {2}at .*modules\/websocket\/connection\.ts:\d+:\d+\)$/);
      } finally {
        await firmware.stop();
      }
    });
  });
});
