/*
 * The HTTP exchanges on a new connection (RFC 9112): each request read, bounded by `maxHeaderSize`
 * and within `requestTimeout`, then answered, or handed over for a WebSocket upgrade. What a
 * request becomes is the server's decision (`dispatch`), made in one place.
 */
import type TCP from "embedded:io/socket/tcp";
import { hasToken, type HttpRequest, HttpRequestParser } from "http/request-parser";
import { type HttpReply, httpResponse, textReply } from "http/response";
import { thrownAt } from "thrown-at";
import type { BufferBudget } from "socket/buffer-budget";
import { type ChannelOwner, SocketChannel } from "socket/channel";

export interface SessionOptions {
  maxHeaderSize: number;
  /** Time allowed for the request (ms; 0: no limit). */
  requestTimeout: number;
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
  #waitingSince = Date.now(); // when the session began to wait for the request being read
  #answered = 0; // requests answered on this connection

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
   * Gives the connection up (to a WebSocket connection, which makes itself the channel's owner):
   * the session is over.
   */
  handOver(): SocketChannel {
    this.#server.sessionEnded(this);
    return this.#channel;
  }

  /**
   * Called by the server's timer: answers 408 to a request that did not come in time; a kept
   * connection that got no new request in that time is closed without a word.
   */
  tick(now: number): void {
    this.#channel.guarded(() => {
      const { requestTimeout } = this.#options;
      const parser = this.#parser;
      if (!parser || !requestTimeout || now - this.#waitingSince < requestTimeout) return;
      this.#parser = null;
      if (this.#answered > 0 && !parser.started) this.#channel.closeWhenFlushed();
      else this.#answer(textReply(408, "the request did not arrive in time"), false);
    });
  }

  readable(): void {
    const buffer = this.#channel.read();
    if (!buffer || !this.#parser) return; // after the last request: what follows is dropped
    this.#take(new Uint8Array(buffer));
  }

  /** Reads `bytes` as requests: each complete one is dispatched, and answered in turn. */
  #take(bytes: Uint8Array): void {
    for (let next = bytes; this.#parser;) {
      const result = this.#parser.push(next);
      if (!result.done) return;
      this.#parser = null;
      if ("error" in result) return this.#answer(result.error, result.incomplete);
      const { request, rest } = result;
      const reply = this.#server.dispatch(this, request, rest);
      if (!reply) return; // an upgrade: the channel is the WebSocket connection's now
      // After an answer that is no refusal, a client that keeps its connection sends its next
      // request on it (polling costs a request, not a TCP handshake); it is closed quietly after
      // requestTimeout ms without one (each connection is one of the board's 8).
      const keepAlive = reply.status < 400 && keepsConnection(request);
      const headOnly = request.method === "HEAD";
      this.#channel.write(httpResponse(reply, { keepAlive, headOnly }));
      this.#answered++;
      if (!keepAlive) return this.#channel.closeWhenFlushed();
      this.#parser = new HttpRequestParser(this.#options.maxHeaderSize);
      this.#waitingSince = Date.now();
      if (rest.length === 0) return;
      next = rest; // the next request came with this one
    }
  }

  ended(): void {
    this.#server.sessionEnded(this);
  }

  fault(error: unknown): void {
    trace(`http #${this.id}: ${String(error)}; closing${thrownAt(error)}\n`);
    this.#channel.end();
  }

  /**
   * Sends the reply, then closes TCP. A client refused before the end of its request may still be
   * sending it: it gets closeTimeout ms to close first (see SocketChannel.closeWhenFlushed).
   */
  #answer(reply: HttpReply, incomplete: boolean): void {
    this.#channel.write(httpResponse(reply));
    this.#channel.closeWhenFlushed(incomplete ? this.#options.closeTimeout : 0);
  }
}

/** Whether the client keeps its connection after this request (RFC 9112 §9.3). */
function keepsConnection(request: HttpRequest): boolean {
  const connection = request.headers.get("connection") ?? "";
  if (hasToken(connection, "close")) return false;
  return request.version === "HTTP/1.1" || hasToken(connection, "keep-alive");
}
