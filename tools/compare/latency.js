// What each observer learnt of ticks `first`…`last` and how late: pure functions of the times
// recorded (host ms) and the ticks' making (server uptime, from GET /tick responses).
import { percentile } from "../bench/measure.js";

/** Tick n → the server's uptime when it was made (`at`), from GET /tick responses. */
export function tickTimes(responses) {
  const times = new Map();
  for (const { tick, at } of responses) {
    if (tick >= 1 && Number.isFinite(at) && !times.has(tick)) times.set(tick, at);
  }
  return times;
}

const inWindow = (tick, { first, last }) => tick >= first && tick <= last;

/**
 * The push observer: `messages` [{ tick, received }]; `madeAt(n)` the host time tick n was made,
 * or undefined when no response showed its `at` (then it has no latency).
 * @returns {{ seen: number, latencies: number[] }} latencies sorted, one per tick that has both
 */
export function pushLatencies(messages, window, madeAt) {
  const firstReceipt = new Map();
  for (const { tick, received } of messages) {
    if (inWindow(tick, window) && !firstReceipt.has(tick)) firstReceipt.set(tick, received);
  }
  const latencies = [];
  for (const [tick, received] of firstReceipt) {
    const made = madeAt(tick);
    if (Number.isFinite(made)) latencies.push(received - made);
  }
  return { seen: firstReceipt.size, latencies: latencies.sort((a, b) => a - b) };
}

/**
 * A poller: `responses` [{ tick, received }]. Tick n's latency is the receipt of the first
 * response showing a tick ≥ n, less tick n's making; when that response shows a later tick, the
 * poller never saw n (missed: no latency).
 * @returns {{ seen: number, latencies: number[] }}
 */
export function pollLatencies(responses, window, madeAt) {
  const sorted = [...responses].sort((a, b) => a.received - b.received);
  const latencies = [];
  let seen = 0;
  let i = 0;
  for (let tick = window.first; tick <= window.last; tick++) {
    while (i < sorted.length && sorted[i].tick < tick) i++;
    if (i === sorted.length) break;
    if (sorted[i].tick !== tick) continue; // skipped between two polls
    seen++;
    const made = madeAt(tick);
    if (Number.isFinite(made)) latencies.push(sorted[i].received - made);
  }
  return { seen, latencies: latencies.sort((a, b) => a - b) };
}

/** p50 and p99 of sorted latencies, and how many there are. */
export function summarize(latencies) {
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    count: latencies.length,
  };
}
