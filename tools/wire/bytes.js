// Text as UTF-8 bytes, bytes as a Buffer.

/** @param {string | ArrayLike<number> | ArrayBufferView} data */
export function toBuffer(data) {
  return typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
}
