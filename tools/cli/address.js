// Server addresses for the command-line tools (npm run console, npm run watch): the forms BOARD=
// takes (host-tests/support/address.js), which mean the board, plus wss:// URLs for servers with
// TLS (the firmware has none; the course's Binance streams do).
import { parseAddress } from "../../host-tests/support/address.js";

/** Where `npm start` serves the firmware. */
export const DEFAULT_URL = "ws://127.0.0.1:8080/ws";

export const ADDRESS_HELP = `An address is a URL, ws://host:port/path or wss://host:port/path (wss: TLS), or an address as
BOARD= takes it: 192.168.1.42, 192.168.1.42:8080, esp32-echo.local, esp32-echo.local/api.
Without a path, ws:// addresses get /ws (the board's echo endpoint); wss:// URLs are used as
written.`;

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
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return `ws://${hostPart}${port === 80 ? "" : `:${port}`}${path}`;
}
