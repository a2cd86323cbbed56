// Deterministic pseudo-random bytes for tests (the same on every run, so failures reproduce): a
// linear congruential generator's top byte, as the host tests' payloads and the unit tests use it.

/** The generator's bytes from `seed`, one per next(). */
export function* lcg(seed) {
  let state = seed >>> 0 || 1;
  for (;;) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    yield state >>> 24;
  }
}

/** `length` pseudo-random bytes, including 0x00 and 0xFF. */
export function binaryPayload(length, seed = length + 1) {
  const bytes = Buffer.alloc(length);
  const random = lcg(seed);
  for (let i = 0; i < length; i++) bytes[i] = random.next().value;
  return bytes;
}
