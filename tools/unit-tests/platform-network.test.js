// A board without a network (`npm start -- --no-network`): the firmware says why in one line and
// waits, with no abort and no mDNS; with a network it joins, then prints where to connect.
import { expect } from "chai";
import { runFirmware, startFirmware } from "../platform/index.js";
import { forEachEngine } from "./platform-support.js";

/** Starts the firmware without a network, waiting for `line` (there is no ws:// line). */
const startOffline = (line, options) =>
  startFirmware({ ...options, network: false, ready: line, timeout: 20_000 });

/** Lets the firmware run on for a while, then checks that it is still running, offline. */
async function expectStillOffline(firmware) {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(firmware.process.exitCode, firmware.errors()).to.equal(null);
  expect(firmware.output()).not.to.match(/ws:\/\/|mdns|mDNS/);
  expect(firmware.errors()).to.equal("");
}

describe("platform: the board's network", function () {
  this.timeout(40_000);

  forEachEngine((engine) => {
    it("joins the Wi-Fi it was built for, then prints where to connect", async () => {
      const firmware = await startFirmware({ engine, overrides: ["port=0", "ssid=home"] });
      try {
        const output = firmware.output();
        const joined = output.indexOf('Wi-Fi: joined "home", address 127.0.0.1\n');
        expect(joined, output).to.be.at.least(0);
        expect(output.indexOf("WebSocket echo server ready: ws://127.0.0.1:")).to.be.above(joined);
      } finally {
        await firmware.stop();
      }
    });

    it("built without ssid and no Wi-Fi: one line saying what to pass to mcconfig, then it waits", async () => {
      const firmware = await startOffline(/Wi-Fi: no network given.*\n/, {
        engine,
        overrides: ["port=0"],
      });
      try {
        expect(firmware.output()).to.include(
          "Wi-Fi: no network given, so the board is offline: build with " +
            "mcconfig -d -m -p esp32 ssid=<network> password=<password>\n",
        );
        await expectStillOffline(firmware);
        expect(firmware.output().match(/Wi-Fi:/g)).to.have.length(1);
      } finally {
        await firmware.stop();
      }
    });

    it("with a network it cannot join: says what to check, once, and never aborts", async () => {
      const firmware = await startOffline(/Wi-Fi: cannot join .*\n/, {
        engine,
        overrides: ["port=0", "ssid=home", "password=secret"],
      });
      try {
        expect(firmware.output()).to.include(
          'Wi-Fi: cannot join "home": check the ssid=… and password=… given to mcconfig ' +
            "(a 2.4 GHz network in range); trying again every 10 s\n",
        );
        await expectStillOffline(firmware);
        expect(firmware.output().match(/Wi-Fi:/g)).to.have.length(1);
      } finally {
        await firmware.stop();
      }
    });
  });

  it("--no-network takes no value", async () => {
    const run = await runFirmware({ args: ["--no-network=1"] });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include("--no-network takes no value");
  });
});
