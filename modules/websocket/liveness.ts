/*
 * Ping-based liveness for one client: when to ping it, when it is overdue (nothing from it within
 * pingTimeout: the client is gone, or its network is), and when it has been idle too long.
 * Anything read after a ping answers it as a pong would: a client streaming a long message may
 * have its pong queued behind that message, and its bytes show it is there. Liveness judges only
 * what the server reads: while the server is not reading the client (see `hold`), its deadlines
 * do not run out.
 */
export interface LivenessOptions {
  /** Ping every pingInterval ms (0: never). */
  pingInterval: number;
  /** A pong must come within pingTimeout ms of the ping. */
  pingTimeout: number;
  /** Nothing received for idleTimeout ms means idle (0: never). */
  idleTimeout: number;
}

export const LivenessAction = Object.freeze({ none: 0, ping: 1, drop: 2, closeIdle: 3 });

export class Liveness {
  #lastReceived: number;
  #lastPing: number;
  #pongDue = 0; // when the pong to the last ping is overdue (0: no ping outstanding)
  #overdue = false; // the last check found the pong overdue

  constructor(now: number) {
    this.#lastReceived = now;
    this.#lastPing = now;
  }

  /** Anything arrived from the client (a pong, a message, any bytes): it is there. */
  received(now: number): void {
    this.#lastReceived = now;
    this.#pongDue = 0;
    this.#overdue = false;
  }

  pong(): void {
    this.#pongDue = 0;
    this.#overdue = false;
  }

  /**
   * The server is not reading the client at `now` (bytes wait for it, or for room): it cannot see
   * a pong or anything else, so nothing is due before a whole pingTimeout (or idleTimeout) after
   * it reads again. A client that takes nothing is sendTimeout's to judge, not this.
   */
  hold(now: number, options: LivenessOptions): void {
    if (this.#pongDue) this.#pongDue = Math.max(this.#pongDue, now + options.pingTimeout);
    this.#lastReceived = Math.max(this.#lastReceived, now);
    this.#overdue = false;
  }

  /**
   * What to do at `now`; a ping returned here counts as sent. A pong found overdue drops the
   * client only if it is still overdue at the next check: what its socket received meanwhile (a
   * busy board runs a late timer before the socket's news) is read first.
   */
  check(now: number, options: LivenessOptions): number {
    if (this.#pongDue && now >= this.#pongDue) {
      if (this.#overdue) return LivenessAction.drop;
      this.#overdue = true;
      return LivenessAction.none;
    }
    if (options.idleTimeout && now - this.#lastReceived >= options.idleTimeout)
      return LivenessAction.closeIdle;
    if (options.pingInterval && !this.#pongDue && now - this.#lastPing >= options.pingInterval) {
      this.#lastPing = now;
      this.#pongDue = now + options.pingTimeout;
      return LivenessAction.ping;
    }
    return LivenessAction.none;
  }
}
