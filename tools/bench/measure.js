// Client-side measurements against any WebSocket echo URL: round trips of small messages, one
// large echo, idle connections. Figures only; nothing here asserts.
import WebSocket from "ws";

export function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function echoOnce(ws, payload) {
  return new Promise((resolve, reject) => {
    const onMessage = (data) => {
      ws.off("close", onClose);
      if (data.length !== payload.length)
        reject(new Error(`echo of ${data.length} B, sent ${payload.length} B`));
      else resolve();
    };
    const onClose = (code) => reject(new Error(`closed (${code}) while waiting for an echo`));
    ws.once("message", onMessage);
    ws.once("close", onClose);
    ws.send(payload);
  });
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `count` messages of `size` bytes, one at a time: each waits for the previous echo. */
export async function sequentialEchoes(url, { count, size, onProgress = () => {} }) {
  const ws = await open(url);
  const payload = Buffer.alloc(size, 0x61).toString();
  const times = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await echoOnce(ws, payload);
    times.push(performance.now() - t0);
    onProgress(i + 1, count);
  }
  const seconds = (performance.now() - started) / 1000;
  ws.close();
  times.sort((a, b) => a - b);
  return {
    messages: count,
    perSecond: count / seconds,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
  };
}

/** Time for one binary message of `size` bytes to come back whole. */
export async function largeEcho(url, size) {
  const ws = await open(url);
  const payload = Buffer.alloc(size, 7);
  const t0 = performance.now();
  await echoOnce(ws, payload);
  const ms = performance.now() - t0;
  ws.close();
  return ms;
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
