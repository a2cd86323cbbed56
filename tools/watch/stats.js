// What one connection of the watcher has received: counts, bytes, pings, and the message rate
// over the last few seconds. Pure: every method takes the time (ms) instead of reading a clock.

/** The msgs/s figure covers this many ms before now. */
export const RATE_WINDOW_MS = 5000;
const BUCKET_MS = 100;
const BUCKETS = RATE_WINDOW_MS / BUCKET_MS;

export class StreamStats {
  /** @param {number} openedAt when the connection opened (ms) */
  constructor(openedAt) {
    this.openedAt = openedAt;
    this.messages = 0;
    this.bytes = 0;
    this.pings = 0;
    this.lastMessageAt = null;
    // A ring of 100 ms buckets: slot i counts the messages of bucket number `index[i]`.
    this.index = new Array(BUCKETS).fill(-1);
    this.count = new Array(BUCKETS).fill(0);
  }

  message(bytes, now) {
    this.messages++;
    this.bytes += bytes;
    this.lastMessageAt = now;
    const bucket = Math.floor(now / BUCKET_MS);
    const slot = bucket % BUCKETS;
    if (this.index[slot] !== bucket) {
      this.index[slot] = bucket;
      this.count[slot] = 0;
    }
    this.count[slot]++;
  }

  ping() {
    this.pings++;
  }

  /** Messages per second over the last RATE_WINDOW_MS (or since the connection opened). */
  rate(now) {
    const bucket = Math.floor(now / BUCKET_MS);
    const oldest = bucket - BUCKETS + 1;
    let sum = 0;
    for (let slot = 0; slot < BUCKETS; slot++) {
      if (this.index[slot] >= oldest && this.index[slot] <= bucket) sum += this.count[slot];
    }
    // The window starts at the oldest bucket's start, or when the connection opened if later;
    // never less than one bucket, so that the first message does not read as thousands a second.
    const span = Math.max(BUCKET_MS, now - Math.max(oldest * BUCKET_MS, this.openedAt));
    return (sum * 1000) / span;
  }

  snapshot(now) {
    return {
      openForMs: now - this.openedAt,
      messages: this.messages,
      bytes: this.bytes,
      pings: this.pings,
      rate: this.rate(now),
      lastMessageAgeMs: this.lastMessageAt === null ? null : now - this.lastMessageAt,
    };
  }
}
