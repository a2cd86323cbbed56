// The client's side of the opening handshake (RFC 6455 section 4.1): keys, the request, and the
// Sec-WebSocket-Accept a server must answer with.
import { createHash, randomBytes } from "node:crypto";
import { urlHost } from "./address.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2 step 5.4). */
export function acceptFor(key) {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

/** A fresh Sec-WebSocket-Key: 16 random bytes, base64. */
export function newKey() {
  return randomBytes(16).toString("base64");
}

/** The Authorization field for a server's `token` (none when there is no token). */
export function tokenFields(token) {
  return token ? [["Authorization", `Bearer ${token}`]] : [];
}

/** The same as headers (an object, as `ws` and raw requests take them). */
export function tokenHeaders(token) {
  return Object.fromEntries(tokenFields(token));
}

/**
 * A valid opening handshake request (RFC 6455 §4.1), with the server's `token` when it has one.
 * Each `headers` entry replaces the field of the same name in any case (taking the new spelling),
 * is appended, or with null is removed.
 */
export function upgradeRequest({
  host,
  port,
  path,
  key = newKey(),
  method = "GET",
  headers = {},
  token = "",
}) {
  let fields = [
    ["Host", `${urlHost(host)}:${port}`],
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Key", key],
    ["Sec-WebSocket-Version", "13"],
    ...tokenFields(token),
  ];
  for (const [name, value] of Object.entries(headers)) {
    const same = (field) => field[0].toLowerCase() === name.toLowerCase();
    if (value === null) fields = fields.filter((field) => !same(field));
    else if (fields.some(same))
      fields = fields.map((field) => (same(field) ? [name, value] : field));
    else fields.push([name, value]);
  }
  const lines = fields.map(([name, value]) => `${name}: ${value}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}
