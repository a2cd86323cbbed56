// Client-side measurements against any WebSocket echo URL: round trips of small messages, one
// large echo, idle connections. Figures only; nothing here asserts.
import WebSocket from "ws";
import { histogramOf } from "./histogram.js";

export function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Opens `count` connections and leaves them idle; returns a function that closes them. */
export async function idleClients(url, count) {
  const clients = [];
  for (let i = 0; i < count; i++) clients.push(await open(url));
  return async () => {
    await Promise.all(
      clients.map((ws) => new Promise((resolve) => (ws.once("close", resolve), ws.close()))),
    );
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Closed loop: `clients` connections, each sending `messages` binary messages of `size` bytes, the
 * next one when the echo of the previous one has arrived. Throughput is the echoes received by all
 * clients over the wall time from the first send to the last echo; round trip is send to echo.
 * A client that fails (connect, close, wrong echo, no echo within `timeoutMs`) stops and is
 * counted in `errors`; the others go on. `onProgress(done, total)` is called every 500 ms.
 * Returns the figures, with `histogram`: every round trip, in histogram.js's logarithmic bins.
 */
export async function closedLoop(
  url,
  { clients, messages, size, timeoutMs = 10_000, onProgress = () => {} },
) {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
  const errors = [];
  const sockets = [];
  for (let i = 0; i < clients; i += 10) {
    const batch = Math.min(10, clients - i);
    const opened = await Promise.allSettled(Array.from({ length: batch }, () => open(url)));
    for (const result of opened) {
      if (result.status === "fulfilled") sockets.push(result.value);
      else errors.push(`connect: ${result.reason?.message ?? result.reason}`);
    }
  }

  const times = new Float64Array(clients * messages);
  let done = 0;
  const progress = setInterval(() => onProgress(done, clients * messages), 500);
  const started = performance.now();
  await Promise.all(sockets.map((ws) => runClient(ws)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(progress);

  await Promise.all(sockets.map((ws) => closeQuietly(ws)));
  const sorted = times.subarray(0, done).sort();
  return {
    clients,
    connected: sockets.length,
    messages: done,
    seconds,
    perSecond: done / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    histogram: histogramOf(sorted),
    errors,
  };

  function runClient(ws) {
    return new Promise((resolve) => {
      let sent = 0;
      let sentAt = 0;
      let finished = false;
      const timer = setTimeout(() => finish(`no echo within ${timeoutMs} ms`), timeoutMs);
      const finish = (error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        ws.removeAllListeners("message");
        if (error) errors.push(`${error} (after ${sent - 1} echoes)`);
        resolve();
      };
      const next = () => {
        if (sent === messages) return finish();
        sent++;
        timer.refresh();
        sentAt = performance.now();
        ws.send(payload);
      };
      ws.on("message", (data) => {
        const roundTrip = performance.now() - sentAt;
        if (!payload.equals(data)) return finish(`wrong echo (${data.length} B)`);
        times[done++] = roundTrip;
        next();
      });
      ws.once("close", (code) => finish(`closed (${code})`));
      ws.on("error", (err) => finish(`error: ${err.message}`));
      next();
    });
  }
}

function closeQuietly(ws) {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (ws.terminate(), resolve()), 2000);
    ws.once("close", () => (clearTimeout(timer), resolve()));
    ws.close(1000);
  });
}
