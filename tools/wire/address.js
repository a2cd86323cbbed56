// Server addresses as users type them: the forms BOARD= takes ("192.168.1.42", "host:port",
// "ws://host:port/path", "esp32-echo.local"), which mean the board, and, for the command-line
// tools (npm run console, npm run watch), wss:// URLs for servers with TLS (the firmware has
// none; the course's Binance streams do).

/** Where `npm start` serves the firmware. */
export const DEFAULT_URL = "ws://127.0.0.1:8080/ws";

export const ADDRESS_HELP = `An address is a URL, ws://host:port/path or wss://host:port/path (wss: TLS), or an address as
BOARD= takes it: 192.168.1.42, 192.168.1.42:8080, esp32-echo.local, esp32-echo.local/api.
Without a path, ws:// addresses get /ws (the board's echo endpoint); wss:// URLs are used as
written.`;

/**
 * Parses a board or server address: "192.168.1.42", "host:port", "ws://host:port/path",
 * "esp32-echo.local". Returns `{ host, port, path }`.
 */
export function parseAddress(value, { defaultPort = 80, defaultPath = "/ws" } = {}) {
  const text = String(value).trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url;
  try {
    url = new URL(hasScheme ? text : `ws://${text}`);
  } catch {
    throw new Error(
      `cannot read "${value}" as an address; examples: 192.168.1.42, 192.168.1.42:8080, ` +
        "ws://esp32-echo.local/ws",
    );
  }
  if (url.protocol !== "ws:") {
    throw new Error(`"${value}": only ws:// is supported (the firmware has no TLS)`);
  }
  // new URL() always reports at least "/" as path; only an explicit path counts.
  const explicitPath = /^[a-z][a-z0-9+.-]*:\/\/[^/]+(\/.*)$/i.test(text);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : defaultPort,
    path: explicitPath ? url.pathname + url.search : defaultPath,
  };
}

/** The port a ws:// or wss:// URL (a URL object) connects to: its own, or the scheme's. */
export function urlPort(url) {
  return Number(url.port || (url.protocol === "wss:" ? 443 : 80));
}

/** A host as a URL or a Host header field writes it: an IPv6 address in brackets. */
export function urlHost(host) {
  return host.includes(":") ? `[${host}]` : host;
}

/** `url` with its path (and query) replaced by `path`. */
export function withPath(url, path) {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${path}`;
}

/** `ws://host:port/path` for an address as parseAddress gives it. */
export function addressUrl({ host, port, path }) {
  return `ws://${urlHost(host)}:${port}${path}`;
}

/**
 * The WebSocket URL for an address as a user types it: "192.168.1.42" → "ws://192.168.1.42/ws",
 * "host:8080" → "ws://host:8080/ws", "ws://host/api" and "wss://host:9443/ws/x" as written.
 */
export function toWebSocketUrl(value) {
  const text = String(value).trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1].toLowerCase();
  if (scheme && scheme !== "ws" && scheme !== "wss") {
    throw new Error(`"${value}": only ws:// and wss:// URLs are WebSocket addresses`);
  }
  if (scheme === "wss") {
    try {
      const url = new URL(text);
      if (!url.hostname) throw new Error("no host");
      return url.href;
    } catch {
      throw new Error(`cannot read "${value}" as a URL`);
    }
  }
  // With "ws://" in front, parseAddress keeps a path typed without it (esp32-echo.local/api).
  let parsed;
  try {
    parsed = parseAddress(scheme ? text : `ws://${text}`);
  } catch {
    throw new Error(
      `cannot read "${value}" as an address; examples: 192.168.1.42, 192.168.1.42:8080, ` +
        "esp32-echo.local, ws://esp32-echo.local/api, wss://host:9443/path",
    );
  }
  const { host, port, path } = parsed;
  return `ws://${urlHost(host)}${port === 80 ? "" : `:${port}`}${path}`;
}
