// TCP is a byte stream: a server must reassemble requests and frames whatever the segment
// boundaries. Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";

describe("split TCP writes", function () {
  this.timeout(target.timeoutMs);

  it("echoes a text frame written one byte per TCP write", async function () {
    const client = await RawClient.open(target);
    const text = "one byte at a time ✓";
    await client.sendText(text, { chunkSize: 1 });
    const message = await client.nextMessage();
    expect(message.opcode).to.equal(Opcode.TEXT);
    expect(message.payload.toString()).to.equal(text);
  });

  it("echoes a 300-byte binary frame (16-bit length) written one byte per TCP write", async function () {
    const client = await RawClient.open(target);
    const bytes = binaryPayload(300);
    await client.sendBinary(bytes, { chunkSize: 1 });
    const message = await client.nextMessage();
    expect(message.opcode).to.equal(Opcode.BINARY);
    expect(message.payload.equals(bytes)).to.equal(true);
  });

  it("upgrades when the handshake request arrives one byte per TCP write", async function () {
    const client = await RawClient.open(target, { chunkSize: 1 });
    await client.sendText("after a slow handshake");
    const message = await client.nextMessage();
    expect(message.payload.toString()).to.equal("after a slow handshake");
  });
});
