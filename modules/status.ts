/*
 * GET /status: what the board knows about itself, as JSON — uptime, every connected client with
 * its traffic, totals, the configured limits, the bytes held in buffers against their budget,
 * and the memory figures the runtime can report.
 * Times are milliseconds on the server's own clock: `uptime` since it started, and each client's
 * `connectedAt` counted from the same start (a board may not know the date).
 */
import config from "mc/config";
import { memoryFigures } from "memory";
import { limitsOf, type Settings } from "settings/schema";
import type { Server } from "server";

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
  server: Server,
  settings: Settings,
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
    limits: limitsOf(settings),
    // messages being read whole and bytes waiting to be sent, all clients: now, at most, budget
    buffers: { held: server.budget.held, peak: server.budget.peak, limit: server.budget.limit },
    memory: memoryFigures(),
    ...device,
  };
  return status;
}
