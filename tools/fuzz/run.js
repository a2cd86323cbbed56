// The fuzz loop: iterations on a few connections at once, a bystander that must keep echoing,
// liveness checks, and the report. Used by `npm run fuzz` (fuzz.js) and host-tests/fuzz.test.js.
import { mkdirSync, writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { fetchStatus } from "../wire/status-client.js";
import { Bystander } from "./bystander.js";
import { fanOut } from "./fan-out.js";
import { runIteration, stalledClientMs } from "./connection.js";
import { buildCase } from "./mutators.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const FAILURE_DIR = `${REPO_ROOT}test-results/fuzz`;

/** TCP connections of the ESP32 build (CONFIG_LWIP_MAX_ACTIVE_TCP) and the platform layer. */
const TCP_SLOTS = 8;

/** Settings GET /status does not report, at the firmware's defaults. */
const FIRMWARE_DEFAULTS = {
  maxMessageSize: 16384,
  maxHeaderSize: 4096,
  maxFrames: 1024,
  maxBuffered: 40960,
  sendTimeout: 5000,
  closeTimeout: 1000,
  requestTimeout: 5000,
  maxPingRate: 20,
  pingInterval: 20000,
  pingTimeout: 10000,
  maxClients: 7,
};

/** The endpoints of the firmware that take messages whole (within maxMessageSize and maxFrames). */
const FIRMWARE_WHOLE_PATHS = ["/broadcast", "/api"];

/**
 * The target's limits: from GET /status on the firmware; for another server (the reference
 * `ws` server), what a generic RFC 6455 server may do. `maxMessageSize` and `maxFrames` bound
 * the messages of the endpoints that take them whole.
 */
export async function targetLimits(t, { firmware, maxMessageSize = 65536 }) {
  if (!firmware) {
    return {
      maxMessageSize,
      maxHeaderSize: 8192, // Node's default: a refusal above it is fine, below it either is
      maxFrames: Infinity,
      closeTimeout: 1000,
      requestTimeout: 0,
      maxPingRate: 0,
      pingInterval: 0,
      pingTimeout: Infinity,
      maxClients: Infinity,
    };
  }
  const { limits = {} } = await fetchStatus(t);
  const numbers = { ...FIRMWARE_DEFAULTS };
  for (const [key, value] of Object.entries(limits)) {
    if (Number.isFinite(Number(value))) numbers[key] = Number(value);
  }
  return numbers;
}

/**
 * Runs the fuzzer.
 * @param {object} o
 * @param {string} o.host
 * @param {number} o.port
 * @param {string} o.path the echo endpoint (/ws)
 * @param {boolean} o.firmware this firmware (firmware checks, /status) or another server
 * @param {string} [o.kind] "platform", "sim", "board", "reference"… (payload sizes, timing)
 * @param {string[]} [o.wholePaths] the endpoints besides `path` that take messages whole, within
 *   maxMessageSize (default: the firmware's /broadcast and /api; none for another server)
 * @param {number} [o.maxMessageSize] another server's largest message on `wholePaths`
 * @param {number} [o.echoLimit] another server's largest message on `path` (default:
 *   maxMessageSize); the firmware's /ws streams, so it has none
 * @param {number} o.seed
 * @param {number} o.iterations most iterations
 * @param {number} o.seconds time budget (no iteration starts after it)
 * @param {number[]} [o.only] run just these iterations
 * @param {number} [o.concurrency] connections at once (bounded by the target's limits)
 * @param {number} [o.replyTimeoutMs]
 * @param {object} [o.limits] overrides targetLimits
 * @param {() => void} [o.checkAlive] throws when the target (its process) has died
 * @param {(line: string) => void} [o.progress] a progress line, now and then
 * @param {number} [o.bystanderEvery] iterations between bystander checks
 * @param {number} [o.fanOutEvery] iterations between fan-out rounds on the endpoints that send
 *   to all their clients (fan-out.js), run while no iteration is (default: none)
 * @param {boolean} [o.keepGoing] go on after a failure (default: stop at the first)
 * @param {boolean} [o.verbose] report every iteration run (with --only)
 * @param {boolean} [o.strict] false accepts the two issues of older firmware (--lenient)
 * @param {(line: string) => void} [o.log]
 */
export async function runFuzz(o) {
  const replyTimeoutMs = o.replyTimeoutMs ?? 3000;
  const t = { host: o.host, port: o.port, path: o.path, replyTimeoutMs };
  const limits = { ...(await targetLimits(t, o)), ...o.limits };
  const slots = o.firmware ? Math.min(limits.maxClients - 1, TCP_SLOTS - 3) : TCP_SLOTS - 3;
  const concurrency = Math.max(1, Math.min(o.concurrency ?? 4, slots));
  const wholePaths = o.wholePaths ?? (o.firmware ? FIRMWARE_WHOLE_PATHS : []);
  const ctx = {
    host: o.host,
    port: o.port,
    path: o.path,
    firmware: o.firmware,
    kind: o.kind ?? (o.firmware ? "platform" : "reference"),
    endpoints: [o.path, ...wholePaths],
    wholePaths,
    limits,
    echoLimits: echoLimits(o, limits),
    maxMessageSize: limits.maxMessageSize,
    maxHeaderSize: limits.maxHeaderSize,
    maxFrames: limits.maxFrames,
    replyTimeoutMs,
    strict: Boolean(o.strict),
  };
  const url = `ws://${o.host.includes(":") ? `[${o.host}]` : o.host}:${o.port}${o.path}`;
  const log = o.log ?? (() => {});
  const summary = {
    seed: o.seed,
    concurrency,
    iterations: 0,
    connections: 0,
    ms: 0,
    http: new Map(),
    close: new Map(),
    knownIssues: new Map(),
    failures: [],
    bystanderChecks: 0,
    fanOuts: { rounds: 0, resets: 0, messages: 0, paths: new Map() },
    retries: 0,
    limits,
  };
  // How long connections the server is still closing may keep its TCP connections taken.
  const slotWaitMs = stalledClientMs(limits) + limits.closeTimeout + 2 * replyTimeoutMs;
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  const list = o.only?.length ? [...o.only] : null;
  const total = list ? list.length : o.iterations;
  let nextIndex = 0;
  let stop = false;
  const inFlight = new Set();

  const fail = (failure) => {
    summary.failures.push(failure);
    if (!o.keepGoing) stop = true;
  };

  const bystander = await Bystander.open(url, replyTimeoutMs);
  let bystanderId = null;
  try {
    await bystander.check("at the start");
    if (o.firmware) {
      const status = await fetchStatus(t);
      const clients = status.clients ?? [];
      bystanderId = clients.filter((c) => c.path === o.path).at(-1)?.id ?? null;
      if (clients.length !== 1)
        log(
          `fuzz: note: /status lists ${clients.length} clients at the start (expected the bystander alone)`,
        );
    }

    let checking = null;
    const checkBystander = (label) => {
      if (checking) return checking;
      checking = bystander
        .check(label)
        .then(
          () => summary.bystanderChecks++,
          (error) =>
            fail({
              iteration: null,
              problems: [
                `${error.message} (${label}; iterations in flight: ${[...inFlight].join(", ") || "none"})`,
              ],
            }),
        )
        .finally(() => (checking = null));
      return checking;
    };

    // A fan-out round runs alone: the workers start no iteration meanwhile.
    const fanOutPaths = wholePaths.filter((path) => path === "/broadcast" || path === "/api");
    let pause = null;
    const fanOutRound = async () => {
      while (inFlight.size) await delay(10);
      const round = summary.fanOuts.rounds++;
      const result = await fanOut({
        origin: url.slice(0, -o.path.length),
        path: fanOutPaths[round % fanOutPaths.length],
        seed: o.seed,
        round,
        timeoutMs: replyTimeoutMs,
      });
      summary.fanOuts.resets += result.resets;
      summary.fanOuts.messages += result.messages;
      count(summary.fanOuts.paths, result.path);
      if (result.problems.length) fail({ iteration: null, problems: result.problems });
      pause = null;
    };

    const worker = async () => {
      for (;;) {
        while (pause) await pause;
        if (stop || performance.now() >= deadline || nextIndex >= total) return;
        const n = list ? list[nextIndex++] : nextIndex++;
        inFlight.add(n);
        const testCase = buildCase(o.seed, n, ctx);
        let result = await runIteration(testCase, ctx);
        summary.connections++;
        for (const retryBy = performance.now() + slotWaitMs; refusedForSlots(result, ctx);) {
          if (performance.now() >= retryBy) break;
          summary.retries++;
          await delay(SLOT_RETRY_MS);
          result = await runIteration(testCase, ctx);
          summary.connections++;
        }
        inFlight.delete(n);
        summary.iterations++;
        count(summary.http, result.http);
        if (result.http === "101") count(summary.close, result.close);
        if (result.knownIssue) {
          count(summary.knownIssues, result.knownIssue);
          summary.knownIssueExample ??= n;
        }
        let problems = result.problems;
        try {
          o.checkAlive?.();
        } catch (error) {
          problems = [
            ...problems,
            `the target died: ${error.message} (iterations in flight: ${[n, ...inFlight].join(", ")})`,
          ];
        }
        if (problems.length) fail(failureRecord(testCase, { ...result, problems }, o));
        else if (o.verbose) log(describeCase(testCase, result));
        if (o.bystanderEvery && summary.iterations % o.bystanderEvery === 0)
          await checkBystander(`after iteration ${n}`);
        if (o.fanOutEvery && fanOutPaths.length && summary.iterations % o.fanOutEvery === 0)
          pause ??= fanOutRound();
        o.progress?.(progressLine(summary, total, started, o.seconds));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
    await checking;

    // The end: the bystander still echoes, a new client connects and echoes, and the server's
    // registry is back to the bystander alone.
    const endProblems = [];
    await bystander.check("at the end").then(
      () => summary.bystanderChecks++,
      (error) => endProblems.push(error.message),
    );
    try {
      const fresh = await Bystander.open(url, replyTimeoutMs);
      await fresh.check("(a new client at the end)").finally(() => fresh.close());
    } catch (error) {
      endProblems.push(`a new client at the end: ${error.message}`);
    }
    if (o.firmware) {
      const waitMs =
        limits.pingInterval + limits.pingTimeout + limits.closeTimeout + 2 * replyTimeoutMs;
      const alone = await waitForRegistry(
        t,
        (clients) =>
          clients.length === 1 && (bystanderId === null || clients[0].id === bystanderId),
        waitMs,
      );
      if (!alone.ok)
        endProblems.push(
          `GET /status did not show the bystander alone within ${waitMs} ms: ${alone.what}`,
        );
    }
    try {
      o.checkAlive?.();
    } catch (error) {
      endProblems.push(`the target died: ${error.message}`);
    }
    if (endProblems.length) summary.failures.push({ iteration: null, problems: endProblems });
  } finally {
    await bystander.close();
    if (o.firmware) await waitForRegistry(t, (clients) => clients.length === 0, 2 * replyTimeoutMs);
  }
  summary.ms = performance.now() - started;
  summary.stoppedEarly = summary.iterations < total && !summary.failures.length;
  return summary;
}

/**
 * The bounds on a message to the echo endpoint: none on the firmware, whose /ws echoes each part
 * as it arrives (firmware that reports maxQueued, built before /ws streamed, takes its messages
 * whole, within maxMessageSize and maxFrames); another server's, `o.echoLimit` bytes.
 */
function echoLimits(o, limits) {
  if (o.firmware && typeof limits.maxQueued !== "number")
    return { maxMessageSize: Infinity, maxFrames: Infinity };
  return {
    maxMessageSize: (!o.firmware && o.echoLimit) || limits.maxMessageSize,
    maxFrames: limits.maxFrames,
  };
}

function count(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function waitForRegistry(t, predicate, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  let what;
  for (;;) {
    try {
      const status = await fetchStatus(t, { timeoutMs: Math.max(500, t.replyTimeoutMs) });
      const clients = status.clients ?? [];
      if (predicate(clients)) return { ok: true };
      what = `${clients.length} client(s): ${clients.map((c) => `#${c.id} ${c.path} from ${c.remoteAddress}`).join("; ")}`;
    } catch (error) {
      what = `GET /status failed: ${error.message}`;
    }
    if (performance.now() >= deadline) return { ok: false, what };
    await delay(50);
  }
}

function progressLine(summary, total, started, seconds) {
  const elapsed = (performance.now() - started) / 1000;
  return `fuzz: ${summary.iterations}/${total} iterations, ${elapsed.toFixed(0)}/${seconds} s, ${summary.concurrency} at once, ${summary.failures.length} failure(s)`;
}

// ---- reports ------------------------------------------------------------------------------------

function failureRecord(testCase, result, o) {
  return { ...result, case: testCase, replay: `--seed ${o.seed} --only ${testCase.iteration}` };
}

/** A hex dump: offset, 16 bytes in hex, the printable ones as text; long buffers cut. */
export function hexdump(buf, max = 512) {
  const lines = [];
  const shown = buf.subarray(0, max);
  for (let i = 0; i < shown.length; i += 16) {
    const row = shown.subarray(i, i + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const text = row.toString("latin1").replace(/[^\x20-\x7e]/g, ".");
    lines.push(`    ${i.toString(16).padStart(6, "0")}  ${hex.padEnd(47)}  ${text}`);
  }
  if (buf.length > max) lines.push(`    … ${buf.length - max} more bytes (${buf.length} in all)`);
  return lines.join("\n");
}

function describeCase(testCase, result) {
  const lines = [
    `iteration ${testCase.iteration}: ${testCase.path}; request: ${testCase.requestNotes.join("; ") || "valid"}`,
    `  frames: ${testCase.frameNotes.join("; ") || "none"}`,
    `  ending: ${testCase.ending.wait ? "wait, then " : ""}${testCase.ending.action}; writes: ${testCase.requestWrites.length} (request${testCase.pipelinedBytes ? ` + ${testCase.pipelinedBytes} bytes of frames` : ""}) + ${testCase.frameWrites.length}`,
    `  answer: HTTP ${result.http}${result.http === "101" ? `, close ${result.close}` : ""}; request verdict ${result.verdict}${result.violation ? `; model: ${result.violation}` : ""}${result.notes.length ? `; ${result.notes.join("; ")}` : ""} (${result.ms.toFixed(0)} ms)`,
  ];
  return lines.join("\n");
}

/** The failure as text: what was wrong, the case, every write, what came back. */
export function formatFailure(failure, { replayPrefix = "npm run fuzz --", maxBytes = 256 } = {}) {
  if (!failure.case) return `FAILURE: ${failure.problems.join("\n         ")}`;
  const lines = [
    `FAILURE in iteration ${failure.iteration} (seed ${failure.case.seed}): ${failure.problems[0]}`,
    ...failure.problems.slice(1).map((p) => `  also: ${p}`),
    describeCase(failure.case, failure),
    `  replay: ${replayPrefix} ${failure.replay}`,
    `  sent (${failure.sent.length} writes):`,
  ];
  for (const write of failure.sent) {
    lines.push(`   +${write.at.toFixed(1)} ms, ${write.why}, ${write.bytes.length} bytes:`);
    lines.push(hexdump(write.bytes, maxBytes));
  }
  lines.push(
    `  received (${failure.received.length} bytes):`,
    hexdump(failure.received, maxBytes * 2),
  );
  return lines.join("\n");
}

/** Writes the failure's exact bytes (hex) to test-results/fuzz/; returns the file's path. */
export function saveFailure(failure, dir = FAILURE_DIR) {
  if (!failure.case) return null;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/seed-${failure.case.seed}-iteration-${failure.iteration}.json`;
  const data = {
    seed: failure.case.seed,
    iteration: failure.iteration,
    replay: failure.replay,
    problems: failure.problems,
    request: failure.case.requestNotes,
    frames: failure.case.frameNotes,
    ending: failure.case.ending,
    sent: failure.sent.map((w) => ({
      atMs: Number(w.at.toFixed(1)),
      why: w.why,
      hex: w.bytes.toString("hex"),
    })),
    received: failure.received.toString("hex"),
  };
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** Pause before an iteration reset for want of a TCP connection runs again. */
const SLOT_RETRY_MS = 200;

/**
 * True when the firmware reset the connection before answering anything: what a board (8 TCP
 * connections) and the platform layer do to a connection beyond the last free one. Connections
 * the server is still closing count (a client that sent FIN while bytes waited for it is closed
 * only after sendTimeout and closeTimeout), so the fuzzer's own few at once may find none free.
 */
function refusedForSlots(result, ctx) {
  if (!ctx.firmware || result.received.length > 0 || result.problems.length !== 1) return false;
  return /(could not connect|closed the connection without answering).*ECONNRESET/.test(
    result.problems[0],
  );
}

/** The summary: iterations, seed, connections, what the server answered, failures. */
export function formatSummary(summary, { target = "", replayPrefix = "npm run fuzz --" } = {}) {
  const sorted = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ×${v}`)
      .join(", ") || "none";
  const lines = [
    `fuzz: ${summary.iterations} iterations, seed ${summary.seed}, ${(summary.ms / 1000).toFixed(1)} s${target ? `, ${target}` : ""}`,
    `  connections: ${summary.connections} fuzz connections, ${summary.concurrency} at once, plus the bystander (${summary.bystanderChecks} echo checks) and a new client at the end`,
    ...(summary.retries
      ? [
          `  retried: ${summary.retries} connections reset before any answer while the server's TCP connections were all taken (some still closing)`,
        ]
      : []),
    ...(summary.fanOuts.rounds
      ? [
          `  fan-out rounds: ${summary.fanOuts.rounds} (${sorted(summary.fanOuts.paths)}): ${summary.fanOuts.messages} messages sent to all while ${summary.fanOuts.resets} clients reset`,
        ]
      : []),
    `  HTTP answers: ${sorted(summary.http)}`,
    `  server close codes after a 101: ${sorted(summary.close)}   ("-": the client ended first)`,
    `  failures: ${summary.failures.length}`,
  ];
  if (summary.knownIssues.size)
    lines.splice(
      -1,
      0,
      `  issues of older firmware (accepted with --lenient): ${sorted(summary.knownIssues)}, first in iteration ${summary.knownIssueExample}`,
    );
  for (const failure of summary.failures) {
    lines.push(
      failure.case
        ? `    iteration ${failure.iteration}: ${failure.problems[0]}\n      replay: ${replayPrefix} ${failure.replay}`
        : `    ${failure.problems.join("\n    ")}`,
    );
  }
  return lines.join("\n");
}
