/*
 * A WebSocket server (RFC 6455) on the ECMA-419 socket listener: accepts TCP connections, hands
 * each to a WebSocketConnection, keeps the list of connected clients, broadcasts, enforces the
 * client limit and who may connect (token, origins), serves plain HTTP routes (such as /status),
 * and runs one timer for every connection's liveness and timeouts.
 */
import Listener from "embedded:io/socket/listener";
import type TCP from "embedded:io/socket/tcp";
import Timer from "timer";
import { type AccessOptions, checkAccess, checkToken } from "websocket/access";
import {
  type ConnectionEvents,
  type ConnectionOptions,
  type Message,
  WebSocketConnection,
} from "websocket/connection";
import { encodeMessage } from "websocket/frame-encoder";
import { newTraffic } from "websocket/traffic";
import type { HttpRequest } from "websocket/http-request-parser";
import type { HttpReply } from "websocket/http-response";

export type { HttpReply, Message, WebSocketConnection };

export interface WebSocketServerOptions extends ConnectionOptions, Partial<AccessOptions> {
  port: number;
  /** Most WebSocket clients at once; one more upgrade gets 503. */
  maxClients: number;
}

export interface RouteOptions {
  /** Only for requests that carry the server's token (when one is set), as upgrades must. */
  requiresToken?: boolean;
}

interface Route {
  handler: (request: HttpRequest) => HttpReply;
  requiresToken: boolean;
}

export class WebSocketServer {
  /** A client finished the handshake. */
  onConnection: (client: WebSocketConnection) => void = () => {};
  /** A whole message arrived: a string for text, an ArrayBuffer for binary. */
  onMessage: (client: WebSocketConnection, message: Message) => void = () => {};
  /** A client is gone; code 1006 when it vanished without a close frame. */
  onClose: (client: WebSocketConnection, code: number, reason: string) => void = () => {};

  /** Every connected WebSocket client, in the order they connected. */
  readonly clients = new Set<WebSocketConnection>();
  /** Traffic of every connection since the server started. */
  readonly totals = newTraffic();
  readonly startedAt = Date.now();
  #connections = 0; // accepted since the start
  readonly #all = new Set<WebSocketConnection>(); // clients and unfinished handshakes
  readonly #routes = new Map<string, Route>();
  readonly #listener: Listener;
  readonly #options: WebSocketServerOptions;
  readonly #access: AccessOptions;
  readonly #events: ConnectionEvents;

  constructor(options: WebSocketServerOptions) {
    this.#options = options;
    this.#access = { token: options.token ?? "", origins: options.origins ?? [] };
    this.#events = this.#connectionEvents();
    this.#listener = new Listener({
      port: options.port,
      onReadable: (count: number) => this.#accept(count),
    });
    Timer.repeat(() => {
      const now = Date.now();
      for (const connection of this.#all) connection.tick(now);
    }, tickInterval(options));
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
   * Serves a plain HTTP GET of `path` (no upgrade) with what `handler` returns. The route is open
   * to anyone unless `requiresToken` is set: then, when the server has a token, a request without
   * it gets 401 as an upgrade would. Routes are not subject to `origins` (they are not WebSockets).
   */
  route(
    path: string,
    handler: (request: HttpRequest) => HttpReply,
    { requiresToken = false }: RouteOptions = {},
  ): void {
    this.#routes.set(path, { handler, requiresToken });
  }

  /**
   * Sends a message to every client (on `path` only, when given), in the order of the clients'
   * arrival. The frame is encoded once and shared by every client's queue.
   */
  broadcast(message: Message, path?: string): void {
    const { frame, length } = encodeMessage(message);
    for (const client of this.clients) {
      if (path === undefined || client.path === path) client.sendEncoded(frame, length);
    }
  }

  #connectionEvents(): ConnectionEvents {
    return {
      totals: this.totals,
      respond: (path, request) => {
        const route = this.#routes.get(path);
        if (!route) return undefined;
        const refusal = route.requiresToken ? checkToken(request, this.#access.token) : undefined;
        if (!refusal) return route.handler(request);
        return { status: refusal.status, body: refusal.message, headers: refusal.headers };
      },
      admit: (_, request) => {
        const refusal = checkAccess(request, this.#access);
        if (refusal) return refusal;
        if (this.clients.size < this.#options.maxClients) return undefined;
        const message = `all ${this.#options.maxClients} client slots are taken; try again later`;
        return { status: 503, message, headers: [["Retry-After", "5"]] };
      },
      onOpen: (client) => {
        this.clients.add(client);
        this.onConnection(client);
      },
      onMessage: (client, message) => this.onMessage(client, message),
      onClose: (client, code, reason) => {
        this.#all.delete(client);
        if (this.clients.delete(client)) this.onClose(client, code, reason);
      },
    };
  }

  #accept(count: number): void {
    while (count-- > 0) {
      const socket = this.#listener.read() as TCP | undefined;
      if (!socket) return;
      try {
        this.#connections++;
        this.#all.add(
          new WebSocketConnection(socket, this.#connections, this.#options, this.#events),
        );
      } catch (error) {
        trace(`ws: cannot accept a connection: ${String(error)}\n`);
        socket.close();
      }
    }
  }
}

/** Often enough for the shortest timeout set (a quarter of it), at most once a second. */
function tickInterval(options: WebSocketServerOptions): number {
  const { pingInterval, pingTimeout, idleTimeout, handshakeTimeout } = options;
  const set = [pingInterval, pingTimeout, idleTimeout, handshakeTimeout].filter((ms) => ms > 0);
  return Math.max(25, Math.min(1000, ...set.map((ms) => ms / 4)));
}
