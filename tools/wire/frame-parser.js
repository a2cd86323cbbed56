// An incremental parser of the frames a server sends (RFC 6455 section 5.2): whole frames with
// their payloads, unmasked if they were masked (which the raw client then reports).
import { readFrameHeader } from "./frame-header.js";
import { Opcode } from "./opcodes.js";

/**
 * `push(chunk)` returns the frames completed by that chunk: `{ fin, rsv, opcode, masked,
 * payload }`. After a close frame it stops parsing: every later byte is counted in
 * `bytesAfterClose`.
 */
export class FrameParser {
  constructor() {
    this.buffer = Buffer.alloc(0);
    this.sawClose = false;
    this.bytesAfterClose = 0;
  }

  push(chunk) {
    if (this.sawClose) {
      this.bytesAfterClose += chunk.length;
      return [];
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : Buffer.from(chunk);
    const frames = [];
    for (;;) {
      const frame = this.#parseOne();
      if (!frame) break;
      frames.push(frame);
      if (frame.opcode === Opcode.CLOSE) {
        this.sawClose = true;
        this.bytesAfterClose += this.buffer.length;
        this.buffer = Buffer.alloc(0);
        break;
      }
    }
    return frames;
  }

  #parseOne() {
    const buf = this.buffer;
    const header = readFrameHeader(buf);
    if (!header) return null;
    const { fin, rsv, opcode, masked, size } = header;
    if (header.length > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`absurd length ${header.length}`);
    }
    const length = Number(header.length);
    if (buf.length < size + length) return null;
    const payload = Buffer.from(buf.subarray(size, size + length));
    if (masked) {
      const maskKey = buf.subarray(size - 4, size);
      for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i & 3];
    }
    this.buffer = buf.subarray(size + length);
    return { fin, rsv, opcode, masked, payload };
  }
}
