// One connection attempt of the watcher: opens it, counts what arrives, and settles with how it
// ended. The `ws` client answers the server's pings itself; its 'ping' event lets us count them.
import WebSocket from "ws";
import { isRefused, nothingListens } from "../wire/nothing-listens.js";
import { StreamStats } from "./stats.js";

const CLOSE_WAIT_MS = 1000;

/** Certificate errors of Node's TLS, which --insecure accepts. */
const CERTIFICATE_ERRORS = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** An error connecting to `url` as one line a student can act on. */
export function describeError(error, url) {
  if (isRefused(error)) return nothingListens(url, "watch");
  const code = error.code && !error.message.includes(error.code) ? ` (${error.code})` : "";
  if (CERTIFICATE_ERRORS.has(error.code)) {
    return `certificate not accepted: ${error.message}${code}; --insecure accepts it`;
  }
  return `${error.message}${code}`;
}

/**
 * Connects to `url` and reports through `on`: open(stats), message(data, isBinary), ping().
 * @returns {{ done: Promise<object>, stop(why: string): void }} `done` settles with the
 *   connection's record (see format.js formatSummary) once it has ended; `stop` closes it
 *   (1000) or abandons the attempt, and the record says why.
 */
export function connect(url, options, on = {}, clock = Date.now) {
  const record = {
    number: options.number,
    url,
    startedAt: clock(),
    openedAt: null,
    closedAt: null,
    code: null,
    reason: "",
    error: null,
    stoppedBy: null,
    stats: null,
  };
  let stats = null;
  const headers = options.token ? { Authorization: `Bearer ${options.token}` } : {};
  const ws = new WebSocket(url, {
    headers,
    handshakeTimeout: options.connectTimeoutMs,
    rejectUnauthorized: !options.insecure,
    perMessageDeflate: false,
  });

  let closeTimer = null;
  let pingTimer = null;
  // --ping: a connection whose other end went away without a word (Wi-Fi gone, NAT state
  // dropped) stays "open" here until TCP gives up, which may be never; no pong by the next
  // ping ends it.
  const startPinging = (ms) => {
    let answered = true;
    ws.on("pong", () => (answered = true));
    pingTimer = setInterval(() => {
      if (!answered) {
        record.error ??= `no pong within ${ms / 1000} s of a ping (--ping): the connection is dead`;
        clearInterval(pingTimer);
        ws.terminate();
        return;
      }
      answered = false;
      ws.ping();
    }, ms);
  };
  const done = new Promise((resolve) => {
    // An HTTP answer other than 101: say what the server said (401 without a token, 503 full).
    ws.on("unexpected-response", (request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (text) => {
        if (body.length < 300) body += text;
      });
      const fail = () => {
        const text = body.trim().replace(/\s+/g, " ").slice(0, 200);
        const status = `${response.statusCode} ${response.statusMessage ?? ""}`.trim();
        const said = text && text !== response.statusMessage ? `: ${text}` : "";
        record.error ??= `the server answered HTTP ${status}${said}`;
        ws.terminate();
      };
      response.on("end", fail);
      response.on("error", fail);
      response.on("close", fail);
    });
    ws.on("open", () => {
      record.openedAt = clock();
      stats = new StreamStats(record.openedAt);
      for (const text of options.send ?? []) ws.send(text);
      if (options.pingMs) startPinging(options.pingMs);
      on.open?.(stats);
    });
    ws.on("message", (data, isBinary) => {
      stats.message(data.length, clock());
      on.message?.(data, isBinary);
    });
    ws.on("ping", () => {
      stats?.ping();
      on.ping?.();
    });
    ws.on("error", (error) => {
      // Abandoning an attempt makes `ws` report "closed before the connection was established".
      if (!record.stoppedBy) record.error ??= describeError(error, url);
    });
    ws.on("close", (code, reason) => {
      clearTimeout(closeTimer);
      clearInterval(pingTimer);
      record.closedAt = clock();
      if (record.openedAt !== null) {
        record.code = code;
        record.reason = reason.toString("utf8");
        record.stats = stats.snapshot(record.closedAt);
      }
      resolve(record);
    });
  });

  const stop = (why) => {
    if (record.stoppedBy || record.closedAt !== null) return;
    record.stoppedBy = why;
    if (ws.readyState === WebSocket.OPEN) {
      ws.close(1000);
      // The server's close frame should come at once; do not wait the 30 s `ws` would.
      closeTimer = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
    } else ws.terminate();
  };
  return { done, stop };
}
