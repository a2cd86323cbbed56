// Many frames in one TCP segment: the server must parse all of them, in order. Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";

describe("pipelined messages", function () {
  this.timeout(target.timeoutMs);

  it("echoes 200 small messages sent in one TCP write, in order", async function () {
    const client = await RawClient.open(target);
    const messages = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0
        ? { opcode: Opcode.TEXT, payload: Buffer.from(`message #${i}`) }
        : { opcode: Opcode.BINARY, payload: binaryPayload(i % 61, i) },
    );
    await client.sendRaw(Buffer.concat(messages.map((m) => encodeFrame(m))));

    for (const [i, sent] of messages.entries()) {
      const echo = await client.nextMessage();
      expect(echo.opcode, `type of echo #${i}`).to.equal(sent.opcode);
      expect(echo.payload.equals(sent.payload), `payload of echo #${i}`).to.equal(true);
    }
    await client.expectQuiet(target.quietMs);
  });

  it("echoes a message larger than the send buffer and a ping and a message sent right after it, to a client that reads", async function () {
    // The echo of the first is still being written when the next arrive: a server that counted
    // it as a backlog would call this client a slow consumer (the firmware once did, with 1008).
    const client = await RawClient.open(target, { showPings: true });
    const large = binaryPayload(40_000, 3);
    await client.sendRaw(
      Buffer.concat([
        encodeFrame({ opcode: Opcode.BINARY, payload: large }),
        encodeFrame({ opcode: Opcode.PING, payload: "after" }),
        encodeFrame({ opcode: Opcode.TEXT, payload: "hello" }),
      ]),
    );
    const echo = await client.nextMessage();
    expect(echo.payload.equals(large), "echo of the 40 000-byte message").to.equal(true);
    const next = await client.nextMessage();
    expect(next.payload.toString(), "echo of the message after it").to.equal("hello");
    const pongs = [...echo.controls, ...next.controls].filter((f) => f.opcode === Opcode.PONG);
    expect(
      pongs.map((f) => f.payload.toString()),
      "the pong",
    ).to.deep.equal(["after"]);
  });
});
