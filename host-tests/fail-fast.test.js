// After the server fails a connection (1002, 1007, 1009: RFC 6455 §7.1.7) it does not hold TCP
// open for closeTimeout: §7.1.1 has the server close TCP first, and a client whose own close
// timer races the server's would see its close "failed" about half the time. It closes TCP once
// its close frame is written and the client has then been quiet for a moment (100 ms: what the
// client sent before it read the close frame, and its close reply, have come by then), reply or
// no reply. The close the server starts cleanly (idle, 1001) still gives the client closeTimeout
// to answer. Firmware-specific: on its own instance closeTimeout is 5000 ms, so that "at once"
// stands well apart from it, and idleTimeout 1000 ms with no pings; on a board, what it was
// flashed with.
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { firmwareSetting } from "./support/firmware-config.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { targetLimits } from "./support/status.js";
import { skipBecause, target } from "./support/target.js";
import { parseClosePayload } from "../tools/wire/close-payload.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode, RSV1 } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";

const OWN_CLOSE_TIMEOUT = 5000;
const OWN_IDLE_TIMEOUT = 1000;

/** The next close frame from the server (data frames before it passed over): its code. */
async function closeCodeOf(client, timeoutMs) {
  let frame = await client.nextFrame(timeoutMs);
  while (frame.opcode !== Opcode.CLOSE) frame = await client.nextFrame(timeoutMs);
  return parseClosePayload(frame.payload).code;
}

/** Whether TCP closes within `ms`, and when (performance.now()). */
async function closesWithin(client, ms) {
  const closed = await Promise.race([client.closed.then(() => true), delay(ms, false)]);
  return closed ? client.closedAt : null;
}

describe("failing a connection", function () {
  let t = target;
  let instance = null;
  let closeTimeout = firmwareSetting("closeTimeout");

  before(async function () {
    if (!canStartInstance({ simulator: true })) return;
    this.timeout(instanceStartMs());
    instance = await startInstance(
      // no pings: the raw client's pongs would keep it from being idle
      { closeTimeout: OWN_CLOSE_TIMEOUT, idleTimeout: OWN_IDLE_TIMEOUT, pingInterval: 0 },
      { forSuite: true },
    );
    t = instance;
    closeTimeout = OWN_CLOSE_TIMEOUT;
  });

  after(async function () {
    this.timeout(10_000);
    await instance?.stop();
  });

  it("[firmware] closes TCP without waiting out closeTimeout after its close 1002 for a bad close frame", async function () {
    await targetLimits(this, t);
    this.timeout(closeTimeout + 2 * target.timeoutMs);
    const client = await RawClient.open(t);
    await client.sendRaw(encodeFrame({ opcode: Opcode.CLOSE, payload: Buffer.of(0x03) })); // 1 byte
    expect(await closeCodeOf(client), "close code").to.equal(1002);
    const sentAt = performance.now();
    const closedAt = await closesWithin(client, closeTimeout / 2);
    expect(closedAt, `TCP closed within ${closeTimeout / 2} ms, no reply sent`).to.not.equal(null);
    expect(closedAt - sentAt, "ms after the close frame").to.be.below(closeTimeout / 2);
  });

  for (const [name, code, path, frameOf] of [
    [
      "1002 (a reserved bit)",
      1002,
      "/ws",
      () => ({ rsv: RSV1, opcode: Opcode.TEXT, payload: "x" }),
    ],
    [
      "1007 (invalid UTF-8)",
      1007,
      "/ws",
      () => ({ opcode: Opcode.TEXT, payload: Buffer.of(0x61, 0xff) }),
    ],
    [
      "1009 (over maxMessageSize, still being sent)",
      1009,
      "/broadcast",
      ({ maxMessageSize }) => ({
        opcode: Opcode.BINARY,
        payload: Buffer.alloc(maxMessageSize + 1),
      }),
    ],
  ]) {
    it(`[firmware] closes TCP without waiting out closeTimeout after its close ${name}, reply or not`, async function () {
      const limits = await targetLimits(this, t);
      this.timeout(closeTimeout + 2 * target.timeoutMs);
      const client = await RawClient.open(t, { path });
      await client.sendRaw(encodeFrame(frameOf(limits)));
      expect(await closeCodeOf(client), "close code").to.equal(code);
      const closedAt = await closesWithin(client, closeTimeout / 2);
      expect(closedAt, `TCP closed within ${closeTimeout / 2} ms, no reply sent`).to.not.equal(
        null,
      );
      expect(client.socketError?.code, "a clean close, no reset").to.equal(undefined);
      // The same with the client's reply, which the server reads and drops.
      const replying = await RawClient.open(t, { path });
      await replying.sendRaw(encodeFrame(frameOf(limits)));
      expect(await closeCodeOf(replying), "close code").to.equal(code);
      await replying.sendClose(code);
      const repliedAt = performance.now();
      const repliedClosedAt = await closesWithin(replying, closeTimeout / 2);
      expect(repliedClosedAt, `closed within ${closeTimeout / 2} ms of the reply`).to.not.equal(
        null,
      );
      expect(repliedClosedAt - repliedAt, "ms after the reply").to.be.below(closeTimeout / 2);
      expect(replying.socketError?.code, "a clean close, no reset").to.equal(undefined);
    });
  }

  it("[firmware] gives the client closeTimeout to answer a close the server starts cleanly (idle, 1001)", async function () {
    const { idleTimeout, pingInterval } = await targetLimits(this, t);
    if (!idleTimeout) skipBecause(this, "needs idleTimeout > 0 (its own instance has 1000 ms)");
    if (pingInterval && pingInterval < idleTimeout)
      skipBecause(
        this,
        "pings come more often than idleTimeout: the answering client is never idle",
      );
    this.timeout(idleTimeout + closeTimeout + 2 * target.timeoutMs);
    const client = await RawClient.open(t);
    expect(await closeCodeOf(client, idleTimeout + target.timeoutMs), "the idle close").to.equal(
      1001,
    );
    expect(await closesWithin(client, closeTimeout / 2), "still open, no reply yet").to.equal(null);
    expect(
      await closesWithin(client, closeTimeout / 2 + target.closeWaitMs),
      "dropped once closeTimeout is over",
    ).to.not.equal(null);
  });
});
