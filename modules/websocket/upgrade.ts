/*
 * The WebSocket opening handshake, server side (RFC 6455 §4.2), in one place: whether a request
 * may become a client of the hub's endpoints, then the 101 written and the connection made, which
 * takes the socket over from the HTTP session.
 */
import { Digest } from "crypt";
import { checkAccess } from "http/access";
import { hasToken, type HttpRequest, pathOf, readsAsGet } from "http/request-parser";
import { type HttpReply, responseHead, textReply } from "http/response";
import type { HttpSession } from "http/session";
import { encodeBase64, isBase64Of16Bytes } from "websocket/base64";
import { WebSocketConnection } from "websocket/connection";
import type { Endpoint } from "websocket/endpoint";
import type { WebSocketHub } from "websocket/hub";

const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * Answers a request no HTTP route took: a refusal, or (undefined) a WebSocket client of `hub`
 * whose 101 is written, its connection reading `rest` (what came after the request's head).
 */
export function upgrade(
  hub: WebSocketHub,
  session: HttpSession,
  request: HttpRequest,
  rest: Uint8Array,
): HttpReply | undefined {
  const checked = checkUpgrade(request, (path) => hub.endpointAt(path));
  if ("refusal" in checked) return checked.refusal;
  const refusal = checkAccess(request, hub.access) ?? hub.refusalWhenFull();
  if (refusal) return refusal;
  const channel = session.handOver();
  channel.write([
    responseHead(101, [
      ["Upgrade", "websocket"],
      ["Connection", "Upgrade"],
      ["Sec-WebSocket-Accept", acceptKey(checked.key)],
    ]),
  ]);
  new WebSocketConnection(channel, session, checked.endpoint, rest, hub);
  return undefined;
}

type UpgradeCheck = { key: string; endpoint: Endpoint } | { refusal: HttpReply };

/** Checks a request against RFC 6455 §4.2.1 for the endpoints `endpointAt` finds by path. */
export function checkUpgrade(
  request: HttpRequest,
  endpointAt: (path: string) => Endpoint | undefined,
): UpgradeCheck {
  const headers = request.headers;
  const path = pathOf(request);
  // A HEAD without Upgrade is answered as its GET would be; one with Upgrade is no upgrade.
  const asGet = readsAsGet(request) && (request.method === "GET" || !headers.has("upgrade"));
  if (!asGet) return refuse(400, "a WebSocket upgrade must use GET");
  if (request.version !== "HTTP/1.1") return refuse(400, "a WebSocket upgrade needs HTTP/1.1");
  if (!headers.has("host")) return refuse(400, "missing Host header");
  const endpoint = endpointAt(path);
  if (!endpoint) return refuse(404, `no WebSocket endpoint at ${path}`);

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
  return { key, endpoint };
}

/** base64(SHA-1(key + GUID)), the value of Sec-WebSocket-Accept. */
export function acceptKey(key: string): string {
  const sha1 = new Digest("SHA1");
  sha1.write(key + ACCEPT_GUID);
  return encodeBase64(new Uint8Array(sha1.close()));
}

function refuse(status: number, message: string, headers?: [string, string][]): UpgradeCheck {
  return { refusal: textReply(status, message, headers) };
}
