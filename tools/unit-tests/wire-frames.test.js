// tools/wire's frames: the encoder, the one header reader, the parser of server frames and the
// frame walker that the raw client and the fuzzer both use.
import { expect } from "chai";
import { closePayload, parseClosePayload } from "../wire/close-payload.js";
import { encodeFrame, encodeServerFrame } from "../wire/frame-encoder.js";
import { readFrameHeader } from "../wire/frame-header.js";
import { FrameParser } from "../wire/frame-parser.js";
import { FrameWalker } from "../wire/frame-walker.js";
import { Opcode } from "../wire/opcodes.js";

const text = (payload, more = {}) => encodeFrame({ opcode: Opcode.TEXT, payload, ...more });
const close = (code) => encodeFrame({ opcode: Opcode.CLOSE, payload: closePayload(code) });

/** Pushes `bytes` into `walker` in pieces of `size` bytes; the values push returned. */
function walk(walker, bytes, size = 1) {
  const results = [];
  for (let i = 0; i < bytes.length; i += size)
    results.push(walker.push(bytes.subarray(i, i + size)));
  return results;
}

describe("wire frames (tools/wire)", () => {
  it("encodes client frames masked and server frames not, with 7-, 16- and 64-bit lengths", () => {
    const key = [1, 2, 3, 4];
    expect([...text("ab", { maskKey: key })]).to.deep.equal([0x81, 0x82, 1, 2, 3, 4, 0x60, 0x60]);
    expect([...encodeServerFrame({ opcode: Opcode.BINARY, payload: [7] })]).to.deep.equal([
      0x82, 0x01, 7,
    ]);
    for (const [length, size] of [
      [125, 2],
      [126, 4],
      [65535, 4],
      [65536, 10],
    ]) {
      const frame = encodeServerFrame({ opcode: Opcode.BINARY, payload: Buffer.alloc(length) });
      expect(readFrameHeader(frame)).to.include({ length: BigInt(length), size, masked: false });
      expect(readFrameHeader(frame.subarray(0, size - 1)), "incomplete header").to.equal(null);
    }
    const promised = encodeFrame({ opcode: Opcode.TEXT, payload: "", length: 2n ** 40n });
    expect(readFrameHeader(promised)).to.include({ length: 2n ** 40n, size: 14, masked: true });
  });

  it("parses frames split anywhere, unmasks masked ones, and counts bytes after a close", () => {
    const bytes = Buffer.concat([
      encodeServerFrame({ fin: false, opcode: Opcode.TEXT, payload: "he" }),
      text("llo", { opcode: Opcode.CONTINUATION }),
      encodeServerFrame({ opcode: Opcode.CLOSE, payload: closePayload(1000, "bye") }),
      Buffer.from("after"),
    ]);
    const parser = new FrameParser();
    const frames = [];
    for (let i = 0; i < bytes.length; i += 3) frames.push(...parser.push(bytes.subarray(i, i + 3)));
    expect(
      frames.map((f) => [f.opcode, f.fin, f.masked, f.payload.toString("latin1")]),
    ).to.deep.equal([
      [Opcode.TEXT, false, false, "he"],
      [Opcode.CONTINUATION, true, true, "llo"],
      [Opcode.CLOSE, true, false, "\x03\xe8bye"],
    ]);
    expect(parseClosePayload(frames[2].payload)).to.deep.equal({
      code: 1000,
      reason: "bye",
      validReason: true,
    });
    expect(parser.bytesAfterClose).to.equal(5);
  });

  it("walks frame boundaries byte by byte and says where the first close frame ends", () => {
    const walker = new FrameWalker();
    const first = text("hello");
    const results = walk(walker, first);
    expect(results.every((r) => r === null)).to.equal(true);
    expect(walker.atBoundary).to.equal(true);
    walker.push(first.subarray(0, 3));
    expect(walker.atBoundary, "inside a header").to.equal(false);
    walker.push(first.subarray(3));
    expect(walker.atBoundary).to.equal(true);
    expect(walker.push(Buffer.concat([close(1000), text("x")]))).to.equal(text("x").length);
    expect(walker.sawClose).to.equal(true);
    expect(walker.push(close(1000)), "only the first close frame").to.equal(null);
    const forever = new FrameWalker();
    forever.push(encodeFrame({ opcode: Opcode.BINARY, payload: "ab", length: 1000 }));
    expect(forever.atBoundary, "a header that promises more than comes").to.equal(false);
  });

  it("strict: stops for good where a server cannot read on, and can start inside a frame", () => {
    for (const bad of [
      text("x", { rsv: 0b100 }),
      text("x", { mask: false }),
      encodeFrame({ opcode: 0x3 }),
      encodeFrame({ opcode: Opcode.PING, fin: false }),
      encodeFrame({ opcode: Opcode.PING, payload: Buffer.alloc(126) }),
      encodeFrame({ opcode: Opcode.BINARY, length: 2n ** 32n }),
    ]) {
      const walker = new FrameWalker({ strict: true });
      expect(walker.push(Buffer.concat([bad, close(1000)])), bad.toString("hex")).to.equal(null);
      expect(walker.stopped, bad.toString("hex")).to.equal(true);
    }
    const loose = new FrameWalker();
    loose.push(text("x", { mask: false }));
    expect(loose.atBoundary && !loose.stopped, "not strict: any framing is walked").to.equal(true);

    const frame = text("payload");
    const fromHeader = new FrameWalker({ strict: true, header: [...frame.subarray(0, 2)] });
    expect(
      fromHeader.push(Buffer.concat([frame.subarray(2), close(1000), Buffer.from("zz")])),
    ).to.equal(2);
    const inPayload = new FrameWalker({ strict: true, remaining: 4 });
    expect(inPayload.push(Buffer.concat([Buffer.from("abcd"), close(1001)]))).to.equal(0);
  });
});
