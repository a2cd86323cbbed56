/*
 * At most `limit` events per `windowMs` (a fixed window): enough to tell a client that pings now
 * and then from one that floods the board with pings, each of which would cost a pong.
 */
export class RateLimit {
  readonly #limit: number;
  readonly #windowMs: number;
  #windowStart = 0;
  #count = 0;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one event at `now`; false once more than `limit` fell in the current window. */
  allow(now: number): boolean {
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    this.#count++;
    return this.#count <= this.#limit;
  }
}
