// Root hooks. Every test file imports this module; ES modules run once, so the hooks are
// registered once on mocha's root suite: start the target before everything, drop any
// connection a test left open, check the firmware is still alive, stop the target at the end.
// On this machine's targets the run also holds `npm start`'s port, 8080, as `npm start` beside
// it would: no test may need a fixed port.
import { holdPort } from "../../tools/testing/hold-port.js";
import { disposeAll } from "../../tools/wire/open-connections.js";
import { startTarget, stopTarget, target } from "./target.js";

let releasePort = null;

before(async function () {
  this.timeout(60_000);
  if (target.kind === "platform" || target.kind === "reference") releasePort = await holdPort();
  await startTarget();
});

afterEach(function () {
  disposeAll();
  target.assertAlive();
});

after(async function () {
  this.timeout(20_000);
  await stopTarget();
  await releasePort?.();
});
