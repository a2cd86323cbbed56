// Where the xsnap worker is: the binary that the optional npm package @agoric/xsnap builds from the
// XS sources it ships (npm install runs cc and make), or the one XSNAP_WORKER names. Where it could
// not be built, why not.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { BOARD_STACK_SUFFIX, buildStackWorker } from "./stack-worker.js";

const PLATFORMS = Object.freeze({ linux: "lin", darwin: "mac" });

/**
 * The worker to run the firmware on: the one with the board's stack (stack-worker.js), built from
 * the package's sources where it can be, else the package's own (whose stack is 4096 slots:
 * `boardStack` false, and `why`).
 * @returns {{ binary: string, version: string, xs: string, boardStack: boolean, why?: string }
 *   | { missing: string }} version is "xsnap 0.15.0+board-stack (XS 13.3.0)", xs "13.3.0"
 */
export function findXsWorker(env = process.env) {
  if (env.XSNAP_WORKER) {
    const found = describeBinary(env.XSNAP_WORKER, "XSNAP_WORKER");
    if ("missing" in found || found.boardStack) return found;
    return { ...found, why: `XSNAP_WORKER's worker was not built with ${BOARD_STACK_SUFFIX}` };
  }
  const platform = PLATFORMS[process.platform];
  if (!platform) return { missing: `xsnap does not build on ${process.platform}` };
  let root;
  try {
    root = dirname(createRequire(import.meta.url).resolve("@agoric/xsnap/package.json"));
  } catch {
    return {
      missing:
        "the optional package @agoric/xsnap is not installed (npm skips it where its build fails: it needs cc and make)",
    };
  }
  const binary = join(
    root,
    "xsnap-native",
    "xsnap",
    "build",
    "bin",
    platform,
    "release",
    "xsnap-worker",
  );
  if (!existsSync(binary)) {
    return {
      missing: `@agoric/xsnap is installed but its worker was not built (${binary} is missing)`,
    };
  }
  try {
    return describeBinary(buildStackWorker(root, platform), "the board-stack build");
  } catch (error) {
    return { ...describeBinary(binary, "@agoric/xsnap"), why: error.message };
  }
}

function describeBinary(binary, from) {
  if (!existsSync(binary)) return { missing: `${from}: ${binary} does not exist` };
  let version;
  try {
    version = execFileSync(binary, ["-v"], { encoding: "utf8", timeout: 5000 }).trim();
  } catch (error) {
    return { missing: `${binary} does not run: ${error.message.split("\n")[0]}` };
  }
  const xs = /\(XS ([\d.]+)\)/.exec(version)?.[1];
  if (!xs) return { missing: `${binary} -v printed "${version}", not an XS version` };
  return { binary, version, xs, boardStack: version.includes(BOARD_STACK_SUFFIX) };
}
