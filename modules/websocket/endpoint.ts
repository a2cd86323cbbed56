/*
 * A WebSocket endpoint, as main.ts registers it: its path, and the handler that takes its clients'
 * messages in one of three forms: whole, whole as bytes, or part by part as they arrive.
 */
import type { WebSocketConnection } from "websocket/connection";

/** A text (string) or binary (ArrayBuffer) message. */
export type Message = string | ArrayBuffer;

/** What an endpoint does with its clients. */
export interface WebSocketHandler {
  /** A client finished its handshake. */
  onOpen?(client: WebSocketConnection): void;
  /** A whole message (at most maxMessageSize bytes): a string for text, an ArrayBuffer for binary. */
  onMessage?(client: WebSocketConnection, message: Message): void;
  /** Instead of onMessage: a whole message as its bytes (text already checked as UTF-8). */
  onMessageBytes?(client: WebSocketConnection, bytes: ArrayBuffer, isText: boolean): void;
  /** Instead of both: each part of a message as it arrives (any length, for one read of memory). */
  onMessagePart?(client: WebSocketConnection, part: MessagePart): void;
  /** The client is gone; code 1006 when it vanished without a close frame. */
  onClose?(client: WebSocketConnection, code: number, reason: string): void;
}

/** A registered endpoint: its path, its handler, and sending to all its clients. */
export interface Endpoint {
  readonly path: string;
  readonly handler: WebSocketHandler;
  /** Sends a message to every client of this endpoint, the frame encoded once. */
  send(message: Message): void;
  /** The same for a message given as its bytes (as onMessageBytes gives them). */
  sendBytes(bytes: ArrayBuffer, isText: boolean): void;
}

/** A part of a message as it arrives (streaming handlers): valid during the call only. */
export class MessagePart {
  /** The part's bytes (unmasked; text checked as UTF-8 as far as it has arrived). */
  readonly bytes: Uint8Array;
  readonly isText: boolean;
  /** The first part of its message, the last (both: the message is in this part alone). */
  readonly first: boolean;
  readonly last: boolean;
  /**
   * How sendPart frames it: ≥ 0, the part begins a frame of that payload length (its own length
   * when it is whole frames of the client's), which ends the message when `finalFrame`; -1, it
   * goes on with the frame the part before it began.
   */
  readonly frameLength: number;
  readonly finalFrame: boolean;

  constructor(
    bytes: Uint8Array,
    isText: boolean,
    first: boolean,
    last: boolean,
    frameLength: number,
    finalFrame: boolean,
  ) {
    this.bytes = bytes;
    this.isText = isText;
    this.first = first;
    this.last = last;
    this.frameLength = frameLength;
    this.finalFrame = finalFrame;
  }

  /** The message as a string when it is text and this part is all of it, else undefined. */
  wholeText(): string | undefined {
    if (!this.isText || !this.first || !this.last) return undefined;
    const bytes = this.bytes;
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return String.fromArrayBuffer((whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer);
  }
}
