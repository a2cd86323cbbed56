// npm run fuzz: a seeded random fuzzer of the opening handshake and the frame parser. See --help.
import process from "node:process";
import { parseAddress } from "../wire/address.js";
import {
  REFERENCE_ECHO_LIMIT,
  WHOLE_PATH,
  startReferenceServer,
} from "../testing/reference-server.js";
import { timingSettings } from "../testing/test-settings.js";
import { startFirmware } from "../platform/index.js";
import { HELP, parseCommandLine, readCommandLine } from "../wire/command-line.js";
import { integer, listOf, oneOf, wsUrl } from "../wire/option-values.js";
import { fetchStatus } from "../wire/status-client.js";
import { UsageError } from "../wire/usage-error.js";
import { freshSeed, parseSeed } from "./prng.js";
import { formatFailure, formatSummary, runFuzz, saveFailure } from "./run.js";

const USAGE = `Usage: npm run fuzz -- [options]
       node tools/fuzz/fuzz.js [options]

Opens raw TCP connections to the server, sends each a mutated opening handshake (sometimes a
valid one) and, once upgraded, valid and mutated client frames in random TCP writes, then closes
gracefully or with a reset. Every byte the server sends is checked (a well-formed HTTP response,
or well-formed server frames, the answers RFC 6455 calls for, nothing after a close frame), a
bystander client must keep echoing, and at the end a new client must connect and echo and
GET /status must list the bystander alone. Cases come from the seed: the same seed and
iteration number give the same bytes.

Most connections go to the echo endpoint (/ws), which echoes a message of any length, the
firmware's as it reads it (so a message the client breaks off may have been echoed in part); some
to the endpoints that take messages whole (the firmware's /broadcast and /api, the reference
server's /broadcast), which refuse one over maxMessageSize bytes or maxFrames frames with 1009
(and, on the firmware, may close with 1013 a client in the middle of a fragmented message when
the buffers all clients share have no room).

Options:
  --engine xs|node    the engine the firmware runs on, on the platform layer (default: XS where
                      it is built, else Node)
  --url ws://…/ws     a running server (a board, the simulator) instead of the firmware on the
                      platform layer; without GET /status only the protocol is checked
  --reference         the host tests' reference \`ws\` echo server instead (protocol checks only)
  --seed N            the run's seed (default: a new one, printed)
  --iterations N      at most N iterations (default 5000)
  --seconds N         no iteration starts after N seconds (default 120)
  --concurrency N     connections at once (default 4; at most maxClients - 1 and 5 of the 8
                      TCP connections of the board and the platform layer)
  --only N[,M…]       run only these iterations of --seed, one at a time, and describe each:
                      the replay of a failure
  --keep-going        do not stop at the first failure
  --lenient           accept two issues of firmware built before they were fixed (a board
                      flashed earlier): close 1008 "not reading fast enough" to a client that
                      reads (after a message over ~maxQueued + 8 KB; only firmware whose
                      GET /status reports maxQueued), and a 400 lost to a reset when the client
                      was still sending its request
  --verbose           describe every iteration
  --help              this text

Without --url the firmware runs on the platform layer with the host tests' settings
(tools/testing/test-settings.js: pingInterval=400 pingTimeout=1000 requestTimeout=1000),
so that liveness is checked within about a second. A failure prints the seed, the iteration, what
was wrong and every byte sent and received, writes them to test-results/fuzz/, and the command
that replays it. Exit status: 0 no failure, 1 a failure, 2 bad arguments.`;

/** The reference server's largest message on /broadcast: the firmware's default maxMessageSize. */
const REFERENCE_WHOLE_LIMIT = 16384;

/** --seed: a seed as the run printed it. */
function seed(value, name) {
  try {
    return parseSeed(value);
  } catch (error) {
    throw new UsageError(`${name}: ${error.message}`, { cause: error });
  }
}

const OPTIONS = {
  ...HELP,
  "--url": { kind: wsUrl, default: null },
  "--reference": {},
  "--engine": { kind: oneOf("xs", "node") },
  "--seed": { kind: seed, default: null },
  "--iterations": { kind: integer(1), default: 5000 },
  "--seconds": { kind: integer(1), default: 120 },
  "--concurrency": { kind: integer(1), default: 4 },
  "--only": { kind: listOf(integer(0)), default: null },
  "--keep-going": {},
  "--lenient": { key: "strict", default: true, set: false },
  "--verbose": {},
};

function parseArgs(argv) {
  const { options } = parseCommandLine(argv, { options: OPTIONS });
  if (options.url && options.reference) throw new UsageError("--url and --reference: choose one");
  if (options.engine && (options.url || options.reference))
    throw new UsageError(
      "--engine is for the firmware on the platform layer, not with --url or --reference",
    );
  if (options.only && options.seed === null)
    throw new UsageError("--only needs the --seed of the run");
  return options;
}

/** Whether the server at `address` is this firmware: it answers GET /status with its limits. */
async function isFirmware(address) {
  try {
    const status = await fetchStatus({ ...address, replyTimeoutMs: 3000 });
    return Boolean(status && typeof status === "object" && status.limits);
  } catch {
    return false;
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const { options, exitCode } = readCommandLine(() => parseArgs(argv), {
    usage: USAGE,
    prefix: "fuzz: ",
  });
  if (!options) return exitCode;
  const seed = options.seed ?? freshSeed();
  let server = null;
  let firmware = null;
  let target;
  const stopAll = async () => {
    await server?.stop();
    await firmware?.stop();
  };
  process.once("SIGINT", () => stopAll().then(() => process.exit(130)));

  try {
    let address;
    let label;
    let isFw;
    let alive;
    if (options.url) {
      address = parseAddress(options.url, { defaultPort: 80, defaultPath: "/ws" });
      isFw = await isFirmware(address);
      label = `${options.url}${isFw ? "" : " (no GET /status: protocol checks only)"}`;
    } else if (options.reference) {
      server = await startReferenceServer({ path: "/ws", maxMessageSize: REFERENCE_WHOLE_LIMIT });
      address = { host: server.host, port: server.port, path: server.path };
      isFw = false;
      label = "the reference ws server (protocol checks only)";
    } else {
      firmware = await startFirmware({
        overrides: ["port=0", ...Object.entries(timingSettings).map(([k, v]) => `${k}=${v}`)],
        engine: options.engine,
      });
      address = parseAddress(firmware.url, { defaultPort: firmware.port, defaultPath: "/ws" });
      isFw = true;
      const { engine } = await firmware.measure();
      label = `the firmware on the platform layer (${engine})`;
      alive = () => {
        const child = firmware.process;
        if (child.exitCode === null && child.signalCode === null) return;
        const tail = `${firmware.output()}${firmware.errors()}`
          .trim()
          .split("\n")
          .slice(-30)
          .join("\n");
        throw new Error(
          `the firmware process exited (code ${child.exitCode}, signal ${child.signalCode}); last output:\n${tail}`,
        );
      };
    }
    target = label;
    const local = ["127.0.0.1", "localhost", "::1"].includes(address.host);
    const replayPrefix = `npm run fuzz --${options.url ? ` --url ${options.url}` : ""}${options.reference ? " --reference" : ""}${options.engine ? ` --engine ${options.engine}` : ""}`;
    console.error(
      `fuzz: seed ${seed} against ${label} (${address.host}:${address.port}${address.path}); ` +
        (options.only
          ? `iterations ${options.only.join(", ")}`
          : `up to ${options.iterations} iterations or ${options.seconds} s`),
    );
    let lastProgress = 0;
    const tty = process.stderr.isTTY;
    const summary = await runFuzz({
      ...address,
      firmware: isFw,
      kind: options.url
        ? local
          ? "local"
          : "board"
        : options.reference
          ? "reference"
          : "platform",
      ...(options.reference && {
        wholePaths: [WHOLE_PATH],
        maxMessageSize: REFERENCE_WHOLE_LIMIT,
        echoLimit: REFERENCE_ECHO_LIMIT,
      }),
      seed,
      iterations: options.iterations,
      seconds: options.only ? 3600 : options.seconds,
      only: options.only,
      concurrency: options.only ? 1 : options.concurrency,
      replyTimeoutMs: local ? 3000 : 6000,
      checkAlive: alive,
      bystanderEvery: 25,
      fanOutEvery: options.only ? 0 : 40,
      keepGoing: options.keepGoing,
      strict: options.strict,
      verbose: options.verbose || Boolean(options.only),
      log: (line) => console.log(line),
      progress: (line) => {
        const now = Date.now();
        if (now - lastProgress < (tty ? 250 : 10_000)) return;
        lastProgress = now;
        process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
      },
    });
    if (tty && lastProgress) process.stderr.write("\n");
    for (const failure of summary.failures) {
      console.log(`\n${formatFailure(failure, { replayPrefix })}`);
      const file = saveFailure(failure);
      if (file) console.log(`  (all the bytes: ${file})`);
    }
    if (summary.failures.length && firmware) {
      const tail = firmware.output().trim().split("\n").slice(-15).join("\n");
      console.log(`\n--- last firmware output ---\n${tail}`);
    }
    console.log(`\n${formatSummary(summary, { target, replayPrefix })}`);
    return summary.failures.length ? 1 : 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`fuzz: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
