// A raw RFC 6455 client over node:net, for what the `ws` client will not send: exact frame
// bytes, protocol violations, split writes. It also checks what the server sends back:
// server frames must be unmasked, have RSV bits clear and well-formed control frames.
//
// The firmware pings every client periodically (pingInterval) and drops one that does not answer.
// So by default this client answers each server ping with a pong (same payload) as soon as the
// bytes it has written end on a frame boundary, and keeps pings out of what tests read. Options:
// `showPings` returns them from nextFrame()/nextMessage() too; `answerPings: false` never answers.
// While open, a client is listed in open-connections.js (the host tests drop those left open).
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import { closePayload, parseClosePayload } from "./close-payload.js";
import { encodeFrame } from "./frame-encoder.js";
import { FrameParser } from "./frame-parser.js";
import { FrameWalker } from "./frame-walker.js";
import { Opcode, isControl } from "./opcodes.js";
import { acceptFor, newKey, upgradeRequest } from "./opening-handshake.js";
import { register, unregister } from "./open-connections.js";
import { headerTokens, parseResponseHead } from "./raw-http.js";
import { checkServerFrame, describeFrame } from "./server-frame-rules.js";
import { connectTcp, writeAsync, writeInChunks } from "./tcp.js";
import { Waiter } from "./waiter.js";

const HEAD_END = Buffer.from("\r\n\r\n");

export class RawClient {
  /**
   * Connects to `target` and performs the opening handshake.
   * @param {{host: string, port: number, path: string, replyTimeoutMs: number, closeWaitMs: number,
   *   token?: string}} target (its token, when the server has one, goes with the request)
   * @param {{chunkSize?: number, headers?: object, path?: string, key?: string,
   *   answerPings?: boolean, showPings?: boolean}} [options]
   *   `chunkSize` writes the request in pieces of that many bytes; `headers` as in upgradeRequest;
   *   `answerPings` (default true) and `showPings` (default false) as described at the top
   */
  static async open(
    target,
    { chunkSize, headers, path = target.path, key = newKey(), answerPings, showPings } = {},
  ) {
    const socket = await connectTcp(target.host, target.port, { timeoutMs: target.replyTimeoutMs });
    const client = new RawClient(socket, target, { answerPings, showPings });
    try {
      const { host, port, token } = target;
      const request = { host, port, path, headers, key, token };
      await client.#handshake(request, chunkSize);
    } catch (err) {
      client.dispose();
      throw err;
    }
    return client;
  }

  #socket;
  #parser = new FrameParser();
  #frames = [];
  #waiter = new Waiter();
  #head = Buffer.alloc(0);
  #handshakeDone = false;
  #onHead = null;
  #outgoing = new FrameWalker();
  #pendingPongs = [];
  #answerPings;
  #showPings;

  constructor(
    socket,
    { replyTimeoutMs = 3000, closeWaitMs = 3000 } = {},
    { answerPings = true, showPings = false } = {},
  ) {
    this.#socket = socket;
    this.#answerPings = answerPings;
    this.#showPings = showPings;
    this.replyTimeoutMs = replyTimeoutMs;
    this.closeWaitMs = closeWaitMs;
    /** Local address of the connection, as the server sees it (no NAT between them). */
    this.localAddress = String(socket.localAddress).replace(/^::ffff:/, "");
    /** performance.now() of every ping received from the server, shown or not. */
    this.pingTimes = [];
    /** performance.now() when the TCP connection closed. */
    this.closedAt = null;
    this.isClosed = false;
    this.closeSent = false;
    this.socketError = null;
    /** The handshake response: `{ statusLine, status, headers }`. */
    this.response = null;
    /** Resolves when the TCP connection is closed (by either side). */
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.closedAt = performance.now();
        this.isClosed = true;
        this.#waiter.wake();
        resolve();
      });
    });
    socket.on("error", (err) => {
      this.socketError ??= err;
    });
    socket.on("data", (chunk) => this.#onData(chunk));
    register(this);
  }

  /** Bytes the server sent after its close frame (must stay 0). */
  get bytesAfterClose() {
    return this.#parser.bytesAfterClose;
  }

  async #handshake(request, chunkSize) {
    const head = new Promise((resolve) => (this.#onHead = resolve));
    await writeInChunks(this.#socket, upgradeRequest(request), { chunkSize });
    const timeout = delay(this.replyTimeoutMs, "timeout", { ref: false });
    const outcome = await Promise.race([head, this.closed.then(() => "closed"), timeout]);
    if (outcome !== "head") {
      const got = this.#head.length ? `: ${JSON.stringify(this.#head.toString("latin1"))}` : "";
      throw new Error(
        outcome === "timeout"
          ? `no handshake response within ${this.replyTimeoutMs} ms${got}`
          : `connection closed during the handshake${got}`,
      );
    }
    const response = this.response;
    expect(response.status, `handshake answered "${response.statusLine}"`).to.equal(101);
    expect(response.headers.upgrade?.toLowerCase(), "Upgrade header of the 101").to.equal(
      "websocket",
    );
    expect(headerTokens(response.headers.connection), "Connection header of the 101").to.include(
      "upgrade",
    );
    expect(response.headers["sec-websocket-accept"], "Sec-WebSocket-Accept").to.equal(
      acceptFor(request.key),
    );
  }

  #onData(chunk) {
    if (!this.#handshakeDone) {
      this.#head = Buffer.concat([this.#head, chunk]);
      const end = this.#head.indexOf(HEAD_END);
      if (end < 0) return;
      this.#handshakeDone = true;
      this.response = parseResponseHead(this.#head.subarray(0, end).toString("latin1"));
      chunk = this.#head.subarray(end + HEAD_END.length);
      this.#onHead?.("head");
      if (!chunk.length) return;
    }
    const frames = this.#parser.push(chunk).filter((frame) => this.#keep(frame));
    if (frames.length) {
      this.#frames.push(...frames);
      this.#waiter.wake();
    }
  }

  /** Answers a server ping (if asked to); false when tests must not see the frame. */
  #keep(frame) {
    if (frame.opcode !== Opcode.PING) return true;
    this.pingTimes.push(performance.now());
    // A malformed ping stays visible, so that nextFrame() reports it.
    const wellFormed = frame.fin && frame.rsv === 0 && !frame.masked && frame.payload.length <= 125;
    if (!wellFormed) return true;
    if (this.#answerPings) {
      this.#pendingPongs.push(frame.payload);
      this.#flushPongs();
    }
    return this.#showPings;
  }

  /** Writes the pongs owed, unless the bytes written so far stop inside a frame. */
  #flushPongs() {
    if (!this.#outgoing.atBoundary) return;
    while (this.#pendingPongs.length) {
      const payload = this.#pendingPongs.shift();
      // After its close frame a client sends nothing more (RFC 6455 §5.5.1).
      if (this.#outgoing.sawClose || this.isClosed || this.#socket.destroyed) continue;
      const pong = encodeFrame({ opcode: Opcode.PONG, payload });
      this.#outgoing.push(pong);
      writeAsync(this.#socket, pong);
    }
  }

  /** Next server frame, checked against the rules for server frames. */
  async nextFrame(timeoutMs = this.replyTimeoutMs) {
    await this.#waitForFrame(timeoutMs);
    const frame = this.#frames.shift();
    checkServerFrame(frame);
    return frame;
  }

  async #waitForFrame(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (this.#frames.length === 0) {
      if (this.isClosed) {
        const why = this.socketError
          ? ` (${this.socketError.code ?? this.socketError.message})`
          : "";
        throw new Error(`the server closed the TCP connection before sending a frame${why}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame from the server within ${timeoutMs} ms`);
      await this.#waiter.sleep(left);
    }
  }

  /**
   * Next whole data message, reassembled from its frames. Control frames that arrive before
   * it completes are returned in `controls`. A close frame instead of the message fails, or
   * with `stopAtClose` resolves null and leaves the close frame to be read (expectClose).
   * @returns {Promise<{opcode: number, payload: Buffer, frames: number, controls: object[]}>}
   */
  async nextMessage(timeoutMs = this.replyTimeoutMs, { stopAtClose = false } = {}) {
    const deadline = Date.now() + timeoutMs;
    const controls = [];
    const parts = [];
    let opcode = null;
    let frames = 0;
    for (;;) {
      if (stopAtClose && opcode === null) {
        await this.#waitForFrame(Math.max(1, deadline - Date.now()));
        if (this.#frames[0].opcode === Opcode.CLOSE) return null;
      }
      const frame = await this.nextFrame(Math.max(1, deadline - Date.now()));
      if (frame.opcode === Opcode.CLOSE) {
        const { code, reason } = parseClosePayload(frame.payload);
        throw new Error(`the server sent close ${code} "${reason}" instead of a message`);
      }
      if (isControl(frame.opcode)) {
        controls.push(frame);
        continue;
      }
      if (opcode === null) {
        expect(frame.opcode, "first frame of a server message").to.be.oneOf([
          Opcode.TEXT,
          Opcode.BINARY,
        ]);
        opcode = frame.opcode;
      } else {
        expect(frame.opcode, "server frame inside a fragmented message").to.equal(
          Opcode.CONTINUATION,
        );
      }
      parts.push(frame.payload);
      frames++;
      if (frame.fin) return { opcode, payload: Buffer.concat(parts), frames, controls };
    }
  }

  /**
   * Reads the next frame, which must be a close frame with one of `expected` codes (null means
   * "no status code"), answers it with a close frame (unless one was sent already), and then
   * requires the server to close TCP and to have sent nothing after its close frame. With
   * `skipData`, data frames before the close frame are passed over: a server that streams a
   * message back as it reads it has echoed its beginning before it finds what is wrong.
   * @param {number|null|Array<number|null>} expected
   */
  async expectClose(expected, { timeoutMs = this.replyTimeoutMs, skipData = false } = {}) {
    const codes = Array.isArray(expected) ? expected : [expected];
    const deadline = Date.now() + timeoutMs;
    let frame = await this.nextFrame(timeoutMs);
    while (skipData && !isControl(frame.opcode)) {
      frame = await this.nextFrame(Math.max(1, deadline - Date.now()));
    }
    expect(
      frame.opcode,
      `expected a close frame (${codes.join(" or ")}), got ${describeFrame(frame)}`,
    ).to.equal(Opcode.CLOSE);
    const { code, reason, validReason } = parseClosePayload(frame.payload);
    expect(validReason, "the close reason sent by the server is not valid UTF-8").to.equal(true);
    expect(code, `close code from the server (reason "${reason}")`).to.be.oneOf(codes);

    if (!this.closeSent) await this.sendClose(code ?? undefined);
    const timeout = delay(this.closeWaitMs, "timeout", { ref: false });
    const outcome = await Promise.race([this.closed.then(() => "closed"), timeout]);
    expect(
      outcome,
      "the server did not close the TCP connection after the close handshake",
    ).to.equal("closed");
    expect(this.bytesAfterClose, "bytes sent by the server after its close frame").to.equal(0);
    return { code, reason };
  }

  /** Fails if any frame arrives (or the connection closes) within `ms`. */
  async expectQuiet(ms) {
    await delay(ms);
    const extra = this.#frames.map(describeFrame).join("; ");
    expect(this.#frames.length, `unexpected frame(s) from the server: ${extra}`).to.equal(0);
    expect(this.isClosed, "the server closed the connection").to.equal(false);
  }

  /** Frames received and not read yet (checked), emptying the queue. */
  takeFrames() {
    const frames = this.#frames.splice(0);
    frames.forEach(checkServerFrame);
    return frames;
  }

  /**
   * Writes bytes verbatim; `chunkSize` splits them into that many bytes per TCP write, with
   * `gapMs` between writes. Pongs owed are written between writes that end on a frame boundary.
   */
  async sendRaw(bytes, { chunkSize, gapMs = 1 } = {}) {
    const buffer = Buffer.from(bytes);
    const size = chunkSize || Math.max(1, buffer.length);
    let offset = 0;
    do {
      const chunk = buffer.subarray(offset, offset + size);
      offset += size;
      this.#outgoing.push(chunk);
      const err = await writeAsync(this.#socket, chunk);
      if (err) return err;
      this.#flushPongs();
      if (chunkSize) await delay(gapMs);
    } while (offset < buffer.length);
    return null;
  }

  /** Stops reading: the server's data piles up in the kernel buffers, then in the server. */
  pause() {
    this.#socket.pause();
  }

  resume() {
    this.#socket.resume();
  }

  /** Drops the connection with a TCP reset (RST), as a client that vanishes. */
  reset() {
    this.#socket.resetAndDestroy();
    unregister(this);
  }

  /** Encodes one frame (frame-encoder.js `encodeFrame`) and writes it. */
  sendFrame(frame, writeOptions) {
    if (frame.opcode === Opcode.CLOSE) this.closeSent = true;
    return this.sendRaw(encodeFrame(frame), writeOptions);
  }

  sendText(text, writeOptions) {
    return this.sendFrame({ opcode: Opcode.TEXT, payload: text }, writeOptions);
  }

  sendBinary(bytes, writeOptions) {
    return this.sendFrame({ opcode: Opcode.BINARY, payload: bytes }, writeOptions);
  }

  sendPing(payload = "") {
    return this.sendFrame({ opcode: Opcode.PING, payload });
  }

  sendPong(payload = "") {
    return this.sendFrame({ opcode: Opcode.PONG, payload });
  }

  sendClose(code, reason = "") {
    return this.sendFrame({ opcode: Opcode.CLOSE, payload: closePayload(code, reason) });
  }

  dispose() {
    this.#socket.destroy();
    unregister(this);
  }
}
