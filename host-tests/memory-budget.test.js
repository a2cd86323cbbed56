// The firmware's buffer budget (maxBuffered): every message it assembles whole and every byte
// waiting to be sent, all clients together, stay within it whatever the clients send, with every
// client slot taken. A message that does not fit now waits in TCP (its sender is not read); one
// that can never fit closes its sender with 1009; nobody else is affected. GET /status reports
// what is held (`buffers.held`), the most held since the start (`buffers.peak`) and the budget
// (`buffers.limit`); the tests sample it after every delivery and read the firmware's own peak at
// the end. Firmware-specific.
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { fetchStatus, targetLimits, waitForClientCount, waitForStatus } from "./support/status.js";
import { skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";

const MiB = 1024 * 1024;
/** Bytes each client echoes at once in (a). */
const ECHO_BYTES = MiB;

/**
 * How long the sampler keeps trying for a sample (all TCP slots may be taken a moment: the last
 * request's slot comes back when the server's side of it is gone, later on a busy machine).
 */
const SAMPLE_PATIENCE_MS = 10_000;

/**
 * Samples GET /status's `buffers`: `sample()` after each delivery (one request at a time; a
 * sample asked for meanwhile follows the one in flight), `finish()` once more at the end. With
 * every client slot taken, the request needs the one TCP connection left, which the previous
 * request may not have given back yet: a refused request is tried again.
 */
class BufferSampler {
  #t;
  #inFlight = null;
  #again = false;
  mostHeld = 0;
  samples = 0;
  last = null;
  error = null;

  constructor(t) {
    this.#t = t;
  }

  sample() {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = (async () => {
      do {
        this.#again = false;
        const { buffers } = await this.#fetch();
        this.last = buffers;
        this.samples++;
        this.mostHeld = Math.max(this.mostHeld, buffers.held);
      } while (this.#again);
    })()
      .catch((error) => {
        this.error ??= error;
      })
      .finally(() => {
        this.#inFlight = null;
      });
  }

  async #fetch() {
    const deadline = performance.now() + SAMPLE_PATIENCE_MS;
    for (;;) {
      try {
        return await fetchStatus(this.#t);
      } catch (error) {
        if (performance.now() > deadline) throw error;
        await delay(20);
      }
    }
  }

  async finish() {
    while (this.#inFlight) await this.#inFlight;
    this.sample();
    await this.#inFlight;
    if (this.error) throw this.error;
    return this.last;
  }
}

/** `count` clients of `path` on `t`: every slot when count is maxClients. */
async function openClients(t, count, path) {
  const clients = [];
  for (let i = 0; i < count; i++) clients.push(await WsClient.open(t, { path, maxFragments: 0 }));
  return clients;
}

/** Every client still echoes on /ws, or still gets its own broadcast on /broadcast. */
async function expectAllStillServed(clients) {
  for (const [i, client] of clients.entries()) {
    const text = `still here ${i}`;
    await client.send(text);
    let message;
    do message = await client.nextMessage();
    while (message.data.toString() !== text);
  }
}

function expectWithinBudget(sampler, buffers, what) {
  const figures = `${sampler.samples} samples, most held ${sampler.mostHeld} B, peak ${buffers.peak} B`;
  expect(sampler.mostHeld, `held in buffers, sampled (${what}; ${figures})`).to.be.at.most(
    buffers.limit,
  );
  expect(buffers.peak, `the firmware's own peak (${what}; ${figures})`).to.be.at.most(
    buffers.limit,
  );
  expect(buffers.held, "held once it is over").to.equal(0);
}

describe("memory budget", function () {
  this.timeout(4 * target.timeoutMs);

  it("[firmware] (a) every client slot echoes 1 MiB at once on /ws: every echo whole, the buffers within maxBuffered", async function () {
    const { maxClients } = await targetLimits(this);
    await waitForClientCount(0);
    const clients = await openClients(target, maxClients, target.path);
    const sampler = new BufferSampler(target);
    const sent = clients.map((_, i) => binaryPayload(ECHO_BYTES, 100 + i));
    await Promise.all(
      clients.map(async (client, i) => {
        await client.send(sent[i]);
        const { data } = await client.nextMessage(4 * target.timeoutMs);
        sampler.sample();
        expect(data.equals(sent[i]), `client ${i}'s echo of ${ECHO_BYTES} bytes`).to.equal(true);
      }),
    );
    const buffers = await sampler.finish();
    expectWithinBudget(sampler, buffers, `${maxClients} × ${ECHO_BYTES} B echoed`);
    await expectAllStillServed(clients);
  });

  it("[firmware] (b) every client slot sends a maxMessageSize message to /broadcast at once: all receive all of them", async function () {
    const { maxClients, maxMessageSize } = await targetLimits(this);
    await waitForClientCount(0);
    const clients = await openClients(target, maxClients, "/broadcast");
    const sampler = new BufferSampler(target);
    const sent = clients.map((_, i) => binaryPayload(maxMessageSize, 200 + i));
    await Promise.all(clients.map((client, i) => client.send(sent[i])));
    await Promise.all(
      clients.map(async (client, i) => {
        const got = new Set();
        while (got.size < sent.length) {
          const { data } = await client.nextMessage(2 * target.timeoutMs);
          sampler.sample();
          const from = sent.findIndex((message) => message.equals(data));
          expect(from, `client ${i} got a message that nobody sent`).to.be.at.least(0);
          expect(got.has(from), `client ${i} got client ${from}'s message twice`).to.equal(false);
          got.add(from);
        }
      }),
    );
    const buffers = await sampler.finish();
    expectWithinBudget(sampler, buffers, `${maxClients} × ${maxMessageSize} B broadcast`);
    for (const client of clients) await client.expectQuiet(target.quietMs);
  });

  it("[firmware] (c) one client sends more than the budget: 1009 for it alone; the others echo on, and a client that does not read its echo is held back, not buffered", async function () {
    let t = target;
    let instance = null;
    if (canStartInstance({ simulator: true })) {
      // maxMessageSize above maxBuffered: the budget, not maxMessageSize, refuses the message.
      this.timeout(instanceStartMs() + 4 * target.timeoutMs);
      instance = await startInstance({ maxMessageSize: 4 * MiB });
      t = instance;
    }
    try {
      const { maxClients, maxBuffered } = await targetLimits(this, t);
      await waitForClientCount(0, { t });
      const sampler = new BufferSampler(t);
      const bystanders = await openClients(t, maxClients - 2, t.path);
      const hog = await RawClient.open(t, { path: "/broadcast" });
      const stubborn = await RawClient.open(t); // on /ws, not reading
      stubborn.pause();
      const big = binaryPayload(4 * maxBuffered, 300);
      await stubborn.sendRaw(encodeFrame({ opcode: Opcode.BINARY, payload: big }));
      // Over the budget (and, on a board with the defaults, over maxMessageSize too): 1009.
      await hog.sendRaw(
        encodeFrame({ opcode: Opcode.BINARY, payload: binaryPayload(maxBuffered + 1) }),
      );
      await hog.expectClose(1009);
      await Promise.all(
        bystanders.map(async (client, i) => {
          const payload = binaryPayload(256 * 1024, 400 + i);
          await client.send(payload);
          const { data } = await client.nextMessage(2 * target.timeoutMs);
          sampler.sample();
          expect(data.equals(payload), `bystander ${i}'s echo`).to.equal(true);
        }),
      );
      const { clients } = await fetchStatus(t);
      const held = clients.find((c) => c.path === t.path && c.queuedBytes > 0);
      expect(held?.queuedBytes ?? 0, "queued for the client that does not read").to.be.at.most(
        maxBuffered,
      );
      stubborn.resume();
      const echo = await stubborn.nextMessage(2 * target.timeoutMs);
      expect(
        echo.payload.equals(big),
        `the whole echo of ${big.length} bytes, once it reads`,
      ).to.equal(true);
      const buffers = await sampler.finish();
      expectWithinBudget(sampler, buffers, "a message over the budget");
      await expectAllStillServed(bystanders);
    } finally {
      await instance?.stop();
    }
  });

  it("[firmware] closes with 1013 a client whose fragmented message finds no room left; the others go on", async function () {
    if (!canStartInstance({ simulator: true }))
      skipBecause(this, "needs its own instance (maxMessageSize above maxBuffered / 2)");
    this.timeout(instanceStartMs() + 2 * target.timeoutMs);
    const instance = await startInstance({ maxMessageSize: 40_000, maxBuffered: 49_152 });
    try {
      const first = await RawClient.open(instance, { path: "/broadcast" });
      const second = await RawClient.open(instance, { path: "/broadcast" });
      const half = (client, fin, seed) =>
        client.sendRaw(
          encodeFrame({
            fin,
            opcode: fin ? Opcode.CONTINUATION : Opcode.BINARY,
            payload: binaryPayload(20_000, seed),
          }),
        );
      const heldAtLeast = (bytes) =>
        waitForStatus((s) => s.buffers.held >= bytes, { t: instance, what: `${bytes} B held` });
      await half(first, false, 1);
      await heldAtLeast(20_000);
      await half(second, false, 2);
      await heldAtLeast(40_000);
      await half(first, true, 3); // 60 000 B would be held: no room, and it holds some already
      await first.expectClose(1013);
      const last = Buffer.from("end");
      await second.sendRaw(encodeFrame({ fin: true, opcode: Opcode.CONTINUATION, payload: last }));
      const message = await second.nextMessage();
      const expected = Buffer.concat([binaryPayload(20_000, 2), last]);
      expect(message.payload.equals(expected), "the other client's message, broadcast").to.equal(
        true,
      );
      const { buffers } = await fetchStatus(instance);
      expect(buffers.peak, "the most held").to.be.at.most(buffers.limit);
    } finally {
      await instance.stop();
    }
  });
});
