// embedded:io/digital on simulated pins: a test drives an input, the firmware drives an output.
import { expect } from "chai";
import { startFixture, waitUntil } from "./platform-support.js";

describe("platform: embedded:io/digital", function () {
  this.timeout(15_000);
  let firmware;

  afterEach(async () => {
    await firmware?.stop();
  });

  it("delivers input edges to onReadable and logs output writes as [gpio] lines", async () => {
    firmware = await startFixture("gpio");
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
