// What every frame a server sends must be (RFC 6455 sections 5.1, 5.2, 5.5), checked with chai
// so that a failure says what was expected and what came: the raw client checks each frame it
// reads, the fuzzer's checker each frame a server sends.
import { expect } from "chai";
import { isControl, isKnownOpcode } from "./opcodes.js";

/** A frame in a line, for messages: opcode, FIN, length and the start of its payload. */
export function describeFrame(frame) {
  const preview = frame.payload.subarray(0, 40).toString("latin1");
  return `opcode 0x${frame.opcode.toString(16)} fin=${frame.fin} (${frame.payload.length} bytes: ${JSON.stringify(preview)})`;
}

/** RFC 6455 rules every server frame must follow (sections 5.1, 5.2, 5.5). */
export function checkServerFrame(frame) {
  const what = describeFrame(frame);
  expect(frame.masked, `server frame is masked (RFC 6455 §5.1): ${what}`).to.equal(false);
  expect(frame.rsv, `server frame has RSV bits set with no extension: ${what}`).to.equal(0);
  expect(isKnownOpcode(frame.opcode), `server frame has a reserved opcode: ${what}`).to.equal(true);
  if (isControl(frame.opcode)) {
    expect(frame.fin, `server control frame is fragmented: ${what}`).to.equal(true);
    expect(frame.payload.length, `server control frame over 125 bytes: ${what}`).to.be.at.most(125);
  }
}
