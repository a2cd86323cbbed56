// Entry point of `npm run test:host:xs` and `npm run test:host:node`: every host test against the
// firmware on the platform layer, on the engine named (what TARGET=xs or TARGET=node selects), with
// the summary reporter. Exit code: 0 all passed, 1 a failure, 2 a usage error.
//   npm run test:host:xs -- --grep UTF-8
import { runSuite } from "./support/run-suite.js";
import { parseCommandLine, readCommandLine } from "../tools/wire/command-line.js";
import { text } from "../tools/wire/option-values.js";
import { UsageError } from "../tools/wire/usage-error.js";

const USAGE = "Usage: node host-tests/engine.js xs|node [--grep <pattern>]";

const OPTIONS = { "--grep": { kind: text }, "-g": "--grep" };

function parseArgs(argv) {
  const { options, positionals } = parseCommandLine(argv, { options: OPTIONS, positionals: 1 });
  const [engine] = positionals;
  if (engine !== "xs" && engine !== "node") {
    throw new UsageError(engine === undefined ? "no engine" : `unknown engine "${engine}"`);
  }
  return { ...options, engine };
}

async function main() {
  const argv = process.argv.slice(2);
  const { options, exitCode } = readCommandLine(() => parseArgs(argv), { usage: USAGE });
  if (!options) return exitCode;
  const { engine, grep } = options;
  for (const name of ["BOARD", "TARGET_URL", "TARGET_KIND"]) delete process.env[name];
  process.env.TARGET = engine;
  const failures = await runSuite({ title: `platform layer, ${engine} engine`, grep });
  return failures ? 1 : 0;
}

process.exitCode = await main();
