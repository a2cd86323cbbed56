/*
 * The board's /api: a command channel over WebSocket, how a client asks the board to do something
 * ({"id": 7, "cmd": "light", "on": true} → {"id": 7, "ok": true, …} or {"id": 7, "ok": false,
 * "error": "…"}), and how the board tells every client what happened ({"event": "light", …}).
 */
import { describeParams, readParams, type ParamSpecs, type ParamValues } from "api/params";
import type { Server } from "server";
import type { WebSocketConnection } from "websocket/connection";
import type { Endpoint, WebSocketHandler } from "websocket/endpoint";

type CommandResult = Record<string, unknown>;

interface Command {
  readonly description: string;
  readonly params: ParamSpecs;
  run(values: Record<string, unknown>, client: WebSocketConnection): CommandResult | void;
}

interface CommandChannelOptions {
  /** The WebSocket path of the channel, e.g. "/api". */
  path: string;
  /** Largest request accepted, in bytes of UTF-8. */
  maxRequestSize: number;
}

const REQUEST_FIELDS = Object.freeze(["id", "cmd"]);

/**
 * Every request gets exactly one reply, in order, with the request's `id` (null when it had none or
 * could not be read); a bad request only gets an error reply, and the connection stays open. A
 * command is one function, registered with `command()`, returning the fields of its reply.
 */
export class CommandChannel implements WebSocketHandler {
  readonly path: string;
  readonly #endpoint: Endpoint;
  readonly #maxRequestSize: number;
  readonly #commands = new Map<string, Command>();
  #held: string[] | null = null; // events raised while a command runs

  constructor(server: Server, options: CommandChannelOptions) {
    this.path = options.path;
    this.#maxRequestSize = options.maxRequestSize;
    this.#endpoint = server.websocket(options.path, this);
    this.command("help", "lists the commands and their parameters", {}, () => ({
      commands: this.#describe(),
    }));
  }

  /**
   * Adds a command: its name, a line saying what it does, its parameters (see api/params) and the
   * function that runs it with their values and the client that asked.
   */
  command<S extends ParamSpecs>(
    name: string,
    description: string,
    params: S,
    run: (values: ParamValues<S>, client: WebSocketConnection) => CommandResult | void,
  ): void {
    this.#commands.set(name, { description, params, run: run as Command["run"] });
  }

  /**
   * Sends an event to every client of the channel, e.g. {event: "light", on: true}. An event a
   * command causes goes out after that command's reply.
   */
  event(fields: { event: string } & Record<string, unknown>): void {
    const text = JSON.stringify(fields);
    if (this.#held) this.#held.push(text);
    else this.#endpoint.send(text);
  }

  /**
   * Answers one message a client sent on the channel. Its bytes first: a request larger than
   * maxRequestSize is refused before it becomes a string.
   */
  onMessageBytes(client: WebSocketConnection, bytes: ArrayBuffer, isText: boolean): void {
    this.#held = [];
    try {
      this.#answer(client, bytes, isText);
    } finally {
      const events = this.#held;
      this.#held = null;
      for (const text of events) this.#endpoint.send(text);
    }
  }

  #answer(client: WebSocketConnection, bytes: ArrayBuffer, isText: boolean): void {
    const request = this.#parse(bytes, isText);
    if ("error" in request) return reply(client, request.id, { error: request.error });
    const { id, fields } = request;
    const command = this.#commands.get(fields.cmd as string) as Command;
    const params = readParams(command.params, fields, REQUEST_FIELDS);
    if ("error" in params) return reply(client, id, { error: `${fields.cmd}: ${params.error}` });
    const result = command.run(params.values, client); // throws: a bug, the server closes with 1011
    reply(client, id, { ok: true, ...result });
  }

  /** The request's fields, or why it is not a request of a known command. */
  #parse(
    bytes: ArrayBuffer,
    isText: boolean,
  ): { id: RequestId; fields: Record<string, unknown> } | { id: RequestId; error: string } {
    if (!isText)
      return { id: null, error: 'requests are JSON text messages, e.g. {"id": 1, "cmd": "help"}' };
    const size = bytes.byteLength;
    if (size > this.#maxRequestSize)
      return { id: null, error: `request of ${size} bytes; the limit is ${this.#maxRequestSize}` };
    let fields: unknown;
    try {
      fields = JSON.parse(String.fromArrayBuffer(bytes));
    } catch (error) {
      return { id: null, error: `not JSON (${(error as Error).message})` };
    }
    if (fields === null || typeof fields !== "object" || Array.isArray(fields))
      return { id: null, error: 'a request is a JSON object, e.g. {"id": 1, "cmd": "help"}' };
    const record = fields as Record<string, unknown>;
    const id = record.id ?? null;
    if (typeof id !== "number" && typeof id !== "string" && id !== null)
      return { id: null, error: '"id" must be a number or a string' };
    const name = record.cmd;
    if (typeof name !== "string")
      return { id, error: 'missing "cmd" (a string); {"cmd": "help"} lists the commands' };
    if (!this.#commands.has(name)) {
      const known = [...this.#commands.keys()].join(", ");
      return { id, error: `unknown command "${name}"; the commands are ${known}` };
    }
    return { id, fields: record };
  }

  #describe(): Record<string, unknown>[] {
    const list = [];
    for (const [name, command] of this.#commands) {
      list.push({
        cmd: name,
        description: command.description,
        params: describeParams(command.params),
      });
    }
    return list;
  }
}

type RequestId = number | string | null;

function reply(client: WebSocketConnection, id: RequestId, fields: Record<string, unknown>): void {
  client.send(JSON.stringify({ id, ok: false, ...fields }));
}
