// check:esp32 (tools/sim/esp32-check.js): the JavaScript half fails on state a preloaded module of
// the firmware changes at run time (xsl freezes it into flash: on the board assigning it throws;
// it found `let headerViews` in websocket/connection); the C half fails on a header the SDK has
// that the build does not put on its path (it found modGPIO.h, which io/spi's C needs and the
// whole io manifest brought in).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { evaluateCondition, UNKNOWN } from "../sim/c-conditions.js";
import { mutablePreloadedState } from "../sim/esp32-check.js";
import {
  checkHeaders,
  compileCommands,
  describeHeaderCheck,
  DRY_RUN_CC,
} from "../sim/esp32-headers.js";

const fixture = fileURLToPath(new URL("./fixtures/esp32-header-off-path/", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

describe("check:esp32: state that preloading would freeze", () => {
  it("names the app's module and variable from xsl's no-const warning, and leaves the SDK's", () => {
    const output = [
      "# xsl modules",
      "/home/student/moddable/modules/io/socket/lwip/listener.js:26: warning: cannot optimize native!",
      "### warning: websocket/connection: WebSocketConnection() 0() 0() headerView() headerViews: no const",
      "### warning: $(MODDABLE)/modules/x: y() z: no const",
      "### 1223 instances, 1499 keys, 68 colors, 0 holes",
    ].join("\n");
    expect(mutablePreloadedState(output)).to.deep.equal(["websocket/connection: headerViews"]);
    expect(
      mutablePreloadedState("### 1222 instances, 1500 keys, 68 colors, 0 holes"),
    ).to.deep.equal([]);
  });
});

describe("check:esp32: the C half (every SDK header on the build's path)", () => {
  let sdk;
  before(() => {
    // A stand-in SDK: the headers the fixture's C file names, where the SDK keeps them.
    sdk = mkdtempSync(path.join(tmpdir(), "sdk-"));
    for (const header of [
      "xs/includes/xsmc.h",
      "modules/pins/digital/esp32/modGPIO.h",
      "modules/pins/digital/pico/modGPIO.h",
      "modules/io/pico/pico-only.h",
    ]) {
      mkdirSync(path.dirname(path.join(sdk, header)), { recursive: true });
      writeFileSync(path.join(sdk, header), "#pragma once\n");
    }
  });
  after(() => rmSync(sdk, { recursive: true, force: true }));

  const compile = (includeDirs) => ({
    source: path.join(fixture, "needs-gpio.c"),
    includeDirs: includeDirs.map((dir) => path.join(sdk, dir)),
    defines: ["ESP32=1", "mxDebug=1"],
  });

  it("reads the compile commands of the makefile's dry run: source, -I folders in order, -D flags", () => {
    const output = [
      'echo "# cc" spi.c "(strings in flash)"',
      `${DRY_RUN_CC} -c -D__ets__ -DESP32=1 -I/sdk/a -I /sdk/b -O2 /sdk/io/spi.c -o /tmp/spi.c.o`,
      "xtensa-esp32-elf-ar rcs x.a",
    ].join("\n");
    expect(compileCommands(output)).to.deep.equal([
      {
        source: "/sdk/io/spi.c",
        includeDirs: ["/sdk/a", "/sdk/b"],
        defines: ["__ets__", "ESP32=1"],
      },
    ]);
  });

  it("fails on an SDK header the build does not find, naming the C file, the header and where the SDK has it", () => {
    const result = checkHeaders([compile(["xs/includes"])], sdk);
    expect(result.problems).to.have.length(1);
    const [problem] = result.problems;
    expect(problem.header).to.equal("modGPIO.h");
    expect(problem.source).to.equal(path.join(fixture, "needs-gpio.c"));
    expect(problem.sdkHas).to.deep.equal([
      path.join(sdk, "modules/pins/digital/esp32/modGPIO.h"),
      path.join(sdk, "modules/pins/digital/pico/modGPIO.h"),
    ]);
    // ESP-IDF's header is out of reach; the header of a branch the build does not take is not read.
    expect([...result.outside]).to.deep.equal(["driver/gpio.h"]);
    const [line, summary] = describeHeaderCheck(result, sdk);
    expect(line).to.equal(
      `check:esp32: ${path.join(fixture, "needs-gpio.c")} includes "modGPIO.h", which the build ` +
        "does not find: the SDK has it at $(MODDABLE)/modules/pins/digital/esp32/modGPIO.h, " +
        "$(MODDABLE)/modules/pins/digital/pico/modGPIO.h; include the manifest that puts its " +
        "folder on the path",
    );
    expect(summary).to.match(/1 C files read .*, 1 SDK header off it; 1 headers are ESP-IDF's/);
  });

  it("passes once the header's folder is on the path (searched after the C file's own folder)", () => {
    const result = checkHeaders([compile(["xs/includes", "modules/pins/digital/esp32"])], sdk);
    expect(result.problems).to.deep.equal([]);
    expect(result.reached).to.equal(2);
  });

  it("reads #if as far as the defines known here allow; ESP-IDF's own macros are unknown", () => {
    const macros = new Map([
      ["ESP32", "1"],
      ["mxDebug", "1"],
      ["LEVEL", "ESP32 + 1"],
    ]);
    expect(evaluateCondition("ESP32", macros)).to.equal(true);
    expect(evaluateCondition("defined(ESP32) && !defined(PICO_BUILD)", macros)).to.equal(true);
    expect(evaluateCondition("LEVEL == 2 && 0x10 > 3UL", macros)).to.equal(true);
    expect(evaluateCondition("PICO_BUILD", macros)).to.equal(false); // defined nowhere: 0
    expect(evaluateCondition("CONFIG_IDF_TARGET_ESP32S3", macros)).to.equal(UNKNOWN);
    expect(evaluateCondition("ESP_IDF_VERSION_VAL(5, 0, 0)", macros)).to.equal(UNKNOWN);
  });
});

describe("check:esp32 with the Moddable SDK (MODDABLE set)", function () {
  this.timeout(240_000);
  before(function () {
    if (!process.env.MODDABLE) this.skip();
  });

  it("fails on an app whose C includes an SDK header off the path, naming it (exit 1)", () => {
    const out = mkdtempSync(path.join(tmpdir(), "esp32-fixture-"));
    try {
      const run = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { checkEsp32 } from ${JSON.stringify(path.join(repoRoot, "tools/sim/esp32-check.js"))};
           process.exit(checkEsp32([], { manifestDir: ${JSON.stringify(fixture)}, outputDir: ${JSON.stringify(out)} }));`,
        ],
        { encoding: "utf8" },
      );
      expect(run.status, run.stderr).to.equal(1);
      expect(run.stdout).to.include(
        `needs-gpio.c includes "modGPIO.h", which the build does not find: the SDK has it at ` +
          "$(MODDABLE)/modules/pins/digital/esp32/modGPIO.h",
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
