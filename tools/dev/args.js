// Command line of `npm run dev` (tools/dev.js): npm start's (tools/platform/start-args.js: key=value
// settings, --engine, --no-network, --board-settings) and --project <dir>. --manifest and --build
// are the project's: its manifest.json and its tsconfig.firmware.json's outDir.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseStartArgs, usageText } from "../platform/start-args.js";
import { valueAfter } from "../wire/command-line.js";
import { UsageError } from "../wire/usage-error.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** npm start's options that take a value: the argument after one is its value, not an option. */
const START_VALUE_OPTIONS = new Set(["--engine", "--manifest", "--build"]);

/**
 * @param {string[]} argv arguments after the script name
 * @returns {ReturnType<typeof parseStartArgs> & { project: string }} `project` is absolute
 */
export function parseDevArgs(argv) {
  const rest = [];
  let project;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === "--project" || arg.startsWith("--project=")) {
      if (project !== undefined) throw new UsageError("--project given twice");
      project = arg === "--project" ? valueAfter(argv, i++, arg) : arg.slice("--project=".length);
      if (project === "") throw new UsageError("--project needs a folder");
      continue;
    }
    rest.push(arg);
    if (START_VALUE_OPTIONS.has(arg) && i + 1 < argv.length) rest.push(argv[++i]);
  }
  const options = parseStartArgs(rest);
  for (const name of ["manifest", "build"]) {
    if (options[name] !== undefined) {
      throw new UsageError(
        `--${name}: npm run dev runs the project's ${name === "manifest" ? "manifest.json" : "build (its tsconfig.firmware.json's outDir)"}; name another project with --project <dir>`,
      );
    }
  }
  return { ...options, project: resolve(project ?? REPO_ROOT) };
}

/** The first line of the usage, for a usage error. */
export const USAGE_LINE =
  "Usage: npm run dev -- [key=value ...] [--engine xs|node] [--board-settings] [--no-network] [--project dir]";

/**
 * The --help text: what dev does, then npm start's options and the firmware's settings (from
 * `usageText(config, schema)`), without --manifest and --build.
 */
export function devUsage(config = {}, schema = null) {
  const start = usageText(config, schema).split("\n");
  const from = start.findIndex((line) => line.startsWith("--engine"));
  const startOptions = (from < 0 ? start : start.slice(from))
    .filter((line) => !/^--(manifest|build)\b/.test(line))
    .map((line) => line.replace("on V8, in this process", "on V8, in npm start's process"));
  return [
    USAGE_LINE,
    "       node tools/dev.js [the same]",
    "",
    "Builds the firmware and runs it as npm start does (on XS by default), then rebuilds and",
    "restarts it on every save of main.ts, of a file under modules/ or of manifest.json: once",
    "the saves settle (150 ms) it type-checks and compiles the project (what tsc -p",
    "tsconfig.firmware.json does, kept in memory between builds, so a save costs the files it",
    "affects) and, when that succeeds, stops the firmware and starts the new one on the same",
    "port (with port=0, the one the first start picked), where clients and the web console",
    "can reconnect:",
    "",
    "  dev: main.ts changed; rebuilt and restarted in 1.9 s",
    "",
    "(the time from the first of those saves to the new firmware's ws:// line). Code that does",
    "not compile does not run: the compiler's errors are printed (main.ts:30:5: error TS2322: …,",
    "paths relative to the project) and the last good firmware keeps running; the build folder",
    "keeps its build. The firmware's output comes through as with npm start. In a terminal, b",
    "presses the BOOT button; Ctrl-C, SIGTERM and SIGHUP stop dev and the firmware.",
    "",
    "--project    the app's folder: main.ts, modules/, manifest.json, tsconfig.json and",
    "             tsconfig.firmware.json (default: this repository). It is built into that",
    "             tsconfig's outDir (build/firmware) and runs with its manifest.json.",
    ...startOptions,
  ].join("\n");
}
