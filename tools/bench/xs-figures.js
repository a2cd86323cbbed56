// The figures only the XS engine can give, and that do not depend on the machine: XS counts the
// work it does (compute, a count of what its interpreter ran) and the slots alive after a garbage
// collection, whatever the CPU, its load or the clock. Measured on a firmware instance of its own,
// with pings off so that only the work of the messages is counted (the server's once-a-second
// tick is counted apart, in timerCompute, and left out).
import { startFirmware } from "../platform/index.js";
import { closedLoop, idleClients, open, sleep } from "./measure.js";

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

/**
 * @param {{ size?: number, messages?: number, clients?: number[], idle?: number, large?: number,
 *   rounds?: number }} [options]
 */
export async function measureXsFigures({
  size = 125,
  messages = 200,
  clients = [1, 10],
  idle = 7,
  large = 65536,
  rounds = 3,
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

    const largeRuns = [];
    for (let round = 0; round < rounds; round++) {
      const ws = await open(firmware.url);
      largeRuns.push(await computeOf(firmware, () => echoOnce(ws, large)));
      ws.close();
      await sleep(200);
    }
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
      },
      perMessage,
      large: { size: large, compute: median(largeRuns), runs: largeRuns },
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
  ];
}
