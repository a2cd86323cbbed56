// Several connections at once: each has its own parser state and gets only its own echoes.
// Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

describe("concurrent clients", function () {
  this.timeout(target.timeoutMs);

  it("gives each of two clients only its own echoes, with sends interleaved", async function () {
    const a = await WsClient.open(target);
    const b = await WsClient.open(target);
    const sentA = [];
    const sentB = [];
    const sends = [];
    for (let i = 0; i < 10; i++) {
      const fromA = i % 3 === 0 ? binaryPayload(10 + i, i) : `A says ${i}`;
      const fromB = i % 3 === 1 ? binaryPayload(20 + i, 100 + i) : `B says ${i}`;
      sentA.push(fromA);
      sentB.push(fromB);
      sends.push(a.send(fromA), b.send(fromB)); // not awaited one by one: interleaved on the wire
    }
    await Promise.all(sends);

    for (const [name, client, sent] of [
      ["A", a, sentA],
      ["B", b, sentB],
    ]) {
      for (const [i, message] of sent.entries()) {
        const { data, isBinary } = await client.nextMessage();
        expect(isBinary, `${name} echo #${i} type`).to.equal(typeof message !== "string");
        expect(data.equals(Buffer.from(message)), `${name} echo #${i}: got "${data}"`).to.equal(
          true,
        );
      }
    }
    await Promise.all([a.expectQuiet(target.quietMs), b.expectQuiet(target.quietMs)]);
  });

  it("keeps a half-received frame on one connection apart from another's messages", async function () {
    const a = await RawClient.open(target);
    const b = await RawClient.open(target);
    const frame = encodeFrame({ opcode: Opcode.TEXT, payload: "A's message, sent in two halves" });
    const cut = Math.floor(frame.length / 2);
    await a.sendRaw(frame.subarray(0, cut));
    await a.expectQuiet(target.quietMs);

    await b.sendText("B's whole message");
    const fromB = await b.nextMessage();
    expect(fromB.payload.toString()).to.equal("B's whole message");

    await a.sendRaw(frame.subarray(cut));
    const fromA = await a.nextMessage();
    expect(fromA.payload.toString()).to.equal("A's message, sent in two halves");
    await Promise.all([a.expectQuiet(target.quietMs), b.expectQuiet(target.quietMs)]);
  });

  it("keeps serving one client after the other closes", async function () {
    const a = await WsClient.open(target);
    const b = await WsClient.open(target);
    const closeInfo = await a.close();
    expect(closeInfo?.code, "close code seen by A").to.equal(1000);
    await b.send("B carries on");
    const { data } = await b.nextMessage();
    expect(data.toString()).to.equal("B carries on");
  });
});
