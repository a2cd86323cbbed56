// The server's clock on the host's: the server tells its uptime (`now`, ms) in every GET /tick
// response, made some time between the host's sending the request and its receiving the answer.
// With the answer made halfway, offset = (sent + received) / 2 − now turns the server's uptime
// into the host's time; it is off by at most half the round trip (plus the server clock's
// resolution, 1 ms), so the sample with the shortest round trip is the one kept.

/**
 * @param {{ sent: number, received: number, now: number }[]} samples host times (ms) of each
 *   request's sending and its response's receipt, and the server's uptime in the response
 * @returns {{ offset: number, roundTrip: number, samples: number } | null} host time = server
 *   uptime + offset; null without a sample
 */
export function estimateOffset(samples) {
  let best = null;
  for (const { sent, received, now } of samples) {
    if (![sent, received, now].every(Number.isFinite)) continue;
    const roundTrip = received - sent;
    if (!best || roundTrip < best.roundTrip)
      best = { offset: (sent + received) / 2 - now, roundTrip };
  }
  return best && { ...best, samples: samples.length };
}

/** The host time (ms) of a server uptime (ms). */
export function hostTime(serverMs, clock) {
  return serverMs + clock.offset;
}
