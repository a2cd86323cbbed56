/* WebSocket frame opcodes (RFC 6455 section 5.2). */
export const Opcode = Object.freeze({
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
});

export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}
