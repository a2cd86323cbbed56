// Timeouts: a client that does not answer pings is dropped (pingInterval + pingTimeout), a TCP
// connection that does not complete its upgrade gets 408 (requestTimeout), a client that sends
// nothing is closed with 1001 (idleTimeout), and a client that is read slowly because the server
// is busy is never dropped for it. Run on the timing tests' instance (support/timing.js); waits
// are computed from its limits in GET /status, so a board with the default settings takes longer.
// Firmware-specific.
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { httpRequest } from "../tools/wire/raw-http.js";
import { binaryPayload } from "./support/data.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { targetLimits } from "./support/status.js";
import { skipBecause, target } from "./support/target.js";
import { marginFor, timingTarget } from "./support/timing.js";
import { WsClient } from "./support/ws-client.js";

async function expectStillEchoing(client, what) {
  expect(client.closeInfo, `${what} was closed`).to.equal(null);
  await client.send(`${what} still here`);
  expect((await client.nextMessage()).data.toString()).to.equal(`${what} still here`);
}

describe("liveness and timeouts", function () {
  this.timeout(target.timeoutMs);

  it("[firmware] drops a client that never answers pings within pingInterval + pingTimeout, without a close frame", async function () {
    const { t, limits } = await timingTarget(this);
    const { pingInterval, pingTimeout } = limits;
    const budget = pingInterval + pingTimeout + marginFor(pingInterval + pingTimeout);
    this.timeout(this.timeout() + budget);

    const healthy = await WsClient.open(t); // `ws` answers pings
    const mute = await RawClient.open(t, { answerPings: false, showPings: true });
    const opened = performance.now();
    await Promise.race([mute.closed, delay(budget, null, { ref: false })]);
    const pings = mute.pingTimes.length;
    expect(
      mute.isClosed,
      `the client that never answers pings is still connected after ${budget} ms (${pings} ping(s) received)`,
    ).to.equal(true);
    const lifetime = Math.round(mute.closedAt - opened);
    const frames = mute.takeFrames();
    const closes = frames.filter((frame) => frame.opcode === Opcode.CLOSE);
    expect(closes.length, `close frames before the drop after ${lifetime} ms`).to.equal(0);
    expect(pings, `pings received before the drop after ${lifetime} ms`).to.be.at.least(1);
    const sinceFirstPing = mute.closedAt - mute.pingTimes[0];
    expect(
      sinceFirstPing,
      `ms between the first unanswered ping and the drop (pingTimeout ${pingTimeout})`,
    ).to.be.at.least(pingTimeout * 0.9);
    await expectStillEchoing(healthy, "the client that answers pings");
  });

  for (const { what, request } of [
    {
      what: "sends half an upgrade request",
      request: (t) =>
        `GET ${t.path} HTTP/1.1\r\nHost: ${t.host}:${t.port}\r\nUpgrade: websocket\r\nConnection: Upg`,
    },
    { what: "sends nothing", request: () => "" },
  ]) {
    it(`[firmware] answers 408 and closes a connection that ${what} for requestTimeout`, async function () {
      const { t, limits } = await timingTarget(this);
      const { requestTimeout } = limits;
      const margin = marginFor(requestTimeout);
      this.timeout(this.timeout() + requestTimeout + 2 * margin);
      const healthy = await WsClient.open(t); // upgraded before: no handshake timeout for it

      const started = performance.now();
      const response = await httpRequest(t, request(t), {
        timeoutMs: requestTimeout + margin,
        closeWaitMs: margin,
      });
      const elapsed = Math.round(performance.now() - started);
      expect(response.status, `answered "${response.statusLine}" after ${elapsed} ms`).to.equal(
        408,
      );
      expect(response.closed, "the server closes the connection after the 408").to.equal(true);
      expect(elapsed, `ms until the 408 and close (requestTimeout ${requestTimeout})`).to.be.within(
        requestTimeout * 0.9,
        requestTimeout + margin,
      );
      await expectStillEchoing(healthy, "the upgraded client");
    });
  }

  it("[firmware] drops no client the server reads slowly: 7 clients echo 2 MiB each at once on /ws, 3 rounds, pings every 400 ms", async function () {
    // The clients' pongs wait behind their own messages while the server, busy with the others
    // (its budget full, or bytes waiting for a client), does not read them: none may be dropped.
    if (!canStartInstance()) skipBecause(this, "needs an instance of its own (the platform layer)");
    const ROUNDS = 3;
    const BYTES = 2 * 1024 * 1024;
    const ROUND_MS = 180_000; // XS on a loaded machine, with room to spare
    this.timeout(instanceStartMs() + ROUNDS * ROUND_MS);
    const settings = { sendTimeout: 5000, pingInterval: 400, pingTimeout: 1000, maxClients: 7 };
    // Made before anything starts: a client busy making a message (a second or more on a loaded
    // machine) would answer pings late itself, and be dropped for it, rightly.
    const rounds = Array.from({ length: ROUNDS }, (_, round) =>
      Array.from({ length: settings.maxClients }, (_, i) => binaryPayload(BYTES, round * 16 + i)),
    );
    const instance = await startInstance(settings);
    try {
      const clients = [];
      for (let i = 0; i < settings.maxClients; i++) clients.push(await WsClient.open(instance));
      for (const [round, messages] of rounds.entries()) {
        await Promise.all(
          clients.map(async (client, i) => {
            const message = messages[i];
            await client.send(message);
            const { data } = await client.nextMessage(ROUND_MS);
            expect(data.equals(message), `round ${round + 1}, client ${i + 1}'s echo`).to.equal(
              true,
            );
          }),
        );
      }
      for (const [i, client] of clients.entries())
        expect(client.closeInfo, `client ${i + 1} after ${ROUNDS} rounds`).to.equal(null);
      expect(instance.output()).not.to.include("dropping it");
    } catch (error) {
      const log = instance
        .output()
        .split("\n")
        .filter((line) => /^(ws|client) #|abort/.test(line));
      throw new Error(`${error.message}\nthe firmware said:\n${log.slice(-12).join("\n")}`, {
        cause: error,
      });
    } finally {
      await instance.stop();
    }
  });

  it("[firmware] with idleTimeout=T closes a client that sends nothing for T ms with 1001; pongs count as traffic", async function () {
    let t = target;
    let instance = null;
    let limits;
    if (canStartInstance({ simulator: true })) {
      this.timeout(instanceStartMs());
      // Pings every 300 ms (answered by the `ws` client); the silent client answers none, and
      // pingTimeout is long enough for idleTimeout to act first.
      instance = await startInstance({ idleTimeout: 1000, pingInterval: 300, pingTimeout: 5000 });
      t = instance;
      limits = { idleTimeout: 1000, pingInterval: 300, pingTimeout: 5000 };
    } else {
      limits = await targetLimits(this);
      if (!(limits.idleTimeout > 0)) {
        skipBecause(
          this,
          `needs idleTimeout > 0, the target runs idleTimeout=${limits.idleTimeout} (build it with idleTimeout=1000)`,
        );
      }
      if (limits.idleTimeout + marginFor(limits.idleTimeout) >= limits.pingTimeout) {
        skipBecause(
          this,
          `needs idleTimeout well below pingTimeout (target: ${limits.idleTimeout} and ${limits.pingTimeout}): a client that sends nothing, not even pongs, is dropped by liveness first`,
        );
      }
    }
    const { idleTimeout, pingInterval } = limits;
    const margin = marginFor(idleTimeout);
    // (mocha measures from the start of the test: keep the time an instance took to start)
    this.timeout(
      (instance ? instanceStartMs() : 0) + 2 * idleTimeout + 2 * margin + target.timeoutMs,
    );
    try {
      const ponging = await WsClient.open(t); // sends nothing but pongs
      const silent = await RawClient.open(t, { answerPings: false }); // sends nothing at all
      const opened = performance.now();
      await silent.expectClose(1001, { timeoutMs: idleTimeout + margin });
      const elapsed = performance.now() - opened;
      expect(
        elapsed,
        `ms until the idle client was closed (idleTimeout ${idleTimeout})`,
      ).to.be.at.least(idleTimeout * 0.9);
      if (pingInterval < idleTimeout / 2) {
        await delay(Math.max(0, 1.5 * idleTimeout - elapsed));
        await expectStillEchoing(
          ponging,
          `after ${1.5 * idleTimeout} ms of pongs only, the client`,
        );
      }
    } finally {
      await instance?.stop();
    }
  });
});
