/*
 * The HTTP/1.1 responses the server writes, as bytes ready to queue. Every answer that is not an
 * upgrade (a route's, and every refusal: bad request, 401, 403, 404, 503…) is an HttpReply.
 */
const REASONS: Readonly<Record<number, string>> = Object.freeze({
  101: "Switching Protocols",
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
});

/** A complete response (what the connection does after it is the session's choice). */
export interface HttpReply {
  status: number;
  body: string;
  contentType?: string; // default text/plain
  headers?: [string, string][];
}

/** A plain-text reply: an error or refusal, its body saying why. */
export function textReply(status: number, body: string, headers?: [string, string][]): HttpReply {
  return headers ? { status, body, headers } : { status, body };
}

/** A JSON reply (200 unless said otherwise). */
export function jsonReply(value: unknown, status = 200): HttpReply {
  return { status, body: JSON.stringify(value), contentType: "application/json" };
}

interface ResponseOptions {
  /** The connection stays open for the client's next request (else it closes after this). */
  keepAlive?: boolean;
  /** The answer to a HEAD request: the head alone, its Content-Length that of the GET's body. */
  headOnly?: boolean;
}

/**
 * The response's bytes: its head, then its body (a line: "\n" is added unless the body ends with
 * one), as two chunks, so that a large body (the web console's page) is not copied once more.
 */
export function httpResponse(
  { status, body, contentType, headers = [] }: HttpReply,
  { keepAlive = false, headOnly = false }: ResponseOptions = {},
): Uint8Array[] {
  const text = body.endsWith("\n") ? body : body + "\n";
  const content = new Uint8Array(ArrayBuffer.fromString(text));
  const head = responseHead(status, [
    ...headers,
    ["Content-Type", contentType ?? "text/plain; charset=utf-8"],
    ["Content-Length", String(content.length)],
    ["Connection", keepAlive ? "keep-alive" : "close"],
  ]);
  return headOnly ? [head] : [head, content];
}

/** A response's head: its status line and header fields, and the blank line after them. */
export function responseHead(status: number, headers: [string, string][]): Uint8Array {
  let text = `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return new Uint8Array(ArrayBuffer.fromString(text + "\r\n"));
}
