/*
 * One HTTP exchange on a new connection (RFC 9112): the request is read, bounded by
 * `maxHeaderSize` and within `handshakeTimeout`, then either answered, after which TCP closes, or
 * taken over by the server for a WebSocket upgrade (the connection's channel changes hands). What
 * the request becomes is the server's decision (`dispatch`), made in one place.
 */
import type TCP from "embedded:io/socket/tcp";
import { type HttpRequest, HttpRequestParser } from "http/request-parser";
import { type HttpReply, httpResponse, textReply } from "http/response";
import type { BufferBudget } from "socket/buffer-budget";
import { type ChannelOwner, SocketChannel } from "socket/channel";

export interface SessionOptions {
  maxHeaderSize: number;
  /** Time allowed for the request (ms; 0: no limit). */
  handshakeTimeout: number;
  /** How long a client refused before the end of its request gets to close first (ms). */
  closeTimeout: number;
}

/** What a session asks of its server. */
export interface SessionServer {
  /** Counts what the connection queues, with every other connection's. */
  readonly budget: BufferBudget;
  /**
   * A whole request arrived: the reply to send, or undefined when the server has taken the
   * session's channel for an upgrade (`handOver`). `rest` is what came after the request's head.
   */
  dispatch(session: HttpSession, request: HttpRequest, rest: Uint8Array): HttpReply | undefined;
  /** The session is over: answered and closed, gone, or handed over. */
  sessionEnded(session: HttpSession): void;
}

export class HttpSession implements ChannelOwner {
  readonly id: number;
  readonly startedAt = Date.now();
  readonly #channel: SocketChannel;
  readonly #options: SessionOptions;
  readonly #server: SessionServer;
  #parser: HttpRequestParser | null; // null once the request is complete (or refused)

  constructor(from: TCP, id: number, options: SessionOptions, server: SessionServer) {
    this.id = id;
    this.#options = options;
    this.#server = server;
    this.#parser = new HttpRequestParser(options.maxHeaderSize);
    this.#channel = new SocketChannel(from, this, server.budget);
  }

  get remoteAddress(): string {
    return this.#channel.remoteAddress;
  }

  /**
   * Gives the connection to `owner` (a WebSocket connection): from now on the socket's callbacks
   * are its. The session is over.
   */
  handOver(owner: ChannelOwner): SocketChannel {
    this.#channel.owner = owner;
    this.#server.sessionEnded(this);
    return this.#channel;
  }

  /** Called by the server's timer: answers 408 to a request that did not come in time. */
  tick(now: number): void {
    this.#channel.guarded(() => {
      const { handshakeTimeout } = this.#options;
      if (this.#parser && handshakeTimeout && now - this.startedAt >= handshakeTimeout) {
        this.#parser = null;
        this.#answer(textReply(408, "the request did not arrive in time"), false);
      }
    });
  }

  readable(): void {
    const buffer = this.#channel.read();
    if (!buffer || !this.#parser) return; // after the request: what follows is dropped
    const result = this.#parser.push(new Uint8Array(buffer));
    if (!result.done) return;
    this.#parser = null;
    if ("error" in result) return this.#answer(result.error, result.incomplete);
    const reply = this.#server.dispatch(this, result.request, result.rest);
    if (reply) this.#answer(reply, false);
  }

  ended(): void {
    this.#server.sessionEnded(this);
  }

  fault(error: unknown): void {
    trace(`http #${this.id}: ${String(error)}; closing\n`);
    this.#channel.end();
  }

  /**
   * Sends the reply, then closes TCP. A client refused before the end of its request may still be
   * sending it: it gets closeTimeout ms to close first (see SocketChannel.closeWhenFlushed).
   */
  #answer(reply: HttpReply, incomplete: boolean): void {
    this.#channel.write([httpResponse(reply)]);
    this.#channel.closeWhenFlushed(incomplete ? this.#options.closeTimeout : 0);
  }
}
