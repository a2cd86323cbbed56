/*
 * The WebSocket side of the server: its endpoints by path, the clients connected (in the order
 * they came), the client limit, sending to all, and what every connection shares: the buffer
 * budget, the traffic totals and the views header fields are read into.
 */
import type { AccessOptions } from "http/access";
import type { HttpRequest } from "http/request-parser";
import { type HttpReply, textReply } from "http/response";
import type { HttpSession } from "http/session";
import type { BufferBudget } from "socket/buffer-budget";
import { SharedBytes } from "socket/outgoing-queue";
import { Traffic } from "websocket/traffic";
import type { ConnectionHub, ConnectionOptions, WebSocketConnection } from "websocket/connection";
import type { Endpoint, Message, WebSocketHandler } from "websocket/endpoint";
import { encodeBytes, encodeMessage } from "websocket/frame-encoder";
import { newHeaderViews } from "websocket/frame-parser";
import { upgrade } from "websocket/upgrade";

export interface HubOptions extends ConnectionOptions, Partial<AccessOptions> {
  /** Most WebSocket clients at once; one more upgrade gets 503. */
  maxClients: number;
}

export class WebSocketHub implements ConnectionHub {
  /** A client finished the handshake (on any endpoint). */
  onConnection: (client: WebSocketConnection) => void = () => {};
  /** A client is gone (from any endpoint); code 1006 when it vanished without a close frame. */
  onClose: (client: WebSocketConnection, code: number, reason: string) => void = () => {};

  /** Every connected client, in the order they connected. */
  readonly clients = new Set<WebSocketConnection>();
  /** Clients whose 101 is written but who are not announced yet: they take a slot too. */
  #arriving = 0;
  /** Traffic of every connection since the start. */
  readonly totals = new Traffic();
  readonly budget: BufferBudget;
  readonly headerViews = newHeaderViews();
  readonly options: HubOptions;
  /** Who may open a WebSocket. */
  readonly access: AccessOptions;
  readonly #endpoints = new Map<string, Endpoint>();

  /** `budget` counts what every connection holds, the HTTP sessions' included. */
  constructor(options: HubOptions, budget: BufferBudget) {
    this.options = options;
    this.budget = budget;
    this.access = { token: options.token ?? "", origins: options.origins ?? [] };
  }

  /** Serves WebSocket clients at `path` with `handler`; the endpoint can send to all of them. */
  endpoint(path: string, handler: WebSocketHandler): Endpoint {
    const endpoint: Endpoint = {
      path,
      handler,
      send: (message: Message) => this.#sendToAll(encodeMessage(message), endpoint),
      sendBytes: (bytes: ArrayBuffer, isText: boolean) =>
        this.#sendToAll(encodeBytes(bytes, isText), endpoint),
    };
    this.#endpoints.set(path, endpoint);
    return endpoint;
  }

  /** The endpoints, in the order they were registered. */
  get endpoints(): readonly Endpoint[] {
    return [...this.#endpoints.values()];
  }

  endpointAt(path: string): Endpoint | undefined {
    return this.#endpoints.get(path);
  }

  /** Sends a message to every client (of `endpoint` only, when given), the frame encoded once. */
  broadcast(message: Message, endpoint?: Endpoint): void {
    this.#sendToAll(encodeMessage(message), endpoint);
  }

  /** The HTTP server's answer to a request no route took (websocket/upgrade). */
  upgrade = (session: HttpSession, request: HttpRequest, rest: Uint8Array) =>
    upgrade(this, session, request, rest);

  /** The refusal when every client slot is taken. */
  refusalWhenFull(): HttpReply | undefined {
    const { maxClients } = this.options;
    if (this.clients.size + this.#arriving < maxClients) return undefined;
    const message = `all ${maxClients} client slots are taken; try again later`;
    return textReply(503, message, [["Retry-After", "5"]]);
  }

  arriving(): void {
    this.#arriving++;
  }

  opened(client: WebSocketConnection): void {
    this.#arriving--;
    this.clients.add(client);
    this.onConnection(client);
  }

  closed(client: WebSocketConnection, code: number, reason: string): void {
    if (this.clients.delete(client)) this.onClose(client, code, reason);
    else this.#arriving--; // it ended before it was announced
  }

  /** Pings, drops and closes clients as their timeouts say (see WebSocketConnection.tick). */
  tick(now: number): void {
    for (const client of this.clients) client.tick(now);
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
}
