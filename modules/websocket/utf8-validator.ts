/*
 * Incremental UTF-8 validation (RFC 3629, Unicode table 3-7): a code point may be split between any
 * two frames or reads, so the state of an unfinished one is kept between calls as one number (one
 * per client), and invalid text is rejected as soon as the offending byte arrives.
 */

/** Continuation bytes needed (bits 0-1), lowest (bits 2-9) and highest (bits 10-17) next byte. */
const state = (needed: number, lower: number, upper: number) =>
  needed | (lower << 2) | (upper << 10);

/** No code point open: the start of a text, or the end of a complete one. */
export const UTF8_START = state(0, 0x80, 0xbf);
/** A byte that can never be valid UTF-8 was seen. */
export const UTF8_FAILED = -1;

/** The state after bytes[start..end), from `from`; UTF8_FAILED at the first invalid byte. */
export function utf8Scan(from: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (from === UTF8_FAILED) return UTF8_FAILED;
  let needed = from & 3;
  let lower = (from >> 2) & 0xff;
  let upper = (from >> 10) & 0xff;
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (needed === 0) {
      if (byte < 0x80) continue;
      if (byte >= 0xc2 && byte <= 0xdf) {
        needed = 1;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0)
          lower = 0xa0; // no overlong 3-byte forms
        else if (byte === 0xed) upper = 0x9f; // no UTF-16 surrogates
        needed = 2;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0)
          lower = 0x90; // no overlong 4-byte forms
        else if (byte === 0xf4) upper = 0x8f; // nothing above U+10FFFF
        needed = 3;
      } else {
        return UTF8_FAILED;
      }
    } else {
      if (byte < lower || byte > upper) return UTF8_FAILED;
      lower = 0x80;
      upper = 0xbf;
      needed--;
    }
  }
  return state(needed, lower, upper);
}

/** Validates one complete byte sequence (a close reason, for example). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return utf8Scan(UTF8_START, bytes) === UTF8_START;
}
