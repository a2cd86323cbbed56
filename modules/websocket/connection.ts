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
import { encodeClosePayload, encodeFrame } from "websocket/frame-encoder";
import { FrameParser, type FrameParserLimits } from "websocket/frame-parser";
import { checkUpgrade } from "websocket/handshake";
import { HttpRequestParser } from "websocket/http-request-parser";
import { switchingProtocols, textResponse } from "websocket/http-response";
import { Opcode } from "websocket/opcodes";
import { OutgoingQueue } from "websocket/outgoing-queue";
import type { TcpSocket } from "websocket/tcp-socket";

export type Message = string | ArrayBuffer;

export interface ConnectionOptions extends FrameParserLimits {
  /** WebSocket endpoints, e.g. ["/ws"]. */
  paths: readonly string[];
  maxHeaderSize: number;
  /** How long to wait for the client's side of the close handshake before dropping TCP (ms). */
  closeTimeout: number;
}

/** What a connection tells its server. */
export interface ConnectionEvents {
  onOpen(connection: WebSocketConnection): void;
  onMessage(connection: WebSocketConnection, message: Message): void;
  onClose(connection: WebSocketConnection, code: number, reason: string): void;
}

const ReadyState = Object.freeze({ handshake: 0, open: 1, closing: 2, closed: 3 });

export class WebSocketConnection {
  readonly id: number;
  readonly remoteAddress: string;
  #path = "";
  #state: number = ReadyState.handshake;
  readonly #socket: TcpSocket;
  readonly #options: ConnectionOptions;
  readonly #events: ConnectionEvents;
  readonly #queue = new OutgoingQueue();
  #request: HttpRequestParser | null;
  #frames: FrameParser | null = null;
  /** After the queue drains: 0 keep going, 1 close TCP, 2 wait for the client to close. */
  #afterFlush = 0;
  #closeTimer: Timer | null = null;
  #closeCode: number = CloseCode.abnormal;
  #closeReason = "";

  constructor(from: TCP, id: number, options: ConnectionOptions, events: ConnectionEvents) {
    this.id = id;
    this.#options = options;
    this.#events = events;
    this.#request = new HttpRequestParser(options.maxHeaderSize);
    this.#socket = new TCP({
      from,
      nodelay: true, // answer small messages now, not after Nagle and delayed ACK
      onReadable: () => this.#guard(() => this.#receive()),
      onWritable: (count: number) => this.#guard(() => this.#writable(count)),
      onError: () => this.#guard(() => this.#disconnected()),
    }) as unknown as TcpSocket;
    this.remoteAddress = this.#socket.remoteAddress ?? "";
  }

  /** The endpoint the client asked for ("" until the handshake is done). */
  get path(): string {
    return this.#path;
  }

  get isOpen(): boolean {
    return this.#state === ReadyState.open;
  }

  /** Bytes waiting to be sent to this client. */
  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  /** Sends a text (string) or binary (ArrayBuffer) message; ignored unless open. */
  send(message: Message): void {
    if (typeof message === "string")
      this.#sendFrame(Opcode.text, new Uint8Array(ArrayBuffer.fromString(message)));
    else this.#sendFrame(Opcode.binary, new Uint8Array(message));
  }

  ping(payload: Uint8Array = new Uint8Array(0)): void {
    this.#sendFrame(Opcode.ping, payload);
  }

  /** Starts the close handshake; the TCP connection ends when the client answers or times out. */
  close(code: number = CloseCode.normal, reason = ""): void {
    if (this.#state !== ReadyState.open) return;
    this.#sendFrame(Opcode.close, encodeClosePayload(code, reason));
    this.#closing(code, reason, 2);
  }

  #sendFrame(opcode: number, payload: Uint8Array): void {
    if (this.#state !== ReadyState.open) return;
    this.#queue.push(encodeFrame(opcode, payload));
    this.#flush();
  }

  #receive(): void {
    const buffer = this.#socket.read();
    if (!buffer || this.#state === ReadyState.closed) return;
    const bytes = new Uint8Array(buffer);
    if (this.#request) this.#handshake(bytes);
    else this.#frames?.push(bytes);
  }

  #handshake(bytes: Uint8Array): void {
    const result = (this.#request as HttpRequestParser).push(bytes);
    if (!result.done) return;
    this.#request = null;
    if ("error" in result) return this.#refuse(result.error.status, result.error.message);
    const upgrade = checkUpgrade(result.request, this.#options.paths);
    if ("refusal" in upgrade) {
      const { status, message, headers } = upgrade.refusal;
      return this.#refuse(status, message, headers);
    }
    this.#path = upgrade.path;
    this.#state = ReadyState.open;
    this.#frames = new FrameParser(this.#frameHandler(), this.#options);
    this.#queue.push([switchingProtocols(upgrade.accept)]);
    this.#flush();
    this.#events.onOpen(this);
    if (result.rest.length) this.#frames.push(result.rest);
  }

  /**
   * Answers a request that cannot become a WebSocket, then closes TCP. A client whose request was
   * too large may still be sending it: closing a socket with unread bytes resets it, which can
   * destroy the response, so then the client gets closeTimeout ms to close first.
   */
  #refuse(status: number, message: string, headers?: [string, string][]): void {
    this.#queue.push([textResponse(status, message, headers)]);
    this.#state = ReadyState.closing;
    this.#afterFlush = status === 431 ? 2 : 1;
    this.#flush();
  }

  #frameHandler() {
    return {
      onMessage: (data: ArrayBuffer, isText: boolean) => {
        if (this.#state !== ReadyState.open) return;
        this.#events.onMessage(this, isText ? String.fromArrayBuffer(data) : data);
      },
      onPing: (payload: Uint8Array) => this.#sendFrame(Opcode.pong, payload),
      onPong: () => {},
      onClose: (code: number, reason: string) => this.#peerClosed(code, reason),
      onProtocolError: (code: number, message: string, peerClosed: boolean) => {
        trace(`ws #${this.id}: ${message}; closing with ${code}\n`);
        this.close(code, message);
        if (peerClosed) this.#peerClosed(code, ""); // the client has closed: no need to wait
      },
    };
  }

  #peerClosed(code: number, reason: string): void {
    if (this.#state === ReadyState.open) {
      // Answer with the same code (an empty close frame when the client sent none).
      const payload =
        code === CloseCode.noStatus ? new Uint8Array(0) : encodeClosePayload(code, "");
      this.#sendFrame(Opcode.close, payload);
      this.#closing(code, reason, 1);
    } else if (this.#state === ReadyState.closing) {
      this.#closeCode = code; // our close, answered: the handshake is complete
      this.#afterFlush = 1;
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
    if (!this.#queue.flush(this.#socket) || !this.#afterFlush) return;
    if (this.#afterFlush === 1) return this.#finish();
    // Our close frame is out: give the client closeTimeout ms to close its side first.
    this.#closeTimer ??= Timer.set(
      () => this.#guard(() => this.#finish()),
      this.#options.closeTimeout,
    );
  }

  /** The client closed TCP or the connection failed. */
  #disconnected(): void {
    this.#finish();
  }

  #finish(): void {
    if (this.#state === ReadyState.closed) return;
    const wasWebSocket = this.#path !== "";
    this.#state = ReadyState.closed;
    if (this.#closeTimer) Timer.clear(this.#closeTimer);
    this.#closeTimer = null;
    this.#frames?.stop();
    this.#queue.clear();
    this.#socket.close();
    if (wasWebSocket) this.#events.onClose(this, this.#closeCode, this.#closeReason);
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
