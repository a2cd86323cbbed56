// A thin promise wrapper around the `ws` client: queued messages, timeouts, cleanup.
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import WebSocket from "ws";
import { withPath } from "../../tools/wire/address.js";
import { tokenHeaders } from "../../tools/wire/opening-handshake.js";
import { register, unregister } from "../../tools/wire/open-connections.js";
import { Waiter } from "../../tools/wire/waiter.js";

export class WsClient {
  /**
   * Opens a WebSocket to `target.url`, or to another path of the same server. The `ws` client
   * answers the server's pings by itself.
   * @param {{url: string, replyTimeoutMs: number, token?: string}} target (its token goes with
   *   the request when the server has one)
   * `maxFragments`: the most fragments a message from the server may come in (the `ws` client's
   * default, 16 384; 0: any number).
   * @param {{path?: string, maxFragments?: number}} [options]
   */
  static open(target, { path, maxFragments } = {}) {
    const url = path ? withPath(target.url, path) : target.url;
    return new Promise((resolve, reject) => {
      const headers = tokenHeaders(target.token);
      const ws = new WebSocket(url, {
        handshakeTimeout: target.replyTimeoutMs,
        maxFragments,
        headers,
      });
      const onError = (err) => reject(new Error(`could not open ${url}: ${err.message}`));
      ws.once("error", onError);
      ws.once("open", () => {
        ws.removeListener("error", onError);
        resolve(new WsClient(ws, target.replyTimeoutMs));
      });
    });
  }

  #ws;
  #messages = [];
  #waiter = new Waiter();

  constructor(ws, replyTimeoutMs) {
    this.#ws = ws;
    this.replyTimeoutMs = replyTimeoutMs;
    /** Local address of the connection, as the server sees it (no NAT between them). */
    this.localAddress = String(ws._socket?.localAddress).replace(/^::ffff:/, "");
    this.closeInfo = null;
    this.error = null;
    ws.on("message", (data, isBinary) => {
      this.#messages.push({ data: Buffer.from(data), isBinary });
      this.#waiter.wake();
    });
    ws.on("error", (err) => {
      this.error ??= err;
    });
    ws.on("close", (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.#waiter.wake();
    });
    register(this);
  }

  /** Sends text (string) or binary (Buffer) and resolves once written. */
  send(data) {
    return new Promise((resolve, reject) => {
      this.#ws.send(data, { binary: typeof data !== "string" }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  /**
   * Sends one message as the fragments `parts` (Buffers), one frame each, and resolves once all
   * are written.
   */
  sendFragments(parts, { binary = true } = {}) {
    return new Promise((resolve, reject) => {
      parts.forEach((part, i) => {
        const last = i === parts.length - 1;
        this.#ws.send(part, { binary, fin: last }, (err) => {
          if (err) reject(err);
          else if (last) resolve();
        });
      });
    });
  }

  /** @returns {Promise<{data: Buffer, isBinary: boolean}>} */
  async nextMessage(timeoutMs = this.replyTimeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (this.#messages.length === 0) {
      if (this.closeInfo) {
        const { code, reason } = this.closeInfo;
        const why = this.error ? `, error: ${this.error.message}` : "";
        throw new Error(
          `connection closed (code ${code} "${reason}"${why}) while awaiting a message`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message from the server within ${timeoutMs} ms`);
      await this.#waiter.sleep(left);
    }
    return this.#messages.shift();
  }

  /** Messages received and not read yet, emptying the queue. */
  takeMessages() {
    return this.#messages.splice(0);
  }

  /** Fails if any message arrives, or the connection closes, within `ms`. */
  async expectQuiet(ms) {
    await delay(ms);
    const extra = this.#messages.map((m) => JSON.stringify(m.data.subarray(0, 40).toString()));
    expect(this.#messages.length, `unexpected message(s): ${extra.join(", ")}`).to.equal(0);
    expect(this.closeInfo, "the connection closed").to.equal(null);
  }

  /** Closes with 1000 and waits for the server's close (or gives up after the reply timeout). */
  async close() {
    if (!this.closeInfo) {
      const closed = new Promise((resolve) => this.#ws.once("close", resolve));
      this.#ws.close(1000);
      await Promise.race([closed, delay(this.replyTimeoutMs, null, { ref: false })]);
    }
    this.dispose();
    return this.closeInfo;
  }

  dispose() {
    this.#ws.terminate();
    unregister(this);
  }
}
