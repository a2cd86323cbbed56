// One TCP connection that carries HTTP requests one at a time (no pipelining), with the host time
// each request left and its response arrived, and the bytes each way on the socket.
import { performance } from "node:perf_hooks";
import { connectTcp } from "../wire/tcp.js";
import { ResponseReader } from "../wire/http-responses.js";

export class HttpConnection {
  #socket;
  #reader = new ResponseReader();
  #pending = null; // { resolve, reject, sent }
  #closedAt = null;
  #closing;
  /** Responses received on it. */
  responses = 0;

  /** Opens a connection (Nagle off); rejects when it cannot (refused, unreachable, timeout). */
  static async open(host, port, { timeoutMs = 5000 } = {}) {
    return new HttpConnection(await connectTcp(host, port, { timeoutMs }));
  }

  /** @param {import("node:net").Socket} socket connected */
  constructor(socket) {
    this.#socket = socket;
    this.#closing = new Promise((resolve) => socket.once("close", resolve));
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("end", () => this.#ended("the server closed the connection"));
    socket.on("error", (error) => this.#ended(error.message));
    socket.on("close", () => this.#ended("the connection closed"));
  }

  /** Whether the connection can take no more requests (the server closed it, or it broke). */
  get closed() {
    return this.#closedAt !== null;
  }

  /** Resolves once the socket has closed. */
  get whenClosed() {
    return this.#closing;
  }

  get bytesWritten() {
    return this.#socket.bytesWritten;
  }

  get bytesRead() {
    return this.#socket.bytesRead;
  }

  /**
   * Sends `request` and resolves `{ response, sent, received }` once its response is complete;
   * rejects when the connection ends first (`error.beforeResponse`: no byte of a response came).
   */
  request(request) {
    if (this.#pending) throw new Error("one request at a time");
    if (this.closed) return Promise.reject(this.#error(this.#closedAt, true));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject, sent: performance.now() };
      this.#socket.write(request);
    });
  }

  /** Ends the connection (a FIN after what was written) and resolves once it is closed. */
  async close({ timeoutMs = 2000 } = {}) {
    this.#socket.end();
    const timer = setTimeout(() => this.#socket.destroy(), timeoutMs);
    await this.#closing;
    clearTimeout(timer);
  }

  #onData(chunk) {
    const received = performance.now();
    let responses;
    try {
      responses = this.#reader.push(chunk);
    } catch (error) {
      return this.#fail(error);
    }
    for (const response of responses) {
      this.responses++;
      const pending = this.#pending;
      this.#pending = null;
      if (!pending) return this.#fail(new Error("a response that no request asked for"));
      pending.resolve({ response, sent: pending.sent, received });
    }
  }

  #ended(why) {
    if (this.#closedAt !== null) return;
    this.#closedAt = why;
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    let response;
    try {
      response = this.#reader.end(); // a response without Content-Length ends with the connection
    } catch (error) {
      return pending.reject(error);
    }
    if (response) pending.resolve({ response, sent: pending.sent, received: performance.now() });
    else pending.reject(this.#error(why, true));
  }

  #fail(error) {
    const pending = this.#pending;
    this.#pending = null;
    this.#socket.destroy();
    pending?.reject(error);
  }

  #error(why, beforeResponse) {
    return Object.assign(new Error(`${why} before a response`), { beforeResponse });
  }
}
