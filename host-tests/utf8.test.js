// Text messages must be valid UTF-8 (RFC 6455 §5.6, §8.1); invalid text fails the connection
// with 1007 (§7.4.1). Validation is over the whole message, so a code point may straddle
// fragments. Generic.
import { expect } from "chai";
import "./support/hooks.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

const b = (...bytes) => Buffer.from(bytes);

const INVALID = [
  ["an overlong 2-byte encoding of '/' (C0 AF)", [b(0x61, 0xc0, 0xaf, 0x62)]],
  ["an overlong 3-byte encoding (E0 80 AF)", [b(0xe0, 0x80, 0xaf)]],
  ["a UTF-16 surrogate U+D800 (ED A0 80)", [b(0x61, 0xed, 0xa0, 0x80)]],
  ["a code point above U+10FFFF (F4 90 80 80)", [b(0xf4, 0x90, 0x80, 0x80)]],
  ["a sequence truncated at the end of the message (E2 82)", [b(0x61, 0x62, 0xe2, 0x82)]],
  ["a sequence truncated at the end of a fragmented message", [b(0x61, 0x62), b(0xf0, 0x9f, 0x98)]],
  ["an invalid continuation byte (C3 28)", [b(0x61, 0xc3, 0x28)]],
  ["a lone continuation byte (80)", [b(0x80)]],
  ["a byte that never appears in UTF-8 (FF)", [b(0x61, 0xff)]],
];

function textFragments(parts) {
  return Buffer.concat(
    parts.map((payload, i) =>
      encodeFrame({
        fin: i === parts.length - 1,
        opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION,
        payload,
      }),
    ),
  );
}

describe("UTF-8", function () {
  this.timeout(target.timeoutMs);

  it("echoes valid text with 2-, 3- and 4-byte code points", async function () {
    const client = await WsClient.open(target);
    const text = "é ñ ß — € 中文 한국어 😀 𝄞 \u{10FFFF}";
    await client.send(text);
    const { data, isBinary } = await client.nextMessage();
    expect(isBinary).to.equal(false);
    expect(data.toString("utf8")).to.equal(text);
  });

  it("echoes text whose 4-byte code point is split across two fragments", async function () {
    const client = await RawClient.open(target);
    const bytes = Buffer.from("ab😀cd"); // 61 62 F0 9F 98 80 63 64
    await client.sendRaw(textFragments([bytes.subarray(0, 4), bytes.subarray(4)]));
    const message = await client.nextMessage();
    expect(message.opcode).to.equal(Opcode.TEXT);
    expect(message.payload.toString()).to.equal("ab😀cd");
  });

  it("echoes text whose code points are split byte by byte over many fragments", async function () {
    const client = await RawClient.open(target);
    const bytes = Buffer.from("€😀é");
    await client.sendRaw(textFragments([...bytes].map((byte) => b(byte))));
    const message = await client.nextMessage();
    expect(message.payload.toString()).to.equal("€😀é");
  });

  for (const [what, parts] of INVALID) {
    it(`closes with 1007 on text containing ${what}`, async function () {
      const client = await RawClient.open(target);
      await client.sendRaw(textFragments(parts));
      // The echo streams: the fragments read before the bad byte may be echoed before the close.
      await client.expectClose(1007, { skipData: true });
    });
  }

  it("does not validate binary messages as UTF-8", async function () {
    const client = await RawClient.open(target);
    await client.sendBinary(b(0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff));
    const message = await client.nextMessage();
    expect(message.opcode).to.equal(Opcode.BINARY);
    expect(message.payload.equals(b(0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff))).to.equal(true);
  });
});
