// The board's XS stack on the platform layer's XS engine (adapters/xs/stack-worker.js): the worker
// runs the firmware with the manifest's creation.stack (mcconfig's 384 without one), an overflow
// aborts as it aborts a board, and a change of creation.stack takes effect at the next start.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runFirmware, startFirmware } from "../platform/index.js";
import { findXsWorker } from "../platform/adapters/xs/worker-binary.js";
import { MCCONFIG_STACK, stackSlots } from "../platform/manifest/app.js";
import { BOARD_TIMER_CALLBACK_SLOTS } from "../platform/adapters/xs/stack-worker.js";
import { fixtureManifest } from "./platform-support.js";

const fixture = fixtureManifest("stack");
const xs = findXsWorker();

/** The fixture with another creation.stack, in a folder of its own (its main.js beside it). */
function withStack(slots) {
  const folder = mkdtempSync(join(tmpdir(), "stack-"));
  const json = JSON.parse(readFileSync(fixture, "utf8"));
  json.creation = { stack: slots };
  json.modules = { "*": [join(dirname(fixture), "main")] };
  writeFileSync(join(folder, "manifest.json"), JSON.stringify(json));
  return {
    manifest: join(folder, "manifest.json"),
    remove: () => rmSync(folder, { recursive: true }),
  };
}

const start = (manifest, depth) =>
  startFirmware({
    manifest,
    engine: "xs",
    overrides: [`depth=${depth}`],
    ready: /ready:\/\//,
    timeout: 20_000,
  });

describe("platform: the board's XS stack", function () {
  this.timeout(40_000);
  before(function () {
    if ("missing" in xs) this.skip();
    expect(xs.boardStack, `the XS worker has the board's stack (${xs.why})`).to.equal(true);
  });

  it("is the manifest's creation.stack, else mcconfig's 384", () => {
    expect(stackSlots({})).to.equal(MCCONFIG_STACK);
    expect(MCCONFIG_STACK).to.equal(384);
    expect(stackSlots({ creation: { stack: 512 } })).to.equal(512);
    expect(
      stackSlots({ creation: { stack: 512 }, platforms: { esp32: { creation: { stack: 640 } } } }),
    ).to.equal(640);
  });

  it("runs the firmware with it: GET /status and measure() say its size and the most used", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../../manifest.json", import.meta.url)));
    const firmware = await startFirmware({ engine: "xs", overrides: ["port=0"] });
    try {
      const status = await (await fetch(`http://127.0.0.1:${firmware.port}/status`)).json();
      expect(status.memory.stackSlots).to.equal(manifest.creation.stack);
      expect(status.memory.stackPeakSlots).to.be.within(1, manifest.creation.stack);
      const figures = await firmware.measure();
      expect(figures.stackSlots).to.equal(manifest.creation.stack);
      expect(figures.stackPeakSlots).to.be.at.least(status.memory.stackPeakSlots);
    } finally {
      await firmware.stop();
    }
  });

  it("counts only the firmware's slots: a Timer callback that does nothing uses what it uses on a board", async () => {
    const firmware = await start(fixture, -1);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { stackPeakSlots } = await firmware.measure();
      // Measured in the Moddable simulator (SDK 8.2.3): the layer's own slots are calibrated on it.
      expect(stackPeakSlots).to.be.within(
        BOARD_TIMER_CALLBACK_SLOTS - 3,
        BOARD_TIMER_CALLBACK_SLOTS + 3,
      );
    } finally {
      await firmware.stop();
    }
  });

  it("aborts a firmware that nests deeper than its stack, as a board restarts (exit 1, stack overflow)", async () => {
    const within = await runFirmware({
      manifest: fixture,
      engine: "xs",
      overrides: ["depth=10"],
      timeout: 2000,
    });
    expect(within.stdout, within.stderr).to.include("nested 10 calls");
    expect(within.signal, "still running when its time was up").to.equal("SIGKILL");
    const deeper = await runFirmware({
      manifest: fixture,
      engine: "xs",
      overrides: ["depth=60"],
      timeout: 5000,
    });
    expect(deeper.code).to.equal(1);
    expect(deeper.stderr).to.include(
      "XS abort: the XS worker exited with code 12 (stack overflow)",
    );
    expect(deeper.stdout).not.to.include("nested");
  });

  it("takes a change of creation.stack at the next start", async () => {
    const bigger = withStack(1024);
    try {
      const run = await runFirmware({
        manifest: bigger.manifest,
        engine: "xs",
        overrides: ["depth=60"],
        timeout: 3000,
      });
      expect(run.stdout, run.stderr).to.include("nested 60 calls");
      const firmware = await start(bigger.manifest, -1);
      try {
        expect((await firmware.measure()).stackSlots).to.equal(1024);
      } finally {
        await firmware.stop();
      }
    } finally {
      bigger.remove();
    }
  });
});
