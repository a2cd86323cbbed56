// /broadcast: every message a client sends goes to every client connected on /broadcast, the
// sender included, once, in the order the server received them, with its type; /ws clients see
// none of it, and /ws echoes stay with their sender. Firmware-specific (the reference server
// only has /ws).
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { releaseConnections, targetLimits, waitForStatus } from "./support/status.js";
import { target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

const key = ({ data, isBinary }) => `${isBinary ? "binary" : "text"} ${data.toString("hex")}`;
const label = (k) => {
  const [type, hex] = k.split(" ");
  const bytes = Buffer.from(hex, "hex");
  return `${type} ${type === "text" ? JSON.stringify(bytes.toString()) : `${bytes.length} B`}`;
};

describe("/broadcast", function () {
  this.timeout(target.timeoutMs);
  afterEach(async function () {
    this.timeout(target.timeoutMs);
    await releaseConnections(); // six connections: free them for the next test
  });

  it("[firmware] gives every /broadcast client every message once, all in the same order, sender included", async function () {
    const limits = await targetLimits(this);
    await waitForStatus((s) => s.clients.length === 0, { what: "no clients" });
    const clients = [];
    for (let i = 0; i < 5; i++) clients.push(await WsClient.open(target, { path: "/broadcast" }));
    const bystander = await WsClient.open(target, { path: "/ws" });

    // Small messages: each client receives all 30 at once, a burst well within the server's
    // buffer budget (maxBuffered).
    const sent = clients.map((_, c) =>
      Array.from({ length: 6 }, (_, m) =>
        m % 2 === 0 ? `client ${c} message ${m} ✓` : binaryPayload(20 + 13 * m + c, 100 * c + m),
      ),
    );
    const burst = sent.flat().reduce((sum, m) => sum + Buffer.byteLength(m) + 4, 0);
    expect(burst, "bytes each client receives at once").to.be.below(limits.maxBuffered / 2);
    const keys = sent.map((messages) =>
      messages.map((m) => key({ data: Buffer.from(m), isBinary: typeof m !== "string" })),
    );
    const all = keys.flat();

    // All clients send at once: the server receives their messages interleaved.
    await Promise.all(sent.flatMap((messages, c) => messages.map((m) => clients[c].send(m))));

    const received = [];
    for (const [c, client] of clients.entries()) {
      const got = [];
      for (let i = 0; i < all.length; i++) {
        try {
          got.push(key(await client.nextMessage()));
        } catch (err) {
          throw new Error(`client ${c} after ${i} of ${all.length} messages: ${err.message}`, {
            cause: err,
          });
        }
      }
      received.push(got);
    }
    await Promise.all(clients.map((client) => client.expectQuiet(target.quietMs)));

    for (const [c, got] of received.entries()) {
      expect(
        [...got].sort(),
        `client ${c} got each of the ${all.length} messages once`,
      ).to.deep.equal([...all].sort());
      expect(got.map(label), `client ${c}: the same order as client 0`).to.deep.equal(
        received[0].map(label),
      );
    }
    for (const [c, own] of keys.entries()) {
      const order = received[0].filter((k) => own.includes(k));
      expect(order.map(label), `client ${c}'s messages in the order it sent them`).to.deep.equal(
        own.map(label),
      );
    }
    await bystander.expectQuiet(target.quietMs);
  });

  it("[firmware] keeps /ws and /broadcast apart: echoes stay with their sender, broadcasts skip /ws", async function () {
    await targetLimits(this);
    await waitForStatus((s) => s.clients.length === 0, { what: "no clients" });
    const echoA = await WsClient.open(target, { path: "/ws" });
    const echoB = await WsClient.open(target, { path: "/ws" });
    const castA = await WsClient.open(target, { path: "/broadcast" });
    const castB = await WsClient.open(target, { path: "/broadcast" });

    await echoA.send("echo only");
    expect((await echoA.nextMessage()).data.toString(), "echo on /ws").to.equal("echo only");
    const bytes = binaryPayload(64);
    await castA.send(bytes);
    for (const [name, client] of [
      ["sender", castA],
      ["other", castB],
    ]) {
      const { data, isBinary } = await client.nextMessage();
      expect(isBinary, `${name} /broadcast client: type`).to.equal(true);
      expect(data.equals(bytes), `${name} /broadcast client: payload`).to.equal(true);
    }
    await Promise.all(
      [echoA, echoB, castA, castB].map((client) => client.expectQuiet(target.quietMs)),
    );
  });
});
