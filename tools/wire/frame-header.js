// The header of an RFC 6455 frame (section 5.2), read from the first bytes of the frame: what the
// frame parser and the frame walker both read.

/**
 * The header at the start of `bytes`, or null while it is not all there:
 * `{ fin, rsv, opcode, masked, length, size }`, with `length` the payload length it declares (a
 * bigint: it may take 64 bits) and `size` its bytes, the mask key included (the key is the
 * header's last 4 bytes when `masked`).
 * @param {ArrayLike<number>} bytes
 */
export function readFrameHeader(bytes) {
  if (bytes.length < 2) return null;
  const length7 = bytes[1] & 0x7f;
  const masked = (bytes[1] & 0x80) !== 0;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  const size = 2 + extended + (masked ? 4 : 0);
  if (bytes.length < size) return null;
  let length = BigInt(length7);
  if (extended) {
    length = 0n;
    for (let i = 2; i < 2 + extended; i++) length = (length << 8n) | BigInt(bytes[i]);
  }
  return {
    fin: (bytes[0] & 0x80) !== 0,
    rsv: (bytes[0] >> 4) & 0b111,
    opcode: bytes[0] & 0x0f,
    masked,
    length,
    size,
  };
}
