// Entry point of `npm run test:host:xs` and `npm run test:host:node`: every host test against the
// firmware on the platform layer, on the engine named (what TARGET=xs or TARGET=node selects), with
// the summary reporter. Exit code: 0 all passed, 1 a failure, 2 a usage error.
//   npm run test:host:xs -- --grep UTF-8
import { runSuite } from "./support/run-suite.js";

const USAGE = "Usage: node host-tests/engine.js xs|node [--grep <pattern>]";

async function main() {
  const [engine, ...rest] = process.argv.slice(2);
  if (engine !== "xs" && engine !== "node") {
    console.error(USAGE);
    return 2;
  }
  let grep;
  for (let i = 0; i < rest.length; i++) {
    if ((rest[i] === "--grep" || rest[i] === "-g") && rest[i + 1] !== undefined) grep = rest[++i];
    else {
      console.error(`unexpected argument "${rest[i]}"\n${USAGE}`);
      return 2;
    }
  }
  for (const name of ["BOARD", "TARGET_URL", "TARGET_KIND"]) delete process.env[name];
  process.env.TARGET = engine;
  const failures = await runSuite({ title: `platform layer, ${engine} engine`, grep });
  return failures ? 1 : 0;
}

process.exitCode = await main();
