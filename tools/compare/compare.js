// npm run compare: the same server events delivered by WebSocket push and by HTTP polling (a new
// connection per request, and keep-alive), measured side by side. Prints a table. See --help.
import os from "node:os";
import process from "node:process";
import { parseAddress } from "../wire/address.js";
import { HELP, parseCommandLine, readCommandLine } from "../wire/command-line.js";
import { integer, oneOf, text, token } from "../wire/option-values.js";
import { UsageError } from "../wire/usage-error.js";
import { makeOutDir } from "../bench/page.js";
import { compareFigures } from "./figures.js";
import { FIGURES_VERSION, writeReport } from "./report.js";
import { runObservers } from "./run.js";
import { explain, formatTable } from "./table.js";
import { openTarget } from "./target.js";

const USAGE = `Usage: npm run compare -- [options]
       node tools/compare/compare.js [options]

The lesson's first point, measured: a server has news (a tick every --tick ms, "tick n" pushed to
every client of /broadcast, the latest one at GET /tick) and three clients follow it at once:
  WebSocket push                 one WebSocket on /broadcast: the server sends each tick
  HTTP polling, new connection   GET /tick every --interval ms, each on a new TCP connection
                                 (Connection: close)
  HTTP polling, keep-alive       GET /tick every --interval ms on one kept TCP connection
For N ticks, each gets requests sent, ticks seen, bytes each way (TCP payload), TCP connections
opened and latency p50 / p99 (from the tick's making on the server to the client's learning of it).

Options:
  --events N          ticks to follow (default 20)
  --tick MS           ms between the server's ticks (default 500; not with --url: a running
                      server ticks at its own tick setting)
  --interval MS       ms between a poller's requests, on average (default 100)
  --engine xs|node    the engine the firmware runs on, on the platform layer (default: XS where
                      it is built, else Node)
  --url ADDRESS       a running server (a board) instead: ws://host:port/… or as BOARD= takes it
                      (192.168.1.42, 192.168.1.42:8080, esp32-echo.local); it must tick
                      (flashed or started with tick=<ms>)
  --token T           the server's token setting (for /broadcast and GET /status)
  --out DIR           also write DIR/compare.json and DIR/compare-report.html (charts; one HTML
                      file, nothing fetched)
  --help              this text

Without --url the firmware runs on the platform layer on a free port with tick=<--tick>.
Exit status: 0 done, 1 the run failed (the server unreachable, a connection refused, an event
not learnt of by every client by the deadline), 2 bad arguments or a server that does not tick.`;

/** An address as the board tools take it (ws:// only: the firmware has no TLS). */
function address(value, name) {
  try {
    return parseAddress(value, { defaultPort: 80, defaultPath: "/broadcast" });
  } catch (error) {
    throw new UsageError(`${name}: ${error.message}`);
  }
}

const OPTIONS = {
  ...HELP,
  "--events": { kind: integer(1), default: 20 },
  "--tick": { kind: integer(1), default: null },
  "--interval": { kind: integer(1), default: 100 },
  "--engine": { kind: oneOf("xs", "node") },
  "--url": { kind: address, default: null },
  "--token": { kind: token, default: null },
  "--out": { kind: text, default: null },
};

const DEFAULT_TICK_MS = 500;

function parseArgs(argv) {
  const { options } = parseCommandLine(argv, { options: OPTIONS });
  if (options.url && options.tick !== null)
    throw new UsageError(
      "--tick is for the firmware started here; a running server (--url) ticks at its own tick setting",
    );
  if (options.url && options.engine)
    throw new UsageError("--engine is for the firmware on the platform layer, not with --url");
  return options;
}

/** A progress line on stderr (a terminal only): how many of the ticks each client has learnt of. */
function progress() {
  if (!process.stderr.isTTY) return { update() {}, end() {} };
  let shown = "";
  return {
    update(latest, { first, last }) {
      const counts = Object.values(latest).map((t) => Math.max(0, Math.min(t, last) - first + 1));
      const text = `compare: ${counts.join(" / ")} of ${last - first + 1} ticks learnt of (push / new connection / keep-alive)`;
      if (text !== shown) process.stderr.write(`\r  ${text}   `);
      shown = text;
    },
    end() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const { options, exitCode } = readCommandLine(() => parseArgs(argv), {
    usage: USAGE,
    prefix: "compare: ",
  });
  if (!options) return exitCode;
  if (options.out && !makeOutDir(options.out, "compare")) return 2;

  let target;
  try {
    target = await openTarget({
      address: options.url,
      engine: options.engine,
      tickMs: options.tick ?? DEFAULT_TICK_MS,
      token: options.token,
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`compare: ${error.message}`);
    return 2;
  }
  process.once("SIGINT", () => target.stop().then(() => process.exit(130)));
  const shown = progress();
  let run;
  try {
    run = await runObservers({
      host: target.host,
      port: target.port,
      token: options.token,
      events: options.events,
      tickMs: target.tickMs,
      intervalMs: options.interval,
      onProgress: shown.update,
    });
  } finally {
    shown.end();
    await target.stop();
  }
  const figures = compareFigures(run);
  console.log(
    [
      `compare: ${options.events} server events (tick every ${target.tickMs} ms) to three ` +
        `clients at once, against ${target.label}`,
      ...formatTable(figures.rows),
      "",
      ...explain(figures, { intervalMs: options.interval }),
    ].join("\n"),
  );
  if (run.atDeadline)
    console.error(
      `compare: stopped at the deadline before every client had learnt of tick ${run.window.last}`,
    );
  if (options.out) {
    const cpus = os.cpus();
    const { json, html } = writeReport(options.out, {
      version: FIGURES_VERSION,
      generated: new Date().toISOString(),
      parameters: {
        events: options.events,
        tickMs: target.tickMs,
        intervalMs: options.interval,
        url: options.url && `${options.url.host}:${options.url.port}`,
        command: ["npm run compare --", ...argv].join(" "),
      },
      target: target.label,
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? "CPU",
        platform: os.platform(),
        release: os.release(),
        node: process.version,
      },
      atDeadline: run.atDeadline,
      ...figures,
      records: {
        push: run.push.messages,
        newConnection: run.newConnection.responses,
        keepAlive: run.keepAlive.responses,
      },
    });
    console.log(`\nreport: ${html}\nfigures: ${json}`);
  }
  return run.atDeadline ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`compare: ${error.message}`);
    process.exit(1);
  },
);
