/*
 * One client connection: the HTTP upgrade, then WebSocket frames both ways, then the close
 * handshake (RFC 6455 sections 4, 5 and 7).
 *
 * Everything a socket callback does runs inside a guard: whatever a client sends, or whatever the
 * application's handler throws, only this connection ends (1011 for the application's errors); an
 * exception escaping a socket callback would abort XS and restart the board.
 */
import TCP from "embedded:io/socket/tcp";
import Timer from "timer";
import { CloseCode } from "websocket/close-codes";
import { encodeClosePayload, encodeFrame, encodeMessage } from "websocket/frame-encoder";
import { FrameParser, type FrameParserLimits } from "websocket/frame-parser";
import { checkUpgrade, type Refusal } from "websocket/handshake";
import { type HttpRequest, HttpRequestParser } from "websocket/http-request-parser";
import { type HttpReply, httpResponse, switchingProtocols } from "websocket/http-response";
import { Liveness, LivenessAction, type LivenessOptions } from "websocket/liveness";
import { Opcode } from "websocket/opcodes";
import { OutgoingQueue } from "websocket/outgoing-queue";
import { RateLimit } from "websocket/rate-limit";
import type { TcpSocket } from "websocket/tcp-socket";
import { countIn, countOut, newTraffic, type Traffic } from "websocket/traffic";

/** A text (string) or binary (ArrayBuffer) message. */
export type Message = string | ArrayBuffer;

export interface ConnectionOptions extends FrameParserLimits, LivenessOptions {
  /** WebSocket endpoints, e.g. ["/ws"]. */
  paths: readonly string[];
  maxHeaderSize: number;
  /** How long to wait for the client's side of the close handshake before dropping TCP (ms). */
  closeTimeout: number;
  /** Most bytes queued for a client that does not read; more closes it with 1008. */
  maxQueued: number;
  /** Time allowed for the HTTP upgrade request (ms). */
  handshakeTimeout: number;
  /** Most pings a client may send per second; more closes it with 1008 (0: no limit). */
  maxPingRate: number;
}

/** What a connection asks and tells its server. */
export interface ConnectionEvents {
  /** Every connection's traffic is added here too. */
  readonly totals: Traffic;
  /** A plain HTTP GET (no upgrade): the reply, or undefined when nothing serves this path. */
  respond(path: string, request: HttpRequest): HttpReply | undefined;
  /** A valid upgrade: undefined to accept it, or why not (401/403 by access, 503 when full). */
  admit(connection: WebSocketConnection, request: HttpRequest): Refusal | undefined;
  onOpen(connection: WebSocketConnection): void;
  onMessage(connection: WebSocketConnection, message: Message): void;
  /** The connection is gone (also one that never finished its handshake). */
  onClose(connection: WebSocketConnection, code: number, reason: string): void;
}

const ReadyState = Object.freeze({ handshake: 0, open: 1, closing: 2, closed: 3 });

/** What happens once everything queued has been written. */
const AfterFlush = Object.freeze({
  keepOpen: 0,
  closeTcp: 1, // the exchange is over (response sent, close handshake complete)
  awaitClient: 2, // our close is out: give the client closeTimeout ms to close TCP first
});

export class WebSocketConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly connectedAt = Date.now();
  readonly traffic = newTraffic();
  #path = "";
  #state: number = ReadyState.handshake;
  readonly #socket: TcpSocket;
  readonly #options: ConnectionOptions;
  readonly #events: ConnectionEvents;
  readonly #queue = new OutgoingQueue();
  #request: HttpRequestParser | null;
  #frames: FrameParser | null = null;
  readonly #headerField = new Uint8Array(8); // the largest header field: a 64-bit length
  #afterFlush: number = AfterFlush.keepOpen;
  #closeTimer: Timer | null = null;
  #closeCode: number = CloseCode.abnormal;
  #closeReason = "";
  readonly #liveness = new Liveness(this.connectedAt);
  readonly #pings: RateLimit | null;

  constructor(from: TCP, id: number, options: ConnectionOptions, events: ConnectionEvents) {
    this.id = id;
    this.#options = options;
    this.#events = events;
    this.#request = new HttpRequestParser(options.maxHeaderSize);
    this.#pings = options.maxPingRate ? new RateLimit(options.maxPingRate, 1000) : null;
    this.#socket = new TCP({
      from,
      nodelay: true, // answer small messages now, not after Nagle and delayed ACK
      onReadable: (count: number) => this.#guard(() => this.#receive(count)),
      onWritable: (count: number) => this.#guard(() => this.#writable(count)),
      onError: () => this.#guard(() => this.#finish()), // the client closed TCP, or it failed
    }) as unknown as TcpSocket;
    this.remoteAddress = this.#socket.remoteAddress ?? "";
  }

  /** The endpoint the client asked for ("" until the handshake is done). */
  get path(): string {
    return this.#path;
  }

  /** Bytes waiting to be sent to this client. */
  get queuedBytes(): number {
    return this.#queue.bytes;
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
    this.#queue.push(frame);
    countOut(this.traffic, payloadLength);
    countOut(this.#events.totals, payloadLength);
    this.#flush();
  }

  /** Drops the connection at once, without a close handshake (the client sees 1006). */
  terminate(): void {
    this.#finish();
  }

  /**
   * Called by the server's timer: ends an unfinished handshake after handshakeTimeout, pings,
   * drops a client whose pong is overdue, closes an idle one.
   */
  tick(now: number): void {
    this.#guard(() => {
      const options = this.#options;
      if (this.#request) {
        if (options.handshakeTimeout && now - this.connectedAt >= options.handshakeTimeout) {
          this.#request = null;
          this.#refuse({ status: 408, body: "the request did not arrive in time" });
        }
        return;
      }
      if (this.#state !== ReadyState.open) return;
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
    this.#closing(code, reason, AfterFlush.awaitClient);
  }

  #sendFrame(opcode: number, payload: Uint8Array): void {
    if (this.#state !== ReadyState.open) return;
    this.#queue.push(encodeFrame(opcode, payload));
    this.#flush();
  }

  /** `available` bytes have arrived; all of them are read before returning. */
  #receive(available: number): void {
    if (this.#state === ReadyState.closed) return;
    this.#liveness.received(Date.now());
    if (this.#frames) return this.#receiveFrames(available);
    const buffer = this.#socket.read();
    if (!buffer) return;
    if (this.#request) this.#handshake(new Uint8Array(buffer));
  }

  /**
   * Reads frames a part at a time, as many bytes as the parser wants next: the header fields into
   * a small buffer, and each payload that has arrived whole straight into the buffer that becomes
   * the message (no copy). The bytes of a payload still arriving go through the parser's copy.
   */
  #receiveFrames(available: number): void {
    const frames = this.#frames as FrameParser;
    while (available > 0 && this.#state !== ReadyState.closed) {
      const wanted = frames.wanted;
      if (wanted === 0) {
        this.#socket.read(); // the parser has stopped: what follows is dropped
        return;
      }
      if (frames.takesWholePayload && wanted <= available) {
        frames.pushPayload(this.#socket.read(wanted) as ArrayBuffer);
        available -= wanted;
        continue;
      }
      const count = Math.min(wanted, available);
      const field = this.#headerField;
      const bytes = count <= field.length ? field.subarray(0, count) : new Uint8Array(count);
      this.#socket.read(bytes);
      frames.push(bytes);
      available -= count;
    }
  }

  #handshake(bytes: Uint8Array): void {
    const result = (this.#request as HttpRequestParser).push(bytes);
    if (!result.done) return;
    this.#request = null;
    if ("error" in result) {
      const { status, message, incomplete } = result.error;
      return this.#refuse({ status, body: message }, { incomplete });
    }
    const request = result.request;
    const path = request.target.split("?")[0];
    if (request.method === "GET" && !request.headers.has("upgrade")) {
      const reply = this.#events.respond(path, request);
      if (reply) return this.#refuse(reply);
    }
    const upgrade = checkUpgrade(request, this.#options.paths);
    const refusal = "refusal" in upgrade ? upgrade.refusal : this.#events.admit(this, request);
    if (refusal)
      return this.#refuse({
        status: refusal.status,
        body: refusal.message,
        headers: refusal.headers,
      });
    if (!("accept" in upgrade)) return;
    this.#path = upgrade.path;
    this.#state = ReadyState.open;
    this.#frames = new FrameParser(this.#frameHandler(), this.#options);
    this.#queue.push([switchingProtocols(upgrade.accept)]);
    this.#flush();
    if (this.#state !== ReadyState.open) return; // the client vanished before its 101
    this.#events.onOpen(this);
    if (result.rest.length) this.#frames.push(result.rest);
  }

  /**
   * Answers a plain HTTP request, or one that cannot become a WebSocket, then closes TCP. A client
   * refused before the end of its request (too large, or garbage) may still be sending it: closing
   * a socket with unread bytes resets it, which can destroy the response, so then the client gets
   * closeTimeout ms to close first.
   */
  #refuse(reply: HttpReply, { incomplete = false } = {}): void {
    this.#queue.push([httpResponse(reply)]);
    this.#state = ReadyState.closing;
    this.#afterFlush = incomplete ? AfterFlush.awaitClient : AfterFlush.closeTcp;
    this.#flush();
  }

  #frameHandler() {
    return {
      onMessage: (data: ArrayBuffer, isText: boolean) => {
        if (this.#state !== ReadyState.open) return;
        countIn(this.traffic, data.byteLength);
        countIn(this.#events.totals, data.byteLength);
        this.#events.onMessage(this, isText ? String.fromArrayBuffer(data) : data);
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
    const waiting = this.#queue.waitingBytes;
    if (waiting <= this.#options.maxQueued) return false;
    trace(`ws #${this.id}: ${waiting} bytes still waiting; closing with 1008\n`);
    this.#queue.dropUnsent();
    this.close(CloseCode.policyViolation, "not reading fast enough");
    return true;
  }

  #peerClosed(code: number, reason: string): void {
    if (this.#state === ReadyState.open) {
      // Answer with the same code (an empty close frame when the client sent none).
      const payload =
        code === CloseCode.noStatus ? new Uint8Array(0) : encodeClosePayload(code, "");
      this.#sendFrame(Opcode.close, payload);
      this.#closing(code, reason, AfterFlush.closeTcp);
    } else if (this.#state === ReadyState.closing) {
      this.#closeCode = code; // our close, answered: the handshake is complete
      this.#afterFlush = AfterFlush.closeTcp;
      this.#flush();
    }
  }

  #closing(code: number, reason: string, afterFlush: number): void {
    this.#state = ReadyState.closing;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#afterFlush = afterFlush;
    this.#flush();
  }

  #writable(count: number): void {
    this.#queue.setWritable(count);
    this.#flush();
  }

  #flush(): void {
    if (this.#state === ReadyState.closed) return;
    const empty = this.#queue.flush(this.#socket);
    if (this.#queue.broken) return this.#finish(); // the client is gone
    if (!empty || this.#afterFlush === AfterFlush.keepOpen) return;
    if (this.#afterFlush === AfterFlush.closeTcp) return this.#finish();
    // Our close frame is out: give the client closeTimeout ms to close its side first.
    this.#closeTimer ??= Timer.set(
      () => this.#guard(() => this.#finish()),
      this.#options.closeTimeout,
    );
  }

  #finish(): void {
    if (this.#state === ReadyState.closed) return;
    this.#state = ReadyState.closed;
    if (this.#closeTimer) Timer.clear(this.#closeTimer);
    this.#closeTimer = null;
    this.#frames?.stop();
    this.#queue.clear();
    this.#dropUnread();
    this.#socket.close();
    this.#events.onClose(this, this.#closeCode, this.#closeReason);
  }

  /**
   * Reads and drops what the client sent that was not read (bytes after its close frame, in the
   * same segment): closing a socket with unread bytes resets the connection (lwip, and Linux),
   * which could destroy the close frame or response still on its way to the client.
   */
  #dropUnread(): void {
    try {
      this.#socket.read();
    } catch {
      // the socket is already gone
    }
  }

  #guard(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      trace(`ws #${this.id}: ${String(error)}; closing with 1011\n`);
      try {
        if (this.#state === ReadyState.open) this.close(CloseCode.internalError, "internal error");
        else this.#finish();
      } catch {
        this.#state = ReadyState.closed;
      }
    }
  }
}
