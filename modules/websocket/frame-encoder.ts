/*
 * Frames sent by the server (RFC 6455 section 5.2): never masked; FIN unless it passes on a
 * message part by part (a streamed echo), as the fragments of one message.
 */
import { Opcode } from "websocket/opcodes";

/** Payloads up to this size are copied next to their header so that one TCP write carries both. */
const COALESCE_LIMIT = 1024;

/** Bytes of the header of an unmasked frame carrying `length` bytes: 2, 4 or 10. */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/** Writes the header of an unmasked frame at the start of `target` (`fin`: the last of a message). */
function writeFrameHeader(target: Uint8Array, opcode: number, length: number, fin: boolean): void {
  target[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) {
    target[1] = length;
  } else if (length < 0x10000) {
    target[1] = 126;
    target[2] = length >> 8;
    target[3] = length & 0xff;
  } else {
    target[1] = 127;
    // Lengths above 2^32 are never sent: bytes 2 to 5 stay 0.
    target[6] = (length >>> 24) & 0xff;
    target[7] = (length >>> 16) & 0xff;
    target[8] = (length >>> 8) & 0xff;
    target[9] = length & 0xff;
  }
}

/** The 2, 4 or 10 header bytes of an unmasked frame. */
export function encodeFrameHeader(opcode: number, length: number, fin: boolean): Uint8Array {
  const header = new Uint8Array(headerLength(length));
  writeFrameHeader(header, opcode, length, fin);
  return header;
}

/**
 * A whole frame as the chunks to queue: one chunk for small payloads (header and payload in one
 * allocation), header and payload as two for large ones (the payload is not copied, so a
 * broadcast can share it between clients).
 */
export function encodeFrame(opcode: number, payload: Uint8Array, fin = true): Uint8Array[] {
  const length = payload.length;
  if (length > COALESCE_LIMIT) return [encodeFrameHeader(opcode, length, fin), payload];
  const start = headerLength(length);
  const frame = new Uint8Array(start + length);
  writeFrameHeader(frame, opcode, length, fin);
  if (length) frame.set(payload, start);
  return [frame];
}

/** The payload of a close frame: the code in two bytes, then the UTF-8 reason. */
export function encodeClosePayload(code: number, reason: string): Uint8Array {
  const text = new Uint8Array(ArrayBuffer.fromString(reason));
  const payload = new Uint8Array(2 + Math.min(text.length, 123));
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(text.subarray(0, payload.length - 2), 2);
  return payload;
}

/** A text (string) or binary (ArrayBuffer) message as the chunks of one frame, and its length. */
export function encodeMessage(message: string | ArrayBuffer): {
  frame: Uint8Array[];
  length: number;
} {
  const text = typeof message === "string";
  return encodeBytes(text ? ArrayBuffer.fromString(message) : message, text);
}

/** A message's bytes (text already as UTF-8) as the chunks of one frame, and its length. */
export function encodeBytes(
  bytes: ArrayBuffer,
  isText: boolean,
): {
  frame: Uint8Array[];
  length: number;
} {
  const payload = new Uint8Array(bytes);
  return {
    frame: encodeFrame(isText ? Opcode.text : Opcode.binary, payload),
    length: payload.length,
  };
}
