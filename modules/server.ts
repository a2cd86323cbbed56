/*
 * The board's server as main.ts meets it, one object: the web server's routes (http/server) and
 * the WebSocket endpoints (websocket/hub), one buffer budget for both, and one timer for every
 * connection's timeouts.
 */
import Timer from "timer";
import { type HttpServerOptions, HttpServer, type RouteOptions } from "http/server";
import type { HttpRequest } from "http/request-parser";
import type { HttpReply } from "http/response";
import { BufferBudget } from "socket/buffer-budget";
import type { WebSocketConnection } from "websocket/connection";
import type { Endpoint, Message, WebSocketHandler } from "websocket/endpoint";
import { type HubOptions, WebSocketHub } from "websocket/hub";
import type { Traffic } from "websocket/traffic";

interface ServerOptions extends HttpServerOptions, HubOptions {
  /** Most bytes held in buffers, all clients together (see socket/buffer-budget). */
  maxBuffered: number;
}

export class Server {
  readonly startedAt = Date.now();
  /** The bytes held in buffers, all connections together, and the most there may be. */
  readonly budget: BufferBudget;
  readonly #http: HttpServer;
  readonly #hub: WebSocketHub;

  constructor(options: ServerOptions) {
    this.budget = new BufferBudget(options.maxBuffered);
    this.#http = new HttpServer(options, this.budget);
    this.#hub = new WebSocketHub(options, this.budget);
    this.#http.upgrade = this.#hub.upgrade;
    Timer.repeat(() => {
      const now = Date.now();
      this.#http.tick(now);
      this.#hub.tick(now);
    }, tickInterval(options));
  }

  /**
   * Serves WebSocket clients at `path` with `handler`; returns the endpoint, which can send to all
   * of them. Upgrades need the token (when one is set) and an allowed Origin (when origins are).
   */
  websocket(path: string, handler: WebSocketHandler): Endpoint {
    return this.#hub.endpoint(path, handler);
  }

  /** Serves a plain HTTP GET of `path` with what `handler` returns (see HttpServer.route). */
  route(path: string, handler: (request: HttpRequest) => HttpReply, options?: RouteOptions): void {
    this.#http.route(path, handler, options);
  }

  /** Sends a message to every client (of `endpoint` only, when given). */
  broadcast(message: Message, endpoint?: Endpoint): void {
    this.#hub.broadcast(message, endpoint);
  }

  /** A client finished the handshake (on any endpoint). */
  set onConnection(listener: (client: WebSocketConnection) => void) {
    this.#hub.onConnection = listener;
  }

  /** A client is gone (from any endpoint); code 1006 when it vanished without a close frame. */
  set onClose(listener: (client: WebSocketConnection, code: number, reason: string) => void) {
    this.#hub.onClose = listener;
  }

  /** The port listened on (useful with port 0). */
  get port(): number {
    return this.#http.port;
  }

  /** TCP connections accepted since the start. */
  get connections(): number {
    return this.#http.connections;
  }

  /** Every connected WebSocket client, in the order they connected. */
  get clients(): ReadonlySet<WebSocketConnection> {
    return this.#hub.clients;
  }

  /** Traffic of every WebSocket connection since the start. */
  get totals(): Traffic {
    return this.#hub.totals;
  }

  /** The WebSocket endpoints, in the order they were registered. */
  get endpoints(): readonly Endpoint[] {
    return this.#hub.endpoints;
  }
}

/** Often enough for the shortest timeout set (a quarter of it), at most once a second. */
function tickInterval(options: ServerOptions): number {
  const { pingInterval, pingTimeout, idleTimeout, requestTimeout } = options;
  const set = [pingInterval, pingTimeout, idleTimeout, requestTimeout].filter((ms) => ms > 0);
  return Math.max(25, Math.min(1000, ...set.map((ms) => ms / 4)));
}
