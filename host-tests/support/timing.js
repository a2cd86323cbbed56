// The firmware the timing tests run against. Settings that make it judge time quickly (pings every
// 400 ms, a second for a request or for a client that takes nothing) belong only to the tests of
// that timing: they get an instance of their own with them (one for the run, started when the
// first of them needs it and stopped at the end), on the platform layer and under `npm run
// test:sim`. Elsewhere (a board, a running server) they run against the target and its own
// limits, which GET /status gives. Every deadline they check gets slack that holds on a loaded
// machine.
import { timingSettings } from "../../tools/testing/test-settings.js";
import { canStartInstance, instanceStartMs, startInstance } from "./instance.js";
import { targetLimits } from "./status.js";
import { target } from "./target.js";

/**
 * Slack for a deadline of `ms`: timers, scheduling on a busy machine (a test must pass with every
 * core taken), and a board's Wi-Fi. Only upper bounds get it; a deadline is never met early.
 */
export const marginFor = (ms) => Math.max(target.kind === "board" ? 2000 : 1500, ms * 0.5);

let instance = null;

after(async function () {
  this.timeout(20_000);
  const started = instance;
  instance = null;
  if (started) await (await started).stop();
});

/**
 * The target for a timing test and its limits: `{ t, limits }`. Adds the time an instance takes
 * to start (the first time) to the test's timeout.
 */
export async function timingTarget(context) {
  if (!canStartInstance({ simulator: true }))
    return { t: target, limits: await targetLimits(context) };
  if (!instance) {
    context.timeout(context.timeout() + instanceStartMs());
    instance = startInstance(timingSettings, { forSuite: true });
  }
  const t = await instance;
  return { t, limits: await targetLimits(context, t) };
}
