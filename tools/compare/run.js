// One comparison run: the three observers (observers.js) at once against one server, until each
// has learnt of `events` ticks made after they were all up, then stopped together, so that every
// figure covers the same span.
import { setTimeout as sleep } from "node:timers/promises";
import { poller, pushObserver } from "./observers.js";

/**
 * @param {{ host: string, port: number, token?: string, events: number, tickMs: number,
 *   intervalMs: number, onProgress?: (latest: Record<string, number>, window: {first: number,
 *   last: number}) => void }} options
 * @returns {Promise<{ window: { first: number, last: number }, atDeadline: boolean,
 *   push: object, newConnection: object, keepAlive: object }>} each observer's figures
 *   (requests, connections, bytes each way, reconnects) and what it recorded (messages or
 *   responses); rejects at the first error of any observer
 */
export async function runObservers({
  host,
  port,
  token,
  events,
  tickMs,
  intervalMs,
  onProgress = () => {},
}) {
  let failed;
  const failure = new Promise((_, reject) => (failed = reject));
  failure.catch(() => {}); // raced below; an error before the race is not unhandled
  let window = null;
  let finished;
  const allSeen = new Promise((resolve) => (finished = resolve));
  const latest = { push: 0, newConnection: 0, keepAlive: 0 };
  const saw = (key, tick) => {
    latest[key] = Math.max(latest[key], tick);
    if (!window) return;
    onProgress({ ...latest }, window);
    if (Object.values(latest).every((t) => t >= window.last)) finished();
  };
  const fail = (error) => failed(error);
  const observers = {};
  try {
    observers.push = pushObserver({ host, port, token, onTick: (t) => saw("push", t), fail });
    await Promise.race([observers.push.ready, failure]);
    for (const key of ["newConnection", "keepAlive"]) {
      observers[key] = poller({
        host,
        port,
        keepAlive: key === "keepAlive",
        intervalMs,
        onResponse: (r) => saw(key, r.tick),
        fail,
      });
    }
    await Promise.race([
      Promise.all([observers.newConnection.ready, observers.keepAlive.ready]),
      failure,
    ]);
    // Every tick after the latest any observer has seen was made with all three up.
    const made = Math.max(...Object.values(latest));
    window = { first: made + 1, last: made + events };
    const deadline = events * tickMs + 2.5 * intervalMs + 5000;
    const outcome = await Promise.race([
      allSeen.then(() => "done"),
      sleep(deadline, "deadline", { ref: false }),
      failure,
    ]);
    const figures = await stopAll(observers);
    return { window, atDeadline: outcome === "deadline", ...figures };
  } catch (error) {
    await stopAll(observers).catch(() => {});
    throw error;
  }
}

/** Stops the observers together; resolves their figures by key. */
async function stopAll(observers) {
  const keys = Object.keys(observers);
  const figures = await Promise.all(keys.map((key) => observers[key].stop()));
  return Object.fromEntries(keys.map((key, i) => [key, figures[i]]));
}
