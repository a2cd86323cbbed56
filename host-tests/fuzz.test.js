// Seeded random fuzzing (tools/fuzz, the same fuzzer as `npm run fuzz`) with a small budget:
// mutated opening handshakes and mutated frames, a few connections at once, every byte the
// server sends checked, a bystander that must keep echoing, every 40 iterations a fan-out round
// (tools/fuzz/fan-out.js: clients of /broadcast or /api reset while another's messages go to all,
// so that the server's writes fail inside a broadcast), and at the end a new client that connects
// and echoes and /status back to the bystander alone. The seed changes from run to run
// and is in the test's title: FUZZ_SEED=<seed> replays the run, and each failure says which
// iteration to replay alone (`npm run fuzz -- --seed <seed> --only <n>`).
//
// FUZZ_ITERATIONS (default 300) and FUZZ_SECONDS (default 15) set the budget, whichever ends
// first; FUZZ_LENIENT=1 accepts two issues of firmware built before they were fixed (tools/fuzz/connection.js).
import { expect } from "chai";
import "./support/hooks.js";
import { firmwareOnly, skipBecause, target } from "./support/target.js";
import { timingTarget } from "./support/timing.js";
import { freshSeed, parseSeed } from "../tools/fuzz/prng.js";
import { formatFailure, formatSummary, runFuzz, saveFailure } from "../tools/fuzz/run.js";

function positive(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name}="${value}" is not a positive integer`);
  return n;
}

const seed = process.env.FUZZ_SEED ? parseSeed(process.env.FUZZ_SEED) : freshSeed();
const iterations = positive("FUZZ_ITERATIONS", 300);
const seconds = positive("FUZZ_SECONDS", 15);

describe("fuzz", function () {
  it(`[firmware] survives ${iterations} random handshakes and frame sequences or ${seconds} s (seed ${seed}: FUZZ_SEED=${seed} replays it)`, async function () {
    firmwareOnly(
      this,
      "the firmware's answers and GET /status (npm run fuzz -- --reference runs the protocol checks on it)",
    );
    if (target.token)
      skipBecause(this, "the fuzzer's requests carry no token (run it on a server without one)");
    this.timeout(seconds * 1000 + 120_000);
    // The firmware's timeouts bound what the fuzzer waits for: the timing tests' instance.
    const { t } = await timingTarget(this);
    const summary = await runFuzz({
      host: t.host,
      port: t.port,
      path: t.path,
      firmware: true,
      kind: t.kind,
      seed,
      iterations,
      seconds,
      replyTimeoutMs: t.replyTimeoutMs,
      checkAlive: () => t.assertAlive?.(),
      bystanderEvery: 25,
      fanOutEvery: 40,
      strict: !process.env.FUZZ_LENIENT,
    });
    const replayPrefix =
      t.kind === "platform"
        ? `npm run fuzz -- --engine ${t.engine}`
        : `npm run fuzz -- --url ${t.url}`;
    const failures = summary.failures.map((failure) => {
      const file = saveFailure(failure);
      return `${formatFailure(failure, { replayPrefix, maxBytes: 256 })}${file ? `\n  (all the bytes: ${file})` : ""}`;
    });
    const report = formatSummary(summary, { target: t.url, replayPrefix });
    if (summary.knownIssues.size && !failures.length)
      console.log(`      ${report.replaceAll("\n", "\n      ")}`);
    expect(summary.failures, `\n${failures.join("\n\n")}\n\n${report}\n`).to.have.length(0);
    expect(summary.iterations, "iterations run").to.be.above(0);
    if (summary.iterations >= 80)
      expect(summary.fanOuts.paths.size, "fan-out rounds on /broadcast and /api").to.equal(2);
  });
});
