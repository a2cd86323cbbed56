/* Base64 encoding (RFC 4648 section 4), small enough for a 20-byte SHA-1 digest. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out +=
      ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + "==";
  } else if (left === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + "=";
  }
  return out;
}

/** True for the base64 text of exactly 16 bytes (a Sec-WebSocket-Key): 22 digits and "==". */
export function isBase64Of16Bytes(text: string): boolean {
  if (text.length !== 24 || !text.endsWith("==")) return false;
  for (let i = 0; i < 22; i++) if (!ALPHABET.includes(text[i])) return false;
  return "AQgw".includes(text[21]); // the last digit carries 2 bits: its low 4 bits must be 0
}
