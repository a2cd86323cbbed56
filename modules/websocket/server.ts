/*
 * The board's web server (RFC 9112 and RFC 6455) on the ECMA-419 socket listener. Each path is
 * registered with what serves it, as ESP-IDF's httpd registers each URI with its handler: plain
 * HTTP GET routes (`route`) and WebSocket endpoints (`websocket`). The server accepts TCP
 * connections, reads each request in an HttpSession, and decides in one place (`dispatch`) what
 * it becomes: a route's reply, a refusal, or an upgrade, which hands the connection to a
 * WebSocketConnection. It keeps the list of connected clients, broadcasts, enforces the client
 * limit and who may connect (token, origins), and runs one timer for every connection's liveness
 * and timeouts.
 */
import Listener from "embedded:io/socket/listener";
import type TCP from "embedded:io/socket/tcp";
import Timer from "timer";
import { type AccessOptions, checkAccess, checkToken } from "http/access";
import type { HttpRequest } from "http/request-parser";
import { type HttpReply, jsonReply, textReply } from "http/response";
import { HttpSession, type SessionOptions, type SessionServer } from "http/session";
import { BufferBudget } from "socket/buffer-budget";
import { SharedBytes } from "socket/outgoing-queue";
import {
  type ConnectionEvents,
  type ConnectionOptions,
  type Endpoint,
  type Message,
  MessagePart,
  newHeaderViews,
  WebSocketConnection,
  type WebSocketHandler,
} from "websocket/connection";
import { encodeBytes, encodeMessage } from "websocket/frame-encoder";
import { checkUpgrade } from "websocket/handshake";
import { newTraffic } from "websocket/traffic";

export type { Endpoint, HttpReply, HttpRequest, Message, WebSocketConnection, WebSocketHandler };
export { jsonReply, MessagePart };

export interface WebSocketServerOptions
  extends ConnectionOptions, SessionOptions, Partial<AccessOptions> {
  port: number;
  /** Most WebSocket clients at once; one more upgrade gets 503. */
  maxClients: number;
  /** Most bytes held in buffers, all clients together (see socket/buffer-budget). */
  maxBuffered: number;
}

export interface RouteOptions {
  /** Only for requests that carry the server's token (when one is set), as upgrades must. */
  requiresToken?: boolean;
}

interface Route {
  handler: (request: HttpRequest) => HttpReply;
  requiresToken: boolean;
}

/** A WebSocket endpoint as registered: it can send to every one of its clients. */
export interface WebSocketEndpoint extends Endpoint {
  /** Sends a message to every client of this endpoint, the frame encoded once. */
  send(message: Message): void;
  /** The same for a message given as its bytes (as onMessageBytes gives them). */
  sendBytes(bytes: ArrayBuffer, isText: boolean): void;
}

export class WebSocketServer implements SessionServer {
  /** A client finished the handshake (on any endpoint). */
  onConnection: (client: WebSocketConnection) => void = () => {};
  /** A client is gone (from any endpoint); code 1006 when it vanished without a close frame. */
  onClose: (client: WebSocketConnection, code: number, reason: string) => void = () => {};

  /** Every connected WebSocket client, in the order they connected. */
  readonly clients = new Set<WebSocketConnection>();
  /** Traffic of every connection since the server started. */
  readonly totals = newTraffic();
  /** The bytes held in buffers, all connections together, and the most there may be. */
  readonly budget: BufferBudget;
  readonly startedAt = Date.now();
  #connections = 0; // accepted since the start
  readonly #sessions = new Set<HttpSession>(); // requests being read
  readonly #routes = new Map<string, Route>();
  readonly #endpoints = new Map<string, WebSocketEndpoint>();
  readonly #listener: Listener;
  readonly #options: WebSocketServerOptions;
  readonly #access: AccessOptions;
  readonly #events: ConnectionEvents;

  constructor(options: WebSocketServerOptions) {
    this.#options = options;
    this.#access = { token: options.token ?? "", origins: options.origins ?? [] };
    this.budget = new BufferBudget(options.maxBuffered);
    this.#events = {
      totals: this.totals,
      budget: this.budget,
      headerViews: newHeaderViews(),
      onOpen: (client) => {
        this.clients.add(client);
        this.onConnection(client);
      },
      onClose: (client, code, reason) => {
        if (this.clients.delete(client)) this.onClose(client, code, reason);
      },
    };
    this.#listener = new Listener({
      port: options.port,
      onReadable: (count: number) => this.#accept(count),
    });
    Timer.repeat(() => {
      const now = Date.now();
      for (const session of this.#sessions) session.tick(now);
      for (const client of this.clients) client.tick(now);
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

  /** The WebSocket endpoints, in the order they were registered. */
  get endpoints(): readonly WebSocketEndpoint[] {
    return [...this.#endpoints.values()];
  }

  /**
   * Serves WebSocket clients at `path` with `handler`; returns the endpoint, which can send to all
   * of them. Upgrades need the token (when one is set) and an allowed Origin (when origins are).
   */
  websocket(path: string, handler: WebSocketHandler): WebSocketEndpoint {
    const endpoint: WebSocketEndpoint = {
      path,
      handler,
      send: (message: Message) => this.broadcast(message, endpoint),
      sendBytes: (bytes: ArrayBuffer, isText: boolean) =>
        this.#sendToAll(encodeBytes(bytes, isText), endpoint),
    };
    this.#endpoints.set(path, endpoint);
    return endpoint;
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
   * Sends a message to every client (of `endpoint` only, when given), in the order of the
   * clients' arrival. The frame is encoded once and shared by every client's queue.
   */
  broadcast(message: Message, endpoint?: Endpoint): void {
    this.#sendToAll(encodeMessage(message), endpoint);
  }

  /** One frame in every client's queue (of `endpoint`), its bytes counted once in the budget. */
  #sendToAll({ frame, length }: { frame: Uint8Array[]; length: number }, endpoint?: Endpoint) {
    let bytes = 0;
    for (const chunk of frame) bytes += chunk.length;
    const shared = new SharedBytes(bytes);
    for (const client of this.clients) {
      if (endpoint === undefined || client.endpoint === endpoint)
        client.sendEncoded(frame, length, shared);
    }
  }

  /** What a request becomes: a route's reply, a refusal, or (undefined) an upgrade. */
  dispatch(session: HttpSession, request: HttpRequest, rest: Uint8Array): HttpReply | undefined {
    const path = request.target.split("?")[0];
    const plain = request.method === "GET" || request.method === "HEAD"; // HEAD: as its GET
    if (plain && !request.headers.has("upgrade")) {
      const route = this.#routes.get(path);
      if (route) {
        const refusal = route.requiresToken ? checkToken(request, this.#access.token) : undefined;
        return refusal ?? route.handler(request);
      }
    }
    const upgrade = checkUpgrade(request, this.#endpoints);
    if ("refusal" in upgrade) return upgrade.refusal;
    const refusal = checkAccess(request, this.#access) ?? this.#whenFull();
    if (refusal) return refusal;
    const endpoint = this.#endpoints.get(upgrade.path) as WebSocketEndpoint;
    new WebSocketConnection(session, endpoint, upgrade.accept, rest, this.#options, this.#events);
    return undefined;
  }

  sessionEnded(session: HttpSession): void {
    this.#sessions.delete(session);
  }

  /** The refusal when every client slot is taken. */
  #whenFull(): HttpReply | undefined {
    const { maxClients } = this.#options;
    if (this.clients.size < maxClients) return undefined;
    const message = `all ${maxClients} client slots are taken; try again later`;
    return textReply(503, message, [["Retry-After", "5"]]);
  }

  #accept(count: number): void {
    while (count-- > 0) {
      const socket = this.#listener.read() as TCP | undefined;
      if (!socket) return;
      try {
        this.#connections++;
        this.#sessions.add(new HttpSession(socket, this.#connections, this.#options, this));
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
