// Entry point of `npm run test:board`: the host suite against a flashed ESP32.
//   BOARD=192.168.1.42 npm run test:board
//   npm run test:board -- 192.168.1.42:80 --grep UTF-8
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import Mocha from "mocha";
import { checkBoardReachable } from "./support/reachability.js";
import { parseAddress } from "./support/address.js";

const USAGE = `Usage: BOARD=<address> npm run test:board [-- --grep <pattern>]
       npm run test:board -- <address> [--grep <pattern>]

<address> is what the board printed on its serial log after joining Wi-Fi:
  BOARD=192.168.1.42                 port 80, path /ws
  BOARD=192.168.1.42:8080            another port
  BOARD=ws://esp32-echo.local/ws     full URL (a .local name needs mDNS on this computer)

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

function testFiles() {
  const dir = fileURLToPath(new URL(".", import.meta.url));
  return readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith(".test.js"))
    .sort()
    .map((file) => join(dir, file));
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

  console.log(`Board: ws://${address.host}:${address.port}${address.path}`);
  try {
    await checkBoardReachable(address.host, address.port);
  } catch (err) {
    console.error(err.message);
    return 1;
  }

  const mocha = new Mocha({ reporter: "spec", timeout: 20_000, grep: options.grep });
  for (const file of testFiles()) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const failures = await new Promise((resolve) => mocha.run(resolve));
  return failures ? 1 : 0;
}

process.exitCode = await main();
