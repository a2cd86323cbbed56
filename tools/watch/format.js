// The watcher's text: the status line, the summary of a connection, a message. Pure.

/** "0.52 s", "12.3 s", "4 min 05.2 s", "24 h 00 min 00 s". */
export function formatDuration(ms) {
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  const s = String(seconds % 60).padStart(2, "0");
  if (ms < 3_600_000) {
    return `${Math.floor(seconds / 60)} min ${s}.${Math.floor((ms % 1000) / 100)} s`;
  }
  const min = String(Math.floor(seconds / 60) % 60).padStart(2, "0");
  return `${Math.floor(seconds / 3600)} h ${min} min ${s} s`;
}

/** "512 B", "12.3 KB", "4.56 MB" (1 KB = 1000 B). */
export function formatBytes(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

const two = (n) => String(n).padStart(2, "0");

/** Local time with milliseconds: "2025-12-01 06:40:01.123". */
export function formatTime(ms) {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.` +
    String(d.getMilliseconds()).padStart(3, "0")
  );
}

/** What a close code means (RFC 6455 section 7.4.1, and the IANA registry's 1012–1014). */
export const CLOSE_CODE_NAMES = {
  1000: "normal closure",
  1001: "going away",
  1002: "protocol error",
  1003: "unsupported data",
  1005: "no code in the close frame",
  1006: "abnormal: the TCP connection ended without a close frame",
  1007: "invalid data (e.g. not UTF-8)",
  1008: "policy violation",
  1009: "message too big",
  1010: "an extension was missing",
  1011: "server error",
  1012: "service restart",
  1013: "try again later",
  1014: "bad gateway",
  1015: "TLS handshake failed",
};

export function describeCloseCode(code) {
  if (CLOSE_CODE_NAMES[code]) return CLOSE_CODE_NAMES[code];
  if (code >= 3000 && code <= 3999) return "registered for libraries and frameworks";
  if (code >= 4000 && code <= 4999) return "the application's own";
  return "not a standard code";
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The status line of an open connection: "#1 open 12.3 s | 1234 msgs | 41.0 msg/s | …".
 * @param {number} number the connection's number (1, 2, … as the watcher reconnects)
 * @param {ReturnType<import("./stats.js").StreamStats["snapshot"]>} s
 */
export function formatStatus(number, s) {
  const last =
    s.lastMessageAgeMs === null ? "none yet" : `${formatDuration(s.lastMessageAgeMs)} ago`;
  return [
    `#${number} open ${formatDuration(s.openForMs)}`,
    plural(s.messages, "msg"),
    `${s.rate.toFixed(s.rate < 10 ? 2 : 1)} msg/s`,
    formatBytes(s.bytes),
    `last ${last}`,
    plural(s.pings, "ping"),
  ].join(" | ");
}

/** How a connection ended, for its summary. */
function closeLine(record) {
  const reason = record.reason ? `reason ${JSON.stringify(record.reason)}` : "no reason";
  const code = `${record.code} (${describeCloseCode(record.code)}), ${reason}`;
  if (record.stoppedBy) return `${code}, closed by this watcher (${record.stoppedBy})`;
  if (record.code === 1006) return code;
  return `${code}, closed by the server`;
}

/**
 * The summary of one connection, as lines.
 * @param {{ number: number, url: string, startedAt: number, openedAt: number | null,
 *   closedAt: number, code: number | null, reason: string, error: string | null,
 *   stoppedBy: string | null, stats: ReturnType<import("./stats.js").StreamStats["snapshot"]> | null }} record
 */
export function formatSummary(record) {
  const head = `connection #${record.number} to ${record.url}`;
  if (record.openedAt === null) {
    const why = record.stoppedBy ? `stopped (${record.stoppedBy}) while connecting` : "failed";
    return [
      `${head} ${why}`,
      `  started    ${formatTime(record.startedAt)}`,
      ...(record.error ? [`  error      ${record.error}`] : []),
      `  after      ${record.closedAt - record.startedAt} ms`,
    ];
  }
  const s = record.stats;
  const openFor = record.closedAt - record.openedAt;
  const average = openFor > 0 ? (s.messages * 1000) / openFor : 0;
  return [
    head,
    `  connected  ${formatTime(record.openedAt)} (the handshake took ${record.openedAt - record.startedAt} ms)`,
    `  closed     ${formatTime(record.closedAt)}`,
    `  open for   ${formatDuration(openFor)}`,
    `  close      ${closeLine(record)}`,
    ...(record.error ? [`  error      ${record.error}`] : []),
    `  received   ${plural(s.messages, "message")}, ${formatBytes(s.bytes)}, ` +
      `${average.toFixed(2)} msg/s on average; ${plural(s.pings, "ping")}`,
  ];
}

/** The line after several connections: how many, how long open in all, what came. */
export function formatTotals(records, elapsedMs) {
  const opened = records.filter((r) => r.openedAt !== null);
  const openMs = opened.reduce((sum, r) => sum + (r.closedAt - r.openedAt), 0);
  const messages = opened.reduce((sum, r) => sum + r.stats.messages, 0);
  const pings = opened.reduce((sum, r) => sum + r.stats.pings, 0);
  return (
    `${plural(records.length, "connection")} (${records.length - opened.length} failed), ` +
    `open ${formatDuration(openMs)} of ${formatDuration(elapsedMs)}, ` +
    `${plural(messages, "message")}, ${plural(pings, "ping")}`
  );
}

const ESCAPES = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
const escapeControl = (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * A received message on one line: text with its control characters escaped, binary as
 * "[binary 123 B] 0a1b…" (hex); cut at `max` characters (0: never) with the size said.
 */
export function formatMessage(data, isBinary, max) {
  let text = isBinary
    ? `[binary ${data.length} B] ${data.subarray(0, max ? Math.ceil(max / 2) : data.length).toString("hex")}`
    : data.toString("utf8").replace(/\p{Cc}/gu, escapeControl);
  if (max && text.length > max) text = `${text.slice(0, max)}… (${formatBytes(data.length)})`;
  return text;
}
