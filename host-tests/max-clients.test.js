// maxClients: that many WebSocket clients are served at once; one more upgrade gets 503 with
// Retry-After while the others keep working; a slot freed by a close is reusable. The limit is
// read from GET /status. Firmware-specific (the reference server has no limit).
//
// On the platform layer (like the ESP32) at most 8 TCP connections exist at once and a 9th is reset:
// maxClients 7 leaves room for the refused upgrade or a /status request. A connection that the
// server has closed may hold its slot a little longer than the registry shows it, so an attempt
// reset at the TCP level (no HTTP answer at all) is retried; an HTTP answer never is.
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { httpRequest } from "../tools/wire/raw-http.js";
import { releaseConnections, targetLimits, waitForClientCount } from "./support/status.js";
import { target } from "./support/target.js";
import { targetUpgrade } from "./support/upgrade.js";
import { WsClient } from "./support/ws-client.js";

/**
 * Retries `attempt` while it fails below HTTP (connection reset or refused), up to `timeoutMs`:
 * a slot is given back when the server's side of the closed connection is gone, which a busy
 * machine may take seconds to get to.
 */
async function retryingTcpFailures(attempt, what, timeoutMs = target.timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const tcpLevel =
        /closed the connection without a complete HTTP response|socket hang up|ECONNRESET|ECONNREFUSED/.test(
          err.message,
        );
      if (!tcpLevel || performance.now() > deadline) {
        throw new Error(`${what}: ${err.message}`, { cause: err });
      }
      await delay(50);
    }
  }
}

function upgradeOneMore() {
  const request = targetUpgrade();
  return retryingTcpFailures(
    () =>
      httpRequest(target, request, {
        timeoutMs: target.replyTimeoutMs,
        closeWaitMs: target.closeWaitMs,
      }),
    "the upgrade beyond maxClients",
  );
}

function expectRefused(response, maxClients) {
  expect(response.status, `upgrade #${maxClients + 1} answered "${response.statusLine}"`).to.equal(
    503,
  );
  const retryAfter = response.headers["retry-after"];
  expect(retryAfter, "Retry-After header of the 503").to.be.a("string");
  // RFC 9110 §10.2.3: delay-seconds or an HTTP-date.
  const valid = /^\d+$/.test(retryAfter) || !Number.isNaN(Date.parse(retryAfter));
  expect(valid, `Retry-After: "${retryAfter}" is neither seconds nor a date`).to.equal(true);
  expect(response.closed, "the server closes the refused connection").to.equal(true);
}

async function openClients(count) {
  const clients = [];
  for (let i = 0; i < count; i++) {
    clients.push(
      await retryingTcpFailures(() => WsClient.open(target), `client ${i + 1} of ${count}`),
    );
  }
  return clients;
}

/** Each client sends `rounds` messages, all interleaved on the wire; each must get only its own. */
async function expectOwnEchoes(clients, rounds, tag) {
  const sent = clients.map(() => []);
  const sends = [];
  for (let r = 0; r < rounds; r++) {
    for (const [i, client] of clients.entries()) {
      const message = r % 2 === 0 ? `${tag} client ${i} message ${r}` : binaryPayload(40 + i, r);
      sent[i].push(message);
      sends.push(client.send(message));
    }
  }
  await Promise.all(sends);
  for (const [i, client] of clients.entries()) {
    for (const [r, message] of sent[i].entries()) {
      const { data, isBinary } = await client.nextMessage();
      expect(isBinary, `client ${i} echo ${r} type`).to.equal(typeof message !== "string");
      expect(data.equals(Buffer.from(message)), `client ${i} echo ${r}: got "${data}"`).to.equal(
        true,
      );
    }
  }
  await Promise.all(clients.map((client) => client.expectQuiet(target.quietMs)));
}

describe("maxClients", function () {
  this.timeout(target.timeoutMs * 2);
  afterEach(async function () {
    this.timeout(target.timeoutMs);
    await releaseConnections(); // all the slots were taken: free them for the next test
  });

  it("[firmware] serves maxClients clients at once without cross-talk; one more gets 503 with Retry-After", async function () {
    const { maxClients } = await targetLimits(this);
    await waitForClientCount(0);
    const clients = await openClients(maxClients);
    await expectOwnEchoes(clients, 6, "before");

    expectRefused(await upgradeOneMore(), maxClients);
    for (const client of clients) expect(client.closeInfo, "a served client closed").to.equal(null);
    await expectOwnEchoes(clients, 2, "after the 503");
  });

  it("[firmware] reuses the slot of a client that closed, and still refuses one more", async function () {
    const { maxClients } = await targetLimits(this);
    await waitForClientCount(0);
    const clients = await openClients(maxClients);
    expectRefused(await upgradeOneMore(), maxClients);

    const leaving = clients.shift();
    expect((await leaving.close())?.code, "close code seen by the leaving client").to.equal(1000);
    await waitForClientCount(maxClients - 1);

    const newcomer = await retryingTcpFailures(() => WsClient.open(target), "the newcomer");
    clients.push(newcomer);
    await expectOwnEchoes(clients, 2, "after reuse");
    expectRefused(await upgradeOneMore(), maxClients);
  });
});
