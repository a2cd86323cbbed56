/*
 * One WebSocket client, from the moment its upgrade is accepted: frames both ways, the close
 * handshake, liveness and backpressure (RFC 6455 sections 5 and 7). Its HTTP request was read by
 * an HttpSession, which handed the connection's channel over.
 *
 * What the application's handler throws ends only this client, with 1011; whatever a client
 * sends ends only this client, with the close code RFC 6455 asks for.
 */
import { CloseCode } from "websocket/close-codes";
import { encodeClosePayload, encodeFrame, encodeMessage } from "websocket/frame-encoder";
import { FrameParser, type FrameParserLimits } from "websocket/frame-parser";
import { switchingProtocols } from "http/response";
import type { HttpSession } from "http/session";
import { Liveness, LivenessAction, type LivenessOptions } from "websocket/liveness";
import { Opcode } from "websocket/opcodes";
import { RateLimit } from "websocket/rate-limit";
import type { SocketChannel } from "socket/channel";
import { countIn, countOut, newTraffic, type Traffic } from "websocket/traffic";

/** A text (string) or binary (ArrayBuffer) message. */
export type Message = string | ArrayBuffer;

/** What an endpoint does with its clients (see WebSocketServer.websocket). */
export interface WebSocketHandler {
  /** A client finished its handshake. */
  onOpen?(client: WebSocketConnection): void;
  /** A whole message arrived: a string for text, an ArrayBuffer for binary. */
  onMessage?(client: WebSocketConnection, message: Message): void;
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
  /** Most bytes queued for a client that does not read; more closes it with 1008. */
  maxQueued: number;
  /** Most pings a client may send per second; more closes it with 1008 (0: no limit). */
  maxPingRate: number;
}

/** What a connection tells its server. */
export interface ConnectionEvents {
  /** Every connection's traffic is added here too. */
  readonly totals: Traffic;
  onOpen(connection: WebSocketConnection): void;
  onClose(connection: WebSocketConnection, code: number, reason: string): void;
}

const ReadyState = Object.freeze({ open: 1, closing: 2, closed: 3 });

export class WebSocketConnection {
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
  readonly #headerField = new Uint8Array(8); // the largest header field: a 64-bit length
  #closeCode: number = CloseCode.abnormal;
  #closeReason = "";
  readonly #liveness: Liveness;
  readonly #pings: RateLimit | null;

  /**
   * Takes `session`'s connection, answers 101 with `accept`, and reads `rest` (what came after
   * the request's head) as the first frames. `opened` is false when the client vanished before
   * its 101.
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
    this.#frames = new FrameParser(this.#frameHandler(), options);
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
    return this.#channel.queuedBytes;
  }

  /** Sends a text (string) or binary (ArrayBuffer) message; ignored unless open. */
  send(message: Message): void {
    const { frame, length } = encodeMessage(message);
    this.sendEncoded(frame, length);
  }

  /**
   * Queues a message already encoded by encodeMessage (a broadcast encodes once for all clients),
   * unless the client is not reading (see #closedForNotReading). Any single message fits.
   */
  sendEncoded(frame: Uint8Array[], payloadLength: number): void {
    if (this.#state !== ReadyState.open || this.#closedForNotReading()) return;
    countOut(this.traffic, payloadLength);
    countOut(this.#events.totals, payloadLength);
    this.#channel.write(frame);
  }

  /** Drops the connection at once, without a close handshake (the client sees 1006). */
  terminate(): void {
    this.#channel.end();
  }

  /** Called by the server's timer: pings, drops a client whose pong is overdue, closes an idle one. */
  tick(now: number): void {
    this.#channel.guarded(() => {
      if (this.#state !== ReadyState.open) return;
      const options = this.#options;
      const action = this.#liveness.check(now, options);
      if (action === LivenessAction.ping) this.ping();
      else if (action === LivenessAction.closeIdle) this.close(CloseCode.goingAway, "idle");
      else if (action === LivenessAction.drop) {
        trace(`ws #${this.id}: no pong within ${options.pingTimeout} ms; dropping it\n`);
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

  /**
   * `available` bytes have arrived: frames are read a part at a time, as many bytes as the parser
   * wants next: the header fields into a small buffer, and each payload that has arrived whole
   * straight into the buffer that becomes the message (no copy). The bytes of a payload still
   * arriving go through the parser's copy.
   */
  readable(available: number): void {
    if (this.#state === ReadyState.closed) return;
    this.#liveness.received(Date.now());
    const frames = this.#frames;
    const channel = this.#channel;
    while (available > 0 && this.#state !== ReadyState.closed) {
      const wanted = frames.wanted;
      if (wanted === 0) {
        channel.read(); // the parser has stopped: what follows is dropped
        return;
      }
      if (frames.takesWholePayload && wanted <= available) {
        frames.pushPayload(channel.read(wanted));
        available -= wanted;
        continue;
      }
      const count = Math.min(wanted, available);
      const field = this.#headerField;
      const bytes = count <= field.length ? field.subarray(0, count) : new Uint8Array(count);
      channel.read(bytes);
      frames.push(bytes);
      available -= count;
    }
  }

  ended(): void {
    if (this.#state === ReadyState.closed) return;
    this.#state = ReadyState.closed;
    this.#frames.stop();
    if (!this.#announced) return;
    this.#events.onClose(this, this.#closeCode, this.#closeReason);
    this.endpoint.handler.onClose?.(this, this.#closeCode, this.#closeReason);
  }

  fault(error: unknown): void {
    trace(`ws #${this.id}: ${String(error)}; closing with 1011\n`);
    if (this.#state === ReadyState.open) this.close(CloseCode.internalError, "internal error");
    else this.#channel.end();
  }

  #frameHandler() {
    return {
      onMessage: (data: ArrayBuffer, isText: boolean) => {
        if (this.#state !== ReadyState.open) return;
        countIn(this.traffic, data.byteLength);
        countIn(this.#events.totals, data.byteLength);
        this.endpoint.handler.onMessage?.(this, isText ? String.fromArrayBuffer(data) : data);
      },
      onPing: (payload: Uint8Array) => this.#answerPing(payload),
      onPong: () => this.#liveness.pong(),
      onClose: (code: number, reason: string) => this.#peerClosed(code, reason),
      onProtocolError: (code: number, message: string, peerClosed: boolean) => {
        trace(`ws #${this.id}: ${message}; closing with ${code}\n`);
        this.close(code, message);
        if (peerClosed) this.#peerClosed(code, ""); // the client has closed: no need to wait
      },
    };
  }

  /**
   * A pong for each ping, as long as the client pings at a sane rate and reads what it is sent: a
   * flood of pings would make the board queue pongs without end.
   */
  #answerPing(payload: Uint8Array): void {
    if (this.#state !== ReadyState.open) return; // closing: our close frame is queued already
    if (this.#pings && !this.#pings.allow(Date.now())) {
      trace(
        `ws #${this.id}: more than ${this.#options.maxPingRate} pings a second; closing with 1008\n`,
      );
      return this.close(CloseCode.policyViolation, "too many pings");
    }
    if (!this.#closedForNotReading()) this.#sendFrame(Opcode.pong, payload);
  }

  /**
   * A client with more than maxQueued bytes waiting behind the frame being written is not reading
   * (a slow consumer): rather than queue more for it, the frames not yet started are dropped and
   * it is closed with 1008. (The frame being written does not count: a large message takes a while
   * to pass the send buffer however fast the client reads.) True when that happened.
   */
  #closedForNotReading(): boolean {
    const waiting = this.#channel.waitingBytes;
    if (waiting <= this.#options.maxQueued) return false;
    trace(`ws #${this.id}: ${waiting} bytes still waiting; closing with 1008\n`);
    this.#channel.dropUnsent();
    this.close(CloseCode.policyViolation, "not reading fast enough");
    return true;
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
      this.#channel.closeWhenFlushed();
    }
  }

  #closing(code: number, reason: string): void {
    this.#state = ReadyState.closing;
    this.#closeCode = code;
    this.#closeReason = reason;
  }
}
