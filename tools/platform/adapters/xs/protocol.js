// The messages between the Node host and the XS worker, in both directions: a JSON value and the
// byte strings it refers to, in one buffer. Used on both sides of the pipe (it runs in Node and in
// XS), so it needs nothing but the language, TextEncoder and TextDecoder.
//
//   bytes 0–3   length of the JSON text, little-endian
//   then        the JSON text (UTF-8): { ...value, $sizes: [n0, n1, …] }
//   then        the attachments, n0 bytes, then n1 bytes, …
//
// An attachment is referred to in the JSON by its index.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @param {object} value a JSON-serializable object
 * @param {Uint8Array[]} [attachments]
 * @returns {Uint8Array}
 */
export function encodeMessage(value, attachments = []) {
  const sizes = [];
  let total = 0;
  for (const attachment of attachments) {
    sizes.push(attachment.byteLength);
    total += attachment.byteLength;
  }
  const json = encoder.encode(JSON.stringify(sizes.length ? { ...value, $sizes: sizes } : value));
  const bytes = new Uint8Array(4 + json.byteLength + total);
  const length = json.byteLength;
  bytes[0] = length & 0xff;
  bytes[1] = (length >>> 8) & 0xff;
  bytes[2] = (length >>> 16) & 0xff;
  bytes[3] = (length >>> 24) & 0xff;
  bytes.set(json, 4);
  let offset = 4 + length;
  for (const attachment of attachments) {
    bytes.set(attachment, offset);
    offset += attachment.byteLength;
  }
  return bytes;
}

/**
 * @param {Uint8Array} bytes
 * @returns {{ value: any, attachments: Uint8Array[] }} attachments are views on `bytes`
 */
export function decodeMessage(bytes) {
  const length = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] * 0x1000000);
  const value = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length)));
  const attachments = [];
  let offset = 4 + length;
  for (const size of value.$sizes ?? []) {
    attachments.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  delete value.$sizes;
  return { value, attachments };
}
