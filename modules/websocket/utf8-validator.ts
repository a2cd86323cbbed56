/*
 * Incremental UTF-8 validation (RFC 3629, Unicode table 3-7).
 *
 * A text message may arrive in many frames and many TCP reads, and a code point may be split
 * between any two of them. The validator keeps the state of an unfinished code point between
 * calls, so invalid text is rejected as soon as the offending byte arrives (fail fast), and a
 * message is only complete when no code point is left open.
 */
export class Utf8Validator {
  #needed = 0; // continuation bytes still expected for the current code point
  #lower = 0x80; // allowed range of the next continuation byte
  #upper = 0xbf;

  /** Checks bytes[start..end); returns false at the first byte that cannot be valid UTF-8. */
  write(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let needed = this.#needed;
    let lower = this.#lower;
    let upper = this.#upper;
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
          return this.#fail();
        }
      } else {
        if (byte < lower || byte > upper) return this.#fail();
        lower = 0x80;
        upper = 0xbf;
        needed--;
      }
    }
    this.#needed = needed;
    this.#lower = lower;
    this.#upper = upper;
    return true;
  }

  /** True when the bytes seen so far end on a code point boundary. */
  get complete(): boolean {
    return this.#needed === 0;
  }

  reset(): void {
    this.#needed = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }

  #fail(): false {
    this.reset();
    return false;
  }
}

/** Validates one complete byte sequence (a close reason, for example). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const validator = new Utf8Validator();
  return validator.write(bytes) && validator.complete;
}
