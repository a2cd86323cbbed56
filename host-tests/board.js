// Entry point of `npm run test:board`: the host suite against a flashed ESP32.
//   BOARD=192.168.1.42 npm run test:board
//   npm run test:board -- 192.168.1.42:80 --grep UTF-8
// Checks first that the board answers on TCP, then runs every host test with the summary reporter
// (tools/testing/summary-reporter.js): the usual per-test lines, then a table per test file and, for
// each failure, expected vs received and the message. Exit code: 0 all passed, 1 a failure or an
// unreachable board, 2 a usage error.
import { checkBoardReachable } from "./support/reachability.js";
import { addressUrl, parseAddress } from "../tools/wire/address.js";
import { runSuite } from "./support/run-suite.js";
import { HELP, parseCommandLine, readCommandLine } from "../tools/wire/command-line.js";
import { text } from "../tools/wire/option-values.js";
import { UsageError } from "../tools/wire/usage-error.js";

const USAGE = `Usage: BOARD=<address> npm run test:board [-- --grep <pattern>] [--token <token>]
       npm run test:board -- <address> [--grep <pattern>] [--token <token>]

<address> is what the board printed on its serial log after joining Wi-Fi:
  BOARD=192.168.1.42                 port 80, path /ws
  BOARD=192.168.1.42:8080            another port
  BOARD=ws://esp32-echo.local/ws     full URL (a .local name needs mDNS on this computer)

It prints each test as it runs, then a summary: passed, failed, skipped and time per test file,
and for each failure what was expected, what came, and the message.

Options:
  --grep <pattern>           only the tests whose title matches
  --token <token>            the board's token (when it was built with token=…): every client
                             of the tests sends it; the same as TOKEN=<token>

Environment:
  TOKEN=<token>              the board's token, as --token
  MAX_MESSAGE_SIZE=<bytes>   when the firmware was built with another maxMessageSize`;

const OPTIONS = { ...HELP, "--grep": { kind: text }, "-g": "--grep", "--token": { kind: text } };

/** The options, with the board's address read; throws UsageError. */
function parseArgs(argv, env) {
  const { options, positionals } = parseCommandLine(argv, { options: OPTIONS, positionals: 1 });
  if (options.help) return options;
  if (env.BOARD && positionals.length) {
    throw new UsageError(`unexpected argument "${positionals[0]}" (BOARD is set: ${env.BOARD})`);
  }
  const board = env.BOARD || positionals[0];
  if (!board) throw new UsageError("BOARD is not set.");
  try {
    return { ...options, board, address: parseAddress(board) };
  } catch (error) {
    throw new UsageError(error.message, { cause: error });
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const { options, exitCode } = readCommandLine(() => parseArgs(argv, process.env), {
    usage: USAGE,
  });
  if (!options) return exitCode;
  const { address } = options;
  process.env.BOARD = options.board;
  if (options.token !== undefined) process.env.TOKEN = options.token;
  delete process.env.TARGET_URL;
  delete process.env.TARGET;

  const url = addressUrl(address);
  console.log(`Board: ${url}`);
  try {
    await checkBoardReachable(address.host, address.port);
  } catch (err) {
    console.error(err.message);
    return 1;
  }

  const failures = await runSuite({ title: `board ${url}`, grep: options.grep });
  return failures ? 1 : 0;
}

process.exitCode = await main();
