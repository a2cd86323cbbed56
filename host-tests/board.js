// Entry point of `npm run test:board`: the host suite against a flashed ESP32.
//   BOARD=192.168.1.42 npm run test:board
//   npm run test:board -- 192.168.1.42:80 --grep UTF-8
// Checks first that the board answers on TCP, then runs every host test with the summary reporter
// (support/summary-reporter.js): the usual per-test lines, then a table per test file and, for
// each failure, expected vs received and the message. Exit code: 0 all passed, 1 a failure or an
// unreachable board, 2 a usage error.
import { checkBoardReachable } from "./support/reachability.js";
import { parseAddress } from "./support/address.js";
import { runSuite } from "./support/run-suite.js";

const USAGE = `Usage: BOARD=<address> npm run test:board [-- --grep <pattern>]
       npm run test:board -- <address> [--grep <pattern>]

<address> is what the board printed on its serial log after joining Wi-Fi:
  BOARD=192.168.1.42                 port 80, path /ws
  BOARD=192.168.1.42:8080            another port
  BOARD=ws://esp32-echo.local/ws     full URL (a .local name needs mDNS on this computer)

It prints each test as it runs, then a summary: passed, failed, skipped and time per test file,
and for each failure what was expected, what came, and the message.

Environment:
  MAX_MESSAGE_SIZE=<bytes>   when the firmware was built with another maxMessageSize`;

function parseArgs(argv) {
  const options = { board: process.env.BOARD, grep: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") options.help = true;
    else if (arg === "-g" || arg === "--grep") options.grep = argv[++i];
    else if (!arg.startsWith("-") && !options.board) options.board = arg;
    else throw new Error(`unexpected argument "${arg}"`);
  }
  return options;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (!options.board) {
    console.error(`BOARD is not set.\n\n${USAGE}`);
    return 2;
  }

  let address;
  try {
    address = parseAddress(options.board);
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  process.env.BOARD = options.board;
  delete process.env.TARGET_URL;
  delete process.env.TARGET;

  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  const url = `ws://${host}:${address.port}${address.path}`;
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
