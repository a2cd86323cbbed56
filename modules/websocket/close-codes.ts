/*
 * WebSocket close status codes (RFC 6455 section 7.4) and which of them may appear on the wire.
 */
export const CloseCode = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  noStatus: 1005, // never sent: means "the close frame had no code"
  abnormal: 1006, // never sent: means "the connection dropped without a close frame"
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013, // the server cannot take this now (its buffers are full)
});

/**
 * True when a peer may send this code in a close frame: 1000-1003, 1007-1011 (and 1012-1014,
 * registered with IANA since RFC 6455), and 3000-4999 for libraries and applications.
 */
export function isValidCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  if (code >= 1000 && code <= 1003) return true;
  return code >= 1007 && code <= 1014;
}
