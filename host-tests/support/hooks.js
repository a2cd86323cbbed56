// Root hooks. Every test file imports this module; ES modules run once, so the hooks are
// registered once on mocha's root suite: start the target before everything, drop any
// connection a test left open, check the firmware is still alive, stop the target at the end.
import { disposeAll } from "../../tools/wire/open-connections.js";
import { startTarget, stopTarget, target } from "./target.js";

before(async function () {
  this.timeout(60_000);
  await startTarget();
});

afterEach(function () {
  disposeAll();
  target.assertAlive();
});

after(async function () {
  this.timeout(20_000);
  await stopTarget();
});
