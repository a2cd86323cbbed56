/*
 * Streaming parser for frames sent by a WebSocket client (RFC 6455 section 5).
 *
 * Bytes are pushed in as they arrive from TCP, split at any point: one byte at a time or many
 * frames at once. The parser is a state machine (after the `ws` library's receiver): each state
 * waits for the bytes it needs. It hands data on in one of two ways, chosen per connection:
 *
 * - assembling: whole messages, each at most `maxMessageSize` bytes in at most `maxFrames`
 *   frames, for handlers that need the whole message. Before it takes a frame's payload it asks
 *   the handler for room (`reserveMessage`): the handler may let it go on, make it wait (it then
 *   stops where it is until `resume()`), or refuse with a close code;
 * - streaming: each part of a message as it arrives (`parsedPart`), unmasked and, for text,
 *   checked as UTF-8 as far as it has arrived, so that a message of any length costs one read.
 *   A frame longer than 125 bytes comes in parts as it is read, the first saying its length (an
 *   echo sends it as one frame too); the payloads of shorter frames of a message are gathered
 *   into one part per read of the socket (endOfRead), so that an echo sends at most one frame per
 *   read and never more frames than the client did.
 *
 * Protocol violations are reported with the close code for the connection to send; nothing is
 * thrown. After a violation the parser goes on reading frames, skipping their payloads, so that
 * the client's close reply is still seen: a bad header (reserved bits or opcode, no mask, a
 * fragmented or oversized control frame, a continuation out of place) still gives the frame's
 * length. It stops only where the framing is lost (a length beyond 2^32 - 1) or the client's
 * close frame itself is bad (it sends nothing after it). Its state is plain numbers (no buffer of
 * its own but the payload being read): each object costs the board heap, and there is one parser
 * a client.
 */
import { CloseCode, isValidCloseCode } from "websocket/close-codes";
import { isControlOpcode, Opcode } from "websocket/opcodes";
import { isValidUtf8, UTF8_FAILED, UTF8_START, utf8Scan } from "websocket/utf8-validator";

export interface FrameParserHandler {
  /** Assembling: a whole message, text (already validated as UTF-8) or binary. */
  parsedMessage(data: ArrayBuffer, isText: boolean): void;
  /**
   * Streaming: the next part of a message (text checked so far); `last` ends the message.
   * `frameLength` ≥ 0: the part begins a frame of that payload length (its own length when it is
   * whole), `finalFrame` when that frame ends the message; -1: the part goes on with the frame an
   * earlier part began.
   */
  parsedPart(
    part: Uint8Array,
    isText: boolean,
    first: boolean,
    last: boolean,
    frameLength: number,
    finalFrame: boolean,
  ): void;
  parsedPing(payload: Uint8Array): void;
  parsedPong(payload: Uint8Array): void;
  /** The peer's close frame; code is 1005 when the frame carried no code. */
  parsedClose(code: number, reason: string): void;
  /** The peer broke the protocol (or its message has no room); the connection must be failed with this code. */
  protocolError(code: number, message: string): void;
  /**
   * Assembling: room for `bytes` more of the message being assembled (`continuing`: some of it is
   * held already)? RESERVED to go on, WAIT to stop until resume(), or a close code to refuse it.
   * Without this method every message is let through.
   */
  reserveMessage?(bytes: number, continuing: boolean): number;
}

/** What reserveMessage answers besides a close code. */
export const RESERVED = 0;
export const WAIT = -1;

export interface FrameParserLimits {
  /** Largest message (sum of its fragments) assembled; more is refused with 1009. */
  maxMessageSize: number;
  /** Most frames one fragmented message may use when assembled; more is refused with 1009. */
  maxFrames: number;
}

const State = Object.freeze({
  info: 0, // the first two bytes: FIN, RSV, opcode, MASK, 7-bit length
  length16: 1,
  length64: 2,
  mask: 3,
  reserve: 4, // assembling: waiting for room for the payload
  payload: 5,
  stopped: 6, // after a close frame or an error: everything else is ignored
});

/** The most a control frame carries; a data payload that small streams as one part too. */
const SMALL_PAYLOAD = 125;

/** Below this many bytes a payload is unmasked a byte at a time (a word view costs more). */
const WORDWISE_FROM = 64;

/**
 * XORs bytes[start..end) with the mask m0..m3, the first of them at `phase` (0-3) of the mask:
 * byte by byte up to a 4-byte boundary of the buffer, then a 32-bit word at a time (a quarter of
 * the interpreter's steps), then the last bytes.
 */
function unmask(bytes: Uint8Array, start: number, end: number, phase: number, mask: number): void {
  const key = Uint8Array.of(mask >>> 24, (mask >>> 16) & 0xff, (mask >>> 8) & 0xff, mask & 0xff);
  let i = start;
  if (end - start >= WORDWISE_FROM) {
    for (; (bytes.byteOffset + i) & 3; i++) bytes[i] ^= key[(phase + i - start) & 3];
    const k = (phase + i - start) & 3;
    // The key as the word the buffer holds at i (in the machine's byte order, as the view reads).
    const rotated = Uint8Array.of(key[k], key[(k + 1) & 3], key[(k + 2) & 3], key[(k + 3) & 3]);
    const word = new Uint32Array(rotated.buffer)[0];
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >>> 2);
    for (let w = 0; w < words.length; w++) words[w] ^= word;
    i += words.length << 2;
  }
  for (; i < end; i++) bytes[i] ^= key[(phase + i - start) & 3];
}

export class FrameParser {
  readonly #handler: FrameParserHandler;
  readonly #limits: FrameParserLimits;
  readonly #streaming: boolean;
  #state: number = State.info;
  #discarding = false; // after a violation: only a close frame still counts

  // The frame being read.
  #headerBytes = 0; // bytes of the current header field seen
  #info = 0; // its first two bytes
  #length = 0; // the payload length as its bytes arrive
  #mask = 0; // the masking key, big-endian
  #payload: Uint8Array | null = null; // the frame's payload being collected whole
  #payloadLength = 0;
  #payloadOffset = 0;
  #keep = false; // whether this frame's payload is kept (not when discarding)

  // The message being read from data frames.
  #messageOpcode = 0; // 0 when no message is in progress
  #fragments: Uint8Array[] | null = null; // assembling: a fragmented message's frames
  #messageLength = 0;
  #utf8 = UTF8_START;
  #pending: Uint8Array | null = null; // bytes pushed while waiting for room, read on resume()

  // Streaming: payloads of short frames gathered into one part until the read ends.
  #gathered: Uint8Array[] | null = null;
  #gatheredLength = 0;
  #gatheredFirst = false;

  constructor(handler: FrameParserHandler, limits: FrameParserLimits, { streaming = false } = {}) {
    this.#handler = handler;
    this.#limits = limits;
    this.#streaming = streaming;
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
          if (this.#headerBytes === 2) this.#haveLength(this.#length);
          break;
        case State.length64:
          offset = this.#collect(bytes, offset, 8);
          if (this.#headerBytes === 8) this.#readLength64();
          break;
        case State.mask:
          offset = this.#collect(bytes, offset, 4);
          if (this.#headerBytes === 4) this.#readMask();
          break;
        case State.reserve:
          // Waiting for room: the rest is read on resume().
          this.#keepPending(offset === 0 ? bytes : bytes.subarray(offset));
          return;
        case State.payload:
          offset = this.#readPayload(bytes, offset);
          break;
      }
    }
  }

  /**
   * How many bytes the parser needs to finish the part of the frame it is reading (a header field,
   * or the rest of the payload); 0 once it has stopped or while it waits for room.
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

  get stopped(): boolean {
    return this.#state === State.stopped;
  }

  /** Waiting for room for the payload (assembling): resume() once there may be some. */
  get waiting(): boolean {
    return this.#state === State.reserve;
  }

  /** True while the next bytes are payload (of any frame). */
  get inPayload(): boolean {
    return this.#state === State.payload;
  }

  /**
   * True when the next bytes are a whole payload to keep, which pushPayload may take (when all of
   * it is there; a streamed payload longer than 125 bytes may also come in parts, pushPart).
   */
  get takesWholePayload(): boolean {
    return this.#state === State.payload && this.#payloadOffset === 0 && this.#keep;
  }

  /** True when the next bytes are a part of a streamed payload, which pushPart may take. */
  get takesParts(): boolean {
    return this.#state === State.payload && this.#keep && this.#streamsInParts();
  }

  /**
   * The whole payload of the current frame (`wanted` bytes, when `takesWholePayload`), as a
   * buffer the parser may keep: it is unmasked in place and becomes the message, or a part of it,
   * without a copy.
   */
  pushPayload(buffer: ArrayBuffer): void {
    const payload = new Uint8Array(buffer);
    if (!this.takesWholePayload || payload.length !== this.#payloadLength)
      throw new RangeError("not a whole payload");
    this.#payload = payload;
    unmask(payload, 0, payload.length, 0, this.#mask);
    this.#payloadOffset = payload.length;
    this.#payloadArrived(0, payload.length);
  }

  /** Streaming: the next bytes of the payload (at most `wanted`), unmasked in place and passed on. */
  pushPart(buffer: ArrayBuffer): void {
    const part = new Uint8Array(buffer);
    if (!this.takesParts || part.length > this.wanted) throw new RangeError("not a part");
    this.#takePart(part);
  }

  /** A part of a streamed payload, in a buffer of its own: unmasked in place and passed on. */
  #takePart(part: Uint8Array): void {
    unmask(part, 0, part.length, this.#payloadOffset & 3, this.#mask);
    const begins = this.#payloadOffset === 0;
    const fin = (this.#info & 0x8000) !== 0;
    // The short frames of this read before it begin the same frame: one frame per read.
    const joined = begins && this.#gathered !== null;
    if (joined) this.#passGathered(false, this.#payloadLength, fin);
    const first = begins && !joined && this.#opcode() !== Opcode.continuation;
    this.#payloadOffset += part.length;
    const complete = this.#payloadOffset === this.#payloadLength;
    const last = complete && fin;
    const isText = this.#isText();
    if (!isText || this.#checkUtf8(part, 0, part.length)) {
      if (last && isText && this.#utf8 !== UTF8_START) {
        this.#discard(CloseCode.invalidPayload, "text message ends inside a UTF-8 sequence");
      } else {
        const frameLength = begins && !joined ? this.#payloadLength : -1;
        this.#handler.parsedPart(part, isText, first, last, frameLength, fin);
      }
    }
    if (complete) this.#frameComplete(null);
  }

  /**
   * Streaming: the read of the socket is over; what was gathered of short frames goes on as one
   * part (the message goes on after it).
   */
  endOfRead(): void {
    this.#passGathered(false);
  }

  /** Gathers a short frame's payload into the part being made of this read's short frames. */
  #gather(payload: Uint8Array, first: boolean): void {
    if (!this.#gathered) {
      this.#gathered = [];
      this.#gatheredFirst = first;
    }
    if (payload.length === 0) return;
    this.#gathered.push(payload);
    this.#gatheredLength += payload.length;
  }

  /**
   * Passes on what was gathered as one part (`last`: it ends the message): whole frames, or with
   * `more`, the beginning of a frame whose payload has `more` bytes after it (the long frame that
   * follows, ending the message when `finalFrame`).
   */
  #passGathered(last: boolean, more = 0, finalFrame = last): void {
    const gathered = this.#gathered;
    if (!gathered) return;
    this.#gathered = null;
    const length = this.#gatheredLength;
    this.#gatheredLength = 0;
    const part = gathered.length === 1 ? gathered[0] : new Uint8Array(length);
    if (gathered.length > 1) {
      let offset = 0;
      for (const payload of gathered) {
        part.set(payload, offset);
        offset += payload.length;
      }
    }
    const isText = this.#messageOpcode === Opcode.text;
    this.#handler.parsedPart(part, isText, this.#gatheredFirst, last, length + more, finalFrame);
  }

  /** Waiting for room (`waiting`): asks the handler again, and reads on what was pushed since. */
  resume(): void {
    if (this.#state !== State.reserve) return;
    this.#reserve();
    const pending = this.#pending;
    if (pending && this.#state !== State.reserve) {
      this.#pending = null;
      this.push(pending);
    }
  }

  /** Bytes pushed while waiting for room, after those pushed before them. */
  #keepPending(bytes: Uint8Array): void {
    const before = this.#pending;
    if (!before) {
      this.#pending = bytes;
      return;
    }
    const joined = new Uint8Array(before.length + bytes.length);
    joined.set(before, 0);
    joined.set(bytes, before.length);
    this.#pending = joined;
  }

  /** Stops parsing: later bytes are ignored (used once the connection is closing). */
  stop(): void {
    this.#state = State.stopped;
    this.#fragments = null;
    this.#payload = null;
    this.#pending = null;
    this.#gathered = null;
    this.#gatheredLength = 0;
  }

  /** Adds header bytes to the field being read: the first two kept, lengths and mask summed. */
  #collect(bytes: Uint8Array, offset: number, wanted: number): number {
    const filled = this.#headerBytes;
    if (filled === 0) {
      if (this.#state === State.info) this.#info = 0;
      else if (this.#state === State.mask) this.#mask = 0;
    }
    const end = Math.min(offset + wanted - filled, bytes.length);
    const count = end - offset;
    if (this.#state === State.info) {
      while (offset < end) this.#info = (this.#info << 8) | bytes[offset++];
    } else if (this.#state === State.mask) {
      while (offset < end) this.#mask = ((this.#mask << 8) | bytes[offset++]) >>> 0;
    } else {
      // A length: exact up to 2^53, which is more than any length this parser accepts.
      while (offset < end) this.#length = this.#length * 256 + bytes[offset++];
    }
    this.#headerBytes = filled + count;
    return offset;
  }

  #next(state: number): void {
    this.#state = state;
    this.#headerBytes = 0;
    this.#length = 0;
  }

  #opcode(): number {
    return (this.#info >> 8) & 0x0f;
  }

  #readInfo(): void {
    const first = this.#info >> 8;
    const second = this.#info & 0xff;
    // After a violation every frame is only skipped, and a bad one is no news.
    const problem = this.#discarding ? "" : this.#headerProblem(first, second);
    if (problem) this.#discard(CloseCode.protocolError, problem); // its payload is skipped
    const length = second & 0x7f;
    if (length === 126) this.#next(State.length16);
    else if (length === 127) this.#next(State.length64);
    else this.#haveLength(length);
  }

  /** What is wrong with a frame of these first two bytes, or "" (RFC 6455 §5.2, §5.4, §5.5). */
  #headerProblem(first: number, second: number): string {
    const opcode = first & 0x0f;
    if (first & 0x70) return "reserved bits must be 0";
    if (!(second & 0x80)) return "client frames must be masked";
    if (isControlOpcode(opcode)) {
      if (opcode !== Opcode.close && opcode !== Opcode.ping && opcode !== Opcode.pong)
        return `reserved opcode ${opcode}`;
      if (!(first & 0x80)) return "control frames cannot be fragmented";
      if ((second & 0x7f) > SMALL_PAYLOAD) return "control frames carry at most 125 bytes";
    } else if (opcode === Opcode.continuation) {
      if (!this.#messageOpcode) return "nothing to continue";
    } else if (opcode === Opcode.text || opcode === Opcode.binary) {
      if (this.#messageOpcode) return "a fragmented message is still in progress";
    } else {
      return `reserved opcode ${opcode}`;
    }
    return "";
  }

  #readLength64(): void {
    // Beyond 2^32 - 1: more than anything can hold; its payload cannot even be skipped here.
    if (this.#length > 0xffffffff) return this.#error(CloseCode.messageTooBig, "message too big");
    this.#haveLength(this.#length);
  }

  #haveLength(length: number): void {
    this.#payloadLength = length;
    this.#next(State.mask);
    // A frame without a mask (a violation, being skipped) has no key to read.
    if (!(this.#info & 0x80)) {
      this.#mask = 0;
      return this.#readMask();
    }
    if (this.#assembling() && !isControlOpcode(this.#opcode())) {
      if (this.#messageLength + length > this.#limits.maxMessageSize)
        this.#discard(CloseCode.messageTooBig, "message too big");
      else if ((this.#fragments?.length ?? 0) >= this.#limits.maxFrames)
        this.#discard(CloseCode.messageTooBig, "too many fragments");
    }
  }

  #readMask(): void {
    // While discarding, only a well-formed close frame still counts.
    this.#keep = !this.#discarding || this.#wellFormedClose();
    this.#payload = null;
    this.#payloadOffset = 0;
    this.#next(State.payload);
    if (this.#assembling() && !isControlOpcode(this.#opcode()) && this.#payloadLength > 0) {
      this.#state = State.reserve;
      this.#reserve();
    } else if (this.#payloadLength === 0) this.#frameComplete(new Uint8Array(0));
  }

  /** Assembling: room for this frame's payload, from the handler (state reserve). */
  #reserve(): void {
    const answer =
      this.#handler.reserveMessage?.(this.#payloadLength, this.#messageLength > 0) ?? RESERVED;
    if (answer === WAIT) return;
    this.#state = State.payload;
    if (answer === RESERVED) return;
    const why =
      answer === CloseCode.messageTooBig
        ? "message larger than the buffer budget"
        : "no room for this message now";
    this.#discard(answer, why);
  }

  /** Payload bytes pushed by push() (not whole, or to discard): collected into #payload. */
  #readPayload(bytes: Uint8Array, offset: number): number {
    const start = this.#payloadOffset;
    const count = Math.min(this.#payloadLength - start, bytes.length - offset);
    this.#payloadOffset = start + count;
    if (!this.#keep) {
      if (this.#payloadOffset === this.#payloadLength) this.#frameComplete(null); // discarded
      return offset + count;
    }
    if (this.#streamsInParts()) {
      this.#payloadOffset = start; // #takePart counts them
      this.#takePart(bytes.slice(offset, offset + count));
      return offset + count;
    }
    this.#payload ??= new Uint8Array(this.#payloadLength);
    const payload = this.#payload;
    payload.set(count === bytes.length ? bytes : bytes.subarray(offset, offset + count), start);
    unmask(payload, start, start + count, start & 3, this.#mask);
    this.#payloadArrived(start, start + count);
    return offset + count;
  }

  /** Unmasked payload bytes from `start` to `end` are in: check text, complete the frame. */
  #payloadArrived(start: number, end: number): void {
    const payload = this.#payload as Uint8Array;
    const valid = !this.#isText() || this.#checkUtf8(payload, start, end);
    if (this.#payloadOffset === this.#payloadLength) this.#frameComplete(valid ? payload : null);
  }

  /** False, after closing with 1007, when the text is not UTF-8 as far as it has arrived. */
  #checkUtf8(bytes: Uint8Array, start: number, end: number): boolean {
    this.#utf8 = utf8Scan(this.#utf8, bytes, start, end);
    if (this.#utf8 !== UTF8_FAILED) return true;
    this.#payload = null;
    this.#discard(CloseCode.invalidPayload, "invalid UTF-8 in text message");
    return false;
  }

  #wellFormedClose(): boolean {
    const info = this.#info;
    const masked = (info & 0x80) !== 0;
    const plain = (info & 0xf000) === 0x8000; // FIN, no reserved bit
    return (
      plain && masked && this.#opcode() === Opcode.close && this.#payloadLength <= SMALL_PAYLOAD
    );
  }

  #isText(): boolean {
    const opcode = this.#opcode();
    return (
      opcode === Opcode.text ||
      (opcode === Opcode.continuation && this.#messageOpcode === Opcode.text)
    );
  }

  #assembling(): boolean {
    return !this.#streaming && !this.#discarding;
  }

  #streamsInParts(): boolean {
    return (
      this.#streaming && this.#payloadLength > SMALL_PAYLOAD && !isControlOpcode(this.#opcode())
    );
  }

  /** The frame's payload is complete (null: already handed on in parts, or discarded). */
  #frameComplete(payload: Uint8Array | null): void {
    this.#payload = null;
    this.#next(State.info);
    const opcode = this.#opcode();
    const fin = (this.#info & 0x8000) !== 0;
    if (this.#discarding) {
      // Only a close frame kept (well-formed) is the client's close; a skipped one is no news.
      if (opcode === Opcode.close && payload) this.#closeFrame(payload);
      return;
    }
    // A ping or pong is answered at once; what this read gathered goes on at the end of the read.
    if (opcode === Opcode.close) this.#passGathered(false);
    switch (opcode) {
      case Opcode.ping:
        return this.#handler.parsedPing(payload as Uint8Array);
      case Opcode.pong:
        return this.#handler.parsedPong(payload as Uint8Array);
      case Opcode.close:
        return this.#closeFrame(payload as Uint8Array);
    }
    const isText = this.#isText();
    const first = opcode !== Opcode.continuation;
    if (first) this.#messageOpcode = opcode;
    if (fin && isText && this.#utf8 !== UTF8_START) {
      return this.#discard(CloseCode.invalidPayload, "text message ends inside a UTF-8 sequence");
    }
    if (this.#streaming) {
      // A part already handed on (null), or a short frame's payload, gathered with the others of
      // this read; the message's last frame passes them on at once.
      if (payload) this.#gather(payload, first);
      if (fin) {
        this.#passGathered(true);
        this.#messageDone();
      }
      return;
    }
    this.#messageLength += (payload as Uint8Array).length;
    if (!fin) {
      (this.#fragments ??= []).push(payload as Uint8Array);
      return;
    }
    const data = this.#fragments ? this.#join(payload as Uint8Array) : (payload as Uint8Array);
    if (!data) return;
    this.#messageDone();
    this.#handler.parsedMessage(ownBuffer(data), isText);
  }

  /** The fragments and the last frame as one buffer; null, after refusing it, without room. */
  #join(last: Uint8Array): Uint8Array | null {
    const fragments = this.#fragments as Uint8Array[];
    const length = this.#messageLength;
    // The joined copy needs room of its own while the fragments still exist.
    const answer = this.#handler.reserveMessage?.(length, true) ?? RESERVED;
    if (answer !== RESERVED) {
      this.#discard(answer === WAIT ? CloseCode.tryAgainLater : answer, "no room to join");
      return null;
    }
    const message = new Uint8Array(length);
    let offset = 0;
    for (const fragment of fragments) {
      message.set(fragment, offset);
      offset += fragment.length;
    }
    message.set(last, offset);
    return message;
  }

  #messageDone(): void {
    this.#messageOpcode = 0;
    this.#fragments = null;
    this.#messageLength = 0;
    this.#utf8 = UTF8_START;
  }

  #closeFrame(payload: Uint8Array): void {
    this.stop();
    if (payload.length === 0) return this.#handler.parsedClose(CloseCode.noStatus, "");
    if (payload.length === 1) return this.#error(CloseCode.protocolError, "close frame of 1 byte");
    const code = (payload[0] << 8) | payload[1];
    if (!isValidCloseCode(code))
      return this.#error(CloseCode.protocolError, `invalid close code ${code}`);
    const reason = payload.subarray(2);
    if (!isValidUtf8(reason))
      return this.#error(CloseCode.invalidPayload, "close reason is not UTF-8");
    this.#handler.parsedClose(code, String.fromArrayBuffer(reason.slice().buffer));
  }

  /** A violation after which frames can no longer be delimited: parsing stops. */
  #error(code: number, message: string): void {
    this.stop();
    this.#handler.protocolError(code, message);
  }

  /** A violation that leaves the framing intact: later frames are read, and only a close counts. */
  #discard(code: number, message: string): void {
    this.#passGathered(false); // the valid bytes before it
    this.#discarding = true;
    this.#keep = false; // the rest of this frame is skipped (#readMask decides for the next ones)
    this.#messageDone();
    this.#handler.protocolError(code, message);
  }
}

/** The bytes as an ArrayBuffer of their own (the buffer itself when the view covers it). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.slice().buffer;
}
