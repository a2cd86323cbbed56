// embedded:io/digital on simulated pins: a test drives an input, the firmware drives an output.
import { expect } from "chai";
import { forEachEngine, startFixture, waitUntil } from "./platform-support.js";

describe("platform: embedded:io/digital", function () {
  this.timeout(15_000);
  forEachEngine((engine) => {
    let firmware;

    afterEach(async () => {
      await firmware?.stop();
    });

    it("delivers input edges to onReadable and logs output writes as [gpio] lines", async () => {
      firmware = await startFixture("gpio", { engine });
      expect(firmware.output()).to.include("second claim: in use\npin 34 output: input only\n");
      expect(firmware.output()).to.include("button=0");
      firmware.setPin(4, 1);
      await waitUntil(() => firmware.output().includes("[gpio] pin 2 = 1"), {
        describe: () => firmware.output() + firmware.errors(),
      });
      firmware.setPin(4, 0);
      await waitUntil(() => firmware.output().includes("[gpio] pin 2 = 0"), {
        describe: () => firmware.output() + firmware.errors(),
      });
      const lines = firmware.output().split("\n");
      expect(lines.slice(lines.indexOf("button 1"))).to.deep.equal([
        "button 1",
        "[gpio] pin 2 = 1",
        "button 0",
        "[gpio] pin 2 = 0",
        "",
      ]);
    });
  });
});

describe("platform: the BOOT button key of npm start", () => {
  it('"b" holds GPIO 0 low for a moment, then lets it go; other keys do nothing', async () => {
    const { PassThrough } = await import("node:stream");
    const { BOOT_BUTTON_PIN, listenForBootButtonKey } =
      await import("../platform/host/boot-button-key.js");
    const { pinLevel, setInputLevel } = await import("../platform/host/gpio-pins.js");
    setInputLevel(BOOT_BUTTON_PIN, 1);
    const input = new PassThrough();
    const logged = [];
    let interrupted = false;
    const stop = listenForBootButtonKey(input, {
      onInterrupt: () => (interrupted = true),
      log: (line) => logged.push(line),
    });
    try {
      input.write("x");
      await new Promise((resolve) => setImmediate(resolve));
      expect(pinLevel(BOOT_BUTTON_PIN), "after x").to.equal(1);
      input.write("b");
      await new Promise((resolve) => setImmediate(resolve));
      expect(pinLevel(BOOT_BUTTON_PIN), "while pressed").to.equal(0);
      expect(logged.join("")).to.include("BOOT button (GPIO 0) pressed");
      await waitUntil(() => pinLevel(BOOT_BUTTON_PIN) === 1, { describe: () => "still pressed" });
      input.write("\u0003");
      await new Promise((resolve) => setImmediate(resolve));
      expect(interrupted, "Ctrl-C").to.equal(true);
    } finally {
      stop();
    }
  });

  it("drives another process's pin through setLevel (npm run dev's firmware)", async () => {
    const { PassThrough } = await import("node:stream");
    const { BOOT_BUTTON_PIN, listenForBootButtonKey } =
      await import("../platform/host/boot-button-key.js");
    const input = new PassThrough();
    const levels = [];
    const stop = listenForBootButtonKey(input, {
      onInterrupt: () => {},
      log: () => {},
      setLevel: (pin, level) => levels.push([pin, level]),
    });
    try {
      input.write("B");
      await waitUntil(() => levels.length === 2, { describe: () => JSON.stringify(levels) });
      expect(levels).to.deep.equal([
        [BOOT_BUTTON_PIN, 0],
        [BOOT_BUTTON_PIN, 1],
      ]);
    } finally {
      stop();
    }
  });
});
