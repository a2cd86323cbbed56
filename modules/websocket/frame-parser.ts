/*
 * Streaming parser for frames sent by a WebSocket client (RFC 6455 section 5).
 *
 * Bytes are pushed in as they arrive from TCP, split at any point: one byte at a time or many
 * frames at once. The parser is a state machine (after the `ws` library's receiver): each state
 * waits for the bytes it needs, and the parser never buffers more than one frame header plus the
 * payload of the message being assembled. Protocol violations are reported with the close code
 * for the connection to send; nothing is thrown. After a violation that leaves the framing intact
 * (invalid UTF-8, a message too big), the parser goes on reading frames, discarding their payloads,
 * so that the client's close frame is still seen; after any other, it stops.
 */
import { CloseCode, isValidCloseCode } from "websocket/close-codes";
import { isControlOpcode, Opcode } from "websocket/opcodes";
import { isValidUtf8, Utf8Validator } from "websocket/utf8-validator";

export interface FrameParserHandler {
  /** A whole message: text (already validated as UTF-8) or binary. */
  onMessage(data: ArrayBuffer, isText: boolean): void;
  onPing(payload: Uint8Array): void;
  onPong(payload: Uint8Array): void;
  /** The peer's close frame; code is 1005 when the frame carried no code. */
  onClose(code: number, reason: string): void;
  /**
   * The peer broke the protocol; the connection must be closed with this code. `peerClosed` is
   * true when the offending frame was the peer's close frame: nothing more will come from it.
   */
  onProtocolError(code: number, message: string, peerClosed: boolean): void;
}

export interface FrameParserLimits {
  /** Largest message (sum of its fragments) accepted; more is refused with 1009. */
  maxMessageSize: number;
  /** Most frames one fragmented message may use; more is refused with 1009. */
  maxFrames: number;
}

const State = Object.freeze({
  info: 0, // the first two bytes: FIN, RSV, opcode, MASK, 7-bit length
  length16: 1,
  length64: 2,
  mask: 3,
  payload: 4,
  stopped: 5, // after a close frame or an error: everything else is ignored
});

export class FrameParser {
  readonly #handler: FrameParserHandler;
  readonly #limits: FrameParserLimits;
  #state: number = State.info;
  #discarding = false; // after a recoverable violation: only a close frame still counts

  // The frame being read.
  readonly #header = new Uint8Array(8); // staging for header fields split across reads
  #headerBytes = 0;
  #fin = false;
  #opcode = 0;
  #payloadLength = 0;
  readonly #mask = new Uint8Array(4);
  #payload: Uint8Array | null = null; // allocated when its first bytes arrive
  #keep = false; // whether this frame's payload is kept (not when discarding)
  #payloadOffset = 0;

  // The message being assembled from data frames.
  #messageOpcode = 0; // 0 when no fragmented message is in progress
  #fragments: Uint8Array[] = [];
  #messageLength = 0;
  readonly #utf8 = new Utf8Validator();

  constructor(handler: FrameParserHandler, limits: FrameParserLimits) {
    this.#handler = handler;
    this.#limits = limits;
  }

  /** Feeds bytes received from the client. */
  push(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length && this.#state !== State.stopped) {
      switch (this.#state) {
        case State.info:
          offset = this.#collect(bytes, offset, 2);
          if (this.#headerBytes === 2) this.#readInfo();
          break;
        case State.length16:
          offset = this.#collect(bytes, offset, 2);
          if (this.#headerBytes === 2) this.#readLength16();
          break;
        case State.length64:
          offset = this.#collect(bytes, offset, 8);
          if (this.#headerBytes === 8) this.#readLength64();
          break;
        case State.mask:
          offset = this.#collect(bytes, offset, 4);
          if (this.#headerBytes === 4) this.#readMask();
          break;
        case State.payload:
          offset = this.#readPayload(bytes, offset);
          break;
      }
    }
  }

  /**
   * How many bytes the parser needs to finish the part of the frame it is reading (a header field,
   * or the rest of the payload); 0 once it has stopped. A reader that pushes exactly that many at
   * a time lets every payload arrive whole, in `pushPayload`.
   */
  get wanted(): number {
    switch (this.#state) {
      case State.info:
      case State.length16:
        return 2 - this.#headerBytes;
      case State.length64:
        return 8 - this.#headerBytes;
      case State.mask:
        return 4 - this.#headerBytes;
      case State.payload:
        return this.#payloadLength - this.#payloadOffset;
    }
    return 0;
  }

  /** True when the next bytes are a whole payload to keep, which pushPayload may take. */
  get takesWholePayload(): boolean {
    return this.#state === State.payload && this.#payloadOffset === 0 && this.#keep;
  }

  /**
   * The whole payload of the current frame (`wanted` bytes, when `takesWholePayload`), as a
   * buffer the parser may keep: it is unmasked in place and becomes the message, or its first
   * fragment, without a copy.
   */
  pushPayload(buffer: ArrayBuffer): void {
    const payload = new Uint8Array(buffer);
    if (!this.takesWholePayload || payload.length !== this.#payloadLength)
      throw new RangeError("not a whole payload");
    this.#payload = payload;
    const mask = this.#mask;
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
    this.#payloadOffset = payload.length;
    this.#payloadArrived(0, payload.length);
  }

  /** Stops parsing: later bytes are ignored (used once the connection is closing). */
  stop(): void {
    this.#state = State.stopped;
    this.#fragments = [];
    this.#payload = null;
  }

  /** Copies header bytes into the staging buffer (byte by byte: no view allocated per frame). */
  #collect(bytes: Uint8Array, offset: number, wanted: number): number {
    const header = this.#header;
    let filled = this.#headerBytes;
    const end = Math.min(offset + wanted - filled, bytes.length);
    while (offset < end) header[filled++] = bytes[offset++];
    this.#headerBytes = filled;
    return offset;
  }

  #next(state: number): void {
    this.#state = state;
    this.#headerBytes = 0;
  }

  #readInfo(): void {
    const first = this.#header[0];
    const second = this.#header[1];
    this.#fin = (first & 0x80) !== 0;
    this.#opcode = first & 0x0f;
    if (first & 0x70) return this.#error(CloseCode.protocolError, "reserved bits must be 0");
    if (!(second & 0x80))
      return this.#error(CloseCode.protocolError, "client frames must be masked");

    const opcode = this.#opcode;
    if (this.#discarding && !isControlOpcode(opcode)) {
      if (opcode > Opcode.binary)
        return this.#error(CloseCode.protocolError, `reserved opcode ${opcode}`);
    } else if (isControlOpcode(opcode)) {
      if (opcode !== Opcode.close && opcode !== Opcode.ping && opcode !== Opcode.pong)
        return this.#error(CloseCode.protocolError, `reserved opcode ${opcode}`);
      if (!this.#fin)
        return this.#error(CloseCode.protocolError, "control frames cannot be fragmented");
      if ((second & 0x7f) > 125)
        return this.#error(CloseCode.protocolError, "control frames carry at most 125 bytes");
    } else if (opcode === Opcode.continuation) {
      if (!this.#messageOpcode) return this.#error(CloseCode.protocolError, "nothing to continue");
    } else if (opcode === Opcode.text || opcode === Opcode.binary) {
      if (this.#messageOpcode)
        return this.#error(CloseCode.protocolError, "a fragmented message is still in progress");
    } else {
      return this.#error(CloseCode.protocolError, `reserved opcode ${opcode}`);
    }

    const length = second & 0x7f;
    if (length === 126) this.#next(State.length16);
    else if (length === 127) this.#next(State.length64);
    else this.#haveLength(length);
  }

  #readLength16(): void {
    this.#haveLength((this.#header[0] << 8) | this.#header[1]);
  }

  #readLength64(): void {
    const h = this.#header;
    const high = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
    const low = ((h[4] << 24) | (h[5] << 16) | (h[6] << 8) | h[7]) >>> 0;
    if (high !== 0) return this.#error(CloseCode.messageTooBig, "message too big"); // cannot skip it
    this.#haveLength(low);
  }

  #haveLength(length: number): void {
    if (!isControlOpcode(this.#opcode) && !this.#discarding) {
      if (this.#messageLength + length > this.#limits.maxMessageSize)
        this.#discard(CloseCode.messageTooBig, "message too big");
      else if (this.#fragments.length >= this.#limits.maxFrames)
        this.#discard(CloseCode.messageTooBig, "too many fragments");
    }
    this.#payloadLength = length;
    this.#next(State.mask);
  }

  #readMask(): void {
    const mask = this.#mask;
    const header = this.#header;
    for (let i = 0; i < 4; i++) mask[i] = header[i];
    this.#keep = isControlOpcode(this.#opcode) || !this.#discarding;
    this.#payload = null;
    this.#payloadOffset = 0;
    this.#next(State.payload);
    if (this.#payloadLength === 0) this.#frameComplete();
  }

  #readPayload(bytes: Uint8Array, offset: number): number {
    const start = this.#payloadOffset;
    const count = Math.min(this.#payloadLength - start, bytes.length - offset);
    this.#payloadOffset = start + count;
    if (!this.#keep) {
      if (this.#payloadOffset === this.#payloadLength) this.#frameComplete(); // discarded
      return offset + count;
    }
    this.#payload ??= new Uint8Array(this.#payloadLength);
    const payload = this.#payload;
    const mask = this.#mask;
    for (let i = 0; i < count; i++) payload[start + i] = bytes[offset + i] ^ mask[(start + i) & 3];
    this.#payloadArrived(start, start + count);
    return offset + count;
  }

  /** Unmasked payload bytes from `start` to `end` are in: check text, complete the frame. */
  #payloadArrived(start: number, end: number): void {
    if (
      this.#opcode === Opcode.text ||
      (this.#opcode === Opcode.continuation && this.#messageOpcode === Opcode.text)
    ) {
      if (!this.#utf8.write(this.#payload as Uint8Array, start, end)) {
        this.#keep = false; // the rest of this frame is skipped
        this.#payload = null;
        this.#discard(CloseCode.invalidPayload, "invalid UTF-8 in text message");
      }
    }
    if (this.#payloadOffset === this.#payloadLength) this.#frameComplete();
  }

  #frameComplete(): void {
    const payload = this.#payload ?? new Uint8Array(0); // null: an empty (or discarded) payload
    this.#payload = null;
    this.#next(State.info);
    if (this.#discarding) {
      if (this.#opcode === Opcode.close) this.#closeFrame(payload);
      return;
    }
    switch (this.#opcode) {
      case Opcode.ping:
        return this.#handler.onPing(payload);
      case Opcode.pong:
        return this.#handler.onPong(payload);
      case Opcode.close:
        return this.#closeFrame(payload);
    }
    if (this.#opcode !== Opcode.continuation) this.#messageOpcode = this.#opcode;
    this.#fragments.push(payload);
    this.#messageLength += payload.length;
    if (this.#fin) this.#messageComplete();
  }

  #messageComplete(): void {
    const isText = this.#messageOpcode === Opcode.text;
    const fragments = this.#fragments;
    const length = this.#messageLength;
    this.#messageOpcode = 0;
    this.#fragments = [];
    this.#messageLength = 0;
    if (isText && !this.#utf8.complete) {
      return this.#discard(CloseCode.invalidPayload, "text message ends inside a UTF-8 sequence");
    }
    this.#utf8.reset();
    this.#handler.onMessage(joinFragments(fragments, length), isText);
  }

  #closeFrame(payload: Uint8Array): void {
    this.stop();
    if (payload.length === 0) return this.#handler.onClose(CloseCode.noStatus, "");
    if (payload.length === 1)
      return this.#badClose(CloseCode.protocolError, "close frame of 1 byte");
    const code = (payload[0] << 8) | payload[1];
    if (!isValidCloseCode(code))
      return this.#badClose(CloseCode.protocolError, `invalid close code ${code}`);
    const reason = payload.subarray(2);
    if (!isValidUtf8(reason))
      return this.#badClose(CloseCode.invalidPayload, "close reason is not UTF-8");
    this.#handler.onClose(code, String.fromArrayBuffer(reason.slice().buffer));
  }

  #badClose(code: number, message: string): void {
    this.#handler.onProtocolError(code, message, true);
  }

  /** A violation after which frames can no longer be delimited: parsing stops. */
  #error(code: number, message: string): void {
    this.stop();
    this.#handler.onProtocolError(code, message, false);
  }

  /** A violation that leaves the framing intact: later frames are read, and only a close counts. */
  #discard(code: number, message: string): void {
    this.#discarding = true;
    this.#messageOpcode = 0;
    this.#fragments = [];
    this.#messageLength = 0;
    this.#utf8.reset();
    this.#handler.onProtocolError(code, message, false);
  }
}

function joinFragments(fragments: Uint8Array[], length: number): ArrayBuffer {
  if (fragments.length === 1 && fragments[0].byteLength === fragments[0].buffer.byteLength)
    return fragments[0].buffer as ArrayBuffer;
  const message = new Uint8Array(length);
  let offset = 0;
  for (const fragment of fragments) {
    message.set(fragment, offset);
    offset += fragment.length;
  }
  return message.buffer;
}
