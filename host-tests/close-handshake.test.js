// The closing handshake (RFC 6455 §5.5.1, §7.4): reply with a close frame, then close TCP,
// and send nothing after the close frame. Invalid close frames fail with 1002 or 1007. Generic.
import "./support/hooks.js";
import { expect } from "chai";
import { closePayload } from "../tools/wire/close-payload.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";

// §7.4.1 defines 1000-1003 and 1007-1011 for use in close frames; 3000-4999 are for
// libraries and applications. 1004 is reserved, 1005/1006/1015 must never be sent.
const VALID_CODES = [1000, 1001, 1003, 3000, 4999];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000];

describe("close handshake", function () {
  this.timeout(target.timeoutMs);

  it("answers close 1000 with a reason by close 1000, then closes TCP", async function () {
    const client = await RawClient.open(target);
    await client.sendClose(1000, "bye ✓");
    await client.expectClose(1000);
  });

  for (const code of VALID_CODES) {
    it(`echoes the valid close code ${code}`, async function () {
      const client = await RawClient.open(target);
      await client.sendClose(code);
      await client.expectClose(code);
    });
  }

  it("answers a close with the longest reason (123 bytes) by close 1000", async function () {
    const client = await RawClient.open(target);
    await client.sendClose(1000, "r".repeat(123));
    await client.expectClose(1000);
  });

  it("answers a close without status code by a close without code or with 1000", async function () {
    // §5.5.1 asks the reply to "typically echo the status code"; with none received, an empty
    // close frame and 1000 (normal closure) are both correct. `ws` sends an empty one.
    const client = await RawClient.open(target);
    await client.sendClose();
    await client.expectClose([null, 1000]);
  });

  for (const code of INVALID_CODES) {
    it(`closes with 1002 on the invalid close code ${code}`, async function () {
      const client = await RawClient.open(target);
      await client.sendClose(code);
      await client.expectClose(1002);
    });
  }

  it("closes with 1002 on a 1-byte close payload", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({ opcode: Opcode.CLOSE, payload: Buffer.from([0x03]) });
    await client.expectClose(1002);
  });

  it("closes with 1007 on a close reason that is not valid UTF-8", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({
      opcode: Opcode.CLOSE,
      payload: closePayload(1000, Buffer.from([0x6f, 0x6b, 0xed, 0xa0, 0x80, 0xff])),
    });
    await client.expectClose(1007);
  });

  it("echoes what came before a close and nothing that follows it", async function () {
    // One TCP write: a message, the close, then a message the server must discard (§1.4,
    // §5.5.1: no data frames after a close frame).
    const client = await RawClient.open(target);
    await client.sendRaw(
      Buffer.concat([
        encodeFrame({ opcode: Opcode.TEXT, payload: "last words" }),
        encodeFrame({ opcode: Opcode.CLOSE, payload: closePayload(1000) }),
        encodeFrame({ opcode: Opcode.TEXT, payload: "too late" }),
      ]),
    );
    client.closeSent = true;
    const message = await client.nextMessage();
    expect(message.payload.toString()).to.equal("last words");
    await client.expectClose(1000); // also: nothing after the close frame, TCP closed
  });
});
