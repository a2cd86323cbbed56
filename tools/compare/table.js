// The comparison as text: the table of figures.js's rows, and what its figures mean.
import { formatCount } from "../bench/charts.js";

/** The table's columns after the client's name: title, and the cell of a row. */
export const COLUMNS = [
  ["requests", (r) => formatCount(r.requests)],
  ["events seen", (r) => `${r.seen}/${r.events}`],
  ["bytes to server", (r) => formatCount(r.bytesToServer)],
  ["bytes to client", (r) => formatCount(r.bytesToClient)],
  ["TCP connections", (r) => formatCount(r.connections)],
  ["latency p50 / p99 (n)", (r) => formatLatency(r.latency)],
];

/** "0.4 / 1.2 ms (20)": p50 and p99, and the events they were measured on. */
export function formatLatency({ p50, p99, count }) {
  if (!count) return "- (0)";
  return `${p50.toFixed(1)} / ${p99.toFixed(1)} ms (${count})`;
}

/** The table's lines: a heading row, then one row per observer. */
export function formatTable(rows) {
  const widths = COLUMNS.map(([title, cell]) =>
    Math.max(title.length, ...rows.map((r) => cell(r).length)),
  );
  const line = (name, cells) =>
    `  ${name.padEnd(30)}${cells.map((c, i) => c.padStart(widths[i])).join("   ")}`;
  return [
    line(
      "",
      COLUMNS.map(([title]) => title),
    ),
    ...rows.map((r) =>
      line(
        r.name,
        COLUMNS.map(([, cell]) => cell(r)),
      ),
    ),
  ];
}

/** What the figures mean, in a few lines (what a reader of the table needs, no more). */
export function explain({ clock, rows }, { intervalMs }) {
  const lines = [
    "bytes: TCP payload, counted on each socket: HTTP requests and responses with their headers; the",
    "  WebSocket's upgrade and every frame both ways (pings, pongs and the close included). Not TCP/IP",
    "  headers: each connection also costs a handshake of 3 segments and a close of 4, not counted.",
    `latency (n): from the tick's making on the server to the client's learning of it, p50 / p99 over n`,
    "  events. A poller learns of an event at its next request: about half the interval later, up to",
    "  a whole one; between requests the server cannot tell it anything. A WebSocket hears at once.",
    `polls: every ${intervalMs} ms on average, each wait drawn between 0.75 and 1.25 times that, so that`,
    "  the polls keep no fixed phase against the server's periodic ticks.",
  ];
  if (clock) {
    lines.push(
      `clock: the server's uptime mapped to this machine's clock by the fastest of ${clock.samples} poll`,
      `  round trips (${clock.roundTrip.toFixed(2)} ms): latencies are good to about ` +
        `±${(clock.roundTrip / 2 + 1).toFixed(1)} ms (the server counts whole ms).`,
    );
  }
  for (const r of rows) {
    if (r.reconnects)
      lines.push(
        `${r.name}: the server closed the connection; opened again ${r.reconnects} times.`,
      );
  }
  return lines;
}
