// tools/start.js, the `npm start` command line.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFirmware, startFirmware } from "../platform/index.js";
import { parseStartArgs } from "../platform/start-args.js";
import { findXsWorker } from "../platform/adapters/xs/worker-binary.js";
import { fetchStatus } from "../wire/status-client.js";
import { engineName, fixtureManifest, runFixture, startFixture } from "./platform-support.js";

describe("platform: npm start (tools/start.js)", function () {
  this.timeout(15_000);

  it("parses key=value overrides as strings and the --manifest/--build options", () => {
    expect(parseStartArgs(["port=0", "a=b=c", "--manifest", "m.json"])).to.deep.equal({
      help: false,
      boardSettings: false,
      network: true,
      manifest: "m.json",
      overrides: [
        ["port", "0"],
        ["a", "b=c"],
      ],
    });
    expect(() => parseStartArgs(["port"])).to.throw('"port" is not key=value');
    expect(() => parseStartArgs(["=1"])).to.throw('"=1" is not key=value');
    expect(() => parseStartArgs(["--build"])).to.throw("--build needs a value");
    expect(parseStartArgs(["--board-settings"]).boardSettings).to.equal(true);
    expect(parseStartArgs(["--no-network"]).network).to.equal(false);
  });

  it("--help explains usage and lists the firmware's settings from its schema: default, values, meaning", async () => {
    const run = await runFirmware({ args: ["--help"] });
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^Usage: node tools\/start\.js/);
    expect(run.stdout).to.match(
      /^ {2}maxMessageSize +default 16384: largest message taken whole .*\n +an integer in 0\.\.2147483647$/m,
    );
    expect(run.stdout).to.match(
      /^ {2}path +default "\/ws": the echo endpoint.*\n +a path starting with \/$/m,
    );
  });

  it("--help lists the manifest's config keys with defaults for an app without a settings schema", async () => {
    const run = await runFirmware({ manifest: fixtureManifest("config"), args: ["--help"] });
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^Config keys of the manifest:\n {2}port +default /m);
  });

  it("refuses a key that is no setting, or a value a setting cannot take, with exit 2 naming what it takes", async () => {
    for (const [arg, message] of [
      ["port=abc", "start: port=abc: port takes an integer in 0..65535"],
      ["port=70000", "start: port=70000: port takes an integer in 0..65535"],
      ["prot=9000", "start: prot=9000: prot is not a setting (did you mean port?)"],
      ["lightActiveLow=maybe", "start: lightActiveLow=maybe: lightActiveLow takes true, false"],
    ]) {
      const run = await runFirmware({ args: [arg] });
      expect(run.code, arg).to.equal(2);
      expect(run.stderr, arg).to.include(message);
      expect(run.stdout, `${arg}: nothing started`).to.equal("");
    }
  });

  it("with --board-settings, as on a board: traces a key that is no setting, naming the nearest, and goes on", async () => {
    const firmware = await startFirmware({
      overrides: ["port=0", "prot=9000"],
      boardSettings: true,
    });
    try {
      expect(firmware.output()).to.include(
        "config prot is not a setting (did you mean port?); ignored\n",
      );
    } finally {
      await firmware.stop();
    }
  });

  it("exits with code 2 on an argument that is not key=value", async () => {
    const run = await runFirmware({ args: ["oops"] });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('start: "oops" is not key=value');
  });

  it('says "run npm run build first" when the compiled main module is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), "platform-build-"));
    try {
      const run = await runFirmware({ build: empty });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.include(`${join(empty, "main.js")} not found: run npm run build first`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("uses port=8080 (a string, as an override) unless a port is given", async () => {
    const run = await runFixture("config");
    expect(run.stdout).to.include('"port":"8080"');
    const given = await runFixture("config", { overrides: ["port=9"] });
    expect(given.stdout).to.include('"port":"9"');
  });

  it("prints the board's URL at boot, then the <hostname>.local URLs once mDNS has claimed the name, saying the name answers only on a board", async () => {
    const firmware = await startFirmware({
      overrides: ["port=0", "hostname=lab-board-3"],
      ready: /also at \S+ and \S+ .*\n/,
    });
    try {
      const lines = firmware.output();
      const port = /ready: ws:\/\/127\.0\.0\.1:(\d+)\//.exec(lines)?.[1];
      expect(port, lines).to.be.a("string");
      const url = { port };
      expect(lines).to.include(`WebSocket echo server ready: ws://127.0.0.1:${url.port}/ws`);
      expect(lines).to.include(`[mdns] service _http._tcp port ${url.port}`);
      expect(lines).to.include(
        `on a board also at ws://lab-board-3.local:${url.port}/ws and http://lab-board-3.local:${url.port}/ (the name answers only on a board)\n`,
      );
      expect(lines.indexOf("ready:"), "the IP first").to.be.below(lines.indexOf("also at"));
    } finally {
      await firmware.stop();
    }
  });

  describe("engines", () => {
    const statusOf = (firmware) => fetchStatus({ host: "127.0.0.1", port: firmware.port });
    /** The pids of the xsnap-worker processes `pid` started (pgrep exits 1 when there is none). */
    const xsWorkers = (pid) =>
      spawnSync("pgrep", ["-P", String(pid), "xsnap-worker"], { encoding: "utf8" })
        .stdout.split("\n")
        .filter(Boolean);

    it("parses --engine xs|node and refuses another engine or an engine= setting", async () => {
      expect(parseStartArgs(["--engine", "node"]).engine).to.equal("node");
      expect(parseStartArgs(["--engine=xs"]).engine).to.equal("xs");
      expect(() => parseStartArgs(["--engine", "v8"])).to.throw('--engine: "v8" is not xs or node');
      const run = await runFirmware({ overrides: ["engine=xs"] });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.include('"engine" is not a setting');
    });

    it("runs on XS by default, in an xsnap-worker process; /status says which XS", async function () {
      if ("missing" in findXsWorker()) this.skip();
      const firmware = await startFirmware({ overrides: ["port=0"] });
      try {
        expect((await statusOf(firmware)).engine).to.equal(engineName("xs"));
        expect(xsWorkers(firmware.process.pid), "its xsnap-worker").to.have.lengthOf(1);
        const figures = await firmware.measure();
        expect(figures.engine).to.equal(engineName("xs"));
        expect(figures.liveSlots).to.be.a("number").above(0);
      } finally {
        await firmware.stop();
      }
    });

    it("ends the run with code 1 and XS abort when the XS worker dies, as a board reboots", async function () {
      if ("missing" in findXsWorker()) this.skip();
      const firmware = await startFirmware({ overrides: ["port=0"] });
      try {
        const [pid] = xsWorkers(firmware.process.pid);
        expect(pid, "the xsnap-worker process").to.match(/^\d+$/);
        process.kill(Number(pid), "SIGKILL");
        const { code } = await firmware.exited;
        expect(code).to.equal(1);
        expect(firmware.errors()).to.include("XS abort: the XS worker was killed (SIGKILL)");
      } finally {
        await firmware.stop(); // (gone already, unless a check above failed)
      }
    });

    it("--engine node runs the same firmware on V8, in its own process", async () => {
      const firmware = await startFirmware({ overrides: ["port=0"], engine: "node" });
      try {
        expect((await statusOf(firmware)).engine).to.equal("node");
        expect(xsWorkers(firmware.process.pid), "no xsnap-worker").to.deep.equal([]);
        expect((await firmware.measure()).liveSlots).to.equal(undefined);
      } finally {
        await firmware.stop();
      }
    });

    it("runs on Node where XS is not built, saying why in one line; --engine xs refuses", async () => {
      const env = { XSNAP_WORKER: "/nonexistent/xsnap-worker" };
      const firmware = await startFirmware({ overrides: ["port=0"], env });
      try {
        expect(firmware.errors()).to.equal(
          "start: running on the Node engine: XS could not be built (XSNAP_WORKER: /nonexistent/xsnap-worker does not exist)\n",
        );
        expect((await statusOf(firmware)).engine).to.equal("node");
      } finally {
        await firmware.stop();
      }
      const strict = await runFirmware({ overrides: ["port=0"], env, engine: "xs" });
      expect(strict.code).to.equal(1);
      expect(strict.stderr).to.include("start: --engine xs: XSNAP_WORKER:");
    });
  });

  it("exits cleanly on SIGTERM", async () => {
    const firmware = await startFixture("sockets", { overrides: ["port=0", "mode=hold"] });
    const { code, signal } = await firmware.stop();
    expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
  });

  it("runs a fixture manifest given with --manifest", async () => {
    const run = await runFirmware({
      manifest: fixtureManifest("abort"),
      overrides: ["where=none"],
    });
    expect(run).to.include({ code: 0, stdout: "started\nfinished\n" });
  });
});
