// RFC 6455 section 5.2 frames, byte for byte: an encoder for client frames (which may be
// deliberately wrong) and an incremental parser for server frames.
import { randomBytes } from "node:crypto";

export const Opcode = Object.freeze({
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
});

export const RSV1 = 0b100;
export const RSV2 = 0b010;
export const RSV3 = 0b001;

export function isControl(opcode) {
  return (opcode & 0x8) !== 0;
}

export function isKnownOpcode(opcode) {
  return [0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(opcode);
}

function toBuffer(data) {
  return typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
}

/**
 * Encodes one frame.
 * @param {object} frame
 * @param {boolean} [frame.fin=true]
 * @param {number} [frame.rsv=0] three bits: RSV1 = 0b100, RSV2 = 0b010, RSV3 = 0b001
 * @param {number} frame.opcode
 * @param {string|Uint8Array} [frame.payload] the bytes actually written after the header
 * @param {boolean} [frame.mask=true]
 * @param {Uint8Array} [frame.maskKey] 4 bytes; random when omitted
 * @param {number|bigint} [frame.length] payload length to declare in the header, when it must
 *   differ from the bytes written (a header that promises more than is sent)
 * @returns {Buffer}
 */
export function encodeFrame({
  fin = true,
  rsv = 0,
  opcode,
  payload = "",
  mask = true,
  maskKey,
  length,
}) {
  const body = toBuffer(payload);
  const declared = BigInt(length ?? body.length);
  let header;
  if (declared < 126n) {
    header = Buffer.alloc(2);
    header[1] = Number(declared);
  } else if (declared <= 0xffffn) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(Number(declared), 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(declared, 2);
  }
  header[0] = (fin ? 0x80 : 0) | ((rsv & 0b111) << 4) | (opcode & 0x0f);
  if (!mask) return Buffer.concat([header, body]);

  header[1] |= 0x80;
  const key = maskKey ? toBuffer(maskKey) : randomBytes(4);
  if (key.length !== 4) throw new RangeError("maskKey must be 4 bytes");
  const masked = Buffer.alloc(body.length);
  for (let i = 0; i < body.length; i++) masked[i] = body[i] ^ key[i & 3];
  return Buffer.concat([header, key, masked]);
}

/** Payload of a close frame: a 2-byte status code and a reason, or empty without a code. */
export function closePayload(code, reason = "") {
  if (code === undefined || code === null) return Buffer.alloc(0);
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code, 0);
  return Buffer.concat([head, toBuffer(reason)]);
}

/**
 * Incremental frame parser. `push(chunk)` returns the frames completed by that chunk. After a
 * close frame it stops parsing: every later byte is counted in `bytesAfterClose`.
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
    if (buf.length < 2) return null;
    const fin = (buf[0] & 0x80) !== 0;
    const rsv = (buf[0] >> 4) & 0b111;
    const opcode = buf[0] & 0x0f;
    const masked = (buf[1] & 0x80) !== 0;
    let length = buf[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buf.length < 4) return null;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buf.length < 10) return null;
      const big = buf.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`absurd length ${big}`);
      length = Number(big);
      offset = 10;
    }
    let maskKey = null;
    if (masked) {
      if (buf.length < offset + 4) return null;
      maskKey = buf.subarray(offset, offset + 4);
      offset += 4;
    }
    if (buf.length < offset + length) return null;
    const payload = Buffer.from(buf.subarray(offset, offset + length));
    if (maskKey) for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i & 3];
    this.buffer = buf.subarray(offset + length);
    return { fin, rsv, opcode, masked, payload };
  }
}

/** Splits a close frame payload into `{ code, reason }`; `code` is null when the payload is empty. */
export function parseClosePayload(payload) {
  if (payload.length === 0) return { code: null, reason: "", validReason: true };
  if (payload.length === 1) throw new Error("close frame payload of 1 byte (RFC 6455 §5.5.1)");
  const code = payload.readUInt16BE(0);
  const reasonBytes = payload.subarray(2);
  let reason;
  let validReason = true;
  try {
    reason = new TextDecoder("utf-8", { fatal: true }).decode(reasonBytes);
  } catch {
    reason = reasonBytes.toString("hex");
    validReason = false;
  }
  return { code, reason, validReason };
}

/**
 * Follows the frames a client writes, byte by byte, to tell whether the bytes written so far end
 * on a frame boundary: a control frame (an automatic pong) may be written there and nowhere else.
 * A header that declares more bytes than will ever be sent keeps it "inside a frame" for good.
 */
export class FrameBoundaryTracker {
  #header = [];
  #remaining = 0;
  /** A close frame has been written (a client sends nothing after it). */
  sawClose = false;

  get atBoundary() {
    return this.#header.length === 0 && this.#remaining === 0;
  }

  push(bytes) {
    let i = 0;
    while (i < bytes.length) {
      if (this.#remaining > 0) {
        const n = Math.min(this.#remaining, bytes.length - i);
        this.#remaining -= n;
        i += n;
        continue;
      }
      this.#header.push(bytes[i++]);
      const header = this.#header;
      if (header.length < 2) continue;
      const length7 = header[1] & 0x7f;
      const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
      const size = 2 + extended + (header[1] & 0x80 ? 4 : 0);
      if (header.length < size) continue;
      let length = length7;
      if (extended) {
        length = 0;
        for (let k = 2; k < 2 + extended; k++) length = length * 256 + header[k];
      }
      if ((header[0] & 0x0f) === Opcode.CLOSE) this.sawClose = true;
      this.#remaining = length;
      this.#header = [];
    }
  }
}
