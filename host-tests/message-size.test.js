// Messages larger than target.maxMessageSize fail with close 1009 (RFC 6455 §7.4.1), decided
// from the frame headers: the server must not wait for (or buffer) a payload it will refuse. On
// the endpoint that takes messages whole (target.wholePath: the firmware's /broadcast, alone on
// it here, so an echo); the echo at target.path streams any length (echo.test.js,
// streaming.test.js). Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";

const max = target.maxMessageSize;

describe("message size limit", function () {
  this.timeout(target.timeoutMs);

  it(`closes with 1009 on a frame declaring ${max + 1} bytes, without waiting for them`, async function () {
    const client = await RawClient.open(target, { path: target.wholePath });
    // Header for max + 1 bytes, then only 16 of them.
    await client.sendFrame({ opcode: Opcode.BINARY, length: max + 1, payload: binaryPayload(16) });
    await client.expectClose(1009);
  });

  it("closes with 1009 on a 64-bit length of 2^32, without waiting for the payload", async function () {
    const client = await RawClient.open(target, { path: target.wholePath });
    await client.sendFrame({
      opcode: Opcode.BINARY,
      length: 2n ** 32n,
      payload: binaryPayload(16),
    });
    await client.expectClose(1009);
  });

  it(`closes with 1009 when 3 fragments add up to more than ${max} bytes`, async function () {
    const client = await RawClient.open(target, { path: target.wholePath });
    const first = Math.floor(max / 2);
    const second = max - first - 10; // still within the limit after two fragments
    const frames = [
      { fin: false, opcode: Opcode.BINARY, payload: binaryPayload(first) },
      { fin: false, opcode: Opcode.CONTINUATION, payload: binaryPayload(second) },
      { fin: true, opcode: Opcode.CONTINUATION, payload: binaryPayload(20) }, // 10 over
    ];
    await client.sendRaw(Buffer.concat(frames.map((f) => encodeFrame(f))));
    await client.expectClose(1009);
  });

  it(`echoes a message of exactly ${max} bytes sent as 2 fragments`, async function () {
    const client = await RawClient.open(target, { path: target.wholePath });
    const whole = binaryPayload(max);
    const half = Math.floor(max / 2);
    await client.sendRaw(
      Buffer.concat([
        encodeFrame({ fin: false, opcode: Opcode.BINARY, payload: whole.subarray(0, half) }),
        encodeFrame({ opcode: Opcode.CONTINUATION, payload: whole.subarray(half) }),
      ]),
    );
    const message = await client.nextMessage();
    expect(message.opcode).to.equal(Opcode.BINARY);
    expect(message.payload.length).to.equal(max);
    expect(message.payload.equals(whole)).to.equal(true);
  });
});
