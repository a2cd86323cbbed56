// Runs the mocha test files (*.test.js) under a folder, in this process: `npm run test:unit`
// (tools/unit-tests) and `npm run test:host` (host-tests, with the summary reporter). Exit code: 0 when
// every test passed, 1 when one failed, 2 for a usage error (mocha's own exit code is the number
// of failures, which would say 2 for two failures).
//   node tools/testing/run-mocha.js <folder> [--summary] [--title <text>] [--reporter <name>]
//                                           [--grep <pattern>]
// --summary reports with summary-reporter.js (its title: --title); --reporter, one of mocha's own.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import Mocha from "mocha";
import { parseCommandLine, readCommandLine } from "../wire/command-line.js";
import { text } from "../wire/option-values.js";
import { UsageError } from "../wire/usage-error.js";
import { SummaryReporter } from "./summary-reporter.js";

const USAGE =
  "Usage: node tools/testing/run-mocha.js <folder> [--summary] [--title <text>] " +
  "[--reporter <name>] [--grep <pattern>]";
const OPTIONS = {
  "--grep": { kind: text },
  "-g": "--grep",
  "--summary": {},
  "--title": { kind: text },
  "--reporter": { kind: text },
};

function parse(argv) {
  const { options, positionals } = parseCommandLine(argv, { options: OPTIONS, positionals: 1 });
  const [folder] = positionals;
  if (!folder) throw new UsageError("no folder of tests");
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    // not there
  }
  if (!isFolder) throw new UsageError(`${folder} is not a folder`);
  return { ...options, folder: resolve(folder) };
}

const { options, exitCode } = readCommandLine(() => parse(process.argv.slice(2)), {
  usage: USAGE,
});
if (!options) process.exit(exitCode);

let mocha;
try {
  mocha = new Mocha({
    timeout: 20_000,
    grep: options.grep,
    reporter: options.reporter ?? (options.summary ? SummaryReporter : "spec"),
    reporterOptions: { title: options.title ?? "" },
  });
} catch {
  console.error(`unknown reporter "${options.reporter}"\n${USAGE}`);
  process.exit(2);
}
const files = readdirSync(options.folder, { recursive: true })
  .filter((file) => file.endsWith(".test.js") && !file.split(/[\\/]/).includes("fixtures"))
  .sort();
for (const file of files) mocha.addFile(join(options.folder, file));
await mocha.loadFilesAsync();
const failures = await new Promise((done) => mocha.run(done));
process.exitCode = failures ? 1 : 0;
