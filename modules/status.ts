/*
 * GET /status: what the board knows about itself, as JSON — uptime, every connected client with
 * its traffic, totals, the configured limits, and the memory figures the runtime can report.
 * Times are milliseconds on the server's own clock: `uptime` since it started, and each client's
 * `connectedAt` counted from the same start (a board may not know the date).
 */
import config from "mc/config";
import { memoryFigures } from "memory";
import type { HttpReply, WebSocketServer } from "websocket/server";

export interface Limits {
  maxClients: number;
  maxQueued: number;
  maxMessageSize: number;
  pingInterval: number;
  pingTimeout: number;
  idleTimeout: number;
  handshakeTimeout: number;
  tick: number;
  maxRequestSize: number;
  maxPingRate: number;
  maxHeaderSize: number;
  maxFrames: number;
}

/**
 * The engine the firmware runs on: the platform layer names it in mc/config ("xs 13.3.0", "node");
 * a board's firmware runs on XS, and its build has no such key.
 */
const ENGINE = String((config as Record<string, unknown>).engine ?? "xs");

/**
 * What the board knows about itself, with `device` (the state of its light, button…) added as
 * the application describes it.
 */
export function describeStatus(
  server: WebSocketServer,
  limits: Limits,
  device: Record<string, unknown> = {},
): Record<string, unknown> {
  const clients = [];
  for (const client of server.clients) {
    clients.push({
      id: client.id,
      path: client.path,
      remoteAddress: client.remoteAddress,
      connectedAt: client.connectedAt - server.startedAt, // ms after the server started, as uptime
      ...client.traffic,
      queuedBytes: client.queuedBytes,
    });
  }
  const status = {
    engine: ENGINE,
    uptime: Date.now() - server.startedAt,
    clients,
    totals: { connections: server.connections, ...server.totals },
    limits: {
      maxClients: limits.maxClients,
      maxQueued: limits.maxQueued,
      maxMessageSize: limits.maxMessageSize,
      pingInterval: limits.pingInterval,
      pingTimeout: limits.pingTimeout,
      idleTimeout: limits.idleTimeout,
      handshakeTimeout: limits.handshakeTimeout,
      tick: limits.tick,
      maxRequestSize: limits.maxRequestSize,
      maxPingRate: limits.maxPingRate,
      maxHeaderSize: limits.maxHeaderSize,
      maxFrames: limits.maxFrames,
    },
    memory: memoryFigures(),
    ...device,
  };
  return status;
}

/** GET /status: describeStatus as JSON. */
export function statusReply(
  server: WebSocketServer,
  limits: Limits,
  device?: Record<string, unknown>,
): HttpReply {
  const body = JSON.stringify(describeStatus(server, limits, device));
  return { status: 200, body, contentType: "application/json" };
}
