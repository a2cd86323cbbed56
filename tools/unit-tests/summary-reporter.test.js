// tools/testing/summary-reporter.js (the table and failure list at the end of a run) on
// fixture suites that need no target, and host-tests/board.js (npm run test:board): its usage
// errors, an unreachable board, and a run against the firmware on loopback that ends with the table.
import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { startFirmware } from "../platform/index.js";
import { freePort } from "../sim/free-port.js";
import { formatDuration, showValue, truncate } from "../testing/summary-reporter.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MOCHA = fileURLToPath(new URL("../../node_modules/mocha/bin/mocha.js", import.meta.url));
/** The script `npm run test:board` runs, run here as a child process (never imported). */
const TEST_BOARD_SCRIPT = fileURLToPath(new URL("../../host-tests/board.js", import.meta.url));
const FIXTURES = "tools/unit-tests/fixtures/summary-reporter";

/** Runs `node args…` in the repository; resolves { code, stdout, stderr, ms }. */
function run(args, env = {}) {
  const started = Date.now();
  const childEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text) => (stderr += text));
  // Colours are on where supports-color says so (CI=true is enough): compare the plain text.
  return new Promise((resolve) =>
    child.once("close", (code) =>
      resolve({
        code,
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
        ms: Date.now() - started,
      }),
    ),
  );
}

/** The summary table's row for `group`, as [passed, failed, skipped, (not run)]. */
function rowOf(output, group) {
  const line = output.split("\n").find((l) => l.startsWith(`  ${group} `));
  expect(line, `a row for "${group}" in:\n${output}`).to.be.a("string");
  return line
    .slice(group.length + 2)
    .trim()
    .split(/\s+/)
    .slice(0, -2) // the time: "3 ms"
    .map(Number);
}

describe("summary reporter (tools/testing/summary-reporter.js)", function () {
  this.timeout(20_000);
  let result;

  before(async function () {
    result = await run([
      MOCHA,
      "--no-color",
      "--reporter",
      "./tools/testing/summary-reporter.js",
      `${FIXTURES}/arithmetic.js`,
      `${FIXTURES}/frames.js`,
      `${FIXTURES}/broken-setup.js`,
    ]);
  });

  it("keeps mocha's per-test lines and exits with the number of failures", function () {
    expect(result.code, result.stderr).to.equal(5);
    expect(result.stdout).to.match(/^ {4}✔ adds$/m);
    expect(result.stdout).to.match(/^ {4}- divides by zero \(pending\)$/m);
    expect(result.stdout).to.match(/^ {6}\d\) subtracts wrongly$/m);
    // mocha's own failure list (stacks, diffs) is replaced by the short one.
    expect(result.stdout).not.to.match(/passing \(\d+/);
  });

  it("prints one row per top-level describe, with passed, failed, skipped, not run and time", function () {
    const out = result.stdout;
    expect(out).to.match(/^Summary$/m);
    expect(out).to.match(/^ {2}group +passed {2}failed {2}skipped {2}not run +time$/m);
    // Nested describes count in their top-level group; this.skip() and it.skip both skip.
    expect(rowOf(out, "fixture: arithmetic")).to.deep.equal([2, 2, 2, 0]);
    expect(rowOf(out, "fixture: frames")).to.deep.equal([1, 2, 0, 0]);
    // A failing before hook: one failure, and its two tests never ran.
    expect(rowOf(out, "fixture: broken setup")).to.deep.equal([0, 1, 0, 2]);
    expect(rowOf(out, "total")).to.deep.equal([3, 5, 2, 2]);
    expect(out).to.match(/^ {2}total +3 +5 +2 +2 +\d+ ms$/m);
    expect(out).to.include("2 tests did not run: a before or beforeEach hook of theirs failed");
    // Rows come in the order the files ran.
    expect(out.indexOf("  fixture: arithmetic ")).to.be.below(out.indexOf("  fixture: frames "));
  });

  it("lists each failure: title, where, expected vs received, message", function () {
    const out = result.stdout.slice(result.stdout.indexOf("Failed (5):"));
    expect(out, result.stdout).to.include("Failed (5):");
    expect(out).to.include(
      [
        "  2) fixture: arithmetic › nested describe (counts in its top-level group) › subtracts wrongly",
        `     at ${FIXTURES}/arithmetic.js:16`,
        "     expected: 4",
        "     received: 5",
        "     AssertionError: difference: expected 5 to equal 4",
      ].join("\n"),
    );
    // A frame-level failure has no expected/received: its message says what came.
    expect(out).to.include(
      [
        "  3) fixture: frames › gets a close frame instead",
        `     at ${FIXTURES}/frames.js:9`,
        '     expected a text frame "hello", got close 1002 "protocol error"',
      ].join("\n"),
    );
    // Failing in a helper: the test's line, then the helper's.
    expect(out).to.include(
      [
        "  4) fixture: frames › gets another close code",
        `     at ${FIXTURES}/frames.js:13, in ${FIXTURES}/helper.js:7`,
        "     expected: [ 1007 ]",
        "     received: 1002",
        '     AssertionError: close code from the server (reason ""): expected 1002 to be one of [ 1007 ]',
      ].join("\n"),
    );
    expect(out).to.include('  5) fixture: broken setup › "before all" hook');
    expect(out).to.include("     cannot reach the server");
  });

  it("truncates long values, saying how much was left out", function () {
    const out = result.stdout;
    const expected = out.split("\n").find((l) => l.startsWith("     expected: 'yyy"));
    expect(expected, out).to.match(/'\.\.\. 4840 more characters$/);
    expect(expected.length).to.be.below(220);
  });

  it("formats values, durations and long texts readably", function () {
    expect(showValue("hi")).to.equal("'hi'");
    expect(showValue(Buffer.from([1, 2, 255]))).to.equal("<Buffer 01 02 ff>");
    expect(showValue({ code: 1002, reason: "" })).to.equal("{ code: 1002, reason: '' }");
    expect(formatDuration(12.4)).to.equal("12 ms");
    expect(formatDuration(3450)).to.equal("3.5 s");
    expect(formatDuration(125_000)).to.equal("2 min 05 s");
    expect(truncate("a\nb\nc\nd", { lines: 2, chars: 100 })).to.equal("a\nb … (2 more lines)");
    expect(truncate("abcdef", { lines: 5, chars: 3 })).to.equal("abc … (3 more characters)");
  });
});

describe("npm run test:board (host-tests/board.js)", function () {
  this.timeout(30_000);

  it("exits with 2 and the usage when BOARD is not set", async function () {
    const { code, stdout, stderr } = await run([TEST_BOARD_SCRIPT], { BOARD: undefined });
    expect(code).to.equal(2);
    expect(stderr).to.include("BOARD is not set.");
    expect(stderr).to.include("Usage: BOARD=<address> npm run test:board");
    expect(stdout).to.equal("");
  });

  it("exits with 2 and the usage on an unknown option or a bad address", async function () {
    const option = await run([TEST_BOARD_SCRIPT, "127.0.0.1", "--frobnicate"], {
      BOARD: undefined,
    });
    expect(option.code).to.equal(2);
    expect(option.stderr).to.include('unknown option "--frobnicate"');
    expect(option.stderr).to.include("Usage:");
    const address = await run([TEST_BOARD_SCRIPT], { BOARD: "http://127.0.0.1/" });
    expect(address.code).to.equal(2);
    expect(address.stderr).to.include("only ws:// is supported");
  });

  it("exits with 1 at once, saying what to check, when nothing listens at the address", async function () {
    const port = await freePort(); // free on 127.0.0.1 a moment ago: connection refused
    const { code, stdout, stderr, ms } = await run([TEST_BOARD_SCRIPT], {
      BOARD: `127.0.0.1:${port}`,
    });
    expect(code, stderr).to.equal(1);
    expect(stdout).to.include(`Board: ws://127.0.0.1:${port}/ws`);
    expect(stderr).to.include(
      `Cannot reach the board at 127.0.0.1:${port}: connection refused (nothing listens on that port).`,
    );
    for (const advice of [
      "same Wi-Fi network",
      "WebSocket echo server ready: ws://<ip>/ws",
      "`ping 127.0.0.1` answers",
      `the port is right (${port};`,
      "firewall",
    ])
      expect(stderr).to.include(advice);
    expect(stdout, "no test ran").not.to.include("Summary");
    expect(ms, "time to give up").to.be.below(5000);
  });

  describe("against the firmware on its default settings", function () {
    // The firmware on the platform layer stands in for a board (needs npm run build).
    let firmware;
    let board;
    before(async function () {
      firmware = await startFirmware({ overrides: ["port=0"] }); // the manifest's defaults
      board = `127.0.0.1:${firmware.port}`;
    });
    after(async function () {
      await firmware?.stop();
    });

    it("runs the host tests against a server on loopback and ends with the summary table", async function () {
      const { code, stdout, stderr } = await run(
        [TEST_BOARD_SCRIPT, board, "--grep", "echoes a 125-byte"],
        { BOARD: undefined },
      );
      expect(code, `${stdout}\n${stderr}`).to.equal(0);
      expect(stdout).to.match(/✔ echoes a 125-byte text message as text/);
      expect(stdout).to.include(`Summary: board ws://${board}/ws`);
      expect(rowOf(stdout, "echo")).to.deep.equal([2, 0, 0]);
      expect(rowOf(stdout, "total")).to.deep.equal([2, 0, 0]);
      expect(stdout).not.to.include("Failed (");
    });

    it("passes the tests that ask the target what it runs on (GET /status), on XS and on Node", async function () {
      const grep = "names the engine|counts the slots alive|its XS stack";
      const onXs = await run([TEST_BOARD_SCRIPT, board, "--grep", grep], { BOARD: undefined });
      expect(onXs.code, `${onXs.stdout}\n${onXs.stderr}`).to.equal(0);
      expect(rowOf(onXs.stdout, "total")).to.deep.equal([3, 0, 0]);
      const node = await startFirmware({ overrides: ["port=0"], engine: "node" });
      try {
        const onNode = await run([TEST_BOARD_SCRIPT, `127.0.0.1:${node.port}`, "--grep", grep], {
          BOARD: undefined,
        });
        expect(onNode.code, `${onNode.stdout}\n${onNode.stderr}`).to.equal(0);
        expect(rowOf(onNode.stdout, "total")).to.deep.equal([3, 0, 0]);
      } finally {
        await node.stop();
      }
    });

    it("passes the slow-consumer test, or skips it saying why", async function () {
      this.timeout(60_000);
      const { code, stdout, stderr } = await run(
        [TEST_BOARD_SCRIPT, board, "--grep", "slow consumer"],
        { BOARD: undefined, TOKEN: undefined },
      );
      expect(code, `${stdout}\n${stderr}`).to.equal(0);
      const [passed, failed, skipped] = rowOf(stdout, "total");
      expect(failed, "failed").to.equal(0);
      expect(passed + skipped, "the one test, passed or skipped").to.equal(1);
      if (skipped) expect(stdout, "the reason").to.match(/skipped: .*(pingTimeout|sendTimeout)/);
    });
  });

  it("sends the board's token from --token or TOKEN with every client, so that a board with a token passes", async function () {
    const firmware = await startFirmware({ overrides: ["port=0", "token=s3cret"] });
    try {
      const board = `127.0.0.1:${firmware.port}`;
      // Echoes (the ws client), GET /status and a raw handshake (tools/wire/raw-http.js).
      const grep = "echoes a 125-byte|sample Sec-WebSocket-Accept|GET /status with 200 JSON";
      const withOption = await run(
        [TEST_BOARD_SCRIPT, board, "--token", "s3cret", "--grep", grep],
        {
          BOARD: undefined,
          TOKEN: undefined,
        },
      );
      expect(
        withOption.code,
        `${withOption.stdout}
${withOption.stderr}`,
      ).to.equal(0);
      // echo text and binary, the sample handshake, GET /status: all four pass
      expect(rowOf(withOption.stdout, "total"), "with --token").to.deep.equal([4, 0, 0]);
      const withEnv = await run([TEST_BOARD_SCRIPT, board, "--grep", "echoes a 125-byte"], {
        BOARD: undefined,
        TOKEN: "s3cret",
      });
      expect(rowOf(withEnv.stdout, "total"), "with TOKEN=").to.deep.equal([2, 0, 0]);
      const without = await run([TEST_BOARD_SCRIPT, board, "--grep", "echoes a 125-byte"], {
        BOARD: undefined,
        TOKEN: undefined,
      });
      expect(without.code, "without the token").to.equal(1);
      expect(without.stdout).to.include("401");
    } finally {
      await firmware.stop();
    }
  });
});
