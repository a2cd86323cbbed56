// The comparison's figures from a run's records (run.js): per observer the requests, the events
// seen, the bytes each way, the TCP connections and the latency, with the clock offset they rest on.
import { estimateOffset, hostTime } from "./clock.js";
import { pollLatencies, pushLatencies, summarize, tickTimes } from "./latency.js";

/** The observers, in the table's order: key, and the name the table gives each. */
export const OBSERVERS = [
  { key: "push", name: "WebSocket push" },
  { key: "newConnection", name: "HTTP polling, new connection" },
  { key: "keepAlive", name: "HTTP polling, keep-alive" },
];

/**
 * @param {{ window: { first: number, last: number }, push: object, newConnection: object,
 *   keepAlive: object }} run what runObservers resolved
 */
export function compareFigures(run) {
  const responses = [...run.newConnection.responses, ...run.keepAlive.responses];
  const clock = estimateOffset(responses);
  const made = tickTimes(responses);
  const madeAt = (tick) => (clock && made.has(tick) ? hostTime(made.get(tick), clock) : undefined);
  const events = run.window.last - run.window.first + 1;
  const rows = OBSERVERS.map(({ key, name }) => {
    const o = run[key];
    const { seen, latencies } =
      key === "push"
        ? pushLatencies(o.messages, run.window, madeAt)
        : pollLatencies(o.responses, run.window, madeAt);
    return {
      key,
      name,
      requests: o.requests,
      events,
      seen,
      bytesToServer: o.bytesToServer,
      bytesToClient: o.bytesToClient,
      connections: o.connections,
      reconnects: o.reconnects ?? 0,
      latency: summarize(latencies),
    };
  });
  return { window: run.window, clock, rows };
}
