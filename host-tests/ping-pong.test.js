// Ping and pong (RFC 6455 §5.5.2, §5.5.3). Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";

describe("ping and pong", function () {
  this.timeout(target.timeoutMs);

  it("answers a ping with a pong carrying the same payload", async function () {
    const client = await RawClient.open(target);
    await client.sendPing("are you there? ✓");
    const pong = await client.nextFrame();
    expect(pong.opcode).to.equal(Opcode.PONG);
    expect(pong.payload.toString()).to.equal("are you there? ✓");
  });

  it("answers a ping with a 125-byte binary payload (the control-frame maximum)", async function () {
    const client = await RawClient.open(target);
    const payload = binaryPayload(125);
    await client.sendPing(payload);
    const pong = await client.nextFrame();
    expect(pong.opcode).to.equal(Opcode.PONG);
    expect(pong.payload.equals(payload)).to.equal(true);
  });

  it("answers an empty ping with an empty pong", async function () {
    const client = await RawClient.open(target);
    await client.sendPing();
    const pong = await client.nextFrame();
    expect(pong.opcode).to.equal(Opcode.PONG);
    expect(pong.payload.length).to.equal(0);
  });

  it("ignores an unsolicited pong and keeps echoing", async function () {
    const client = await RawClient.open(target);
    await client.sendPong("unsolicited");
    await client.expectQuiet(target.quietMs);
    await client.sendText("still echoing");
    const message = await client.nextMessage();
    expect(message.payload.toString()).to.equal("still echoing");
    expect(message.controls, "control frames before the echo").to.have.length(0);
  });

  it("keeps echoing after a ping", async function () {
    const client = await RawClient.open(target);
    await client.sendPing("p");
    await client.sendText("after ping");
    const message = await client.nextMessage();
    expect(message.payload.toString()).to.equal("after ping");
    // The pong normally precedes the echo, but §5.5.2 only asks for it "as soon as practical".
    const pong = message.controls[0] ?? (await client.nextFrame());
    expect(pong.opcode).to.equal(Opcode.PONG);
    expect(pong.payload.toString()).to.equal("p");
    await client.expectQuiet(target.quietMs);
  });
});
