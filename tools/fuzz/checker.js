// A strict checker of everything a server sends on one connection: an HTTP response (status
// line, header fields, a body of exactly Content-Length bytes, nothing after it), or a 101 and
// then well-formed server frames (tools/wire/server-frame-rules.js: unmasked, RSV clear, known
// opcodes, control frames FIN and at most 125 bytes; plus: close payload a valid code and UTF-8
// reason, continuation frames only inside a message, text messages valid UTF-8, nothing after a
// close frame). Control frames may come between the fragments of a server message (RFC 6455
// §5.4); a message still unfinished when the close frame comes is left for the caller to judge.
import { parseClosePayload } from "../wire/close-payload.js";
import { FrameParser } from "../wire/frame-parser.js";
import { isControl, Opcode } from "../wire/opcodes.js";
import { ResponseReader } from "../wire/http-responses.js";
import { headerTokens, parseResponseHead } from "../wire/raw-http.js";
import { acceptFor } from "../wire/opening-handshake.js";
import { checkServerFrame } from "../wire/server-frame-rules.js";
import { isValidCloseCode, isValidUtf8 } from "./model.js";

const HEAD_END = Buffer.from("\r\n\r\n");
const MAX_RESPONSE_HEAD = 16 * 1024;
const STATUS_LINE = /^HTTP\/1\.[01] [1-5]\d\d(?: [\t\x20-\x7e]*)?$/;
const HEADER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e]*$/;

/** Problems with a response head (its text without the blank line), given the request's analysis. */
export function checkResponseHead(text, analysis, ctx) {
  const problems = [];
  const [statusLine, ...lines] = text.split("\r\n");
  if (!STATUS_LINE.test(statusLine))
    problems.push(`malformed status line ${JSON.stringify(statusLine)}`);
  for (const line of lines) {
    if (!HEADER_LINE.test(line))
      problems.push(`malformed response header line ${JSON.stringify(line)}`);
  }
  const response = parseResponseHead(text);
  const { status, headers } = response;
  if (status === 101) {
    if (analysis.verdict === "reject")
      problems.push(`101 to a request that must be refused (${describeIssues(analysis)})`);
    if (headers.upgrade?.toLowerCase() !== "websocket")
      problems.push(`101 with Upgrade: ${headers.upgrade}`);
    if (!headerTokens(headers.connection).includes("upgrade"))
      problems.push(`101 with Connection: ${headers.connection}`);
    if (!analysis.key) problems.push("101 although the request has no valid Sec-WebSocket-Key");
    else if (headers["sec-websocket-accept"] !== acceptFor(analysis.key))
      problems.push(
        `Sec-WebSocket-Accept ${headers["sec-websocket-accept"]}, expected ${acceptFor(analysis.key)}`,
      );
    if (headers["sec-websocket-extensions"] !== undefined)
      problems.push(
        `101 agrees to an extension no one supports: ${headers["sec-websocket-extensions"]}`,
      );
    const protocol = headers["sec-websocket-protocol"];
    if (protocol !== undefined && !analysis.protocols.includes(protocol.toLowerCase()))
      problems.push(`101 picks Sec-WebSocket-Protocol ${protocol}, not one the client offered`);
  } else if (Number.isFinite(status)) {
    if (analysis.verdict === "upgrade" && !(ctx.firmware && status === 503))
      problems.push(`${status} to a valid upgrade request (${analysis.path})`);
    if (status >= 100 && status < 200) problems.push(`interim response ${status}`);
    if (ctx.firmware) {
      if (![200, 400, 401, 403, 404, 408, 426, 431, 503].includes(status))
        problems.push(`status ${status}, which the firmware never sends for a client's fault`);
      if (headers["content-length"] === undefined)
        problems.push(`${status} without Content-Length`);
    }
    const length = headers["content-length"];
    if (length !== undefined && !/^\d+$/.test(length)) problems.push(`Content-Length: ${length}`);
    if (length === undefined && !headerTokens(headers.connection).includes("close"))
      problems.push(`${status} with neither Content-Length nor Connection: close`);
  }
  return { response, problems };
}

function describeIssues(analysis) {
  return analysis.issues.map((i) => `${i.who}: ${i.what}`).join("; ") || "none";
}

/**
 * Parses and checks what the server sends on one connection, as it arrives. Events (`onEvent`)
 * are `{kind: "message", opcode, payload}` (a whole message, its fragments joined),
 * `{kind: "ping", payload}`, `{kind: "pong", payload}`, `{kind: "close", code, reason}`; the
 * response head goes to `onHead`, problems to `onProblem`. `unfinished` is the message whose
 * fragments have come without its last one.
 */
export class ServerOutput {
  constructor({ onHead, onEvent, onProblem }) {
    this.onHead = onHead;
    this.onEvent = onEvent;
    this.onProblem = onProblem;
    this.head = null;
    this.upgraded = false;
    this.bodyLength = 0;
    this.expectedBody = null;
    this.closeFrame = null;
    this.chunks = [];
    this.bytes = 0;
    this.#parser = new FrameParser();
  }

  #parser;
  #pending = Buffer.alloc(0);
  #later = null; // the responses after the first on a kept connection
  #message = null; // { opcode, parts }
  #broken = false;

  /** The statuses of the responses after the first (on a kept connection). */
  laterStatuses = [];

  #readLater(chunk) {
    let responses;
    try {
      responses = this.#later.push(chunk);
    } catch (error) {
      return this.#fail(`a later response on the kept connection: ${error.message}`);
    }
    for (const response of responses) {
      if (!Number.isFinite(response.status))
        return this.#fail(`a later response on the kept connection: "${response.statusLine}"`);
      this.laterStatuses.push(response.status);
    }
  }

  get bytesAfterClose() {
    return this.#parser.bytesAfterClose;
  }

  /** The message the server has sent fragments of but not the last: `{opcode, payload}`, or null. */
  get unfinished() {
    const message = this.#message;
    return message ? { opcode: message.opcode, payload: Buffer.concat(message.parts) } : null;
  }

  /**
   * True when what the server sent ends inside a frame: the firmware's echo of a long frame goes
   * out as it comes in, so a connection failed in the middle of one can send no close frame.
   */
  get midFrame() {
    return this.upgraded && !this.#parser.sawClose && this.#parser.buffer.length > 0;
  }

  /** Body bytes still owed by a non-101 response (null: until the connection closes). */
  get bodyMissing() {
    return this.expectedBody === null ? null : Math.max(0, this.expectedBody - this.bodyLength);
  }

  push(chunk) {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.#broken) return;
    if (!this.head) {
      this.#pending = Buffer.concat([this.#pending, chunk]);
      const end = this.#pending.indexOf(HEAD_END);
      if (end < 0) {
        if (this.#pending.length > MAX_RESPONSE_HEAD)
          this.#fail(`no end of the response head in ${this.#pending.length} bytes`);
        return;
      }
      const text = this.#pending.subarray(0, end).toString("latin1");
      const rest = this.#pending.subarray(end + 4);
      this.#pending = Buffer.alloc(0);
      this.head = this.onHead(text);
      if (!this.head) return void (this.#broken = true);
      this.upgraded = this.head.status === 101;
      if (!this.upgraded) {
        const length = this.head.headers["content-length"];
        // a response to HEAD may leave its body out (RFC 9110 §9.3.2) or, as the firmware does, not
        this.expectedBody = length === undefined || this.head.noBody ? null : Number(length);
      }
      if (!rest.length) return;
      chunk = rest;
    }
    if (!this.upgraded) {
      if (this.#later) return this.#readLater(chunk);
      this.bodyLength += chunk.length;
      const after = this.expectedBody === null ? 0 : this.bodyLength - this.expectedBody;
      if (after <= 0) return;
      this.bodyLength = this.expectedBody;
      // A kept connection (HTTP keep-alive) answers what the client sent after its request as
      // the next request: more responses, each whole.
      if (headerTokens(this.head.headers.connection).includes("keep-alive")) {
        this.#later = new ResponseReader();
        return this.#readLater(chunk.subarray(chunk.length - after));
      }
      this.#fail(
        `${after} bytes after the ${this.expectedBody}-byte body of the ${this.head.status}`,
      );
      return;
    }
    let frames;
    try {
      frames = this.#parser.push(chunk);
    } catch (error) {
      return this.#fail(`malformed server frame: ${error.message}`);
    }
    for (const frame of frames) this.#frame(frame);
    if (this.#parser.bytesAfterClose)
      this.#fail(`${this.#parser.bytesAfterClose} bytes after the server's close frame`);
  }

  #fail(problem) {
    this.#broken = true;
    this.onProblem(problem);
  }

  #frame(frame) {
    try {
      checkServerFrame(frame);
    } catch (error) {
      return this.#fail(error.message.split("\n")[0]);
    }
    const { opcode, payload } = frame;
    if (opcode === Opcode.CLOSE) {
      let close;
      try {
        close = parseClosePayload(payload);
      } catch (error) {
        return this.#fail(`server close frame: ${error.message}`);
      }
      if (!close.validReason)
        return this.#fail(`server close reason is not UTF-8 (${close.reason})`);
      if (close.code !== null && !isValidCloseCode(close.code))
        return this.#fail(`server close code ${close.code} may not be sent (RFC 6455 §7.4)`);
      this.closeFrame = close;
      return this.onEvent({ kind: "close", code: close.code, reason: close.reason });
    }
    if (opcode === Opcode.PING || opcode === Opcode.PONG) {
      return this.onEvent({ kind: opcode === Opcode.PING ? "ping" : "pong", payload });
    }
    if (isControl(opcode)) return this.#fail(`server control frame 0x${opcode.toString(16)}`);
    if (opcode === Opcode.CONTINUATION) {
      if (!this.#message)
        return this.#fail("server continuation frame with no message to continue");
    } else {
      if (this.#message) return this.#fail("server starts a message inside a fragmented one");
      this.#message = { opcode, parts: [] };
    }
    this.#message.parts.push(payload);
    if (!frame.fin) return;
    const message = {
      kind: "message",
      opcode: this.#message.opcode,
      payload: Buffer.concat(this.#message.parts),
    };
    this.#message = null;
    if (message.opcode === Opcode.TEXT && !isValidUtf8(message.payload))
      return this.#fail(`server text message of ${message.payload.length} bytes is not UTF-8`);
    this.onEvent(message);
  }
}

/** Short text of an event or an expectation, for reports. */
export function describe(item) {
  if (!item) return "nothing";
  const bytes = (b) => {
    const text = b
      .subarray(0, 24)
      .toString("latin1")
      .replace(/[^\x20-\x7e]/g, ".");
    return `${b.length} bytes "${text}${b.length > 24 ? "…" : ""}"`;
  };
  switch (item.kind) {
    case "message":
      return `${item.opcode === Opcode.TEXT ? "text" : "binary"} message of ${bytes(item.payload)}`;
    case "pong":
      return `pong of ${bytes(item.payload)}${item.optional ? " (optional)" : ""}`;
    case "ping":
      return `ping of ${bytes(item.payload)}`;
    case "close":
      return item.codes
        ? `close ${item.codes.map((c) => c ?? "(no code)").join(" or ")}`
        : `close ${item.code ?? "(no code)"}${item.reason ? ` "${item.reason}"` : ""}`;
    default:
      return item.kind;
  }
}
