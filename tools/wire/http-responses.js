// HTTP/1.1 responses read one after another from the bytes of one connection: each ends after
// its Content-Length bytes of body, or, without one, where the server closes the connection.
import { parseResponseHead } from "./raw-http.js";

const HEAD_END = Buffer.from("\r\n\r\n");

export class ResponseReader {
  #data = Buffer.alloc(0);

  /**
   * Adds bytes from the connection; returns the responses they complete (often none), each
   * `{ status, statusLine, headers, body, bytes }`, `bytes` its length on the wire.
   * @param {Buffer} chunk
   */
  push(chunk) {
    this.#data = this.#data.length ? Buffer.concat([this.#data, chunk]) : chunk;
    const complete = [];
    for (;;) {
      const end = this.#data.indexOf(HEAD_END);
      if (end < 0) break;
      const head = parseResponseHead(this.#data.subarray(0, end).toString("latin1"));
      const length = Number(head.headers["content-length"]);
      if (!Number.isSafeInteger(length) || length < 0) break; // read until the close
      const total = end + HEAD_END.length + length;
      if (this.#data.length < total) break;
      complete.push(this.#response(head, end + HEAD_END.length, total));
      this.#data = this.#data.subarray(total);
    }
    return complete;
  }

  /** Bytes of a response not yet complete. */
  get pending() {
    return this.#data.length;
  }

  /**
   * The connection closed: the response it ended (one without Content-Length), or null; throws
   * when bytes were left that are no complete response.
   */
  end() {
    if (!this.#data.length) return null;
    const end = this.#data.indexOf(HEAD_END);
    const head = end < 0 ? null : parseResponseHead(this.#data.subarray(0, end).toString("latin1"));
    if (!head || "content-length" in head.headers) {
      const text = JSON.stringify(this.#data.subarray(0, 200).toString("latin1"));
      throw new Error(`the connection closed in the middle of a response: ${text}`);
    }
    const response = this.#response(head, end + HEAD_END.length, this.#data.length);
    this.#data = Buffer.alloc(0);
    return response;
  }

  #response(head, bodyStart, total) {
    const body = this.#data.subarray(bodyStart, total).toString("utf8");
    return { ...head, body, bytes: total };
  }
}
