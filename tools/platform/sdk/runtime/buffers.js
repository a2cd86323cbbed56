// The bytes of an ArrayBuffer, SharedArrayBuffer, TypedArray or DataView, as XS's
// xsmcGetBufferReadable / xsmcGetBufferWritable see them: a view covers its own byteOffset and
// byteLength only. Anything else is a TypeError "invalid buffer".

/** @returns {Uint8Array} a view on the same memory */
export function bufferBytes(value) {
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return new Uint8Array(value);
  }
  if (value instanceof Uint8Array) return value; // already the bytes of its own range
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new TypeError("invalid buffer");
}
