// How long the watcher waits before reconnecting: the first delay, doubling after each
// connection that failed or ended soon, up to a maximum; back to the first delay after a
// connection that stayed open a while (the server was fine, it just closed).

export const BACKOFF_DEFAULTS = { firstMs: 1000, maxMs: 30_000, resetAfterMs: 10_000 };

export class Backoff {
  constructor({ firstMs, maxMs, resetAfterMs } = BACKOFF_DEFAULTS) {
    this.firstMs = firstMs;
    this.maxMs = Math.max(maxMs, firstMs);
    this.resetAfterMs = resetAfterMs;
    this.nextMs = firstMs;
  }

  /**
   * The delay before the next attempt, given how long the last connection stayed open (null
   * when it never opened).
   */
  next(openForMs) {
    if (openForMs !== null && openForMs >= this.resetAfterMs) this.nextMs = this.firstMs;
    const delay = this.nextMs;
    this.nextMs = Math.min(this.maxMs, this.nextMs * 2);
    return delay;
  }
}
