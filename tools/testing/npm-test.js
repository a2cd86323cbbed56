// `npm test`: the checks, then every test: formatting, types, lint, the build, the unit tests, and
// the host tests against the firmware on the platform layer (XS where it is built). Each step runs
// as `npm run -s <step>`; the first that fails ends the run, naming it. Exit code: 0 when all
// passed, 1 when a check or a test failed, 2 for a usage error (any argument).
import { spawnSync } from "node:child_process";
import process from "node:process";

const STEPS = ["format:check", "typecheck", "lint", "build", "test:unit", "test:host"];

if (process.argv.length > 2) {
  console.error(`npm test takes no arguments (${process.argv.slice(2).join(" ")})
Usage: npm test   (npm run test:host -- --grep <pattern> runs some of the host tests)`);
  process.exit(2);
}
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
for (const step of STEPS) {
  const { status, signal } = spawnSync(npm, ["run", "-s", step], { stdio: "inherit" });
  if (status !== 0) {
    console.error(`npm test: ${step} failed (${signal ?? `exit ${status}`})`);
    process.exit(1);
  }
}
