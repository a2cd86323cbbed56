/*
 * Parser of the frames a WebSocket client sends (RFC 6455 §5): a state machine, after the `ws`
 * library's receiver, that reads from the socket itself (readFrom) as much as each state needs.
 * It hands a message on whole (assembling: within maxMessageSize and maxFrames, the handler giving
 * room first) or as parts as they arrive (streaming: a message of any length costs one read).
 * A violation is reported with its close code, never thrown; the parser then reads on, skipping
 * payloads, so that the client's close reply is still seen (see #discard).
 */
import { CloseCode, isValidCloseCode } from "websocket/close-codes";
import { isControlOpcode, Opcode } from "websocket/opcodes";
import { isValidUtf8, UTF8_FAILED, UTF8_START, utf8Scan } from "websocket/utf8-validator";

/** The socket's reads, as the ECMA-419 TCP socket has them. */
interface ByteSource {
  /** Everything there is (to drop it). */
  read(): ArrayBuffer | undefined;
  /** Exactly `count` bytes, in a buffer of their own. */
  read(count: number): ArrayBuffer;
  /** Fills `into`. */
  read(into: Uint8Array): number;
}

/** Bytes already received (what came with the upgrade request) as a ByteSource. */
export class BytesSource implements ByteSource {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** The bytes not read yet. */
  get left(): number {
    return this.#bytes.length - this.#offset;
  }

  read(): ArrayBuffer | undefined;
  read(count: number): ArrayBuffer;
  read(into: Uint8Array): number;
  read(what?: number | Uint8Array): ArrayBuffer | number | undefined {
    const start = this.#offset;
    if (typeof what === "object") {
      what.set(this.#bytes.subarray(start, start + what.length));
      this.#offset += what.length;
      return what.length;
    }
    const end = what === undefined ? this.#bytes.length : start + what;
    this.#offset = end;
    return this.#bytes.slice(start, end).buffer as ArrayBuffer;
  }
}

/**
 * Views of one 8-byte buffer, 0 to 8 bytes long, for reading header fields (2, 4 or 8 bytes):
 * the server makes one set at run time for all its parsers (a module of the board's firmware
 * is frozen when preloaded, so it cannot hold them itself).
 */
export function newHeaderViews(): readonly Uint8Array[] {
  const bytes = new ArrayBuffer(8);
  const views = [];
  for (let n = 0; n <= 8; n++) views.push(new Uint8Array(bytes, 0, n));
  return views;
}

/** What reserveMessage answers. */
export const Room = Object.freeze({
  /** Taken: go on. */
  granted: 0,
  /** None now: stop until resume(). */
  wait: 1,
  /** More than could ever fit: refuse with 1009. */
  never: 2,
  /** None now, and the client holds part of its message: refuse with 1013 (try again later). */
  notNow: 3,
});

export interface FrameParserHandler {
  /** False while the client is not to be read (what was sent to it waits). */
  mayRead(): boolean;
  /** Assembling: a whole message, text (already validated as UTF-8) or binary. */
  parsedMessage(data: ArrayBuffer, isText: boolean): void;
  /**
   * Streaming: the next part of a message (text checked so far); `last` ends the message.
   * `frameLength` ≥ 0: the part begins a frame of that payload length (its own length when it is
   * whole frames), `finalFrame` when that frame ends the message; -1: the part goes on with the
   * frame an earlier part began. The short frames of one read come as one part, and a long frame
   * as one frame, so that an echo sends at most one frame a read, never more than the client did.
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
  /** The peer broke the protocol (or its message has no room): fail the connection with `code`. */
  protocolError(code: number, message: string): void;
  /**
   * Assembling: room for `bytes` more of the message (`continuing`: part of it is held already)?
   * A Room value; after Room.wait the handler calls resume() once there may be some.
   */
  reserveMessage(bytes: number, continuing: boolean): number;
  /** Streaming: room for a part of `bytes` now? If not, the handler calls resume() later. */
  reservePart(bytes: number): boolean;
}

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

/** The most a control frame carries; a streamed payload that small comes as one part too. */
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
  readonly #headerViews: readonly Uint8Array[];
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

  // Streaming: payloads of short frames gathered into one part until the read ends.
  #gathered: Uint8Array[] | null = null;
  #gatheredLength = 0;
  #gatheredFirst = false;

  /**
   * `headerViews[n]` is a view of n bytes (0 to 8) a header field is read into, shared by every
   * parser (see newHeaderViews). `streaming`: messages are passed on in parts.
   */
  constructor(
    handler: FrameParserHandler,
    limits: FrameParserLimits,
    headerViews: readonly Uint8Array[],
    streaming = false,
  ) {
    this.#handler = handler;
    this.#limits = limits;
    this.#headerViews = headerViews;
    this.#streaming = streaming;
  }

  /**
   * Reads from `source`, which has `available` bytes, as much as the frames and the handler allow
   * (it stops while the handler holds back, or there is no room yet: resume() and read again);
   * returns the bytes read. A header field goes into a shared view, a payload that has arrived
   * whole straight into the buffer that becomes the message or part (no copy), a streamed payload
   * in parts as they come. Once stopped, it reads and drops what there is.
   */
  readFrom(source: ByteSource, available: number): number {
    let read = 0;
    while (read < available) {
      const state = this.#state;
      if (state === State.stopped) {
        source.read(); // the parser has stopped: what follows is dropped
        return available;
      }
      if (state === State.reserve || !this.#handler.mayRead()) break;
      const left = available - read;
      const wanted = this.#wanted();
      const count = wanted < left ? wanted : left;
      if (state !== State.payload) {
        const field = this.#headerViews[count];
        source.read(field);
        this.#push(field);
      } else if (this.#keep && this.#payloadOffset === 0 && wanted <= left) {
        this.#takeWholePayload(new Uint8Array(source.read(wanted)));
      } else if (this.#keep && this.#streamsInParts()) {
        if (!this.#handler.reservePart(count)) break;
        this.#takePart(new Uint8Array(source.read(count)));
      } else {
        const piece = new Uint8Array(count); // a piece of a payload collected whole, or skipped
        source.read(piece);
        this.#push(piece);
      }
      read += count;
    }
    this.#passGathered(false); // a streaming handler gets this read's short frames as one part
    return read;
  }

  /** Feeds bytes of the current header field or payload, each at most what it still wants. */
  #push(bytes: Uint8Array): void {
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
        case State.payload:
          offset = this.#readPayload(bytes, offset);
          break;
        default:
          return; // waiting for room: nothing was read past the header
      }
    }
  }

  /** How many bytes the field or payload being read still wants. */
  #wanted(): number {
    switch (this.#state) {
      case State.info:
      case State.length16:
        return 2 - this.#headerBytes;
      case State.length64:
        return 8 - this.#headerBytes;
      case State.mask:
        return 4 - this.#headerBytes;
    }
    return this.#payloadLength - this.#payloadOffset;
  }

  /** A frame's whole payload, in a buffer of its own: unmasked in place, the message or a part. */
  #takeWholePayload(payload: Uint8Array): void {
    this.#payload = payload;
    unmask(payload, 0, payload.length, 0, this.#mask);
    this.#payloadOffset = payload.length;
    this.#payloadArrived(0, payload.length);
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
    const part = gathered.length === 1 ? gathered[0] : concatenate(gathered, length);
    const isText = this.#messageOpcode === Opcode.text;
    this.#handler.parsedPart(part, isText, this.#gatheredFirst, last, length + more, finalFrame);
  }

  /** The handler made room (after reserveMessage said wait): the parser goes on when read again. */
  resume(): void {
    if (this.#state === State.reserve) this.#reserve();
  }

  /** Stops parsing: later bytes are read and dropped (used once the connection is closing). */
  stop(): void {
    this.#state = State.stopped;
    this.#fragments = null;
    this.#payload = null;
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
    const room = this.#handler.reserveMessage(this.#payloadLength, this.#messageLength > 0);
    if (room === Room.wait) return;
    this.#state = State.payload;
    if (room === Room.never)
      this.#discard(CloseCode.messageTooBig, "message larger than the buffer budget");
    else if (room === Room.notNow)
      this.#discard(CloseCode.tryAgainLater, "no room for this message now");
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
    const room = this.#handler.reserveMessage(length, true);
    if (room !== Room.granted) {
      const code = room === Room.never ? CloseCode.messageTooBig : CloseCode.tryAgainLater;
      this.#discard(code, "no room to join");
      return null;
    }
    fragments.push(last);
    return concatenate(fragments, length);
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

/** `parts`, `length` bytes in all, one after the other in one new buffer. */
function concatenate(parts: Uint8Array[], length: number): Uint8Array {
  const whole = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

/** The bytes as an ArrayBuffer of their own (the buffer itself when the view covers it). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.slice().buffer;
}
