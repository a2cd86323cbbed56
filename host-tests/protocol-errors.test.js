// Frames that violate RFC 6455 fail the connection with close 1002 (protocol error). Generic.
import "./support/hooks.js";
import { Opcode, RSV1, RSV2, RSV3 } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";

const RESERVED_OPCODES = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf];

describe("protocol errors", function () {
  this.timeout(target.timeoutMs);

  it("closes with 1002 on an unmasked client frame (§5.1)", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({ opcode: Opcode.TEXT, payload: "not masked", mask: false });
    await client.expectClose(1002);
  });

  for (const [name, rsv] of Object.entries({ RSV1, RSV2, RSV3 })) {
    it(`closes with 1002 on a frame with ${name} set and no extension (§5.2)`, async function () {
      const client = await RawClient.open(target);
      await client.sendFrame({ rsv, opcode: Opcode.TEXT, payload: "reserved bit" });
      await client.expectClose(1002);
    });
  }

  for (const opcode of RESERVED_OPCODES) {
    it(`closes with 1002 on the reserved opcode 0x${opcode.toString(16)} (§5.2)`, async function () {
      const client = await RawClient.open(target);
      await client.sendFrame({ opcode, payload: "reserved opcode" });
      await client.expectClose(1002);
    });
  }

  it("closes with 1002 on a ping with a 126-byte payload (§5.5)", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({ opcode: Opcode.PING, payload: Buffer.alloc(126, 0x70) });
    await client.expectClose(1002);
  });

  it("closes with 1002 on a fragmented ping (FIN=0) (§5.5)", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({ fin: false, opcode: Opcode.PING, payload: "frag" });
    await client.sendFrame({ opcode: Opcode.CONTINUATION, payload: "ment" });
    await client.expectClose(1002);
  });

  it("closes with 1002 on a continuation frame with nothing to continue (§5.4)", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({ opcode: Opcode.CONTINUATION, payload: "orphan" });
    await client.expectClose(1002);
  });

  it("closes with 1002 on a final text frame inside a fragmented message (§5.4)", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({ fin: false, opcode: Opcode.TEXT, payload: "started " });
    await client.sendFrame({ opcode: Opcode.TEXT, payload: "interloper" });
    await client.expectClose(1002, { skipData: true }); // "started " may be echoed already
  });

  it("closes with 1002 on a new binary fragment inside a fragmented message (§5.4)", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({ fin: false, opcode: Opcode.BINARY, payload: "started" });
    await client.sendFrame({ fin: false, opcode: Opcode.BINARY, payload: "again" });
    await client.expectClose(1002, { skipData: true }); // "started" may be echoed already
  });
});
