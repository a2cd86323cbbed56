// npm run bench: echo throughput and round trips with many clients, the firmware against a plain
// `ws` echo server on the same machine. Prints figures; asserts nothing. See --help.
import { spawn } from "node:child_process";
import os from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { findXsWorker } from "../platform/adapters/xs/worker-binary.js";
import { startFirmware } from "../platform/index.js";
import { parseAddress } from "../wire/address.js";
import { HELP, parseCommandLine, readCommandLine } from "../wire/command-line.js";
import { integer, listOf, oneOf, text, wsUrl } from "../wire/option-values.js";
import { fetchStatus as fetchServerStatus } from "../wire/status-client.js";
import { closedLoop, sleep } from "./measure.js";
import { makeOutDir } from "./page.js";
import { FIGURES_VERSION, writeReport } from "./report.js";
import { formatXsFigures, measureXsFigures } from "./xs-figures.js";

const USAGE = `Usage: npm run bench -- [options]
       node tools/bench/bench.js [options]

Drives N clients × M messages of S bytes in a closed loop (each client sends its next message
when the echo of the previous one arrives) against the firmware, then the same against a plain
\`ws\` echo server on this machine, and prints msgs/s, round-trip p50/p95/p99 and errors for
each, and the ratio firmware/ws. Then, on the XS engine, the figures XS counts itself and that do
not depend on the machine: compute per echoed message (125 B, 1 and 10 clients), compute of one
64 KiB echo, live slots per idle client. With --out it also saves the figures (bench.json) and a
report with charts (bench-report.html: one HTML file, no external assets) into a folder.

Options:
  --clients 1,10,50   client counts to run (default 1,10,50)
  --messages M        messages per client (default 2000)
  --rounds R          runs of each server per client count, alternating which goes first;
                      the median run is shown (default 3)
  --size S            payload bytes, binary (default 125)
  --engine node|xs    the engine the firmware runs on for msgs/s (default node: V8; xs: the
                      xsnap worker, an interpreter behind a pipe, slower by far)
  --url ws://…/ws     a running server instead of the firmware on the platform layer (a board,
                      the simulator); the ws server still runs here for the ratio
  --no-xs             skip the XS engine's figures
  --out DIR           also write DIR/bench.json and DIR/bench-report.html (msgs/s per client
                      count, round-trip histograms); node tools/bench/report.js DIR/bench.json
                      draws the report again
  --help              this text

Without --url the firmware runs on the platform layer with maxClients raised to the largest client
count + 10 and MODDABLE_NODE_MAX_TCP (the emulated CONFIG_LWIP_MAX_ACTIVE_TCP) to that + 4.`;

const WARMUP_MESSAGES = 200;
const WS_LABEL =
  "a plain `ws` echo server (tools/testing/reference-server.js) in its own Node process";

const OPTIONS = {
  ...HELP,
  "--clients": { kind: listOf(integer(1)), default: [1, 10, 50] },
  "--messages": { kind: integer(1), default: 2000 },
  "--size": { kind: integer(1), default: 125 },
  "--rounds": { kind: integer(1), default: 3 },
  "--engine": { kind: oneOf("node", "xs"), default: "node" },
  "--url": { kind: wsUrl, default: null },
  "--out": { kind: text, default: null },
  "--no-xs": { key: "xs", default: true, set: false },
};

/** The `ws` echo server in its own process. */
async function startWsServer() {
  const script = fileURLToPath(new URL("./ws-echo-server.js", import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (text) => {
      out += text;
      const match = /ready: (ws:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the ws echo server exited (code ${code})`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

/** GET /status of the firmware, or null when the server has none. */
function fetchStatus(url) {
  return fetchServerStatus(parseAddress(url), { timeoutMs: 2000 }).catch(() => null);
}

/**
 * A progress line on stderr for a step that has taken more than 2 s: `update(text)` rewrites it
 * (at most every 500 ms), `end()` ends the line if one was printed.
 */
function progressPrinter(label) {
  const started = Date.now();
  let printed = false;
  return {
    update(text) {
      const elapsed = Date.now() - started;
      if (elapsed < 2000) return;
      printed = true;
      process.stderr.write(`\r  ${label}: ${text}, ${(elapsed / 1000).toFixed(0)} s   `);
    },
    end() {
      if (printed) process.stderr.write("\n");
    },
  };
}

/** Waits until the firmware has let go of the last run's clients (its slots are limited). */
async function waitForIdle(url, label) {
  const progress = progressPrinter(`${label}: waiting for the server to drop its clients`);
  const deadline = Date.now() + 10_000;
  try {
    while (Date.now() < deadline) {
      const status = await fetchStatus(url);
      if (!status || !Array.isArray(status.clients)) return await sleep(200);
      if (status.clients.length === 0) return await sleep(50);
      progress.update(`${status.clients.length} still connected`);
      await sleep(100);
    }
  } finally {
    progress.end();
  }
}

/** One closed-loop run, with a progress line when it takes a while. */
async function run(label, url, clients, messages, size) {
  const progress = progressPrinter(label);
  const result = await closedLoop(url, {
    clients,
    messages,
    size,
    onProgress: (done, total) =>
      progress.update(`${done}/${total} echoes (${Math.floor((100 * done) / total)} %)`),
  });
  progress.end();
  await waitForIdle(url, label);
  return result;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The XS engine's own figures, or why there are none. */
async function xsFigures(options) {
  if (!options.xs) return { skipped: "XS engine figures: skipped (--no-xs)" };
  if (options.url) return { skipped: "XS engine figures: not with --url (a board counts nothing)" };
  const worker = findXsWorker();
  if ("missing" in worker) return { skipped: `XS engine figures: none, ${worker.missing}` };
  const progress = progressPrinter("XS engine figures");
  const timer = setInterval(() => progress.update("measuring"), 500);
  try {
    return { figures: await measureXsFigures() };
  } finally {
    clearInterval(timer);
    progress.end();
  }
}

/** The run with the median msgs/s. */
function median(runs) {
  const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor(sorted.length / 2)];
}

function row(name, r) {
  const ms = (x) => (Number.isFinite(x) ? x.toFixed(2) : "-").padStart(7);
  return [
    String(r.clients).padStart(7),
    name.padEnd(9),
    r.perSecond.toFixed(0).padStart(8),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    String(r.errors.length).padStart(7),
  ].join("  ");
}

async function main() {
  const argv = process.argv.slice(2);
  const { options, exitCode } = readCommandLine(
    () => parseCommandLine(argv, { options: OPTIONS }).options,
    { usage: USAGE, prefix: "bench: " },
  );
  if (!options) return exitCode;
  if (options.out && !makeOutDir(options.out, "bench")) return 2;

  const most = Math.max(...options.clients);
  // Warm-up (JIT, first connections): up to 10 clients, never more than the runs use.
  const warmup = { clients: Math.min(10, most), messages: WARMUP_MESSAGES };
  const maxClients = most + 10;
  const maxTcp = maxClients + 4;
  let firmware = null;
  let ws = null;
  const stopAll = async () => {
    await ws?.stop();
    await firmware?.stop();
  };
  process.once("SIGINT", () => stopAll().then(() => process.exit(130)));

  let firmwareLabel = `the server at ${options.url}`;
  const errorLog = [];
  const results = new Map();
  let targets;
  try {
    if (!options.url) {
      firmware = await startFirmware({
        overrides: ["port=0", `maxClients=${maxClients}`],
        env: { MODDABLE_NODE_MAX_TCP: String(maxTcp) },
        engine: options.engine,
      });
      firmwareLabel =
        `the firmware on the platform layer's ${options.engine === "xs" ? "XS" : "Node"} engine ` +
        `(maxClients=${maxClients}, MODDABLE_NODE_MAX_TCP=${maxTcp}, other settings default)`;
    }
    ws = await startWsServer();
    targets = [
      { name: "firmware", url: options.url ?? firmware.url },
      { name: "ws", url: ws.url },
    ];
    for (const target of targets) {
      const label = `${target.name} warm-up, ${plural(warmup.clients, "client")}`;
      const warm = await run(label, target.url, warmup.clients, warmup.messages, options.size);
      errorLog.push(...warm.errors.map((e) => `${target.name} warm-up: ${e}`));
    }
    // The machine is shared by clients and servers: alternate which server goes first and keep
    // the median of the rounds, so that one disturbed run does not decide the ratio.
    for (const clients of options.clients) {
      const rounds = { firmware: [], ws: [] };
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 ? [...targets].reverse() : targets;
        for (const target of order) {
          const label =
            `${target.name}, ${plural(clients, "client")}` +
            (options.rounds > 1 ? `, round ${round + 1}/${options.rounds}` : "");
          const result = await run(label, target.url, clients, options.messages, options.size);
          rounds[target.name].push(result);
          errorLog.push(...result.errors.map((e) => `${target.name}, ${clients} clients: ${e}`));
        }
      }
      for (const target of targets) {
        const chosen = median(rounds[target.name]);
        chosen.rounds = rounds[target.name].map((r) => r.perSecond);
        results.set(`${target.name} ${clients}`, chosen);
      }
    }
  } finally {
    await stopAll();
  }
  const xs = await xsFigures(options);

  const cpus = os.cpus();
  console.log(
    [
      `bench: ${options.messages} messages per client, ${options.size}-byte binary payloads, closed loop:`,
      "  each client sends its next message when the echo of the previous one has arrived.",
      "  msgs/s = echoes received by all clients / wall time from the first send to the last echo;",
      `  round trip = send to echo of each message. ${options.url ? "Clients and the ws server" : "Clients and servers"} on this machine`,
      `  (${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, Node ${process.version}, loopback),`,
      `  after a warm-up of ${warmup.clients} clients × ${warmup.messages} messages per server;`,
      options.rounds > 1
        ? `  ${options.rounds} rounds per client count, alternating which server goes first; median shown.`
        : "  1 round per client count.",
      `firmware: ${firmwareLabel}`,
      `ws:       ${WS_LABEL}`,
      "",
      [
        "clients".padStart(7),
        "server".padEnd(9),
        "msgs/s".padStart(8),
        ...["p50 ms", "p95 ms", "p99 ms", "errors"].map((h) => h.padStart(7)),
      ].join("  "),
    ].join("\n"),
  );
  for (const clients of options.clients) {
    for (const target of targets)
      console.log(row(target.name, results.get(`${target.name} ${clients}`)));
  }
  console.log("");
  const ratios = options.clients.map((clients) => {
    const f = results.get(`firmware ${clients}`).perSecond;
    const w = results.get(`ws ${clients}`).perSecond;
    return `${clients} client${clients === 1 ? "" : "s"} ${(f / w).toFixed(2)}×`;
  });
  console.log(`msgs/s ratio firmware/ws: ${ratios.join(", ")}`);
  console.log(`\n${"figures" in xs ? formatXsFigures(xs.figures).join("\n") : xs.skipped}`);
  if (errorLog.length) {
    console.log(`\nerrors (${errorLog.length}):`);
    for (const line of errorLog.slice(0, 20)) console.log(`  ${line}`);
  }
  if (options.out) {
    const figures = {
      version: FIGURES_VERSION,
      generated: new Date().toISOString(),
      parameters: {
        clients: options.clients,
        messages: options.messages,
        size: options.size,
        rounds: options.rounds,
        warmup,
        url: options.url,
        command: ["node tools/bench/bench.js", ...process.argv.slice(2)].join(" "),
      },
      servers: [
        { name: "firmware", label: firmwareLabel },
        { name: "ws", label: WS_LABEL },
      ],
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? "CPU",
        memoryBytes: os.totalmem(),
        platform: os.platform(),
        release: os.release(),
        arch: os.arch(),
        node: process.version,
      },
      results: options.clients.flatMap((clients) =>
        targets.map((target) => {
          const r = results.get(`${target.name} ${clients}`);
          return {
            server: target.name,
            clients,
            connected: r.connected,
            messages: r.messages,
            seconds: r.seconds,
            perSecond: r.perSecond,
            p50: r.p50,
            p95: r.p95,
            p99: r.p99,
            errors: r.errors.length,
            rounds: r.rounds,
            histogram: r.histogram,
          };
        }),
      ),
      errors: errorLog.slice(0, 200),
      ...("figures" in xs ? { xs: xs.figures } : {}),
    };
    const { json, html } = writeReport(options.out, figures);
    console.log(`\nreport: ${html}\nfigures: ${json}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
