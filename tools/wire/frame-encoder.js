// RFC 6455 section 5.2 frames, byte for byte: client frames (masked), which may be deliberately
// wrong, and server frames (unmasked).
import { randomBytes } from "node:crypto";
import { toBuffer } from "./bytes.js";

/**
 * Encodes one frame.
 * @param {object} frame
 * @param {boolean} [frame.fin=true]
 * @param {number} [frame.rsv=0] three bits: RSV1 = 0b100, RSV2 = 0b010, RSV3 = 0b001
 * @param {number} frame.opcode
 * @param {string|ArrayLike<number>} [frame.payload] the bytes actually written after the header
 * @param {boolean} [frame.mask=true] false: a server frame
 * @param {ArrayLike<number>} [frame.maskKey] 4 bytes; random when omitted
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

/** A server frame: unmasked, unless `frame.mask` says otherwise (a server that is wrong). */
export function encodeServerFrame(frame) {
  return encodeFrame({ mask: false, ...frame });
}
