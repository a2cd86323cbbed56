// Echo at the frame-length boundaries of RFC 6455 §5.2 (7-bit, 16-bit and 64-bit lengths), on the
// echo endpoint (target.path), which takes messages of any length (the firmware streams them;
// target.echoLimit is the reference server's most). Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { asciiText, binaryPayload } from "./support/data.js";
import { skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 200_000];

describe("echo", function () {
  this.timeout(target.timeoutMs);

  for (const size of SIZES) {
    const label = `${size}-byte`;

    it(`echoes a ${label} text message as text, byte for byte`, async function () {
      if (size > target.echoLimit) skipBecause(this, "above the echo's limit");
      const client = await WsClient.open(target);
      const text = asciiText(size);
      await client.send(text);
      const { data, isBinary } = await client.nextMessage();
      expect(isBinary, "echo type").to.equal(false);
      expect(data.length).to.equal(size);
      expect(data.equals(Buffer.from(text)), "echoed bytes differ").to.equal(true);
    });

    it(`echoes a ${label} binary message as binary, byte for byte`, async function () {
      if (size > target.echoLimit) skipBecause(this, "above the echo's limit");
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
