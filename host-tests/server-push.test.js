// Messages the server sends on its own: `Trigger async` -> `Async data` from a timer, `Ping` -> a
// ping frame, and with tick=N a `tick <n>` to every /broadcast client every N ms.
// Firmware-specific (the reference server only echoes).
import { expect } from "chai";
import "./support/hooks.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { targetLimits } from "./support/status.js";
import { firmwareOnly, skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

describe("server push", function () {
  this.timeout(target.timeoutMs);

  it("[firmware] answers the text `Trigger async` with the text `Async data`, not with an echo", async function () {
    firmwareOnly(this, "the reference server only echoes");
    const client = await WsClient.open(target, { path: "/ws" });
    await client.send("Trigger async");
    const { data, isBinary } = await client.nextMessage();
    expect({ text: data.toString(), isBinary }, "first message after the trigger").to.deep.equal({
      text: "Async data",
      isBinary: false,
    });
    await client.expectQuiet(target.quietMs);
    await client.send("after the trigger");
    expect((await client.nextMessage()).data.toString()).to.equal("after the trigger");
  });

  it("[firmware] echoes what is only close to a trigger: binary `Trigger async`, `Ping ` and `ping`", async function () {
    firmwareOnly(this, "the reference server only echoes");
    const client = await RawClient.open(target, { path: "/ws", showPings: true });
    const cases = [
      { opcode: Opcode.BINARY, payload: Buffer.from("Trigger async") },
      { opcode: Opcode.TEXT, payload: Buffer.from("Trigger async ") },
      { opcode: Opcode.BINARY, payload: Buffer.from("Ping") },
      { opcode: Opcode.TEXT, payload: Buffer.from("Ping ") },
      { opcode: Opcode.TEXT, payload: Buffer.from("ping") },
    ];
    for (const sent of cases) {
      await client.sendFrame(sent);
      const echo = await client.nextMessage();
      const what = `echo of ${sent.opcode === Opcode.TEXT ? "text" : "binary"} "${sent.payload}"`;
      expect(echo.opcode, `${what}: type`).to.equal(sent.opcode);
      expect(echo.payload.toString(), what).to.equal(sent.payload.toString());
    }
    const extra = client.takeFrames().filter((frame) => frame.opcode !== Opcode.PING);
    expect(extra.length, "data frames after the echoes").to.equal(0);
  });

  it("[firmware] answers the text `Ping` with a ping frame with an empty payload, not with an echo", async function () {
    const { pingInterval } = await targetLimits(this);
    const client = await RawClient.open(target, { path: "/ws", showPings: true });
    // Liveness pings arrive too, every pingInterval. Three `Ping`s must bring three empty pings
    // sooner than liveness pings alone could.
    const count = 3;
    const started = performance.now();
    for (let i = 0; i < count; i++) await client.sendText("Ping");
    const pings = [];
    const others = [];
    while (pings.length < count) {
      const left = target.replyTimeoutMs - (performance.now() - started);
      let frame;
      try {
        frame = await client.nextFrame(Math.max(1, left));
      } catch (err) {
        throw new Error(
          `${pings.length} empty ping(s) for ${count} "Ping" (other pings: ${others.join(", ") || "none"}): ${err.message}`,
          { cause: err },
        );
      }
      if (frame.opcode === Opcode.PING && frame.payload.length === 0) pings.push(frame);
      else if (frame.opcode === Opcode.PING) others.push(`${frame.payload.length} B payload`);
      else throw new Error(`got a data frame (an echo?) instead of a ping: ${frame.payload}`);
    }
    const elapsed = performance.now() - started;
    const livenessAtMost = Math.floor(elapsed / pingInterval) + 1;
    expect(
      count,
      `${count} empty pings in ${elapsed.toFixed(0)} ms could be liveness pings (pingInterval ${pingInterval})`,
    ).to.be.above(livenessAtMost);
    await new Promise((resolve) => setTimeout(resolve, target.quietMs));
    const data = client.takeFrames().filter((frame) => frame.opcode !== Opcode.PING);
    expect(
      data.map((f) => f.payload.toString()),
      "data frames after the pings",
    ).to.deep.equal([]);
    await client.sendText("after the pings");
    expect((await client.nextMessage()).payload.toString()).to.equal("after the pings");
  });

  it("[firmware] with tick=N sends `tick 1`, `tick 2`, … every N ms to each /broadcast client", async function () {
    firmwareOnly(this, "tick is this firmware's");
    let t = target;
    let instance = null;
    let tick;
    if (canStartInstance({ simulator: true })) {
      this.timeout(instanceStartMs());
      tick = 500;
      instance = await startInstance({ tick });
      t = instance;
    } else {
      tick = (await targetLimits(this)).tick;
      if (!(tick > 0)) {
        skipBecause(this, `needs tick > 0, the target runs tick=${tick} (build it with tick=500)`);
      }
    }
    this.timeout((instance ? instanceStartMs() : 0) + target.timeoutMs + 4 * tick);
    try {
      const casters = [
        await WsClient.open(t, { path: "/broadcast" }),
        await WsClient.open(t, { path: "/broadcast" }),
      ];
      const echo = await WsClient.open(t, { path: "/ws" });
      const seen = [];
      for (const [c, client] of casters.entries()) {
        const ticks = [];
        for (let i = 0; i < 3; i++) {
          const { data, isBinary } = await client.nextMessage(tick + target.replyTimeoutMs);
          expect(isBinary, `client ${c} tick message ${i}: binary`).to.equal(false);
          const match = /^tick (\d+)$/.exec(data.toString());
          expect(match, `client ${c}: "${data}" is not "tick <n>"`).to.not.equal(null);
          ticks.push({ n: Number(match[1]), at: performance.now() });
        }
        seen.push(ticks);
      }
      const numbers = seen.map((ticks) => ticks.map(({ n }) => n));
      expect(numbers[1], "both /broadcast clients get the same ticks").to.deep.equal(numbers[0]);
      const first = numbers[0][0];
      expect(numbers[0], "consecutive tick numbers").to.deep.equal([first, first + 1, first + 2]);
      if (instance) expect(first, "the first tick of a fresh server").to.equal(1);
      const period = (seen[0][2].at - seen[0][0].at) / 2;
      // Seen by the client: a busy machine delays some, so only about the period.
      expect(period, `ms between ticks with tick=${tick}`).to.be.within(tick * 0.5, tick * 2);
      await echo.expectQuiet(target.quietMs);
    } finally {
      await instance?.stop();
    }
  });
});
