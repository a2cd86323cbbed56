// The fuzzer's bystander: an ordinary `ws` client that stays connected to the echo endpoint for
// the whole run and must keep echoing, whatever the fuzz connections do. Also used for the fresh
// client that must connect and echo at the end.
import { openClient } from "./open-client.js";

export class Bystander {
  /** Opens a `ws` client on `url`; rejects when it cannot connect within `timeoutMs`. */
  static async open(url, timeoutMs) {
    return new Bystander(await openClient(url, timeoutMs), timeoutMs);
  }

  #ws;
  #waiting = null;
  #count = 0;

  constructor(ws, timeoutMs) {
    this.#ws = ws;
    this.timeoutMs = timeoutMs;
    this.closed = null;
    this.error = null;
    this.checks = 0;
    ws.on("error", (error) => (this.error ??= error));
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#waiting?.fail(new Error(`the bystander was closed (${code} "${reason}")`));
    });
    ws.on("message", (data, isBinary) => this.#waiting?.got(Buffer.from(data), isBinary));
  }

  /** Sends one message and requires its echo within the timeout; rejects saying what went wrong. */
  async check(label = "") {
    if (this.closed) {
      const error = this.error ? `, error: ${this.error.message}` : "";
      throw new Error(
        `the bystander was closed (${this.closed.code} "${this.closed.reason}"${error})`,
      );
    }
    if (this.#waiting) throw new Error("a bystander check is already running");
    const text = `bystander ${++this.#count}${label ? ` ${label}` : ""}`;
    const started = performance.now();
    try {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the bystander got no echo within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
        this.#waiting = {
          got: (data, isBinary) => {
            clearTimeout(timer);
            if (isBinary || data.toString() !== text)
              reject(
                new Error(
                  `the bystander got ${JSON.stringify(data.toString().slice(0, 60))}, not its echo "${text}"`,
                ),
              );
            else resolve();
          },
          fail: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        this.#ws.send(text);
      });
    } finally {
      this.#waiting = null;
    }
    this.checks++;
    return performance.now() - started;
  }

  close() {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => {
        this.#ws.terminate();
        resolve();
      }, this.timeoutMs);
      this.#ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.#ws.close(1000);
    });
  }

  terminate() {
    this.#ws.terminate();
  }
}
