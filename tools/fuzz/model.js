// What RFC 6455 says a server must do with the exact bytes a fuzz client sent: the verdict on an
// opening handshake request, and, once upgraded, what each client frame calls for (an echo, a
// pong, a close with which codes). The checker compares the server's output with this.
//
// The stream model reads the client's bytes as the server does, whatever they are, so a mutation
// that happens to leave a valid frame (a flipped bit in a payload) is simply a different message
// to echo, and a header that promises more bytes than follow swallows the next frames.
//
// An echo endpoint may echo a message as it reads it (the firmware's /ws streams each part back
// as a fragment), so a server may have echoed the start of a message the client never finished,
// or broke off with a violation, before its close: each close the model expects says which bytes
// that start may be (`partial`). Endpoints that take messages whole (the firmware's /broadcast and
// /api) refuse one over maxMessageSize bytes or maxFrames frames with 1009.
import { FrameWalker } from "../wire/frame-walker.js";
import { isControl, isKnownOpcode, Opcode } from "../wire/opcodes.js";

const HEAD_END = Buffer.from("\r\n\r\n");

/** Close codes an endpoint may put on the wire (RFC 6455 §7.4; 1012-1014 registered since). */
export function isValidCloseCode(code) {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/** Streaming UTF-8 validation (RFC 3629): fails at the first byte that cannot be valid. */
export class Utf8Stream {
  needed = 0;
  lower = 0x80;
  upper = 0xbf;
  /** Where in the bytes of the last write() that returned false the first invalid byte is. */
  failedAt = -1;

  /** False as soon as a byte cannot continue valid UTF-8. */
  write(bytes) {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      this.failedAt = i;
      if (this.needed === 0) {
        if (byte < 0x80) continue;
        if (byte >= 0xc2 && byte <= 0xdf) this.needed = 1;
        else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) this.lower = 0xa0;
          else if (byte === 0xed) this.upper = 0x9f;
          this.needed = 2;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) this.lower = 0x90;
          else if (byte === 0xf4) this.upper = 0x8f;
          this.needed = 3;
        } else return false;
      } else {
        if (byte < this.lower || byte > this.upper) return false;
        this.lower = 0x80;
        this.upper = 0xbf;
        this.needed--;
      }
    }
    this.failedAt = -1;
    return true;
  }

  get complete() {
    return this.needed === 0;
  }
}

export function isValidUtf8(bytes) {
  const stream = new Utf8Stream();
  return stream.write(bytes) && stream.complete;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BASE64_16 = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

function tokens(value) {
  return (value ?? "")
    .toLowerCase()
    .split(",")
    .map((t) => t.trim());
}

/**
 * The verdict on the request bytes a client sent before any frame.
 *
 * Issues are tagged by who must refuse the request for them: `rfc` (RFC 6455 §4.2.1 or HTTP/1.1
 * grammar: every server), `server` (not an endpoint of this server), `firmware` (the firmware
 * refuses it; another server may accept it), `accepted` (the firmware accepts it; another server
 * may refuse it), `odd` (unusual; either answer is fine).
 *
 * @param {Buffer} bytes every byte written so far (the request, maybe frames after it)
 * @param {{endpoints: string[], maxHeaderSize: number, firmware: boolean}} ctx
 * @returns {{complete: boolean, headLength: number, verdict: "upgrade"|"reject"|"maybe"|"incomplete",
 *   issues: {who: string, what: string}[], key: string|null, path: string|null,
 *   protocols: string[]}}
 */
export function analyzeRequest(bytes, ctx) {
  const end = bytes.indexOf(HEAD_END);
  const issues = [];
  const add = (who, what) => issues.push({ who, what });
  const result = { complete: end >= 0, headLength: end < 0 ? -1 : end + 4, issues, key: null };
  result.path = null;
  result.protocols = [];
  if (end < 0) {
    if (ctx.maxHeaderSize && bytes.length >= ctx.maxHeaderSize)
      add("firmware", `${bytes.length} bytes without the end of the header block`);
    result.verdict = verdictOf(issues, ctx, "incomplete");
    return result;
  }
  if (ctx.maxHeaderSize && end + 4 > ctx.maxHeaderSize)
    add("firmware", `request head of ${end + 4} bytes > maxHeaderSize ${ctx.maxHeaderSize}`);
  const head = bytes.subarray(0, end);
  if (head.some((b) => b === 0 || b > 0x7e)) add("firmware", "request head is not ASCII text");
  // other control characters: RFC 9110 §5.5 lets a recipient keep them or refuse them
  else if (head.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d))
    add("odd", "a control character in the head");
  const text = head.toString("latin1");
  if (/[\r\n]/.test(text.replaceAll("\r\n", ""))) add("odd", "a bare CR or LF in the head");
  const [requestLine, ...lines] = text.split("\r\n");
  const parts = requestLine.split(" ");
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || !parts[1]) {
    add("rfc", `malformed request line ${JSON.stringify(requestLine.slice(0, 80))}`);
  } else {
    const [method, target, version] = parts;
    if (method !== "GET") add("rfc", `method ${method}`);
    if (!/^HTTP\/\d\.\d$/.test(version)) add("rfc", `version ${JSON.stringify(version)}`);
    // RFC 6455 §4.1 wants HTTP/1.1 or higher; `ws` accepts 1.0
    else if (version < "HTTP/1.1") add("firmware", `${version} (a WebSocket needs HTTP/1.1)`);
    else if (version !== "HTTP/1.1")
      add("firmware", `${version} (the firmware takes HTTP/1.1 only)`);
    result.path = target.split("?")[0];
    if (!ctx.endpoints.includes(result.path)) {
      // the absolute form (RFC 9112 §3.2.2), or a fragment another server may drop
      const loose = looseEndpoint(target);
      if (!ctx.endpoints.includes(loose)) add("server", `path ${result.path.slice(0, 60)}`);
      else {
        add(
          "firmware",
          `path ${result.path.slice(0, 60)} (another server may take it as ${loose})`,
        );
        result.path = loose;
      }
    }
  }
  const headers = new Map();
  const counts = new Map();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (/^[ \t]/.test(line)) {
      add("firmware", "obsolete line folding");
      continue;
    }
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!TOKEN.test(name)) {
      add("rfc", `malformed header line ${JSON.stringify(line.slice(0, 60))}`);
      continue;
    }
    const lower = name.toLowerCase();
    const raw = line.slice(colon + 1);
    const value = raw.trim();
    if (/^[ \t]{2,}|^\t|[ \t]$/.test(raw) && value)
      add("accepted", `whitespace around the value of ${name} (Node may miss its tokens)`);
    counts.set(lower, (counts.get(lower) ?? 0) + 1);
    headers.set(lower, headers.has(lower) ? `${headers.get(lower)}, ${value}` : value);
  }
  if (!headers.has("host")) add("firmware", "no Host (RFC 6455 §4.1 requires it; ws accepts)");
  if (!headers.has("upgrade")) add("rfc", "no Upgrade");
  else if (!tokens(headers.get("upgrade")).includes("websocket"))
    add("rfc", `Upgrade: ${headers.get("upgrade")}`);
  else if (tokens(headers.get("upgrade")).length > 1)
    add("accepted", `Upgrade: ${headers.get("upgrade")} (ws wants websocket alone)`);
  if (!tokens(headers.get("connection")).includes("upgrade"))
    add("rfc", `Connection: ${headers.get("connection")}`);
  const version = headers.get("sec-websocket-version");
  if (version === undefined) add("rfc", "no Sec-WebSocket-Version");
  else if (version !== "13") add("firmware", `Sec-WebSocket-Version: ${version}`);
  const key = headers.get("sec-websocket-key");
  if (key === undefined) add("rfc", "no Sec-WebSocket-Key");
  else if (counts.get("sec-websocket-key") > 1) add("rfc", "Sec-WebSocket-Key repeated");
  else if (/^[A-Za-z0-9+/]{22}==$/.test(key) && !BASE64_16.test(key))
    add("firmware", `Sec-WebSocket-Key: ${key} (its last digit has padding bits set)`);
  else if (!BASE64_16.test(key)) add("rfc", `Sec-WebSocket-Key: ${key.slice(0, 40)}`);
  if (key !== undefined && counts.get("sec-websocket-key") === 1) result.key = key;
  result.method = parts[0];
  for (const [name, count] of counts) {
    if (count > 1 && name !== "sec-websocket-key") add("odd", `${name} repeated`);
  }
  if (headers.has("sec-websocket-protocol"))
    result.protocols = tokens(headers.get("sec-websocket-protocol")).filter(Boolean);
  result.verdict = verdictOf(issues, ctx, "upgrade");
  return result;
}

/** The path of a request target as a URL parser reads it (absolute form, `#` dropped), or null. */
function looseEndpoint(target) {
  try {
    return new URL(target, "http://host").pathname;
  } catch {
    return null;
  }
}

function verdictOf(issues, ctx, otherwise) {
  const refusing = ctx.firmware ? ["rfc", "server", "firmware"] : ["rfc", "server"];
  if (issues.some((i) => refusing.includes(i.who))) return "reject";
  const doubtful = ctx.firmware ? ["odd"] : ["odd", "firmware", "accepted"];
  if (issues.some((i) => doubtful.includes(i.who)))
    return otherwise === "incomplete" ? "incomplete" : "maybe";
  return otherwise;
}

/**
 * The client's frames as the server must read them, fed with every byte written after the
 * request head. `expected` lists, in order, what the server owes: `{kind: "message", opcode,
 * payload}` (echo endpoints only), `{kind: "pong", payload, optional}`, `{kind: "close", codes,
 * partial}` (null in codes: a close frame without a code; `partial`: the message the client was in
 * the middle of, `{opcode, payload}` with its bytes up to the first one the server may not echo,
 * or null: an echo endpoint may have echoed its start before the close). Once the server must
 * close, later bytes count for nothing. Entries are only ever appended (the checker keeps an index
 * into the list).
 */
export class StreamModel {
  /**
   * @param {{echo: boolean, maxMessageSize: number, maxFrames: number, maxFrameLength?: number,
   *   tryAgainLater?: boolean, failFastUtf8: boolean, maxPings: number}} options
   *   `maxMessageSize` (the sum of a message's fragments) and `maxFrames` bound a message on this
   *   endpoint, more → 1009 (Infinity: no bound, as on the firmware's /ws, which streams);
   *   `maxFrameLength`: the longest frame the server reads at all (the firmware: 2^32 - 1), more →
   *   1009; `tryAgainLater`: the server may close with 1013 a client that holds part of a
   *   fragmented message when its buffers have no room for more (the firmware's endpoints that
   *   take messages whole).
   */
  constructor(options) {
    this.options = { maxFrameLength: Infinity, tryAgainLater: false, ...options };
    this.expected = [];
    /**
     * "open", "violated" (the server must close), "closed" (the client's close was sent),
     * "lenient" (nothing more is checked), "ended" (the server closed as it may without having
     * to: later bytes count for nothing).
     */
    this.state = "open";
    /** Data messages whose content is not predicted (not an echo endpoint, or a special text). */
    this.freeMessages = !options.echo;
    /** What went wrong first, for the report. */
    this.violation = null;
    this.frames = 0;
    this.pings = 0;
    /** The client has sent a close frame (valid or not), and then this many bytes. */
    this.clientClosed = false;
    /** Payload bytes of the complete data messages sent. */
    this.messageBytes = 0;
    this.bytesAfterClientClose = 0;
    /**
     * With `tryAgainLater`: `expected.length` at each frame that continues a fragmented message,
     * where the server may close with 1013 once it owes what comes before.
     */
    this.tryAgainLaterAt = [];
    this.#resetFrame();
  }

  #stage = "info";
  #header = [];
  #frame = null;
  #message = null; // { opcode, parts, length, frames, utf8 }: parts hold the valid bytes only
  #softUtf8 = false;
  #earlyClose = null;
  #skim = null; // after a violation that leaves the framing intact: where the client's close is

  #resetFrame() {
    this.#stage = "info";
    this.#header = [];
    this.#frame = null;
  }

  /** True while the bytes sent so far stop inside a frame. */
  get insideFrame() {
    return this.#stage !== "info" || this.#header.length > 0;
  }

  /** A close frame from the server is due. */
  get closeDue() {
    return this.expected.some((e) => e.kind === "close" && !e.optional);
  }

  /**
   * The message the client is in the middle of, `{opcode, payload}` with its bytes so far (up to
   * the first invalid UTF-8 byte of a text), or null: what an echo endpoint may have echoed the
   * start of without finishing it.
   */
  get partial() {
    const message = this.#message;
    return message ? { opcode: message.opcode, payload: Buffer.concat(message.parts) } : null;
  }

  push(bytes) {
    let i = 0;
    while (i < bytes.length && (this.state === "open" || this.#softUtf8)) {
      if (this.#stage === "payload") {
        const frame = this.#frame;
        const n = Math.min(frame.length - frame.received, bytes.length - i);
        const chunk = Buffer.from(bytes.subarray(i, i + n));
        for (let k = 0; k < n; k++) chunk[k] ^= frame.mask[(frame.received + k) & 3];
        frame.received += n;
        i += n;
        this.#payload(frame, chunk);
        if (frame.received === frame.length) this.#complete(frame);
        continue;
      }
      this.#header.push(bytes[i++]);
      this.#headerByte();
    }
    const rest = bytes.subarray(i);
    if (this.clientClosed) this.bytesAfterClientClose += rest.length;
    else if (this.#skim) {
      const after = this.#skim.push(rest);
      if (after !== null) {
        this.clientClosed = true;
        this.bytesAfterClientClose += after;
      }
    }
  }

  /** The server has closed with a close it may send but was not owed (1013): nothing more counts. */
  serverClosed() {
    if (this.state === "lenient") return;
    this.state = "ended";
    this.#softUtf8 = false;
  }

  #headerByte() {
    const h = this.#header;
    if (h.length === 2) {
      const fin = (h[0] & 0x80) !== 0;
      const rsv = (h[0] >> 4) & 7;
      const opcode = h[0] & 0x0f;
      const masked = (h[1] & 0x80) !== 0;
      const len7 = h[1] & 0x7f;
      if (rsv) return this.#violate([1002], `RSV bits ${rsv.toString(2)} set`);
      if (!isKnownOpcode(opcode))
        return this.#violate([1002], `reserved opcode 0x${opcode.toString(16)}`);
      if (isControl(opcode) && !fin) return this.#violate([1002], "fragmented control frame");
      if (isControl(opcode) && len7 > 125)
        return this.#violate([1002], "control frame over 125 bytes");
      if (!masked) return this.#violate([1002], "unmasked client frame");
      const message = this.#message;
      if (opcode === Opcode.CONTINUATION && !message)
        return this.#violate([1002], "continuation with nothing to continue");
      if ((opcode === Opcode.TEXT || opcode === Opcode.BINARY) && message)
        return this.#violate([1002], "new data frame inside a fragmented message");
      this.#frame = { fin, opcode, len7, extended: len7 === 126 ? 2 : len7 === 127 ? 8 : 0 };
      if (opcode === Opcode.CLOSE && len7 === 1) {
        // a server may refuse a 1-byte close payload at the header already (ws does)
        this.#earlyClose = { kind: "close", codes: [1002], optional: true, partial: this.partial };
        this.expected.push(this.#earlyClose);
      }
    }
    const frame = this.#frame;
    if (!frame || h.length !== 2 + frame.extended + 4) {
      if (frame && h.length === 2 + frame.extended) this.#lengthKnown(frame);
      return;
    }
    frame.mask = Buffer.from(h.slice(2 + frame.extended));
    frame.received = 0;
    frame.parts = [];
    this.#stage = "payload";
    if (frame.length === 0) this.#complete(frame);
  }

  #lengthKnown(frame) {
    const h = this.#header;
    const { maxMessageSize, maxFrames, maxFrameLength } = this.options;
    if (frame.extended === 0) frame.length = frame.len7;
    else if (frame.extended === 2) frame.length = (h[2] << 8) | h[3];
    else {
      const big = Buffer.from(h.slice(2, 10)).readBigUInt64BE(0);
      if (big >> 63n) return this.#violate([1009, 1002], "64-bit length with its top bit set");
      // (Number(big) may round above 2^53; both limits are far below that or Infinity)
      if (Number(big) > maxFrameLength)
        return this.#violate([1009], `declared length ${big} > ${maxFrameLength}, the most read`);
      if (Number(big) > maxMessageSize)
        return this.#violate([1009], `declared length ${big} > maxMessageSize`, {
          header: big < 1n << 32n ? [...h] : null,
        });
      frame.length = Number(big);
    }
    if (isControl(frame.opcode) || this.#softUtf8) return;
    const message = this.#message;
    const sofar = message?.length ?? 0;
    if (sofar + frame.length > maxMessageSize)
      return this.#violate([1009], `message of ${sofar + frame.length} bytes > maxMessageSize`, {
        header: [...h],
      });
    if ((message?.frames ?? 0) >= maxFrames)
      return this.#violate([1009], `more than ${maxFrames} fragments`, { header: [...h] });
    if (frame.opcode !== Opcode.CONTINUATION) {
      const utf8 = frame.opcode === Opcode.TEXT ? new Utf8Stream() : null;
      this.#message = { opcode: frame.opcode, parts: [], length: 0, frames: 0, utf8 };
    } else if (this.options.tryAgainLater) this.tryAgainLaterAt.push(this.expected.length);
  }

  #payload(frame, chunk) {
    if (isControl(frame.opcode)) {
      frame.parts.push(chunk);
      return;
    }
    const message = this.#message;
    if (this.#softUtf8 || !message) return;
    message.length += chunk.length;
    if (message.utf8 && !message.utf8.write(chunk)) {
      message.parts.push(chunk.subarray(0, message.utf8.failedAt)); // the valid bytes before it
      return this.#badUtf8(frame);
    }
    message.parts.push(chunk);
  }

  #badUtf8(frame) {
    if (this.options.failFastUtf8 || (frame.fin && frame.received === frame.length))
      return this.#violate([1007], "invalid UTF-8 in a text message", {
        remaining: frame.length - frame.received,
      });
    // A server may check the text only once the message is complete: until then it still
    // answers pings, and a later framing error may be reported instead.
    this.#softUtf8 = true;
    this.violation ??= "invalid UTF-8 in a text message (not complete yet)";
    this.expected.push({
      kind: "close",
      codes: [1007, 1002, 1009],
      optional: true,
      soft: true,
      partial: this.partial,
    });
  }

  #complete(frame) {
    this.frames++;
    this.#resetFrame();
    if (this.state === "violated") return; // the payload itself was the violation
    const payload = Buffer.concat(frame.parts);
    if (frame.opcode === Opcode.PING) {
      if (++this.pings > this.options.maxPings)
        this.#lenient(`more than ${this.options.maxPings} pings`);
      this.expected.push({ kind: "pong", payload, optional: this.#softUtf8 });
      return;
    }
    if (frame.opcode === Opcode.PONG) return;
    if (frame.opcode === Opcode.CLOSE) return this.#closeFrame(payload);
    if (this.#softUtf8) {
      if (frame.fin) this.#firmUtf8();
      return;
    }
    const message = this.#message;
    message.frames++;
    if (!frame.fin) return;
    if (message.utf8 && !message.utf8.complete)
      return this.#violate([1007], "text message ends inside a UTF-8 sequence", { remaining: 0 });
    this.#message = null;
    const data = Buffer.concat(message.parts);
    this.messageBytes += data.length;
    if (message.opcode === Opcode.TEXT && ["Ping", "Trigger async"].includes(data.toString()))
      this.freeMessages = true; // the firmware's special messages are not echoed
    if (!this.freeMessages)
      this.expected.push({ kind: "message", opcode: message.opcode, payload: data });
  }

  #firmUtf8() {
    this.#softUtf8 = false;
    this.#dropSoftClose();
    this.#violate([1007], "invalid UTF-8 in a text message");
  }

  #closeFrame(payload) {
    this.clientClosed = true;
    if (this.#softUtf8) {
      this.#softUtf8 = false;
      this.state = "lenient";
      return;
    }
    if (payload.length === 0) return this.#clientClose([null], "close without a code");
    if (payload.length === 1) {
      this.#earlyClose.optional = false;
      this.state = "violated";
      this.violation = "close frame of 1 byte";
      return;
    }
    const code = payload.readUInt16BE(0);
    if (!isValidCloseCode(code)) return this.#violate([1002], `invalid close code ${code}`);
    if (!isValidUtf8(payload.subarray(2)))
      return this.#violate([1007, 1002], "close reason not UTF-8");
    this.#clientClose([code], `close ${code}`);
  }

  #clientClose(codes, what) {
    this.state = "closed";
    this.clientClose = what;
    this.expected.push({ kind: "close", codes, partial: this.partial });
  }

  /**
   * The server must close with one of `codes`. With `remaining` (payload bytes of the current
   * frame still to come) or `header` (the bytes of the current frame's header so far), the framing
   * is still intact: a server may go on reading frames for the client's close (the firmware does).
   */
  #violate(codes, what, intact = null) {
    if (intact && (intact.header !== null || intact.remaining !== undefined))
      this.#skim = new FrameWalker({ strict: true, ...intact });
    if (this.#softUtf8) {
      // the text was already invalid: either problem may be the one reported
      this.#softUtf8 = false;
      this.#dropSoftClose();
      codes = [...new Set([1007, ...codes])];
    }
    this.state = "violated";
    this.violation = what;
    this.expected.push({ kind: "close", codes, partial: this.partial });
  }

  /** The optional close of a text found invalid early now matches nothing (entries stay put). */
  #dropSoftClose() {
    for (const e of this.expected) if (e.kind === "close" && e.optional && e.soft) e.codes = [];
  }

  #lenient(what) {
    this.state = "lenient";
    this.violation ??= what;
  }
}
