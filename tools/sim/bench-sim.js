// npm run bench:sim: the firmware's speed and memory on real XS (Moddable simulator, instrumented
// build, the manifest's default settings). Prints figures; asserts nothing. The simulator is
// stopped whatever happens.
//
// The heap under load is the most "Chunk used" + "Slot used" of the instrument lines the
// simulator prints once a second while the load runs: a sample, so at least what the true peak was.
// The stack is the most "Stack used" of them (XS keeps the deepest the stack went in each second)
// against "Stack available": the manifest's creation.stack, in the 64-bit simulator's 32-byte slots.
import { withPath } from "../wire/address.js";
import { freePort } from "./free-port.js";
import { buildForSimulator, launchSimulator } from "./moddable.js";
import { closedLoop, idleClients, open, sleep } from "../bench/measure.js";

const KiB = 1024;

/** A slot of the 64-bit simulator, in bytes (the ESP32's take 16). */
const SIMULATOR_SLOT_BYTES = 32;

/** The instrumented simulator prints "instruments: a,b,…" every second, named by "instruments key:". */
function latestInstruments(output) {
  return allInstruments(output).at(-1) ?? null;
}

async function heapAfterIdle(sim) {
  await sleep(2500); // at least two instrument samples after the last change
  const figures = latestInstruments(sim.output());
  if (!figures) return null;
  return {
    chunk: figures["Chunk used"],
    slot: figures["Slot used"],
    total: figures["Chunk used"] + figures["Slot used"],
    gcs: figures["Garbage collections"],
  };
}

/** Every instrument line printed so far, as objects. */
function allInstruments(output) {
  const key = /instruments key: (.*)/.exec(output)?.[1].split(",");
  if (!key) return [];
  return [...output.matchAll(/^instruments: ([\d,]+)$/gm)].map((line) => {
    const values = line[1].split(",").map(Number);
    return Object.fromEntries(key.map((name, i) => [name, values[i]]));
  });
}

/**
 * `clients` clients of `path` each send one binary message of `size` bytes at once and wait for
 * `expected` messages back (or their close). Resolves with the most heap in use seen meanwhile
 * (and its chunk part) and how the clients ended.
 */
async function loadHeap(sim, { clients, path, size, expected }) {
  const url = withPath(sim.url, path);
  const sockets = [];
  for (let i = 0; i < clients; i++) sockets.push(await open(url));
  await sleep(1500);
  const from = allInstruments(sim.output()).length;
  const outcomes = await Promise.all(
    sockets.map(
      (ws, i) =>
        new Promise((resolve) => {
          let got = 0;
          ws.on("message", () => ++got === expected && resolve("all"));
          ws.once("close", (code) => resolve(`closed ${code}`));
          ws.send(Buffer.alloc(size, i));
        }),
    ),
  );
  await sleep(1100); // the sample after the last message
  let most = null;
  let stack = 0;
  for (const figures of allInstruments(sim.output()).slice(from)) {
    const total = figures["Chunk used"] + figures["Slot used"];
    if (!most || total > most.total) most = { total, chunk: figures["Chunk used"] };
    stack = Math.max(stack, figures["Stack used"] / SIMULATOR_SLOT_BYTES);
  }
  for (const ws of sockets) ws.terminate();
  await sleep(1500);
  const counts = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  const ended = Object.entries(counts).map(
    ([what, n]) => `${n} ${what === "all" ? "got all" : what}`,
  );
  return { most, stack, ended: ended.join(", ") };
}

/** The loads of the table in README's Memory section. */
const LOADS = [
  {
    name: "1 client, one 64 KiB message to /ws",
    clients: 1,
    path: "/ws",
    size: 64 * KiB,
    expected: 1,
  },
  {
    name: "2 clients, 64 KiB each at once, /ws",
    clients: 2,
    path: "/ws",
    size: 64 * KiB,
    expected: 1,
  },
  {
    name: "7 clients, 64 KiB each at once, /ws",
    clients: 7,
    path: "/ws",
    size: 64 * KiB,
    expected: 1,
  },
  {
    name: "7 clients, 16 KiB each at once, /broadcast",
    clients: 7,
    path: "/broadcast",
    size: 16 * KiB,
    expected: 7,
  },
];

async function main() {
  const port = await freePort();
  const app = await buildForSimulator([`port=${port}`], { instrument: true });
  const sim = await launchSimulator(app);
  process.once("SIGINT", () => sim.stop().then(() => process.exit(130)));
  try {
    const rows = [];
    const idle = await heapAfterIdle(sim);
    const closeAll = await idleClients(sim.url, 7);
    const busy = await heapAfterIdle(sim);
    await closeAll();
    if (idle && busy) {
      const perClient = (busy.total - idle.total) / 7;
      rows.push([
        "XS heap in use, 0 clients",
        `${idle.total} B (chunk ${idle.chunk}, slot ${idle.slot})`,
      ]);
      rows.push([
        "XS heap in use, 7 idle clients",
        `${busy.total} B (chunk ${busy.chunk}, slot ${busy.slot})`,
      ]);
      rows.push(["  per idle client", `${perClient.toFixed(0)} B`]);
    } else {
      rows.push(["XS heap", "not reported (no instruments lines in the simulator output)"]);
    }
    for (const load of LOADS) {
      const { most, stack, ended } = await loadHeap(sim, load);
      const heap = most ? `${most.total} B at most (chunk ${most.chunk})` : "not reported";
      rows.push([load.name, `${heap}; stack ${stack} slots at most; ${ended}`]);
    }
    const echoes = await closedLoop(sim.url, {
      clients: 1,
      messages: 1000,
      size: 16,
      onProgress: (done, total) => process.stderr.write(`\r  echo ${done}/${total}`),
    });
    process.stderr.write("\n");
    rows.push(["1000 × 16 B echo, sequential", `${echoes.perSecond.toFixed(0)} msg/s`]);
    rows.push(["  round trip p50 / p99", `${echoes.p50.toFixed(2)} / ${echoes.p99.toFixed(2)} ms`]);
    const large = await closedLoop(sim.url, { clients: 1, messages: 1, size: 65536 });
    rows.push(["one 64 KiB binary echo", `${(large.seconds * 1000).toFixed(0)} ms`]);
    for (const error of [...echoes.errors, ...large.errors]) rows.push(["  error", error]);
    const samples = allInstruments(sim.output());
    if (samples.length) {
      const size = samples[0]["Stack available"] / SIMULATOR_SLOT_BYTES;
      const most =
        Math.max(...samples.map((figures) => figures["Stack used"])) / SIMULATOR_SLOT_BYTES;
      rows.push([
        "XS stack, the most used in the run",
        `${most} of ${size} slots (creation.stack)`,
      ]);
    }

    const width = Math.max(...rows.map(([name]) => name.length));
    console.log("bench:sim (Moddable simulator, real XS, instrumented build, loopback)");
    for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
  } finally {
    await sim.stop();
  }
}

main().catch((error) => {
  console.error(`bench:sim: ${error.message}`);
  process.exit(1); // no SDK, or it failed: 2 is for usage errors only
});
