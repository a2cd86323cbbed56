/*
 * GET /status: what the board knows about itself, as JSON — uptime, every connected client with
 * its traffic, totals, the configured limits, and the memory figures the runtime can report.
 * Times are milliseconds on the server's own clock: `uptime` since it started, and each client's
 * `connectedAt` counted from the same start (a board may not know the date).
 */
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
}

export function statusReply(server: WebSocketServer, limits: Limits): HttpReply {
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
    },
    memory: memoryFigures(),
  };
  return { status: 200, body: JSON.stringify(status), contentType: "application/json" };
}
