// npm run console: an interactive WebSocket client. wscat does the work; this wrapper adds the
// address forms BOARD= takes, a default address (npm start's), --token and --insecure, and says
// where it connects. Everything else goes to wscat as given. See --help.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { ADDRESS_HELP, DEFAULT_URL, toWebSocketUrl, urlPort } from "./wire/address.js";
import { readCommandLine, valueAfter } from "./wire/command-line.js";
import { isRefused, nothingListens } from "./wire/nothing-listens.js";
import { tokenHeaders } from "./wire/opening-handshake.js";
import { connectTcp } from "./wire/tcp.js";
import { token as checkToken } from "./wire/option-values.js";
import { UsageError } from "./wire/usage-error.js";

const require = createRequire(import.meta.url);

/** wscat's bin script and version, from its package.json (its "main" does not exist). */
export function wscatBin() {
  const packageJson = require.resolve("wscat/package.json");
  const { bin, version } = JSON.parse(readFileSync(packageJson, "utf8"));
  const script = typeof bin === "string" ? bin : bin.wscat;
  return { path: join(dirname(packageJson), script), version };
}

// wscat 6's options (bin/wscat): "required" takes a value, "optional" takes the next argument
// unless it starts with "-" (as commander reads them), "flag" none. A test checks this table
// against the installed wscat's --help.
export const WSCAT_OPTIONS = {
  "--auth": "required",
  "--ca": "required",
  "--cert": "required",
  "--host": "required",
  "--key": "required",
  "--max-redirects": "optional",
  "--no-color": "flag",
  "--passphrase": "optional",
  "--proxy": "required",
  "--slash": "flag",
  "--connect": "required",
  "--header": "required",
  "--listen": "required",
  "--location": "flag",
  "--no-check": "flag",
  "--origin": "required",
  "--protocol": "required",
  "--show-ping-pong": "flag",
  "--subprotocol": "required",
  "--wait": "required",
  "--execute": "required",
  "--version": "flag",
  "--help": "flag",
};
export const WSCAT_SHORT = {
  V: "--version",
  c: "--connect",
  H: "--header",
  l: "--listen",
  L: "--location",
  n: "--no-check",
  o: "--origin",
  p: "--protocol",
  P: "--show-ping-pong",
  s: "--subprotocol",
  w: "--wait",
  x: "--execute",
  h: "--help",
};

const USAGE = `Usage: npm run console -- [address] [options]
       node tools/console.js [address] [options]

An interactive WebSocket client: wscat (https://github.com/websockets/wscat) connected to the
address. Type a line to send it as a text message; received messages are printed after "< ".
Ctrl-C quits. When stdin is not a terminal, the console first opens and closes a connection
itself (wscat would quit at the end of stdin before it reports an error): a refused connection,
or an HTTP answer such as 401 (saying whether the token was missing or wrong), exits 1 with the
error on stderr. Then wscat sends each line read from stdin once connected (lines read before
are lost) and quits when it ends; received messages are printed one a line,
without "< " (and wscat's "> " prompts go to stdout too). To send from a script, use -x: the
console keeps wscat's stdin open then, so it sends, waits --wait seconds (default 2) and quits.

${ADDRESS_HELP}
Without an address: ${DEFAULT_URL} (npm start). The URL used is printed on stderr.

Options of this wrapper:
  --token T          send "Authorization: Bearer T" (the firmware's token setting)
  --insecure         accept any certificate for wss:// (self-signed; the same as wscat's -n)
  -h, --help         this text

All other options go to wscat as given: its own options follow. --listen is not available
here (run npx wscat --listen <port> for a server).

Exit codes: 0 the connection ended (closed by either side or dropped, Ctrl-C, the end of -x's
--wait), 1 wscat reported an error (connection refused, HTTP error, certificate, …), 2 bad
arguments. A refused connection is explained: nothing listens at the address (npm start, or
npm run dev, starts the firmware at the default one).

Examples:
  npm run console                                     # the firmware under npm start
  npm run console -- 192.168.1.42                     # a board: ws://192.168.1.42/ws
  npm run console -- esp32-echo.local/api --token s3cret
  npm run console -- 127.0.0.1:8080 -x hello -w 1     # send one message, print the echo
  npm run console -- wss://stream.binance.com:9443/ws/btcusdt@trade`;

/**
 * Splits the command line into the wrapper's options, the address and the arguments for wscat.
 * @returns {{ help: boolean, url: string, defaulted: boolean, execute: boolean, insecure: boolean,
 *   token: string | null, wscatArgs: string[] }}
 */
export function parseConsoleArgs(argv) {
  let help = false;
  let token = null;
  let insecure = false;
  let address = null;
  const rest = [];
  const setAddress = (value, from) => {
    if (address !== null) {
      throw new UsageError(`two addresses, "${address}" and "${value}"${from}`);
    }
    address = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--token") token = valueAfter(argv, i++, arg);
    else if (arg.startsWith("--token=")) token = arg.slice("--token=".length);
    else if (arg === "--insecure") insecure = true;
    else if (arg === "--") {
      for (const positional of argv.slice(i + 1)) setAddress(positional, "");
      break;
    } else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg : arg.slice(0, eq);
      const kind = WSCAT_OPTIONS[name];
      if (!kind) throw new UsageError(`unknown option "${name}" (see --help for wscat's options)`);
      if (name === "--listen") {
        throw new UsageError("--listen: this console connects; run npx wscat --listen <port>");
      }
      let value = eq < 0 ? undefined : arg.slice(eq + 1);
      if (value === undefined && kind === "required") value = valueAfter(argv, i++, name);
      if (value === undefined && kind === "optional" && argv[i + 1]?.[0] !== "-") {
        value = argv[++i];
      }
      if (value !== undefined && kind === "flag") {
        throw new UsageError(`${name} takes no value`);
      }
      if (name === "--connect") setAddress(value, " (--connect)");
      else rest.push(...(value === undefined ? [name] : [name, value]));
    } else if (arg.startsWith("-") && arg.length > 1) {
      // A cluster of short options, as commander reads them: -nP, -xhello, -x hello.
      for (let j = 1; j < arg.length; j++) {
        const name = WSCAT_SHORT[arg[j]];
        if (!name) throw new UsageError(`unknown option "-${arg[j]}" (see --help)`);
        if (name === "--help") {
          help = true;
          continue;
        }
        if (name === "--listen") {
          throw new UsageError("-l: this console connects; run npx wscat --listen <port>");
        }
        if (WSCAT_OPTIONS[name] === "flag") {
          rest.push(name);
          continue;
        }
        const value = j + 1 < arg.length ? arg.slice(j + 1) : valueAfter(argv, i++, `-${arg[j]}`);
        if (name === "--connect") setAddress(value, " (-c)");
        else rest.push(name, value);
        break;
      }
    } else setAddress(arg, "");
  }
  if (help) {
    return { help, url: DEFAULT_URL, defaulted: true, execute: false, insecure, wscatArgs: [] };
  }
  if (token !== null) checkToken(token, "--token");
  let url;
  try {
    url = address === null ? DEFAULT_URL : toWebSocketUrl(address);
  } catch (error) {
    throw new UsageError(error.message);
  }
  const wscatArgs = ["--connect", url];
  if (token !== null) wscatArgs.push("--header", `Authorization:Bearer ${token}`);
  if (insecure) wscatArgs.push("--no-check");
  wscatArgs.push(...rest);
  const execute = rest.includes("--execute");
  return { help, url, defaulted: address === null, execute, insecure, token, wscatArgs };
}

/**
 * Opens a WebSocket to `url` as wscat would and closes it again: null when it opened, else what
 * went wrong (a refused connection, an HTTP answer other than 101 with what the server said, and
 * for a 401 whether the token was missing or wrong). Without a terminal wscat quits when its stdin
 * ends, before it reports such an error, so the console checks first.
 */
export async function probeConnection(url, { token = null, insecure = false } = {}) {
  const { default: WebSocket } = await import("ws");
  const headers = tokenHeaders(token);
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers, rejectUnauthorized: !insecure });
    ws.once("open", () => {
      ws.close(1000);
      resolve(null);
    });
    ws.once("unexpected-response", (request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (text) => (body += text));
      response.once("end", () => {
        ws.terminate();
        const said = body.trim().replace(/\s+/g, " ").slice(0, 200);
        const status = `HTTP ${response.statusCode} ${response.statusMessage ?? ""}`.trim();
        let hint = "";
        if (response.statusCode === 401)
          hint =
            token === null
              ? " (no token given: --token T sends one)"
              : " (the token given is not the server's)";
        resolve(`the server answered ${status}${said ? `: ${said}` : ""}${hint}`);
      });
    });
    ws.once("error", (error) =>
      resolve(
        isRefused(error)
          ? nothingListens(url, "console")
          : `cannot connect to ${url}: ${error.message}`,
      ),
    );
  });
}

/**
 * Whether a TCP connection to the host and port of `url` is refused (nothing listens there):
 * after wscat failed, this tells a refused connection from the other errors it reports.
 */
export async function connectionRefused(url, timeoutMs = 2000) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  try {
    (await connectTcp(host, urlPort(parsed), { timeoutMs })).destroy();
    return false;
  } catch (error) {
    return isRefused(error); // refused, or not: timed out, no route, …
  }
}

/** The option lines of wscat's own --help. */
function wscatOptionsHelp(bin) {
  const run = spawnSync(process.execPath, [bin.path, "--help"], { encoding: "utf8" });
  const text = run.stdout ?? "";
  const start = text.indexOf("Options:\n");
  return (start < 0 ? text : text.slice(start + "Options:\n".length)).trimEnd();
}

async function main() {
  const argv = process.argv.slice(2);
  const { options: parsed, exitCode } = readCommandLine(() => parseConsoleArgs(argv), {
    prefix: "console: ",
    hint: "(npm run console -- --help explains the options)",
  });
  if (!parsed) process.exit(exitCode);
  let bin;
  try {
    bin = wscatBin();
  } catch (error) {
    console.error(`console: wscat is not installed (${error.message}); run npm install`);
    process.exit(1);
  }
  if (parsed.help) {
    console.log(`${USAGE}\n\nwscat ${bin.version}'s own options:\n${wscatOptionsHelp(bin)}`);
    process.exit(0);
  }
  process.stderr.write(
    `console: connecting to ${parsed.url}${parsed.defaulted ? " (the default: npm start's address)" : ""} with wscat ${bin.version}\n`,
  );
  if (!process.stdin.isTTY && !parsed.execute) {
    const problem = await probeConnection(parsed.url, parsed);
    if (problem) {
      console.error(`console: ${problem}`);
      process.exit(1);
    }
  }
  // wscat quits when its stdin ends, even before it has connected: with -x it reads no lines, so
  // it gets a pipe held open instead, and an empty or closed stdin (/dev/null, CI) cannot end it.
  const stdin = parsed.execute ? "pipe" : "inherit";
  const child = spawn(process.execPath, [bin.path, ...parsed.wscatArgs], {
    stdio: [stdin, "inherit", "inherit"],
  });
  // wscat handles Ctrl-C (it also gets the terminal's SIGINT); this process ends when it does.
  const forward = (signal) => () => child.kill(signal);
  process.on("SIGINT", forward("SIGINT"));
  process.on("SIGTERM", forward("SIGTERM"));
  process.on("SIGHUP", forward("SIGHUP"));
  child.on("error", (error) => {
    console.error(`console: cannot start wscat: ${error.message}`);
    process.exit(1);
  });
  child.on("exit", async (code, signal) => {
    if (signal) process.exit(signal === "SIGINT" ? 0 : 1);
    if (code === 0) process.exit(0);
    // wscat exits with -1 (255) on a connection error, which it has printed as it is
    // ("error: connect ECONNREFUSED ..."): say what a refused connection means.
    if (await connectionRefused(parsed.url)) {
      // On a terminal wscat left its "> " prompt after the error line.
      if (process.stdout.isTTY) process.stdout.write("\r\x1b[2K");
      console.error(`console: ${nothingListens(parsed.url, "console")}`);
    } else if (parsed.url.startsWith("wss:") && !parsed.insecure) {
      console.error("console: a self-signed certificate? --insecure accepts any certificate");
    }
    process.exit(1);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
