// One fuzz iteration: a raw TCP connection that sends a case's bytes (request, then frames, in
// the case's TCP writes), reads everything the server sends through the strict checker, compares
// it with what the model says the server owes, and ends as the case says (close handshake, FIN,
// reset). Returns what happened and every problem found, with the exact bytes both ways.
//
// Whole messages from the server are matched, in order, with what the model expects. A message
// the server has sent only the first fragments of (an echo endpoint that echoes as it reads) must
// be the start of the message it owes next: checked when its close comes and when the iteration
// ends.
import { setTimeout as delay } from "node:timers/promises";
import { closePayload } from "../wire/close-payload.js";
import { encodeFrame } from "../wire/frame-encoder.js";
import { FrameWalker } from "../wire/frame-walker.js";
import { Opcode } from "../wire/opcodes.js";
import { connectTcp, writeAsync } from "../wire/tcp.js";
import { ServerOutput, checkResponseHead, describe } from "./checker.js";
import { StreamModel, analyzeRequest } from "./model.js";

/** The longest frame the firmware reads, on any endpoint: a longer one is refused with 1009. */
const MAX_FIRMWARE_FRAME = 0xffffffff;

/**
 * How long the firmware takes to give up on a client it cannot send to: `sendTimeout`, or without
 * one, a ping that goes unanswered. Its close takes `closeTimeout` more.
 */
export function stalledClientMs({ sendTimeout, pingInterval, pingTimeout }) {
  return sendTimeout || pingInterval + pingTimeout;
}

/**
 * @param {object} testCase from buildCase
 * @param {object} ctx target: host, port, path, firmware, endpoints, limits, echoLimits,
 *   replyTimeoutMs, strict
 * @returns {Promise<{iteration: number, problems: string[], http: string, close: string,
 *   sent: {at: number, why: string, bytes: Buffer}[], received: Buffer, notes: string[]}>}
 */
export async function runIteration(testCase, ctx) {
  const run = new Iteration(testCase, ctx);
  const timeoutMs = iterationTimeout(testCase, ctx);
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([run.run().then(() => "done"), timeout]);
    if (outcome === "timeout")
      run.problem(`the iteration did not finish within ${timeoutMs} ms (${run.phase})`);
  } catch (error) {
    run.problem(`fuzzer error: ${error.stack ?? error.message}`);
  } finally {
    clearTimeout(timer);
    run.dispose();
  }
  return run.result();
}

function iterationTimeout(testCase, ctx) {
  const bytes = [...testCase.requestWrites, ...testCase.frameWrites].reduce(
    (n, w) => n + w.length,
    0,
  );
  return (
    4 * ctx.replyTimeoutMs +
    ctx.limits.requestTimeout +
    ctx.limits.closeTimeout +
    Math.ceil(bytes / 20)
  );
}

class Iteration {
  constructor(testCase, ctx) {
    this.case = testCase;
    this.ctx = ctx;
    this.started = performance.now();
    this.sent = [];
    this.problems = [];
    this.notes = [];
    this.phase = "connecting";
    this.socket = null;
    this.closed = false;
    this.closedAt = null;
    this.socketError = null;
    this.weEnded = false; // FIN sent, reset or destroyed by us
    this.http = "no answer";
    this.close = "-";
    this.model = null;
    this.tracker = null;
    this.next = 0; // index of the next expectation of the model to be met
    this.owedPongs = [];
    this.pingOwedSince = null;
    this.closeSent = false;
    this.requestBytes = Buffer.alloc(0);
    this.analysis = null;
    this.knownIssue = null;
    this.#wakers = new Set();
    this.output = new ServerOutput({
      onHead: (text) => this.#head(text),
      onEvent: (event) => this.#event(event),
      onProblem: (problem) => this.problem(problem),
    });
  }

  #wakers;

  problem(text) {
    this.problems.push(text);
    this.#wake();
  }

  #wake() {
    for (const wake of this.#wakers) wake();
  }

  /** Resolves true once `predicate()` holds, false after `ms`. */
  async until(predicate, ms) {
    const deadline = performance.now() + ms;
    while (!predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wakers.add(done);
      }).finally(() => this.#wakers.clear());
    }
    return true;
  }

  async run() {
    const { ctx } = this;
    try {
      this.socket = await connectTcp(ctx.host, ctx.port, { timeoutMs: ctx.replyTimeoutMs });
    } catch (error) {
      this.http = "connect failed";
      return this.problem(
        `could not connect to ${ctx.host}:${ctx.port}: ${error.code ?? error.message}`,
      );
    }
    const socket = this.socket;
    socket.on("data", (chunk) => {
      this.output.push(chunk);
      this.#wake();
    });
    socket.on("error", (error) => (this.socketError ??= error));
    socket.once("close", () => this.#tcpClosed());

    this.phase = "sending the request";
    for (const bytes of this.case.requestWrites) {
      if (this.closed) break;
      this.requestBytes = Buffer.concat([this.requestBytes, bytes]);
      await this.#write(bytes, "request");
      await this.#gap();
    }
    // (a response may already have come, and the analysis with it: the head was complete)
    const analysis = (this.analysis ??= analyzeRequest(this.requestBytes, ctx));
    if (!analysis.complete) return this.#incomplete();

    this.phase = "waiting for the response";
    if (
      !(await this.until(
        () => this.output.head || this.closed || this.problems.length,
        ctx.replyTimeoutMs,
      ))
    )
      return this.problem(`no response to a complete request within ${ctx.replyTimeoutMs} ms`);
    if (this.problems.length) return;
    if (!this.output.head) return this.#closedWithoutAnswer();
    if (!this.output.upgraded) return this.#refused();
    await this.#frames();
  }

  // ---- the handshake ---------------------------------------------------------------------------

  #head(text) {
    this.analysis ??= analyzeRequest(this.requestBytes, this.ctx);
    const { response, problems } = checkResponseHead(text, this.analysis, this.ctx);
    this.http = Number.isFinite(response.status) ? String(response.status) : "malformed";
    for (const p of problems) this.problem(p);
    if (response.status === 101) this.#startModel();
    response.noBody = this.analysis.method === "HEAD";
    return response;
  }

  async #incomplete() {
    const { ctx } = this;
    this.phase = "request left unfinished";
    const waitMs = this.case.waitForHandshakeTimeout
      ? ctx.limits.requestTimeout + ctx.replyTimeoutMs
      : this.case.lingerMs;
    await this.until(() => this.closed || this.output.head || this.problems.length, waitMs);
    const head = this.output.head;
    if (head && head.status === 101) return this.problem("101 to an unfinished request");
    if (head) await this.#refused();
    else if (this.case.waitForHandshakeTimeout && !this.closed)
      this.problem(
        `no answer within requestTimeout + ${ctx.replyTimeoutMs} ms to an unfinished request`,
      );
    else if (this.closed) {
      this.http = "closed, no answer";
      if (ctx.firmware) this.#closedWithoutAnswer("an unfinished request");
    }
    if (!this.closed)
      await this.#end(this.case.ending.action === "close" ? "destroy" : this.case.ending.action);
  }

  #closedWithoutAnswer(what = "the request") {
    this.http = "closed, no answer";
    if (this.#resetForPipelining() || this.#refusalLostToReset()) return;
    if (!this.ctx.firmware && this.analysis?.verdict === "reject") {
      this.notes.push("closed without an answer to a request it refuses"); // Node does, for CONNECT
      return;
    }
    const why = this.socketError ? ` (${this.socketError.code ?? this.socketError.message})` : "";
    this.problem(`the server closed the connection without answering ${what}${why}`);
  }

  /**
   * True (and noted) when a reset may have destroyed the server's answer because the client sent
   * bytes after its request head: RFC 6455 §4.1 has it wait for the response, and a server that
   * closes with those bytes unread resets the connection (lwip and Linux both do).
   */
  #resetForPipelining() {
    const head = this.analysis?.headLength ?? -1;
    const after = head < 0 ? 0 : this.requestBytes.length - head;
    if (!after || !["ECONNRESET", "EPIPE"].includes(this.socketError?.code)) return false;
    this.notes.push(`reset with ${after} bytes sent after the request head (no answer expected)`);
    return true;
  }

  /**
   * An issue of firmware built between 40a3962 and its fix (found by this fuzzer): a request that
   * can never be HTTP got its 400 at the first bad byte and the connection was closed at once
   * with the client's later bytes unread: a reset, which destroyed the 400. Accepted (and
   * counted) with --lenient only, for a board flashed before the fix.
   */
  #refusalLostToReset() {
    const { ctx } = this;
    if (!ctx.firmware || ctx.strict || this.analysis?.verdict === "upgrade") return false;
    if (!["ECONNRESET", "EPIPE"].includes(this.socketError?.code)) return false;
    const bad = earlyRefusalAt(this.requestBytes);
    if (bad < 0 || bad === this.requestBytes.length - 1) return false; // nothing followed it
    this.knownIssue = "refusal lost to a reset";
    this.notes.push("known issue: the refusal was lost to a reset (the client was still sending)");
    return true;
  }

  async #refused() {
    const { ctx } = this;
    this.phase = "reading the refusal";
    const closeMs = ctx.replyTimeoutMs + ctx.limits.closeTimeout;
    await this.until(
      () => this.closed || this.problems.length || this.output.bodyMissing === 0,
      ctx.replyTimeoutMs,
    );
    if (this.output.bodyMissing && !this.#resetForPipelining())
      this.problem(`the ${this.http} body is ${this.output.bodyMissing} bytes short`);
    const later = this.output.laterStatuses;
    if (later.length) this.notes.push(`then ${later.join(", ")} on the kept connection`);
    // After a 431 the firmware waits for the client to close (it may still be sending).
    if (this.http === "431") return this.#end("destroy");
    if (!(await this.until(() => this.closed, closeMs)))
      this.problem(
        `the server did not close the connection within ${closeMs} ms after its ${this.http}`,
      );
  }

  // ---- frames -----------------------------------------------------------------------------------

  #startModel() {
    const { ctx } = this;
    const echo = this.analysis?.path === ctx.path;
    const bounds = echo ? ctx.echoLimits : ctx.limits;
    this.model = new StreamModel({
      echo,
      maxMessageSize: bounds.maxMessageSize,
      maxFrames: bounds.maxFrames,
      // the firmware reads no frame longer than 2^32 - 1 bytes (1009), whatever the endpoint
      maxFrameLength: ctx.firmware ? MAX_FIRMWARE_FRAME : Infinity,
      // its endpoints that take messages whole share one buffer budget among all clients
      tryAgainLater: ctx.firmware && !echo,
      failFastUtf8: ctx.firmware,
      maxPings: ctx.limits.maxPingRate || Infinity,
    });
    this.tracker = new FrameWalker();
    const rest = this.requestBytes.subarray(this.analysis?.headLength ?? this.requestBytes.length);
    this.model.push(rest);
    this.tracker.push(rest);
  }

  async #frames() {
    const { ctx, model } = this;
    this.phase = "sending frames";
    for (const bytes of this.case.frameWrites) {
      if (this.closed || this.output.closeFrame || this.problems.length) break;
      await this.#write(bytes, "frames");
      this.#flushPongs();
      await this.#gap();
    }
    if (this.problems.length || this.closed) return this.#finishChecks();
    const { wait, action, delayMs } = this.case.ending;
    if (delayMs) await delay(delayMs);
    if (wait) {
      this.phase = model.closeDue ? "waiting for the server's close" : "waiting for the answers";
      const done = () =>
        this.closed ||
        this.problems.length ||
        (this.#required().length === 0 && (!model.closeDue || this.output.closeFrame));
      const waitMs = model.closeDue
        ? ctx.replyTimeoutMs + ctx.limits.closeTimeout
        : ctx.replyTimeoutMs;
      if (!(await this.until(done, waitMs)) && (wait || action === "close")) {
        const owed = this.#required().map(describe).join(", ");
        this.problem(
          `the server still owes ${owed || "its close"} ${waitMs} ms after the last write`,
        );
      }
      // RFC 6455 §7.1.1: the server closes TCP first; often the client does not wait for it.
      if (this.output.closeFrame && !this.closed && this.case.awaitServerClose) {
        this.phase = "waiting for the server to close TCP";
        const closeMs = ctx.replyTimeoutMs + ctx.limits.closeTimeout;
        if (!(await this.until(() => this.closed, closeMs)))
          this.problem(`the server did not close TCP within ${closeMs} ms of its close frame`);
      }
    }
    if (!this.closed) await this.#end(action === "close" ? "destroy" : action);
    this.#finishChecks();
  }

  /** Expectations of the model not met yet (optional ones left out). */
  #required() {
    if (!this.model || this.model.state === "lenient") return [];
    return this.model.expected.slice(this.next).filter((e) => !e.optional);
  }

  #event(event) {
    const model = this.model;
    if (event.kind === "ping") {
      // The server's liveness ping: answer it as soon as what was written ends on a frame.
      if (!this.output.closeFrame) {
        this.owedPongs.push(event.payload);
        this.pingOwedSince ??= performance.now();
        this.#flushPongs();
      }
      return;
    }
    if (event.kind === "close") this.close = String(event.code ?? "no code");
    if (!model) return;
    if (model.state === "lenient" && event.kind !== "close") return;
    if (event.kind === "message" && model.freeMessages) return;
    const expected = model.expected;
    for (let i = this.next; i < expected.length; i++) {
      const item = expected[i];
      if (matches(item, event)) {
        this.next = i + 1;
        if (event.kind === "close") {
          this.#checkUnfinished(item.partial, "before its close");
          this.#answerClose(event);
        }
        return;
      }
      if (!item.optional) break;
    }
    if (event.kind === "close" && model.state === "lenient") return this.#answerClose(event);
    if (event.kind === "close" && this.#tryAgainLater(event)) return this.#answerClose(event);
    if (event.kind === "close" && this.#falseSlowConsumer(event)) return this.#answerClose(event);
    const wanted = this.#required()[0] ?? expected.slice(this.next).find(() => true);
    this.problem(
      `the server sent a ${describe(event)}; expected ${describe(wanted)}${model.violation ? ` (after: ${model.violation})` : ""}`,
    );
  }

  /**
   * A close 1013 (try again later) from an endpoint that takes messages whole, while the client
   * held part of a fragmented message: the server's buffers, which all its clients share (the
   * other fuzz connections too), had no room for the rest. Fine at any frame that continues such
   * a message, once the server has sent what the client was owed before that frame (the messages
   * of such an endpoint are not predicted: what it owes, pongs and closes, is all that places its
   * 1013 in the client's stream).
   */
  #tryAgainLater(event) {
    const { model } = this;
    if (event.code !== 1013 || !model.tryAgainLaterAt.length) return false;
    const expected = model.expected;
    let firstRequired = this.next;
    while (firstRequired < expected.length && expected[firstRequired].optional) firstRequired++;
    if (!model.tryAgainLaterAt.some((at) => at >= this.next && at <= firstRequired)) return false;
    this.next = expected.length;
    model.serverClosed();
    this.notes.push("close 1013: no room for the rest of a fragmented message");
    return true;
  }

  /**
   * An issue of firmware built before its fix (found by this fuzzer), which GET /status tells by
   * the maxQueued it reports: the slow-consumer rule (close 1008 once more than maxQueued bytes
   * wait for a client) counted the echo of a large message still queued behind the 8 KB send
   * buffer, so a client that reads at full speed but sent a message over ~maxQueued + 8 KB and
   * then anything else got 1008. Accepted (and counted) with --lenient only; never for firmware
   * that reports no maxQueued.
   */
  #falseSlowConsumer(event) {
    const { ctx } = this;
    if (!ctx.firmware || ctx.strict || event.code !== 1008) return false;
    if (typeof ctx.limits.maxQueued !== "number") return false;
    const echoed = this.model.messageBytes;
    if (echoed < ctx.limits.maxQueued) return false;
    this.knownIssue = "1008 to a client that reads";
    this.next = this.model.expected.length; // the echoes not started are dropped with it
    this.notes.push(`known issue: close 1008 after ${echoed} bytes to echo, the client reading`);
    return true;
  }

  #answerClose(event) {
    this.phase = "close handshake";
    if (this.closeSent || this.closed || !this.tracker.atBoundary) return;
    this.closeSent = true;
    const frame = encodeFrame({
      opcode: Opcode.CLOSE,
      payload: closePayload(event.code ?? undefined),
      maskKey: Buffer.from([1, 2, 3, 4]),
    });
    this.#write(frame, "close reply");
  }

  #flushPongs() {
    if (!this.tracker?.atBoundary || this.tracker.sawClose || this.closed || this.output.closeFrame)
      return;
    while (this.owedPongs.length) {
      const payload = this.owedPongs.shift();
      const frame = encodeFrame({
        opcode: Opcode.PONG,
        payload,
        maskKey: Buffer.from([5, 6, 7, 8]),
      });
      this.#write(frame, "pong reply");
    }
    this.pingOwedSince = null;
  }

  #tcpClosed() {
    this.closed = true;
    this.closedAt = performance.now();
    this.#wake();
  }

  /**
   * The server's unfinished message, if any, must be the start of `owed` (`{opcode, payload}`,
   * the message it owes an echo of next; null: none).
   */
  #checkUnfinished(owed, when) {
    const { model } = this;
    const part = this.output.unfinished;
    if (!part || !model || model.freeMessages || ["lenient", "ended"].includes(model.state)) return;
    const what = `${describe({ kind: "message", ...part })} left unfinished ${when}`;
    if (!owed) return this.problem(`the server sent the start of a ${what}; it owed no message`);
    const { payload } = part;
    if (
      part.opcode !== owed.opcode ||
      payload.length > owed.payload.length ||
      !payload.equals(owed.payload.subarray(0, payload.length))
    )
      return this.problem(
        `the server sent the start of a ${what}, which does not start the ${describe({ kind: "message", ...owed })} it owed`,
      );
    this.notes.push(`${payload.length} bytes of ${owed.payload.length} echoed, ${when}`);
  }

  /**
   * What the server owes an echo of next: the first message not echoed yet, else the one the
   * client is (or was, at its close or violation) in the middle of; null: none.
   */
  #owedEcho() {
    const { model } = this;
    for (let i = this.next; i < model.expected.length; i++) {
      const item = model.expected[i];
      if (item.kind === "message") return item;
      if (item.kind === "close") return item.partial;
    }
    return model.partial;
  }

  #finishChecks() {
    const model = this.model;
    if (model && !this.output.closeFrame && !this.problems.length)
      this.#checkUnfinished(this.#owedEcho(), "when the iteration ended");
    if (!model || !this.closed || this.weEnded || this.output.closeFrame) return;
    // The server closed TCP without a close frame: fine only when it had given up on a client
    // that left a ping unanswered for pingTimeout (inside a frame, a client cannot answer), or
    // when it failed the connection inside a frame of its own (the echo of a long frame): no
    // close frame can go inside another frame (RFC 6455 §7.1.7: it SHOULD send one, where it can).
    const owed = this.pingOwedSince !== null ? this.closedAt - this.pingOwedSince : 0;
    if (model.state === "lenient") return;
    if (model.bytesAfterClientClose) {
      // RFC 6455 §5.5.1: nothing may follow a close frame. A server that closes at once resets
      // a connection with unread bytes, and its close frame may be lost with it.
      this.notes.push(
        `reset after ${model.bytesAfterClientClose} bytes sent after the client's close frame`,
      );
      return;
    }
    if (this.output.midFrame && this.ctx.firmware) {
      this.notes.push(
        "the server failed the connection inside the echo of a frame: no close frame",
      );
      return;
    }
    if (owed >= this.ctx.limits.pingTimeout - 100) {
      this.notes.push(`dropped by the server after ${Math.round(owed)} ms with a ping unanswered`);
      return;
    }
    const why = this.socketError ? ` (${this.socketError.code ?? this.socketError.message})` : "";
    const owedText = this.#required().map(describe).join(", ");
    this.problem(
      `the server closed TCP without a close frame${why}${owedText ? `; it still owed ${owedText}` : ""}`,
    );
  }

  // ---- writing and ending --------------------------------------------------------------------------

  async #write(bytes, why) {
    if (!this.socket || this.socket.destroyed || this.weEnded) return;
    if (why !== "request" || this.model) {
      this.model?.push(bytes);
      this.tracker?.push(bytes);
    }
    this.sent.push({ at: performance.now() - this.started, why, bytes: Buffer.from(bytes) });
    const error = await writeAsync(this.socket, bytes);
    if (error) this.notes.push(`write failed: ${error.code ?? error.message}`);
  }

  async #gap() {
    if (this.case.gapMs) await delay(this.case.gapMs);
  }

  async #end(action) {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    this.weEnded = true;
    this.phase = `ending (${action})`;
    if (action === "reset") socket.resetAndDestroy();
    else if (action === "destroy") socket.destroy();
    else {
      socket.end();
      // After our FIN the server must close too. The firmware's socket (the SDK's, on lwip)
      // reports a FIN only once every byte received is read, and the firmware does not read a
      // client while bytes wait for it: then it closes once the client has taken nothing for
      // sendTimeout (or, without one, once a ping goes unanswered), and closeTimeout later.
      const { limits } = this.ctx;
      const stalled = this.ctx.firmware ? stalledClientMs(limits) : 0;
      const waitMs = this.ctx.replyTimeoutMs + limits.closeTimeout + stalled;
      if (!(await this.until(() => this.closed, waitMs)))
        this.problem(`the server did not close TCP within ${waitMs} ms of the client's FIN`);
    }
  }

  dispose() {
    this.socket?.destroy();
  }

  result() {
    return {
      iteration: this.case.iteration,
      problems: this.problems,
      http: this.http,
      close: this.close,
      path: this.analysis?.path ?? null,
      verdict: this.analysis?.verdict ?? null,
      violation: this.model?.violation ?? null,
      knownIssue: this.knownIssue,
      sent: this.sent,
      received: Buffer.concat(this.output.chunks),
      notes: this.notes,
      ms: performance.now() - this.started,
    };
  }
}

/**
 * Where the firmware refuses a request before its head ends (40a3962): the first NUL or
 * non-ASCII byte, or a character of the method that is no token character; -1 when none.
 */
function earlyRefusalAt(bytes) {
  let inMethod = true;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0 || byte > 0x7e) return i;
    if (!inMethod) continue;
    if (byte === 32) inMethod = false;
    else if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/.test(String.fromCharCode(byte))) return i;
  }
  return -1;
}

function matches(item, event) {
  if (item.kind !== event.kind) return false;
  if (item.kind === "message")
    return item.opcode === event.opcode && item.payload.equals(event.payload);
  if (item.kind === "pong") return item.payload.equals(event.payload);
  if (item.kind === "close") return item.codes.includes(event.code);
  return false;
}
