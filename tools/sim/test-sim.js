// npm run test:sim: builds the firmware for the Moddable simulator (real XS, the SDK's own
// ECMA-419 sockets) from the repo's manifest, runs it headless, and runs the same host-tests
// against it that `npm test` runs against the platform layer. The simulator's whole process
// group is killed at the end, whatever happens. Exit code: 0 when every test passed, 1 when one
// failed or the simulator could not be built or started (no SDK), 2 for a usage error.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port.js";
import {
  buildForSimulator,
  killNotedGroups,
  launchSimulator,
  moddableHome,
  repoRoot,
} from "./moddable.js";
import { testSettings } from "../testing/test-settings.js";

/** The whole mocha run may take this long; then it is stopped, and the simulator with it. */
const RUN_TIMEOUT_MS = 15 * 60 * 1000;

/** Where every simulator of the run (this one's, and the tests' own instances) notes its group. */
const groups = path.join(mkdtempSync(path.join(os.tmpdir(), "test-sim-")), "simulators");
process.env.SIMULATOR_GROUPS = groups;
/** Whatever the run started ends with it: mocha's group, and every simulator noted. */
let mocha = null;
const endAll = () => {
  try {
    if (mocha) process.kill(-mocha.pid, "SIGKILL");
  } catch {
    // gone
  }
  killNotedGroups(groups);
};
process.on("exit", endAll);
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
])
  process.once(signal, () => process.exit(code));

async function main() {
  moddableHome(); // says how to get the SDK before anything else
  const port = await freePort();
  const settings = [`port=${port}`, ...testSettings];
  console.log(`test:sim: mcconfig -m -p lin -t build ${settings.join(" ")}`);
  const started = Date.now();
  const app = await buildForSimulator(settings);
  console.log(`test:sim: built ${app} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const sim = await launchSimulator(app);
  console.log(`test:sim: simulator ready at ${sim.url}`);

  let status;
  try {
    mocha = startMocha(process.argv.slice(2), { TARGET_URL: sim.url, TARGET_KIND: "sim" });
    status = (await mocha.status) === 0 ? 0 : 1; // mocha's is the number of failures
  } finally {
    await sim.stop();
  }
  if (status !== 0) {
    const tail = sim.output().trim().split("\n").slice(-40).join("\n");
    console.log(`--- last simulator output ---\n${tail}`);
  }
  process.exit(status);
}

/**
 * Extra arguments (test files, --grep …) go to mocha; by default every host test runs, reported
 * by the summary reporter (a --reporter given here comes later and wins).
 */
function startMocha(args, env) {
  const mocha = path.join(repoRoot, "node_modules", ".bin", "mocha");
  // Test files given (a .js path or a glob), else all; an option's value (--grep x) is no file.
  const files = args.some((arg) => /\.js$|\*/.test(arg)) ? [] : ["host-tests/**/*.test.js"];
  const reporter = [
    "--reporter",
    "./tools/testing/summary-reporter.js",
    "--reporter-option",
    `title=simulator ${env.TARGET_URL}`,
  ];
  const child = spawn(mocha, [...reporter, ...files, ...args], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, ...env },
    detached: true, // its own group, ended whole with the run
  });
  const timer = setTimeout(() => {
    console.error(
      `test:sim: the host tests took over ${RUN_TIMEOUT_MS / 60000} minutes; stopping them`,
    );
    child.kill("SIGKILL");
  }, RUN_TIMEOUT_MS);
  child.status = new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    }),
  );
  return child;
}

main().catch((error) => {
  console.error(`test:sim: ${error.message}`);
  process.exit(1); // no SDK, or a build that failed: the target cannot be had
});
