/*
 * Frames sent by the server (RFC 6455 section 5.2): never masked, always FIN (the server does
 * not fragment what it sends).
 */
import { Opcode } from "websocket/opcodes";

/** Payloads up to this size are copied next to their header so that one TCP write carries both. */
const COALESCE_LIMIT = 1024;

/** The 2, 4 or 10 header bytes of an unmasked, final frame. */
export function encodeFrameHeader(opcode: number, length: number): Uint8Array {
  let header: Uint8Array;
  if (length < 126) {
    header = new Uint8Array(2);
    header[1] = length;
  } else if (length < 0x10000) {
    header = new Uint8Array(4);
    header[1] = 126;
    header[2] = length >> 8;
    header[3] = length & 0xff;
  } else {
    header = new Uint8Array(10);
    header[1] = 127;
    // Lengths above 2^32 are never sent: the high four bytes stay 0.
    header[6] = (length >>> 24) & 0xff;
    header[7] = (length >>> 16) & 0xff;
    header[8] = (length >>> 8) & 0xff;
    header[9] = length & 0xff;
  }
  header[0] = 0x80 | opcode;
  return header;
}

/**
 * A whole frame as the chunks to queue: one chunk for small payloads, header and payload as two
 * for large ones (the payload is not copied, so a broadcast can share it between clients).
 */
export function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array[] {
  const header = encodeFrameHeader(opcode, payload.length);
  if (payload.length === 0) return [header];
  if (payload.length > COALESCE_LIMIT) return [header, payload];
  const frame = new Uint8Array(header.length + payload.length);
  frame.set(header);
  frame.set(payload, header.length);
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
  const payload = new Uint8Array(text ? ArrayBuffer.fromString(message) : message);
  return {
    frame: encodeFrame(text ? Opcode.text : Opcode.binary, payload),
    length: payload.length,
  };
}
