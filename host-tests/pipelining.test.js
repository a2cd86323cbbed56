// Many frames in one TCP segment: the server must parse all of them, in order. Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { Opcode, encodeFrame } from "./support/frames.js";
import { RawClient } from "./support/raw-client.js";
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
});
