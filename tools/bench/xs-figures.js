// The figures only the XS engine can give, and that do not depend on the machine: XS counts the
// work it does (compute, a count of what its interpreter ran) and the slots alive after a garbage
// collection, whatever the CPU, its load or the clock. Measured on a firmware instance of its own,
// with pings off so that only the work of the messages is counted (the server's once-a-second
// tick is counted apart, in timerCompute, and left out).
//
// Also the memory the board must have room for: live slots per idle client (and the share of
// them that is the platform layer's stand-in for the SDK's socket, which on the board is a host
// object with its state in C), and the peak of the buffers held and of the live slots under the
// loads of the memory-budget tests: every client slot echoing 1 MiB at once on /ws, and every
// client slot broadcasting a maxMessageSize message at once.
import { withPath } from "../wire/address.js";
import { fetchStatus } from "../wire/status-client.js";
import { connectTcp } from "../wire/tcp.js";
import { startFirmware } from "../platform/index.js";
import { closedLoop, idleClients, open, sleep } from "./measure.js";

const MiB = 1024 * 1024;
const SOCKET_FIXTURE = new URL(
  "../unit-tests/fixtures/platform-sockets/manifest.json",
  import.meta.url,
);

/** An XS slot on the ESP32, in bytes (the 64-bit host's take 32). */
export const BOARD_SLOT_BYTES = 16;

/** The compute of what `action` made the firmware do, the server's timer ticks left out. */
async function computeOf(firmware, action) {
  const before = await firmware.measure();
  await action();
  const after = await firmware.measure();
  return after.compute - before.compute - (after.timerCompute - before.timerCompute);
}

/** One echo of a binary message of `size` bytes on `ws`. */
function echoOnce(ws, size) {
  const payload = Buffer.alloc(size, 0x5a);
  return new Promise((resolve, reject) => {
    ws.once("message", (data) =>
      data.length === size ? resolve() : reject(new Error(`echo of ${data.length} B`)),
    );
    ws.send(payload);
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The server of a firmware instance, as the status client names it. */
function serverOf(firmware) {
  const url = new URL(firmware.url);
  return { host: url.hostname, port: firmware.port, replyTimeoutMs: 10_000 };
}

/** Live slots per TCP connection that the platform layer's socket stand-in holds. */
async function slotsPerPlatformSocket(count) {
  const fixture = await startFirmware({
    manifest: SOCKET_FIXTURE.pathname,
    overrides: ["port=0", "mode=hold"],
    engine: "xs",
    ready: /\b[a-z]+:\/\/\S+/,
  });
  try {
    const before = (await fixture.measure()).liveSlots;
    const sockets = [];
    for (let i = 0; i < count; i++) sockets.push(await connectTcp("127.0.0.1", fixture.port));
    await sleep(300);
    const after = (await fixture.measure()).liveSlots;
    for (const socket of sockets) socket.destroy();
    return (after - before) / count;
  } finally {
    await fixture.stop();
  }
}

/**
 * On an instance of its own (so that GET /status's peak is this load's): `clients` clients of
 * `path` each send one message of `size` bytes at once and wait for `expected` messages back.
 * The live slots are sampled meanwhile, as often as the engine answers.
 */
async function loadPeak({ clients, path, size, expected }) {
  const firmware = await startFirmware({
    engine: "xs",
    overrides: ["port=0", "pingInterval=0", `maxClients=${clients}`],
  });
  try {
    const url = withPath(firmware.url, path);
    const sockets = [];
    for (let i = 0; i < clients; i++) sockets.push(await open(url));
    const empty = (await firmware.measure()).liveSlots;
    let sampling = true;
    let mostSlots = 0;
    const sampler = (async () => {
      while (sampling) mostSlots = Math.max(mostSlots, (await firmware.measure()).liveSlots);
    })();
    const started = performance.now();
    await Promise.all(
      sockets.map(
        (ws, i) =>
          new Promise((resolve, reject) => {
            let got = 0;
            ws.on("message", () => ++got === expected && resolve());
            ws.once("close", () => reject(new Error(`client ${i} closed`)));
            ws.send(Buffer.alloc(size, i));
          }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    const { buffers } = await fetchStatus(serverOf(firmware));
    const { stackPeakSlots } = await firmware.measure();
    for (const ws of sockets) ws.terminate();
    return {
      clients,
      path,
      size,
      peakHeld: buffers.peak,
      limit: buffers.limit,
      empty,
      mostSlots,
      stackPeakSlots,
      seconds,
    };
  } finally {
    await firmware.stop();
  }
}

/**
 * @param {{ size?: number, messages?: number, clients?: number[], idle?: number, large?: number,
 *   rounds?: number, maxMessageSize?: number }} [options] maxMessageSize: the firmware's default
 */
export async function measureXsFigures({
  size = 125,
  messages = 200,
  clients = [1, 10],
  idle = 7,
  large = 65536,
  rounds = 3,
  maxMessageSize = 16384,
} = {}) {
  const most = Math.max(...clients, idle);
  const firmware = await startFirmware({
    engine: "xs",
    overrides: ["port=0", "pingInterval=0", `maxClients=${most}`],
    env: { MODDABLE_NODE_MAX_TCP: String(most + 4) },
  });
  try {
    const { engine } = await firmware.measure();
    // Live slots: none connected, then `idle` clients that opened and stay, then none again.
    const empty = (await firmware.measure()).liveSlots;
    const close = await idleClients(firmware.url, idle);
    await sleep(100);
    const withIdle = (await firmware.measure()).liveSlots;
    await close();
    await sleep(200);
    const afterwards = (await firmware.measure()).liveSlots;
    const perIdleClient = (withIdle - empty) / idle;

    const perMessage = [];
    for (const count of clients) {
      const runs = [];
      for (let round = 0; round < rounds; round++) {
        let result;
        const compute = await computeOf(firmware, async () => {
          result = await closedLoop(firmware.url, { clients: count, messages, size });
        });
        if (result.errors.length) throw new Error(`echo run: ${result.errors[0]}`);
        runs.push(compute / (count * messages));
        await sleep(200);
      }
      perMessage.push({ clients: count, compute: median(runs), runs });
    }

    /** The compute of echoing one message of `bytes`, each round on a new client. */
    const echoRuns = async (bytes) => {
      const runs = [];
      for (let round = 0; round < rounds; round++) {
        const ws = await open(firmware.url);
        runs.push(await computeOf(firmware, () => echoOnce(ws, bytes)));
        ws.close();
        await sleep(200);
      }
      return runs;
    };
    const streamedRuns = await echoRuns(MiB);
    const largeRuns = await echoRuns(large);
    const { stackSlots, stackPeakSlots } = await firmware.measure();
    await firmware.stop();
    const perSocket = await slotsPerPlatformSocket(idle);
    const loads = [
      await loadPeak({ clients: idle, path: "/ws", size: MiB, expected: 1 }),
      await loadPeak({ clients: idle, path: "/broadcast", size: maxMessageSize, expected: idle }),
    ];
    return {
      engine,
      size,
      messages,
      slots: {
        empty,
        withIdle,
        idle,
        afterwards,
        perIdleClient,
        perIdleClientBytes: perIdleClient * BOARD_SLOT_BYTES,
        perPlatformSocket: perSocket,
        perIdleClientFirmware: perIdleClient - perSocket,
      },
      perMessage,
      streamed: { size: MiB, compute: median(streamedRuns), runs: streamedRuns },
      large: { size: large, compute: median(largeRuns), runs: largeRuns },
      stack: { slots: stackSlots, peak: stackPeakSlots },
      loads,
    };
  } finally {
    await firmware.stop();
  }
}

/** The figures as the lines bench prints. */
export function formatXsFigures(figures) {
  const n = (value) => Math.round(value).toLocaleString("en-US");
  const { slots } = figures;
  return [
    `XS engine (${figures.engine}, an xsnap worker): figures counted by XS itself, the same on any`,
    "machine: compute is XS's count of the work its interpreter did (not time), live slots are",
    "counted after a garbage collection; pings off, the server's timer tick left out.",
    ...figures.perMessage.map(
      (row) =>
        `  compute per echoed message, ${figures.size} B binary, ${row.clients} client${row.clients === 1 ? "" : "s"} × ${figures.messages}:`.padEnd(
          62,
        ) + `${n(row.compute)}  (rounds: ${row.runs.map(n).join(", ")})`,
    ),
    `  compute of one ${figures.large.size} B binary echo:`.padEnd(62) +
      `${n(figures.large.compute)}  (rounds: ${figures.large.runs.map(n).join(", ")})`,
    `  live slots, no client: ${n(slots.empty)}; ${slots.idle} idle clients: ${n(slots.withIdle)}; after they left: ${n(slots.afterwards)}`,
    `  live slots per idle client: ${n(slots.perIdleClient)} = ${n(slots.perIdleClientBytes)} B on the board (${BOARD_SLOT_BYTES} B a slot)`,
    `    of which the platform layer's socket stand-in: ${n(slots.perPlatformSocket)}; the firmware's: ${n(slots.perIdleClientFirmware)} = ${n(slots.perIdleClientFirmware * BOARD_SLOT_BYTES)} B`,
    `  compute per streamed MiB (one ${figures.streamed.size} B echo on /ws):`.padEnd(62) +
      `${n(figures.streamed.compute)}  (rounds: ${figures.streamed.runs.map(n).join(", ")})`,
    `  XS stack: ${n(figures.stack.slots)} slots (creation.stack) = ${n(figures.stack.slots * BOARD_SLOT_BYTES)} B on the board; the most the firmware used in the echo runs: ${n(figures.stack.peak)}`,
    ...figures.loads.map(
      (load) =>
        `  ${load.clients} clients × ${n(load.size)} B at once to ${load.path}: peak held ${n(load.peakHeld)} B of ${n(load.limit)};` +
        ` live slots at most ${n(load.mostSlots - load.empty)} above the idle clients' = ${n((load.mostSlots - load.empty) * BOARD_SLOT_BYTES)} B on the board; stack ${n(load.stackPeakSlots)} slots at most; ${load.seconds.toFixed(1)} s`,
    ),
  ];
}
