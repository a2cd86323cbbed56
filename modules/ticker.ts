/*
 * News the board makes on its own: every `ms` a "tick <n>" to every client of an endpoint (a push),
 * and the latest tick as JSON for a client that has to poll for it (GET /tick).
 */
import { type HttpReply, jsonReply } from "http/response";
import Timer from "timer";
import type { Endpoint } from "websocket/endpoint";

export class Ticker {
  readonly #startedAt: number;
  #tick = 0;
  #at: number | null = null; // when the latest tick was made, ms after the start

  /** Ticks to `endpoint`'s clients every `ms` (0: never); times count from `startedAt`. */
  constructor(endpoint: Endpoint, ms: number, startedAt: number) {
    this.#startedAt = startedAt;
    if (ms <= 0) return;
    Timer.repeat(() => {
      this.#at = Date.now() - startedAt;
      endpoint.send(`tick ${++this.#tick}`);
    }, ms);
  }

  /** {"tick": n, "at": ms, "now": ms}: the latest tick, when it was made, and now. */
  reply(): HttpReply {
    return jsonReply({ tick: this.#tick, at: this.#at, now: Date.now() - this.#startedAt });
  }
}
