/*
 * The server side of the WebSocket opening handshake (RFC 6455 section 4.2): decides whether a
 * parsed HTTP request may become a WebSocket, and computes Sec-WebSocket-Accept.
 */
import { Digest } from "crypt";
import { encodeBase64, isBase64Of16Bytes } from "websocket/base64";
import { hasToken, type HttpRequest } from "http/request-parser";
import { type HttpReply, textReply } from "http/response";

const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export type HandshakeResult = { accept: string; path: string } | { refusal: HttpReply };

/**
 * Checks the request against RFC 6455 section 4.2.1 for a server with WebSocket endpoints at the
 * paths `endpoints` has.
 */
export function checkUpgrade(
  request: HttpRequest,
  endpoints: { has(path: string): boolean },
): HandshakeResult {
  const headers = request.headers;
  const path = request.target.split("?")[0];
  // HEAD of a path is answered as its GET would be (RFC 9110 §9.3.2), without the body.
  const asGet = request.method === "GET" || (request.method === "HEAD" && !headers.has("upgrade"));
  if (!asGet) return refuse(400, "a WebSocket upgrade must use GET");
  if (request.version !== "HTTP/1.1") return refuse(400, "a WebSocket upgrade needs HTTP/1.1");
  if (!headers.has("host")) return refuse(400, "missing Host header");
  if (!endpoints.has(path)) return refuse(404, `no WebSocket endpoint at ${path}`);

  const upgrade = headers.get("upgrade");
  if (upgrade === undefined) {
    return refuse(426, "this path only speaks WebSocket", [["Upgrade", "websocket"]]);
  }
  if (!hasToken(upgrade, "websocket")) return refuse(400, "Upgrade header must be websocket");
  if (!hasToken(headers.get("connection") ?? "", "upgrade"))
    return refuse(400, "Connection header must include Upgrade");
  if (headers.get("sec-websocket-version") !== "13") {
    return refuse(426, "only WebSocket version 13 is supported", [["Sec-WebSocket-Version", "13"]]);
  }
  const key = headers.get("sec-websocket-key");
  if (request.repeated.has("sec-websocket-key") || key === undefined || !isBase64Of16Bytes(key))
    return refuse(400, "missing or invalid Sec-WebSocket-Key");
  return { accept: acceptKey(key), path };
}

/** base64(SHA-1(key + GUID)), the value of Sec-WebSocket-Accept. */
export function acceptKey(key: string): string {
  const sha1 = new Digest("SHA1");
  sha1.write(key + ACCEPT_GUID);
  return encodeBase64(new Uint8Array(sha1.close()));
}

function refuse(status: number, message: string, headers?: [string, string][]): HandshakeResult {
  return { refusal: textReply(status, message, headers) };
}
