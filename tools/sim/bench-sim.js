// npm run bench:sim: the firmware's speed and memory on real XS (Moddable simulator, instrumented
// build). Prints figures; asserts nothing. The simulator is stopped whatever happens.
import { freePort } from "./free-port.js";
import { buildForSimulator, launchSimulator, SdkMissing } from "./moddable.js";
import { closedLoop, idleClients, sleep } from "../bench/measure.js";

/** The instrumented simulator prints "instruments: a,b,…" every second, named by "instruments key:". */
function latestInstruments(output) {
  const key = /instruments key: (.*)/.exec(output)?.[1].split(",");
  const lines = [...output.matchAll(/^instruments: ([\d,]+)$/gm)];
  if (!key || !lines.length) return null;
  const values = lines.at(-1)[1].split(",").map(Number);
  return Object.fromEntries(key.map((name, i) => [name, values[i]]));
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

async function main() {
  const port = await freePort();
  // 8 idle clients: one more than maxClients allows by default (the simulator has no lwip limit).
  const app = buildForSimulator([`port=${port}`, "maxClients=8"], { instrument: true });
  const sim = await launchSimulator(app);
  process.once("SIGINT", () => sim.stop().then(() => process.exit(130)));
  try {
    const rows = [];
    const idle = await heapAfterIdle(sim);
    const closeAll = await idleClients(sim.url, 8);
    const busy = await heapAfterIdle(sim);
    await closeAll();
    if (idle && busy) {
      const perClient = (busy.total - idle.total) / 8;
      rows.push([
        "XS heap in use, 0 clients",
        `${idle.total} B (chunk ${idle.chunk}, slot ${idle.slot})`,
      ]);
      rows.push([
        "XS heap in use, 8 idle clients",
        `${busy.total} B (chunk ${busy.chunk}, slot ${busy.slot})`,
      ]);
      rows.push(["  per idle client", `${perClient.toFixed(0)} B`]);
    } else {
      rows.push(["XS heap", "not reported (no instruments lines in the simulator output)"]);
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

    const width = Math.max(...rows.map(([name]) => name.length));
    console.log("bench:sim (Moddable simulator, real XS, instrumented build, loopback)");
    for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
  } finally {
    await sim.stop();
  }
}

main().catch((error) => {
  console.error(`bench:sim: ${error.message}`);
  process.exit(error instanceof SdkMissing ? 2 : 1);
});
