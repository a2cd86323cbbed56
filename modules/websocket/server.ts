/*
 * A WebSocket server (RFC 6455) on the ECMA-419 socket listener: accepts TCP connections, hands
 * each to a WebSocketConnection, and tells the application what happens through three handlers.
 */
import Listener from "embedded:io/socket/listener";
import type TCP from "embedded:io/socket/tcp";
import { type ConnectionOptions, type Message, WebSocketConnection } from "websocket/connection";

export type { Message, WebSocketConnection };

export interface WebSocketServerOptions extends ConnectionOptions {
  port: number;
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
  readonly #listener: Listener;
  readonly #options: WebSocketServerOptions;
  #nextId = 1;

  constructor(options: WebSocketServerOptions) {
    this.#options = options;
    this.#listener = new Listener({
      port: options.port,
      onReadable: (count: number) => this.#accept(count),
    });
  }

  /** The port listened on (useful with port 0). */
  get port(): number {
    return this.#listener.port;
  }

  #accept(count: number): void {
    const events = {
      onOpen: (client: WebSocketConnection) => {
        this.clients.add(client);
        this.onConnection(client);
      },
      onMessage: (client: WebSocketConnection, message: Message) => this.onMessage(client, message),
      onClose: (client: WebSocketConnection, code: number, reason: string) => {
        this.clients.delete(client);
        this.onClose(client, code, reason);
      },
    };
    while (count-- > 0) {
      const socket = this.#listener.read() as TCP | undefined;
      if (!socket) return;
      try {
        new WebSocketConnection(socket, this.#nextId++, this.#options, events);
      } catch (error) {
        trace(`ws: cannot accept a connection: ${String(error)}\n`);
        socket.close();
      }
    }
  }
}
