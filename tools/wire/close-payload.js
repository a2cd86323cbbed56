// The payload of a close frame (RFC 6455 section 5.5.1): a 2-byte status code and a UTF-8
// reason, or nothing.
import { toBuffer } from "./bytes.js";

/** A close frame's payload: the code and the reason, or empty without a code. */
export function closePayload(code, reason = "") {
  if (code === undefined || code === null) return Buffer.alloc(0);
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code, 0);
  return Buffer.concat([head, toBuffer(reason)]);
}

/**
 * Splits a close frame's payload into `{ code, reason, validReason }`; `code` is null when the
 * payload is empty; a reason that is not UTF-8 is shown in hex, with `validReason` false.
 */
export function parseClosePayload(payload) {
  if (payload.length === 0) return { code: null, reason: "", validReason: true };
  if (payload.length === 1) throw new Error("close frame payload of 1 byte (RFC 6455 §5.5.1)");
  const code = payload.readUInt16BE(0);
  const reasonBytes = payload.subarray(2);
  let reason;
  let validReason = true;
  try {
    reason = new TextDecoder("utf-8", { fatal: true }).decode(reasonBytes);
  } catch {
    reason = reasonBytes.toString("hex");
    validReason = false;
  }
  return { code, reason, validReason };
}
