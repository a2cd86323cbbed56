// A fan-out under resets: several clients of an endpoint that sends to all its clients at once
// (/broadcast: every message to every client; /api: events to every client) connect together; some
// reset their connections while one sends a burst of messages, so that the server writes to
// clients that are gone from inside a broadcast, with the other clients still there: its
// failing-write paths. The sender must get every answer, and the server must stay up.
import { openClient } from "./open-client.js";
import { iterationSeed, Random } from "./prng.js";

/** Rounds are seeded apart from the iterations: round r draws from iteration FIRST_ROUND + r. */
const FIRST_ROUND = 1_000_000;

/** What the sender sends on each endpoint, and what answers it must get for each message. */
const ENDPOINTS = {
  "/broadcast": {
    message: (rng, i) => `fan-out ${i} ${"x".repeat(rng.between(0, 1500))}`,
    // its own message comes back, among the others'
    isAnswer: (data, sent) => sent.includes(data),
  },
  "/api": {
    message: (_, i) => JSON.stringify({ id: `fan-out ${i}`, cmd: "light", on: "toggle" }),
    // a reply with its id (each toggle is also an event to every /api client)
    isAnswer: (data) => /"id":"fan-out \d+"/.test(data),
  },
};

/**
 * One round: `others` clients beside the sender on `path` of `origin` (ws://host:port); returns
 * { path, resets, messages, problems }.
 */
export async function fanOut({ origin, path, seed, round, others = 2, timeoutMs = 3000 }) {
  const rng = new Random(iterationSeed(seed, FIRST_ROUND + round));
  const endpoint = ENDPOINTS[path];
  const url = `${origin}${path}`;
  const problems = [];
  const clients = [];
  try {
    for (let i = 0; i <= others; i++) clients.push(await openClient(url, timeoutMs));
  } catch (error) {
    for (const ws of clients) ws.terminate();
    return { path, resets: 0, messages: 0, problems: [`fan-out on ${path}: ${error.message}`] };
  }
  const [sender, ...leaving] = clients;
  const count = rng.between(4, 12);
  const sent = Array.from({ length: count }, (_, i) => endpoint.message(rng, i));
  let answered = 0;
  const done = new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    sender.on("message", (data) => {
      if (endpoint.isAnswer(data.toString(), sent) && ++answered === count) {
        clearTimeout(timer);
        resolve();
      }
    });
    sender.on("close", (code) => {
      problems.push(`fan-out on ${path}: the sender was closed (${code})`);
      clearTimeout(timer);
      resolve();
    });
  });
  // The others reset at once or after a few ms; the burst goes out meanwhile, in one or more writes.
  for (const ws of leaving) {
    const delayMs = rng.chance(0.5) ? 0 : rng.between(1, 20);
    setTimeout(() => ws._socket?.resetAndDestroy(), delayMs);
  }
  const cut = rng.between(1, count);
  for (const [i, message] of sent.entries()) {
    if (i === cut) await new Promise((resolve) => setTimeout(resolve, rng.between(0, 10)));
    sender.send(message);
  }
  await done;
  if (answered < count && !problems.length)
    problems.push(
      `fan-out on ${path}: the sender got ${answered} of ${count} answers within ${timeoutMs} ms`,
    );
  sender.close();
  return { path, resets: leaving.length, messages: count, problems };
}
