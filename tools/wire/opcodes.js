// RFC 6455 section 5.2: the opcodes and the RSV bits of a frame's first byte.

export const Opcode = Object.freeze({
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
});

export const RSV1 = 0b100;
export const RSV2 = 0b010;
export const RSV3 = 0b001;

export function isControl(opcode) {
  return (opcode & 0x8) !== 0;
}

export function isKnownOpcode(opcode) {
  return [0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(opcode);
}
