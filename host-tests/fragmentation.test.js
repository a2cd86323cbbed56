// Fragmented messages (RFC 6455 §5.4) with control frames interleaved (§5.5: control frames
// may be injected in the middle of a fragmented message). Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";

/** Frames of a message cut into `parts`, with a ping inserted after the first fragment. */
function fragmentsWithPing(opcode, parts, pingPayload) {
  const frames = parts.map((part, i) => ({
    fin: i === parts.length - 1,
    opcode: i === 0 ? opcode : Opcode.CONTINUATION,
    payload: part,
  }));
  frames.splice(1, 0, { opcode: Opcode.PING, payload: pingPayload });
  return frames;
}

/** Reads until both the echoed message and a pong have arrived, in whichever order. */
async function messageAndPong(client) {
  const message = await client.nextMessage();
  let pongs = message.controls.filter((f) => f.opcode === Opcode.PONG);
  if (pongs.length === 0) pongs = [await client.nextFrame()];
  expect(pongs[0].opcode, "expected a pong").to.equal(Opcode.PONG);
  return { message, pong: pongs[0] };
}

describe("fragmentation", function () {
  this.timeout(target.timeoutMs);

  it("echoes a text message sent as 4 fragments (one empty) with a ping in between", async function () {
    const client = await RawClient.open(target);
    const parts = ["Hello, ", "", "fragmented ", "world ✓"];
    const frames = fragmentsWithPing(Opcode.TEXT, parts, "ping-in-text");
    await client.sendRaw(Buffer.concat(frames.map((f) => encodeFrame(f))));

    const { message, pong } = await messageAndPong(client);
    expect(pong.payload.toString(), "pong payload").to.equal("ping-in-text");
    expect(message.opcode).to.equal(Opcode.TEXT);
    expect(message.payload.toString()).to.equal(parts.join(""));
  });

  it("echoes a binary message sent as 3 fragments with a ping in between", async function () {
    const client = await RawClient.open(target);
    const whole = binaryPayload(1000);
    const parts = [whole.subarray(0, 1), whole.subarray(1, 600), whole.subarray(600)];
    const ping = binaryPayload(125, 99);
    const frames = fragmentsWithPing(Opcode.BINARY, parts, ping);
    await client.sendRaw(Buffer.concat(frames.map((f) => encodeFrame(f))));

    const { message, pong } = await messageAndPong(client);
    expect(pong.payload.equals(ping), "pong payload").to.equal(true);
    expect(message.opcode).to.equal(Opcode.BINARY);
    expect(message.payload.equals(whole)).to.equal(true);
  });

  it("answers a ping between fragments before the message is complete", async function () {
    // RFC 6455 §5.5.2: respond to a ping "as soon as is practical"; a pong held back until
    // the final fragment arrives would stall keep-alives during slow uploads.
    // A server that streams the echo may send the echo's first fragment before the pong.
    const client = await RawClient.open(target);
    await client.sendFrame({ fin: false, opcode: Opcode.TEXT, payload: "first half, " });
    await client.sendPing("still there?");
    const echo = []; // the echo's frames, those before the pong and those after
    let pong = await client.nextFrame();
    while (pong.opcode !== Opcode.PONG) {
      expect(pong.fin, "the echo cannot end before the message does").to.equal(false);
      echo.push(pong);
      pong = await client.nextFrame();
    }
    expect(pong.payload.toString()).to.equal("still there?");

    await client.sendFrame({ opcode: Opcode.CONTINUATION, payload: "second half" });
    for (let frame = null; !frame?.fin;) echo.push((frame = await client.nextFrame()));
    const opcodes = echo.map((frame) => frame.opcode);
    expect(opcodes, "one text message").to.deep.equal([
      Opcode.TEXT,
      ...opcodes.slice(1).map(() => Opcode.CONTINUATION),
    ]);
    const echoed = Buffer.concat(echo.map((frame) => frame.payload));
    expect(echoed.toString()).to.equal("first half, second half");
  });

  it("echoes a message sent as 100 one-byte fragments", async function () {
    const client = await RawClient.open(target);
    const text = "x".repeat(50) + "y".repeat(50);
    const frames = [...text].map((ch, i) => ({
      fin: i === text.length - 1,
      opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION,
      payload: ch,
    }));
    await client.sendRaw(Buffer.concat(frames.map((f) => encodeFrame(f))));
    const message = await client.nextMessage();
    expect(message.opcode).to.equal(Opcode.TEXT);
    expect(message.payload.toString()).to.equal(text);
  });

  it("keeps echoing after a fragmented message", async function () {
    const client = await RawClient.open(target);
    await client.sendFrame({ fin: false, opcode: Opcode.BINARY, payload: "ab" });
    await client.sendFrame({ opcode: Opcode.CONTINUATION, payload: "cd" });
    await client.sendText("next");
    const first = await client.nextMessage();
    expect(first.opcode).to.equal(Opcode.BINARY);
    expect(first.payload.toString()).to.equal("abcd");
    const second = await client.nextMessage();
    expect(second.opcode).to.equal(Opcode.TEXT);
    expect(second.payload.toString()).to.equal("next");
  });
});
