/*
 * The board's web server (RFC 9112) on the ECMA-419 socket listener: each path registered with
 * what serves it, as ESP-IDF's httpd registers each URI with its handler. What a request becomes
 * is decided in one place (`dispatch`): a route's reply, or, for any other request, the upgrade's
 * answer (the WebSocket side's: a refusal, or the connection taken over).
 */
import Listener from "embedded:io/socket/listener";
import type TCP from "embedded:io/socket/tcp";
import { checkToken } from "http/access";
import { type HttpRequest, pathOf, readsAsGet } from "http/request-parser";
import { type HttpReply, textReply } from "http/response";
import { HttpSession, type SessionOptions, type SessionServer } from "http/session";
import type { BufferBudget } from "socket/buffer-budget";

export interface HttpServerOptions extends SessionOptions {
  port: number;
  /** When not empty, the routes that require it need this token. */
  token?: string;
}

export interface RouteOptions {
  /** Only for requests that carry the server's token (when one is set), as upgrades must. */
  requiresToken?: boolean;
}

/** What answers a request that is no route's: a refusal, or undefined once it took the session. */
type Upgrade = (
  session: HttpSession,
  request: HttpRequest,
  rest: Uint8Array,
) => HttpReply | undefined;

interface Route {
  handler: (request: HttpRequest) => HttpReply;
  requiresToken: boolean;
}

export class HttpServer implements SessionServer {
  readonly budget: BufferBudget;
  /** Answers every request no route takes (the server sets the WebSocket upgrade here). */
  upgrade: Upgrade = (_, request) => textReply(404, `nothing at ${pathOf(request)}`);
  #connections = 0; // accepted since the start
  readonly #sessions = new Set<HttpSession>(); // requests being read
  readonly #routes = new Map<string, Route>();
  readonly #listener: Listener;
  readonly #options: HttpServerOptions;

  /** `budget` counts what every connection queues. */
  constructor(options: HttpServerOptions, budget: BufferBudget) {
    this.#options = options;
    this.budget = budget;
    this.#listener = new Listener({
      port: options.port,
      onReadable: (count: number) => this.#accept(count),
    });
  }

  /** The port listened on (useful with port 0). */
  get port(): number {
    return this.#listener.port;
  }

  /** TCP connections accepted since the start. */
  get connections(): number {
    return this.#connections;
  }

  /**
   * Serves a plain HTTP GET (and HEAD) of `path` with what `handler` returns. Open to anyone
   * unless `requiresToken`: then, when the server has a token, a request without it gets 401.
   */
  route(
    path: string,
    handler: (request: HttpRequest) => HttpReply,
    { requiresToken = false }: RouteOptions = {},
  ): void {
    this.#routes.set(path, { handler, requiresToken });
  }

  dispatch(session: HttpSession, request: HttpRequest, rest: Uint8Array): HttpReply | undefined {
    const plain = readsAsGet(request) && !request.headers.has("upgrade");
    const route = plain && this.#routes.get(pathOf(request));
    if (!route) return this.upgrade(session, request, rest);
    const refusal = route.requiresToken
      ? checkToken(request, this.#options.token ?? "")
      : undefined;
    return refusal ?? route.handler(request);
  }

  sessionEnded(session: HttpSession): void {
    this.#sessions.delete(session);
  }

  /** Times out the requests being read (see HttpSession.tick). */
  tick(now: number): void {
    for (const session of this.#sessions) session.tick(now);
  }

  #accept(count: number): void {
    while (count-- > 0) {
      const socket = this.#listener.read() as TCP | undefined;
      if (!socket) return;
      try {
        this.#connections++;
        this.#sessions.add(new HttpSession(socket, this.#connections, this.#options, this));
      } catch (error) {
        trace(`http: cannot accept a connection: ${String(error)}\n`);
        socket.close();
      }
    }
  }
}
