// Deterministic test payloads (the same bytes on every run, so failures reproduce).

import { binaryPayload, lcg } from "../../tools/testing/pseudo-random.js";

export { binaryPayload };

/** `length` printable ASCII characters, so that the UTF-8 size equals `length`. */
export function asciiText(length, seed = length + 7) {
  const random = lcg(seed);
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(0x20 + (random.next().value % 95));
  return text;
}
