// Echo at the frame-length boundaries of RFC 6455 §5.2 (7-bit, 16-bit and 64-bit lengths) and
// at the configured maximum message size. Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { asciiText, binaryPayload } from "./support/data.js";
import { skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

const SIZES = [...new Set([0, 1, 125, 126, 127, 65535, 65536, target.maxMessageSize])].sort(
  (a, b) => a - b,
);

describe("echo", function () {
  this.timeout(target.timeoutMs);

  for (const size of SIZES) {
    const label = size === target.maxMessageSize ? `${size}-byte (the maximum)` : `${size}-byte`;

    it(`echoes a ${label} text message as text, byte for byte`, async function () {
      if (size > target.maxMessageSize) skipBecause(this, "above maxMessageSize");
      const client = await WsClient.open(target);
      const text = asciiText(size);
      await client.send(text);
      const { data, isBinary } = await client.nextMessage();
      expect(isBinary, "echo type").to.equal(false);
      expect(data.length).to.equal(size);
      expect(data.equals(Buffer.from(text)), "echoed bytes differ").to.equal(true);
    });

    it(`echoes a ${label} binary message as binary, byte for byte`, async function () {
      if (size > target.maxMessageSize) skipBecause(this, "above maxMessageSize");
      const client = await WsClient.open(target);
      const bytes = binaryPayload(size);
      await client.send(bytes);
      const { data, isBinary } = await client.nextMessage();
      expect(isBinary, "echo type").to.equal(true);
      expect(data.length).to.equal(size);
      expect(data.equals(bytes), "echoed bytes differ").to.equal(true);
    });
  }

  it("echoes several messages on one connection, in order and nothing more", async function () {
    const client = await WsClient.open(target);
    const sent = ["first", binaryPayload(300), "", "last ✓"];
    for (const message of sent) await client.send(message);
    for (const message of sent) {
      const { data, isBinary } = await client.nextMessage();
      expect(isBinary).to.equal(typeof message !== "string");
      expect(data.equals(Buffer.from(message))).to.equal(true);
    }
    await client.expectQuiet(target.quietMs);
  });
});
