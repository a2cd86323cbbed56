// Walks a stream of RFC 6455 frames knowing only where each one ends: whether the bytes pushed so
// far end on a frame boundary, and where the first close frame ends. The raw client follows what
// it writes with one (a pong may be written between frames and nowhere else), the fuzzer what
// its client writes, and, after a violation that leaves the framing intact, whether that client
// then sends its close frame (a server that goes on reading for it, as the firmware does).
import { readFrameHeader } from "./frame-header.js";
import { Opcode, isControl, isKnownOpcode } from "./opcodes.js";

export class FrameWalker {
  #header = [];
  #remaining = 0;
  #opcode = -1;
  #strict;
  /** The end of a close frame has been walked. */
  sawClose = false;
  /** (strict) The framing broke here: nothing more is walked. */
  stopped = false;

  /**
   * @param {{ strict?: boolean, header?: number[], remaining?: number }} [options]
   *   `strict`: stop for good at what a server reading client frames cannot get past (RSV bits,
   *   no mask, a reserved opcode, a fragmented control frame or one over 125 bytes, a 64-bit
   *   length of 4 GiB or more). `header` (the first bytes of a frame's header) or `remaining`
   *   (payload bytes still to come of a frame that is not a close frame) start the walk inside
   *   a frame.
   */
  constructor({ strict = false, header = [], remaining = 0 } = {}) {
    this.#strict = strict;
    this.#remaining = remaining;
    if (!remaining) for (const byte of header) this.#headerByte(byte);
  }

  /** The bytes pushed so far end on a frame boundary (a header that declares more bytes than
   * will ever come keeps the walk inside that frame for good). */
  get atBoundary() {
    return this.#header.length === 0 && this.#remaining === 0;
  }

  /**
   * Walks `bytes`; returns how many of them follow the end of the first close frame when it ends
   * in them, else null.
   */
  push(bytes) {
    let afterClose = null;
    let i = 0;
    while (i < bytes.length && !this.stopped) {
      if (this.#remaining > 0) {
        const n = Math.min(this.#remaining, bytes.length - i);
        this.#remaining -= n;
        i += n;
      } else if (!this.#headerByte(bytes[i++])) continue;
      if (this.#remaining > 0) continue;
      // a frame ends here
      if (this.#opcode === Opcode.CLOSE && !this.sawClose) {
        this.sawClose = true;
        afterClose = bytes.length - i;
      }
    }
    return afterClose;
  }

  /** Takes one byte of a header; true when it completes the header. */
  #headerByte(byte) {
    const bytes = this.#header;
    bytes.push(byte);
    if (this.#strict && bytes.length === 2 && breaksFraming(bytes)) {
      this.stopped = true;
      return false;
    }
    const header = readFrameHeader(bytes);
    if (!header) return false;
    if (this.#strict && header.length >= 1n << 32n) {
      this.stopped = true;
      return false;
    }
    this.#opcode = header.opcode;
    this.#remaining = Number(header.length);
    this.#header = [];
    return true;
  }
}

/** The first two bytes of a client frame that a server cannot read on from. */
function breaksFraming([first, second]) {
  const opcode = first & 0x0f;
  const fin = (first & 0x80) !== 0;
  if (first & 0x70 || !(second & 0x80) || !isKnownOpcode(opcode)) return true;
  return isControl(opcode) && (!fin || (second & 0x7f) > 125);
}
