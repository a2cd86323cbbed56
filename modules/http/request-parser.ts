/*
 * Incremental parser for the HTTP/1.1 request that opens a WebSocket (RFC 7230 section 3).
 *
 * Bytes may arrive one at a time; the parser keeps them until the blank line that ends the
 * header block, refusing more than `maxHeaderSize` bytes (a client could otherwise make the board
 * buffer without limit). The request line and header fields are checked for shape; what a
 * WebSocket upgrade needs on top of that is checked by the handshake module.
 */
import type { HttpReply } from "http/response";

export interface HttpRequest {
  method: string;
  target: string;
  version: string;
  /** Header fields by lower-case name; repeated fields are joined with ", ". */
  headers: Map<string, string>;
  /** Names of fields that appeared more than once (lower case). */
  repeated: Set<string>;
}

/** The path of the request's target, without its query. */
export function pathOf(request: HttpRequest): string {
  return request.target.split("?")[0];
}

/** GET, or HEAD, which is answered as its GET without the body (RFC 9110 §9.3.2). */
export function readsAsGet(request: HttpRequest): boolean {
  return request.method === "GET" || request.method === "HEAD";
}

/** Whether a comma-separated header value (Connection, Upgrade) lists `token` (lower case). */
export function hasToken(list: string, token: string): boolean {
  return list
    .toLowerCase()
    .split(",")
    .some((item) => item.trim() === token);
}

type ParseResult =
  | { done: false }
  | { done: true; request: HttpRequest; rest: Uint8Array }
  /** `incomplete`: the client may still be sending its request (too large, or refused early). */
  | { done: true; error: HttpReply; incomplete: boolean };

// No RegExp here: XS crashes when a RegExp created while preloading is used after a garbage
// collection (the SDK 8.2.3 simulator segfaulted in RegExp.prototype.exec), and this module is
// preloaded. Plain character tests are also lighter on the board's heap.
const TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

/** An RFC 7230 token: a method or a header field name. */
function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const alphanumeric = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alphanumeric && !TOKEN_SYMBOLS.includes(text[i])) return false;
  }
  return true;
}

/** "GET /ws HTTP/1.1" as its three parts, or null when it is not a request line. */
function splitRequestLine(line: string): [string, string, string] | null {
  const parts = line.split(" ");
  if (parts.length !== 3) return null;
  const [method, target, version] = parts;
  if (!isToken(method) || target.length === 0) return null;
  const digit = (i: number) => version.charCodeAt(i) >= 48 && version.charCodeAt(i) <= 57;
  if (version.length !== 8 || !version.startsWith("HTTP/") || version[6] !== ".") return null;
  return digit(5) && digit(7) ? [method, target, version] : null;
}

/** A typical browser's upgrade request fits; larger ones grow the buffer up to the limit. */
const INITIAL_SIZE = 512;

export class HttpRequestParser {
  readonly #maxHeaderSize: number;
  #buffer: Uint8Array;
  #length = 0;
  #scanned = 0; // bytes already searched for the end of the header block
  #checked = 0; // bytes already checked for what can never be part of a request head
  #inMethod = true; // no space seen yet: still in the method, which must be a token

  constructor(maxHeaderSize: number) {
    this.#maxHeaderSize = maxHeaderSize;
    this.#buffer = new Uint8Array(Math.min(INITIAL_SIZE, maxHeaderSize));
  }

  /** True once any byte of a request has arrived. */
  get started(): boolean {
    return this.#length > 0;
  }

  push(bytes: Uint8Array): ParseResult {
    this.#reserve(this.#length + bytes.length);
    const room = this.#buffer.length - this.#length;
    const count = Math.min(room, bytes.length);
    this.#buffer.set(bytes.subarray(0, count), this.#length);
    this.#length += count;

    const end = this.#findEnd();
    // Only the head is checked: what follows it (a frame sent with the request) is not HTTP.
    const garbage = this.#findGarbage(end < 0 ? this.#length : end);
    if (garbage) return { done: true, error: { status: 400, body: garbage }, incomplete: true };
    if (end < 0) {
      if (count < bytes.length || this.#length === this.#maxHeaderSize) {
        const body = "Request header fields too large";
        return { done: true, error: { status: 431, body }, incomplete: true };
      }
      return { done: false };
    }
    const rest = bytes.slice(count - (this.#length - end));
    return parseHead(this.#buffer.subarray(0, end), rest);
  }

  #reserve(wanted: number): void {
    if (wanted <= this.#buffer.length || this.#buffer.length === this.#maxHeaderSize) return;
    const size = Math.min(this.#maxHeaderSize, Math.max(wanted, this.#buffer.length * 2));
    const buffer = new Uint8Array(size);
    buffer.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = buffer;
  }

  /**
   * What makes the bytes so far impossible as the start of a request (binary data, a TLS
   * handshake on the HTTP port, a method that is not a token), or "": such a client gets its
   * 400 at once rather than when its head would end, which it may never do.
   */
  #findGarbage(limit: number): string {
    const buffer = this.#buffer;
    for (; this.#checked < limit; this.#checked++) {
      const byte = buffer[this.#checked];
      if (byte === 0 || byte > 0x7e) return "request head is not ASCII text";
      if (!this.#inMethod) continue;
      if (byte === 32) this.#inMethod = false;
      else if (!isToken(String.fromCharCode(byte))) return "malformed request line";
    }
    return "";
  }

  /** Index just past the CRLF CRLF that ends the header block, or -1. */
  #findEnd(): number {
    const buffer = this.#buffer;
    for (let i = Math.max(this.#scanned, 3); i < this.#length; i++) {
      if (buffer[i] === 10 && buffer[i - 1] === 13 && buffer[i - 2] === 10 && buffer[i - 3] === 13)
        return i + 1;
    }
    this.#scanned = this.#length;
    return -1;
  }
}

function parseHead(head: Uint8Array, rest: Uint8Array): ParseResult {
  for (const byte of head) {
    if (byte === 0 || byte > 0x7e) return badRequest("request head is not ASCII text");
  }
  const lines = String.fromArrayBuffer(head.slice().buffer).split("\r\n");
  lines.length -= 2; // the header block ends with an empty line
  const requestLine = splitRequestLine(lines[0]);
  if (!requestLine) return badRequest("malformed request line");
  const headers = new Map<string, string>();
  const repeated = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !isToken(name)) return badRequest("malformed header field");
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    if (previous === undefined) headers.set(name, value);
    else {
      headers.set(name, `${previous}, ${value}`);
      repeated.add(name);
    }
  }
  return {
    done: true,
    request: {
      method: requestLine[0],
      target: requestLine[1],
      version: requestLine[2],
      headers,
      repeated,
    },
    rest,
  };
}

function badRequest(message: string): ParseResult {
  return { done: true, error: { status: 400, body: message }, incomplete: false };
}
