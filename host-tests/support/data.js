// Deterministic test payloads (the same bytes on every run, so failures reproduce).

function* lcg(seed) {
  let state = seed >>> 0 || 1;
  for (;;) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    yield state >>> 24;
  }
}

/** `length` bytes of pseudo-random binary data, including 0x00 and 0xFF. */
export function binaryPayload(length, seed = length + 1) {
  const bytes = Buffer.alloc(length);
  const random = lcg(seed);
  for (let i = 0; i < length; i++) bytes[i] = random.next().value;
  return bytes;
}

/** `length` printable ASCII characters, so that the UTF-8 size equals `length`. */
export function asciiText(length, seed = length + 7) {
  const random = lcg(seed);
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(0x20 + (random.next().value % 95));
  return text;
}
