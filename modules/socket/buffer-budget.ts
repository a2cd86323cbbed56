/*
 * One budget for the bytes the server holds in buffers, all clients together (`maxBuffered`): the
 * messages being assembled and every frame and response waiting to be written. An ESP32 without
 * PSRAM aborts when XS runs out of heap; the budget keeps what clients can make it hold below that.
 */

/** What waits for room: told when bytes are given back. */
export interface RoomWaiter {
  roomMade(): void;
}

/**
 * Incoming messages ask for room first (`fits`, then `take`): a client whose message does not fit
 * now is not read until some is given back (`wait`); one that can never fit is refused. What the
 * server sends on its own (pings, pongs, replies, events, HTTP answers) is counted when queued and
 * never refused: it is small, and it stops growing once no message is read.
 */
export class BufferBudget {
  readonly limit: number;
  #held = 0;
  #peak = 0;
  #waiters: RoomWaiter[] | null = null; // in the order they came
  #waking = false;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes held now. */
  get held(): number {
    return this.#held;
  }

  /** The most held at any one time since the start. */
  get peak(): number {
    return this.#peak;
  }

  /** True when `bytes` more fit now. */
  fits(bytes: number): boolean {
    return this.#held + bytes <= this.limit;
  }

  /** Counts `bytes` as held (after `fits`, or for what the server sends on its own). */
  take(bytes: number): void {
    this.#held += bytes;
    if (this.#held > this.#peak) this.#peak = this.#held;
  }

  /**
   * Gives `bytes` back. Every waiter is told, in order, and asks again: once the callback that
   * gave them back is over (a promise job), not inside it, so that no waiter runs in the middle
   * of a queue's write.
   */
  give(bytes: number): void {
    if (bytes <= 0) return;
    this.#held -= bytes;
    if (!this.#waiters || this.#waking) return;
    this.#waking = true;
    Promise.resolve().then(() => this.#wake());
  }

  #wake(): void {
    this.#waking = false;
    const waiters = this.#waiters;
    this.#waiters = null;
    if (waiters) for (const waiter of waiters) waiter.roomMade();
  }

  /** Tells `waiter` when bytes are given back (once; it waits again if there is still no room). */
  wait(waiter: RoomWaiter): void {
    const waiters = (this.#waiters ??= []);
    if (!waiters.includes(waiter)) waiters.push(waiter);
  }

  /** Forgets `waiter` (a connection that ended). */
  forget(waiter: RoomWaiter): void {
    const waiters = this.#waiters;
    if (!waiters) return;
    const index = waiters.indexOf(waiter);
    if (index >= 0) waiters.splice(index, 1);
    if (waiters.length === 0) this.#waiters = null;
  }
}
