// GET /status of the target: the firmware's JSON report (plain HTTP on the WebSocket port; the
// client is tools/wire/status-client.js), and waits built on it. Tests read the target's real limits here (a board flashed with the defaults has slower
// timeouts than the test settings) and poll the client registry to know that the server has
// registered a close before they need its connection slot again.
import { setTimeout as delay } from "node:timers/promises";
import { disposeAll } from "../../tools/wire/open-connections.js";
import {
  fetchStatus as fetchServerStatus,
  getStatus as getServerStatus,
} from "../../tools/wire/status-client.js";
import { firmwareOnly, target } from "./target.js";

/** GET /status of the target (or of `t`): `{ response, status }` (tools/wire/status-client.js). */
export function getStatus(t = target, options) {
  return getServerStatus(t, options);
}

/** The parsed body of GET /status of the target (or of `t`). */
export function fetchStatus(t = target, options) {
  return fetchServerStatus(t, options);
}

const limitsCache = new WeakMap();

/**
 * The target's limits from GET /status (cached per target), with every value a number. Skips the
 * running test on the reference server, which has no /status.
 */
export async function targetLimits(context, t = target) {
  firmwareOnly(context, "needs the firmware's GET /status");
  if (!limitsCache.has(t)) {
    const { limits } = await fetchStatus(t);
    const numbers = {};
    for (const [key, value] of Object.entries(limits ?? {})) numbers[key] = Number(value);
    numbers.requestTimeout ??= numbers.handshakeTimeout; // its name on boards flashed before
    for (const key of ["maxClients", "maxBuffered", "pingInterval", "pingTimeout"]) {
      if (!Number.isFinite(numbers[key])) {
        throw new Error(`GET /status: limits.${key} is ${limits?.[key]}, not a number`);
      }
    }
    limitsCache.set(t, numbers);
  }
  return limitsCache.get(t);
}

function describeClients(status) {
  if (!status) return "no /status answer";
  const list = (status.clients ?? []).map(
    (c) => `#${c.id} ${c.path} in ${c.messagesIn} out ${c.messagesOut} queued ${c.queuedBytes}`,
  );
  return `${list.length} client(s)${list.length ? `: ${list.join("; ")}` : ""}`;
}

/**
 * Polls GET /status until `predicate(status)` holds and returns that status; throws after
 * `timeoutMs` with what /status said last. A failed request (on the platform layer and the board a
 * connection is refused while all TCP slots are taken) is retried.
 */
export async function waitForStatus(
  predicate,
  { t = target, timeoutMs = t.replyTimeoutMs, intervalMs = 25, what = "the expected state" } = {},
) {
  const deadline = performance.now() + timeoutMs;
  let last = null;
  let lastError;
  for (;;) {
    try {
      last = await fetchStatus(t, { timeoutMs: Math.max(500, t.replyTimeoutMs) });
      if (predicate(last)) return last;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() >= deadline) {
      const why = lastError ? `; last request failed: ${lastError.message}` : "";
      throw new Error(
        `GET /status did not show ${what} within ${timeoutMs} ms; it showed ${describeClients(last)}${why}`,
      );
    }
    await delay(intervalMs);
  }
}

/** Waits until the registry holds exactly `count` clients (0 by default). */
export function waitForClientCount(count = 0, options = {}) {
  return waitForStatus((s) => s.clients?.length === count, {
    what: `${count} connected client(s)`,
    ...options,
  });
}

/**
 * After a test that used many connections: closes what it left open and waits until the server
 * has registered the closes, plus a moment for the TCP slots themselves to be released (the Node
 * layer and the ESP32 reset a connection beyond 8), so that the next test finds them free.
 */
export async function releaseConnections(t = target) {
  disposeAll();
  if (t.kind === "reference") return;
  await waitForClientCount(0, { t });
  await delay(100);
}
