/*
 * One WebSocket client, from its 101 on: frames both ways, the close handshake, liveness and
 * backpressure (RFC 6455 §5, §7). No client can make the board hold more than it has: it is read
 * only while nothing waits to be sent to it (TCP holds it back meanwhile), a message it sends whole
 * only once the buffer budget has room, and one that takes nothing for sendTimeout is closed (1008).
 * What a handler throws ends only this client (1011), as does whatever the client sends.
 */
import type { BufferBudget, RoomWaiter } from "socket/buffer-budget";
import type { SocketChannel } from "socket/channel";
import type { SharedBytes } from "socket/outgoing-queue";
import { CloseCode } from "websocket/close-codes";
import { type Endpoint, type Message, MessagePart } from "websocket/endpoint";
import {
  encodeBytes,
  encodeClosePayload,
  encodeFrame,
  encodeFrameHeader,
  encodeMessage,
} from "websocket/frame-encoder";
import {
  BytesSource,
  FrameParser,
  type FrameParserHandler,
  type FrameParserLimits,
  Room,
} from "websocket/frame-parser";
import { Liveness, LivenessAction, type LivenessOptions } from "websocket/liveness";
import { Opcode } from "websocket/opcodes";
import { RateLimit } from "websocket/rate-limit";
import { Traffic } from "websocket/traffic";
import { thrownAt } from "thrown-at";

export interface ConnectionOptions extends FrameParserLimits, LivenessOptions {
  /** How long to wait for the client's side of the close handshake before dropping TCP (ms). */
  closeTimeout: number;
  /** How long a client may take none of the bytes waiting for it; then 1008 (ms; 0: no limit). */
  sendTimeout: number;
  /** Most pings a client may send per second; more closes it with 1008 (0: no limit). */
  maxPingRate: number;
}

/** What a connection shares with the others, through its hub, and tells it. */
export interface ConnectionHub {
  readonly options: ConnectionOptions;
  /** Every connection's traffic is counted here too. */
  readonly totals: Traffic;
  /** The bytes every connection holds, counted together. */
  readonly budget: BufferBudget;
  /** Shared views for reading header fields (newHeaderViews). */
  readonly headerViews: readonly Uint8Array[];
  /** A connection's 101 is written: it takes a client slot from now on, announced or not. */
  arriving(): void;
  /** It is announced: a client (after arriving, at the bottom of the stack). */
  opened(connection: WebSocketConnection): void;
  /** It ended (once, announced or not). */
  closed(connection: WebSocketConnection, code: number, reason: string): void;
}

const ReadyState = Object.freeze({ open: 1, closing: 2, closed: 3 });

/**
 * After failing a connection, TCP closes once the client has sent nothing for this long (what it
 * sent before it read the close frame has arrived by then), not closeTimeout later.
 */
const CLOSE_QUIET_MS = 100;

/** The longest header of a frame the server sends (unmasked, 64-bit length). */
const MAX_SERVER_HEADER = 10;

export class WebSocketConnection implements FrameParserHandler, RoomWaiter {
  readonly id: number;
  readonly remoteAddress: string;
  readonly connectedAt: number;
  readonly endpoint: Endpoint;
  readonly traffic: Traffic;
  #state: number = ReadyState.open;
  readonly #channel: SocketChannel;
  readonly #options: ConnectionOptions;
  readonly #hub: ConnectionHub;
  readonly #frames: FrameParser;
  #early: BytesSource | null; // what came with the request, read before the socket
  #announced = false; // onConnection and onOpen have run
  #available = 0; // bytes the socket has that are not read yet
  #waitingForRoom = false; // the budget tells it when there is room (roomMade)
  #reserved = 0; // of the budget, for the message being assembled
  #closeCode: number = CloseCode.abnormal;
  #failed = false; // the server failed the connection (protocolError)
  #replied = false; // after failing it, the client's close reply came
  #closeReason = "";
  readonly #liveness: Liveness;
  readonly #pings: RateLimit | null;

  /**
   * Takes `channel` over from the HTTP session `session` (whose 101 is written), tells the hub and
   * the endpoint, and reads `rest`, what came after the request's head, as the first frames.
   */
  constructor(
    channel: SocketChannel,
    session: { readonly id: number; readonly startedAt: number },
    endpoint: Endpoint,
    rest: Uint8Array,
    hub: ConnectionHub,
  ) {
    this.id = session.id;
    this.connectedAt = session.startedAt;
    this.endpoint = endpoint;
    this.#hub = hub;
    this.#options = hub.options;
    this.traffic = new Traffic(hub.totals);
    this.#liveness = new Liveness(Date.now());
    const { maxPingRate } = hub.options;
    this.#pings = maxPingRate ? new RateLimit(maxPingRate, 1000) : null;
    const streaming = endpoint.handler.onMessagePart !== undefined;
    this.#frames = new FrameParser(this, hub.options, hub.headerViews, streaming);
    this.#channel = channel;
    channel.owner = this;
    this.remoteAddress = channel.remoteAddress;
    this.#early = rest.length ? new BytesSource(rest) : null;
    hub.arriving(); // counted against maxClients now: many upgrades may come before the job runs
    // The client is announced (onConnection, onOpen) and the frames sent with its request are read
    // once the upgrade's call is over, at the bottom of the stack: the upgrade never nests them.
    Promise.resolve().then(() => channel.guarded(() => this.#opened()));
  }

  #opened(): void {
    if (this.#state === ReadyState.closed) return; // it ended first: nobody heard of it
    this.#announced = true;
    this.#hub.opened(this);
    this.endpoint.handler.onOpen?.(this);
    this.#read();
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
    this.traffic.sent(part.bytes.length, part.last ? 1 : 0);
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
    this.traffic.sent(payloadLength);
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
      if (this.#channel.queuedBytes > 0 || this.#available > 0 || this.#waitingForRoom) {
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

  /** The budget has room again (see reserveMessage and reservePart). */
  roomMade(): void {
    this.#waitingForRoom = false;
    this.#channel.guarded(() => {
      this.#frames.resume();
      this.#read();
    });
  }

  ended(): void {
    if (this.#state === ReadyState.closed) return;
    this.#state = ReadyState.closed;
    this.#frames.stop();
    this.#hub.budget.forget(this);
    this.#release();
    this.#hub.closed(this, this.#closeCode, this.#closeReason);
    if (this.#announced) this.endpoint.handler.onClose?.(this, this.#closeCode, this.#closeReason);
  }

  fault(error: unknown): void {
    trace(`ws #${this.id}: ${String(error)}; closing with 1011${thrownAt(error)}\n`);
    if (this.#state === ReadyState.open) this.close(CloseCode.internalError, "internal error");
    else this.#channel.end();
  }

  /** Lets the parser read what came with the request, then the socket, as far as it goes. */
  #read(): void {
    if (this.#state === ReadyState.closed) return;
    const early = this.#early;
    if (early) {
      this.#frames.readFrom(early, early.left);
      if (early.left > 0) return;
      this.#early = null;
    }
    if (this.#available === 0) return;
    this.#available -= this.#frames.readFrom(this.#channel, this.#available);
    // After failing it: the client's close reply came with nothing after it (see #peerClosed).
    if (this.#replied && this.#available === 0) this.#channel.closeWhenFlushed();
  }

  // The frame parser's handler.

  mayRead(): boolean {
    return this.#channel.queuedBytes === 0;
  }

  parsedMessage(data: ArrayBuffer, isText: boolean): void {
    this.#release(); // from here the message is the handler's (what it queues counts)
    if (this.#state !== ReadyState.open) return;
    this.traffic.received(data.byteLength);
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
    this.traffic.received(part.length, last ? 1 : 0);
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
   * skipping payloads (see SocketChannel.closeWhenQuiet).
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
    const budget = this.#hub.budget;
    const bytes = continuing ? payload : payload + MAX_SERVER_HEADER;
    if (this.#reserved + bytes > budget.limit) return Room.never;
    if (budget.fits(bytes)) {
      budget.take(bytes);
      this.#reserved += bytes;
      return Room.granted;
    }
    if (continuing) return Room.notNow;
    this.#waitForRoom();
    return Room.wait;
  }

  /** A part of a streamed message is read only when the budget has room for it now. */
  reservePart(bytes: number): boolean {
    if (this.#hub.budget.fits(bytes)) return true;
    this.#waitForRoom();
    return false;
  }

  #waitForRoom(): void {
    this.#waitingForRoom = true;
    this.#hub.budget.wait(this);
  }

  /** Gives back what the message being assembled held. */
  #release(): void {
    if (this.#reserved === 0) return;
    this.#hub.budget.give(this.#reserved);
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
