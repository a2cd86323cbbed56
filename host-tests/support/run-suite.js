// Runs every host test in this process with the summary reporter: for the runners that choose the
// target themselves (board.js, engine.js). Resolves with mocha's number of failures.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Mocha from "mocha";
import { SummaryReporter } from "../../tools/testing/summary-reporter.js";

function testFiles() {
  const dir = fileURLToPath(new URL("..", import.meta.url));
  return readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith(".test.js"))
    .sort()
    .map((file) => join(dir, file));
}

/** @param {{ title: string, grep?: string, timeout?: number }} options */
export async function runSuite({ title, grep, timeout = 20_000 }) {
  const mocha = new Mocha({
    reporter: SummaryReporter,
    reporterOptions: { title },
    timeout,
    grep,
  });
  for (const file of testFiles()) mocha.addFile(file);
  await mocha.loadFilesAsync();
  return new Promise((resolve) => mocha.run(resolve));
}
