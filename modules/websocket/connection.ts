/*
 * One WebSocket client, from the moment its upgrade is accepted: frames both ways, the close
 * handshake, liveness and backpressure (RFC 6455 sections 5 and 7). Its HTTP request was read by
 * an HttpSession, which handed the connection's channel over.
 *
 * Backpressure, so that no client can make the board hold more than it has:
 * - the client is read only while everything queued for it has gone to the socket: what it is
 *   sent (its echoes, say) waits for it to read, not in the board's heap, and TCP's flow control
 *   holds it back meanwhile;
 * - a message the endpoint needs whole is read only once the server's buffer budget has room for
 *   it; until then the client is not read (a burst of messages waits in TCP, it is not slowness);
 * - a client that takes none of what waits for it for `sendTimeout` ms is closed with 1008.
 *
 * What the application's handler throws ends only this client, with 1011; whatever a client
 * sends ends only this client, with the close code RFC 6455 asks for.
 */
import type { BufferBudget, RoomWaiter } from "socket/buffer-budget";
import type { SocketChannel } from "socket/channel";
import type { SharedBytes } from "socket/outgoing-queue";
import { CloseCode } from "websocket/close-codes";
import {
  encodeBytes,
  encodeClosePayload,
  encodeFrame,
  encodeFrameHeader,
  encodeMessage,
} from "websocket/frame-encoder";
import {
  FrameParser,
  type FrameParserHandler,
  type FrameParserLimits,
  RESERVED,
  WAIT,
} from "websocket/frame-parser";
import { switchingProtocols } from "http/response";
import type { HttpSession } from "http/session";
import { Liveness, LivenessAction, type LivenessOptions } from "websocket/liveness";
import { Opcode } from "websocket/opcodes";
import { RateLimit } from "websocket/rate-limit";
import { countIn, countOut, newTraffic, type Traffic } from "websocket/traffic";

/** A text (string) or binary (ArrayBuffer) message. */
export type Message = string | ArrayBuffer;

/** A part of a message as it arrives (streaming handlers): valid during the call only. */
export class MessagePart {
  /** The part's bytes (unmasked; text checked as UTF-8 as far as it has arrived). */
  readonly bytes: Uint8Array;
  readonly isText: boolean;
  /** The first part of its message, the last (both: the message is in this part alone). */
  readonly first: boolean;
  readonly last: boolean;
  /**
   * How sendPart frames it: ≥ 0, the part begins a frame of that payload length (its own length
   * when it is whole frames of the client's), which ends the message when `finalFrame`; -1, it
   * goes on with the frame the part before it began.
   */
  readonly frameLength: number;
  readonly finalFrame: boolean;

  constructor(
    bytes: Uint8Array,
    isText: boolean,
    first: boolean,
    last: boolean,
    frameLength: number,
    finalFrame: boolean,
  ) {
    this.bytes = bytes;
    this.isText = isText;
    this.first = first;
    this.last = last;
    this.frameLength = frameLength;
    this.finalFrame = finalFrame;
  }

  /** The message as a string when it is text and this part is all of it, else undefined. */
  wholeText(): string | undefined {
    if (!this.isText || !this.first || !this.last) return undefined;
    const bytes = this.bytes;
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return String.fromArrayBuffer((whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer);
  }
}

/**
 * What an endpoint does with its clients (see WebSocketServer.websocket). It takes messages in one
 * of three forms: whole (`onMessage`, at most maxMessageSize bytes), whole as bytes
 * (`onMessageBytes`, text not decoded: to pass messages on), or part by part as they arrive
 * (`onMessagePart`: a message of any length, costing one read of memory).
 */
export interface WebSocketHandler {
  /** A client finished its handshake. */
  onOpen?(client: WebSocketConnection): void;
  /** A whole message arrived: a string for text, an ArrayBuffer for binary. */
  onMessage?(client: WebSocketConnection, message: Message): void;
  /** Instead of onMessage: a whole message as its bytes (text already checked as UTF-8). */
  onMessageBytes?(client: WebSocketConnection, bytes: ArrayBuffer, isText: boolean): void;
  /** Instead of both: each part of a message as it arrives. */
  onMessagePart?(client: WebSocketConnection, part: MessagePart): void;
  /** The client is gone; code 1006 when it vanished without a close frame. */
  onClose?(client: WebSocketConnection, code: number, reason: string): void;
}

/** A registered WebSocket endpoint: its path and what handles its clients. */
export interface Endpoint {
  readonly path: string;
  readonly handler: WebSocketHandler;
}

export interface ConnectionOptions extends FrameParserLimits, LivenessOptions {
  /** How long to wait for the client's side of the close handshake before dropping TCP (ms). */
  closeTimeout: number;
  /** How long a client may take none of the bytes waiting for it; then 1008 (ms; 0: no limit). */
  sendTimeout: number;
  /** Most pings a client may send per second; more closes it with 1008 (0: no limit). */
  maxPingRate: number;
}

/** What a connection tells its server. */
export interface ConnectionEvents {
  /** Every connection's traffic is added here too. */
  readonly totals: Traffic;
  /** The bytes every connection holds, counted together. */
  readonly budget: BufferBudget;
  /** Shared views for reading header fields (newHeaderViews). */
  readonly headerViews: readonly Uint8Array[];
  onOpen(connection: WebSocketConnection): void;
  onClose(connection: WebSocketConnection, code: number, reason: string): void;
}

const ReadyState = Object.freeze({ open: 1, closing: 2, closed: 3 });

/**
 * After failing a connection, TCP closes once the client has sent nothing for this long (what it
 * sent before it read the close frame has arrived by then), not closeTimeout later.
 */
const CLOSE_QUIET_MS = 100;

/** The longest header of a frame the server sends (unmasked, 64-bit length). */
const MAX_SERVER_HEADER = 10;

/**
 * Views of one 8-byte buffer, 0 to 8 bytes long, for reading header fields (2, 4 or 8 bytes):
 * the server makes one set at run time for all its connections (a module of the board's firmware
 * is frozen when preloaded, so it cannot hold them itself).
 */
export function newHeaderViews(): readonly Uint8Array[] {
  const bytes = new ArrayBuffer(8);
  const views = [];
  for (let n = 0; n <= 8; n++) views.push(new Uint8Array(bytes, 0, n));
  return views;
}

export class WebSocketConnection implements FrameParserHandler, RoomWaiter {
  readonly id: number;
  readonly remoteAddress: string;
  readonly connectedAt: number;
  readonly endpoint: Endpoint;
  readonly traffic = newTraffic();
  #state: number = ReadyState.open;
  #announced = false; // onOpen was called: onClose will be
  readonly #channel: SocketChannel;
  readonly #options: ConnectionOptions;
  readonly #events: ConnectionEvents;
  readonly #frames: FrameParser;
  #available = 0; // bytes the socket has that are not read yet
  #reserved = 0; // of the budget, for the message being assembled
  #closeCode: number = CloseCode.abnormal;
  #failed = false; // the server failed the connection (protocolError)
  #replied = false; // after failing it, the client's close reply came
  #closeReason = "";
  readonly #liveness: Liveness;
  readonly #pings: RateLimit | null;

  /**
   * Takes `session`'s connection, answers 101 with `accept`, and reads `rest` (what came after
   * the request's head) as the first frames.
   */
  constructor(
    session: HttpSession,
    endpoint: Endpoint,
    accept: string,
    rest: Uint8Array,
    options: ConnectionOptions,
    events: ConnectionEvents,
  ) {
    this.id = session.id;
    this.connectedAt = session.startedAt;
    this.endpoint = endpoint;
    this.#options = options;
    this.#events = events;
    this.#liveness = new Liveness(Date.now());
    this.#pings = options.maxPingRate ? new RateLimit(options.maxPingRate, 1000) : null;
    const streaming = endpoint.handler.onMessagePart !== undefined;
    this.#frames = new FrameParser(this, options, { streaming });
    this.#channel = session.handOver(this);
    this.remoteAddress = this.#channel.remoteAddress;
    this.#channel.write([switchingProtocols(accept)]);
    if (this.#state === ReadyState.closed) return; // the client vanished before its 101
    this.#announced = true;
    events.onOpen(this);
    endpoint.handler.onOpen?.(this);
    if (rest.length) this.#frames.push(rest);
  }

  /** The endpoint the client connected to. */
  get path(): string {
    return this.endpoint.path;
  }

  /** Bytes waiting to be sent to this client. */
  get queuedBytes(): number {
    return this.#channel.waitingBytes;
  }

  /** Sends a text (string) or binary (ArrayBuffer) message; ignored unless open. */
  send(message: Message): void {
    const { frame, length } = encodeMessage(message);
    this.sendEncoded(frame, length);
  }

  /** Sends a message given as its bytes (text as UTF-8), as onMessageBytes gives them. */
  sendBytes(bytes: ArrayBuffer, isText: boolean): void {
    const { frame, length } = encodeBytes(bytes, isText);
    this.sendEncoded(frame, length);
  }

  /**
   * Sends a part of a message as onMessagePart gives it: every part of a message sent, in order,
   * is an echo of the message as it streams in, in frames as long as the client's (a long frame
   * goes out as it comes in, its header first; the short frames of one read go as one).
   */
  sendPart(part: MessagePart): void {
    if (this.#state !== ReadyState.open) return;
    countOut(this.traffic, part.bytes.length, part.last ? 1 : 0);
    countOut(this.#events.totals, part.bytes.length, part.last ? 1 : 0);
    if (part.frameLength < 0) return this.#channel.writeMore(part.bytes);
    const opcode = !part.first ? Opcode.continuation : part.isText ? Opcode.text : Opcode.binary;
    const rest = part.frameLength - part.bytes.length;
    const chunks =
      rest > 0
        ? [encodeFrameHeader(opcode, part.frameLength, part.finalFrame), part.bytes]
        : encodeFrame(opcode, part.bytes, part.finalFrame);
    this.#channel.write(chunks, null, rest);
  }

  /**
   * Queues a message already encoded (a broadcast encodes once for all clients, `shared` counting
   * its bytes once), unless the client is closing. Any single message fits.
   */
  sendEncoded(frame: Uint8Array[], payloadLength: number, shared: SharedBytes | null = null): void {
    if (this.#state !== ReadyState.open) return;
    countOut(this.traffic, payloadLength);
    countOut(this.#events.totals, payloadLength);
    this.#channel.write(frame, shared);
  }

  /** Drops the connection at once, without a close handshake (the client sees 1006). */
  terminate(): void {
    this.#channel.end();
  }

  /**
   * Called by the server's timer: pings, drops a client whose pong is overdue, closes an idle one
   * and one that takes nothing of what waits for it.
   */
  tick(now: number): void {
    this.#channel.guarded(() => {
      if (this.#state === ReadyState.closed) return;
      const { sendTimeout, pingTimeout } = this.#options;
      if (sendTimeout && this.#channel.stalledFor(now) >= sendTimeout) return this.#notReading();
      if (this.#state !== ReadyState.open) return;
      // Not reading it (bytes wait for it, or for room, or unread in its socket): no ping, and no
      // deadline runs out; a client that takes nothing is sendTimeout's to close.
      if (this.#channel.queuedBytes > 0 || this.#available > 0 || this.#frames.waiting) {
        this.#liveness.hold(now, this.#options);
        return;
      }
      const action = this.#liveness.check(now, this.#options);
      if (action === LivenessAction.ping) this.ping();
      else if (action === LivenessAction.closeIdle) this.close(CloseCode.goingAway, "idle");
      else if (action === LivenessAction.drop) {
        trace(`ws #${this.id}: no pong within ${pingTimeout} ms; dropping it\n`);
        this.terminate();
      }
    });
  }

  ping(payload: Uint8Array = new Uint8Array(0)): void {
    this.#sendFrame(Opcode.ping, payload);
  }

  /** Starts the close handshake; the TCP connection ends when the client answers or times out. */
  close(code: number = CloseCode.normal, reason = ""): void {
    if (this.#state !== ReadyState.open) return;
    this.#sendFrame(Opcode.close, encodeClosePayload(code, reason));
    this.#closing(code, reason);
    // Our close frame goes out first; then the client gets closeTimeout ms to close TCP itself.
    this.#channel.closeWhenFlushed(this.#options.closeTimeout);
  }

  #sendFrame(opcode: number, payload: Uint8Array): void {
    if (this.#state !== ReadyState.open) return;
    this.#channel.write(encodeFrame(opcode, payload));
  }

  // The channel's owner: what the socket reports.

  /** `available` bytes can be read (all of them the socket has). */
  readable(available: number): void {
    if (this.#state === ReadyState.closed) return;
    this.#available = available;
    this.#liveness.received(Date.now());
    this.#read();
  }

  /** What was queued for the client has gone to the socket: it may be read again. */
  drained(): void {
    this.#read();
  }

  /** The budget has room again (see reserveMessage and #read). */
  roomMade(): void {
    this.#channel.guarded(() => {
      this.#frames.resume();
      this.#read();
    });
  }

  ended(): void {
    if (this.#state === ReadyState.closed) return;
    this.#state = ReadyState.closed;
    this.#frames.stop();
    this.#events.budget.forget(this);
    this.#release();
    if (!this.#announced) return;
    this.#events.onClose(this, this.#closeCode, this.#closeReason);
    this.endpoint.handler.onClose?.(this, this.#closeCode, this.#closeReason);
  }

  fault(error: unknown): void {
    trace(`ws #${this.id}: ${String(error)}; closing with 1011\n`);
    if (this.#state === ReadyState.open) this.close(CloseCode.internalError, "internal error");
    else this.#channel.end();
  }

  /**
   * Reads what the socket has, a part at a time, as many bytes as the parser wants next: a header
   * field into a small reusable buffer, each payload that has arrived whole straight into the
   * buffer that becomes the message (no copy), a streamed payload in parts as they come. Stops
   * while what is queued for the client waits, or while the budget has no room.
   */
  #read(): void {
    this.#readAvailable();
    this.#frames.endOfRead(); // a streaming handler gets this read's short frames as one part
  }

  #readAvailable(): void {
    const frames = this.#frames;
    const channel = this.#channel;
    while (this.#available > 0 && this.#state !== ReadyState.closed) {
      if (frames.stopped) {
        channel.read(); // the parser has stopped: what follows is dropped
        this.#available = 0;
        return;
      }
      if (frames.waiting || channel.queuedBytes > 0) return;
      const wanted = frames.wanted;
      const count = Math.min(wanted, this.#available);
      if (!frames.inPayload) {
        const field = this.#events.headerViews[count];
        channel.read(field);
        frames.push(field);
      } else if (frames.takesWholePayload && wanted <= this.#available) {
        frames.pushPayload(channel.read(wanted)); // streaming: gathered with this read's frames
      } else if (frames.takesParts) {
        if (!this.#events.budget.fits(count)) return this.#events.budget.wait(this);
        frames.pushPart(channel.read(count));
      } else {
        const bytes = new Uint8Array(count);
        channel.read(bytes);
        frames.push(bytes);
      }
      this.#available -= count;
      if (this.#replied && this.#available === 0) return channel.closeWhenFlushed();
    }
  }

  // The frame parser's handler.

  parsedMessage(data: ArrayBuffer, isText: boolean): void {
    this.#release(); // from here the message is the handler's (what it queues counts)
    if (this.#state !== ReadyState.open) return;
    countIn(this.traffic, data.byteLength);
    countIn(this.#events.totals, data.byteLength);
    const handler = this.endpoint.handler;
    if (handler.onMessageBytes) handler.onMessageBytes(this, data, isText);
    else handler.onMessage?.(this, isText ? String.fromArrayBuffer(data) : data);
  }

  parsedPart(
    part: Uint8Array,
    isText: boolean,
    first: boolean,
    last: boolean,
    frameLength: number,
    finalFrame: boolean,
  ): void {
    if (this.#state !== ReadyState.open) return;
    countIn(this.traffic, part.length, last ? 1 : 0);
    countIn(this.#events.totals, part.length, last ? 1 : 0);
    const message = new MessagePart(part, isText, first, last, frameLength, finalFrame);
    this.endpoint.handler.onMessagePart?.(this, message);
  }

  parsedPing(payload: Uint8Array): void {
    this.#answerPing(payload);
  }

  parsedPong(): void {
    this.#liveness.pong();
  }

  parsedClose(code: number, reason: string): void {
    this.#peerClosed(code, reason);
  }

  /**
   * The client broke the protocol (or its message cannot be held): the connection is failed
   * (RFC 6455 §7.1.7) with a close frame, and TCP closes once that is written and either the
   * client's close reply has come with nothing after it, or the client has sent nothing for
   * CLOSE_QUIET_MS (what it sent before it read the close frame has arrived by then); never
   * closeTimeout later, which would race the client's own timer. The parser reads on meanwhile,
   * skipping payloads; closing while the client's bytes still come would reset the connection,
   * which could destroy the close frame on its way.
   */
  protocolError(code: number, message: string): void {
    this.#release();
    trace(`ws #${this.id}: ${message}; closing with ${code}\n`);
    this.#failed = true;
    if (this.#state === ReadyState.open) {
      this.#sendFrame(Opcode.close, encodeClosePayload(code, message));
      this.#closing(code, message);
    }
    this.#channel.closeWhenQuiet(CLOSE_QUIET_MS, this.#options.closeTimeout);
  }

  /**
   * Room for `bytes` more of a message to assemble (for its first frame, room for the header of
   * the frame that passes it on, too). One that could never fit is refused with 1009. A client
   * waits for room only while it holds none: one that holds part of a message gets 1013 (try
   * again later) instead, since clients waiting on each other's room would wait for ever.
   */
  reserveMessage(payload: number, continuing: boolean): number {
    const budget = this.#events.budget;
    const bytes = continuing ? payload : payload + MAX_SERVER_HEADER;
    if (this.#reserved + bytes > budget.limit) return CloseCode.messageTooBig;
    if (budget.fits(bytes)) {
      budget.take(bytes);
      this.#reserved += bytes;
      return RESERVED;
    }
    if (continuing) return CloseCode.tryAgainLater;
    budget.wait(this);
    return WAIT;
  }

  /** Gives back what the message being assembled held. */
  #release(): void {
    if (this.#reserved === 0) return;
    this.#events.budget.give(this.#reserved);
    this.#reserved = 0;
  }

  /**
   * A pong for each ping, as long as the client pings at a sane rate: a flood of pings would make
   * the board queue pongs without end.
   */
  #answerPing(payload: Uint8Array): void {
    if (this.#state !== ReadyState.open) return; // closing: our close frame is queued already
    if (this.#pings && !this.#pings.allow(Date.now())) {
      trace(
        `ws #${this.id}: more than ${this.#options.maxPingRate} pings a second; closing with 1008\n`,
      );
      return this.close(CloseCode.policyViolation, "too many pings");
    }
    this.#sendFrame(Opcode.pong, payload);
  }

  /**
   * The client took none of what waits for it for sendTimeout ms: a slow consumer, one gone
   * without a word, or one that closed its side of TCP (the socket reports that only once every
   * byte received is read, and the client is not read while bytes wait for it). The frames not yet
   * started are dropped and it is closed with 1008; if it takes nothing of that either within
   * closeTimeout ms, the connection is dropped.
   */
  #notReading(): void {
    const { sendTimeout, closeTimeout } = this.#options;
    if (this.#state !== ReadyState.open) {
      // Closing: its close frame waits behind what it does not take either.
      if (this.#channel.stalledFor(Date.now()) >= closeTimeout) this.terminate();
      return;
    }
    const waiting = this.#channel.queuedBytes;
    trace(`ws #${this.id}: ${waiting} bytes not taken in ${sendTimeout} ms; closing with 1008\n`);
    this.#channel.dropUnsent();
    this.close(CloseCode.policyViolation, "not reading");
  }

  #peerClosed(code: number, reason: string): void {
    if (this.#state === ReadyState.open) {
      // Answer with the same code (an empty close frame when the client sent none).
      const payload =
        code === CloseCode.noStatus ? new Uint8Array(0) : encodeClosePayload(code, "");
      this.#sendFrame(Opcode.close, payload);
      this.#closing(code, reason);
      this.#channel.closeWhenFlushed(); // the exchange is over
    } else if (this.#state === ReadyState.closing) {
      this.#closeCode = code; // our close, answered: the handshake is complete
      // After a failure, TCP closes at once if nothing came after the reply (see #read), else
      // once the client is quiet (protocolError): a client that sends on has lost the framing.
      if (this.#failed) this.#replied = true;
      else this.#channel.closeWhenFlushed();
    }
  }

  #closing(code: number, reason: string): void {
    this.#state = ReadyState.closing;
    this.#closeCode = code;
    this.#closeReason = reason;
  }
}
