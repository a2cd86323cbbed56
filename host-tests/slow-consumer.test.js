// A slow consumer: a /broadcast client that stops reading. What is sent to it waits in the
// server, within the server's buffer budget (maxBuffered, all clients together); once the budget
// is full the server stops reading the senders (TCP holds them back: a burst is not slowness), and
// once the paused client has taken nothing for sendTimeout ms it is closed with 1008 (frames not
// yet started are dropped, then the close frame is sent; it sees that close once it reads again,
// after the data before it). The fast client is held back at most that long, and gets every
// message, in order. Firmware-specific.
//
// Before the server's own queue grows, the kernel buffers between the server and the paused
// client fill up. How much they take depends on the path, so the test does not compute a volume:
// the fast client keeps sending until GET /status shows that the server has stopped queuing
// messages for the slow client (it is closing it) or has dropped it. An upper bound of those
// buffers only caps the run, as a failure. Measured on the simulator (Linux loopback): the
// server's kernel send buffer is autotuned to ~3.9 MB for loopback's 64 KB segments and takes
// ~2.55 MB of it (Linux reports a socket writable while under 2/3 full, and the simulator writes
// only then), the paused client's receive buffer ~120 KB: ~2.7 MB in all. The simulator's
// sockets move at most 1536 bytes per 20 ms poll, so ~74 KB/s reaches the paused client however
// fast the others send: ~37 s. On a board, lwip's send buffer is 8 KB and the host's receive
// buffer ~128 KB.
//
// A client that does not read cannot answer pings either. Once bytes wait for it in the server,
// the server sends it no ping and leaves it to sendTimeout; before that, during the fill, a ping
// could go unanswered. On its own instance (the platform layer, and the simulator under
// `npm run test:sim`) the test runs with pings minutes apart and a short sendTimeout; on a shared
// target (a board) the fill, estimated from the throughput measured first, must end well within
// pingTimeout, or the test skips, saying so.
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { fetchStatus, targetLimits, waitForClientCount } from "./support/status.js";
import { skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

/**
 * Messages the fast client keeps in flight. The simulator's socket reads and writes 1536 bytes
 * per 20 ms poll: one message at a time leaves one direction idle (~36 KB/s), four in flight keep
 * both busy (~74 KB/s, the most its socket to the paused client takes anyway).
 */
const WINDOW = 4;
/** Largest server frame header (unmasked, 64-bit length). */
const MAX_FRAME_HEADER = 10;
/** Ping interval of the test's own instance: longer than the test, the paused client is silent. */
const OWN_INSTANCE_PING_INTERVAL = 300_000;
/** sendTimeout of the test's own instance. */
const OWN_INSTANCE_SEND_TIMEOUT = 1000;
/** The server checks its clients' timeouts at most this far apart (server.ts). */
const SERVER_TICK_MS = 1000;
/** Server frames the budget does not refuse (pings and pongs) that may sit in a queue. */
const CONTROL_FRAMES_SLACK = 2 * 127;
/** Longest fill on the test's own instance before the test fails (the simulator takes ~37 s). */
const OWN_INSTANCE_FILL_MS = 90_000;
/** Longest fill on a shared target, or the test skips; at most this share of pingTimeout, too. */
const SHARED_TARGET_FILL_MS = 30_000;
const FILL_SHARE_OF_PING_TIMEOUT = 0.8;
const STATUS_POLL_MS = 50;

/** [min, default, max] of a Linux TCP buffer sysctl, or the usual values elsewhere. */
function tcpMemory(name, fallback) {
  try {
    const values = readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8").trim().split(/\s+/);
    return values.map(Number);
  } catch {
    return fallback;
  }
}

/**
 * At most the bytes that can be on their way to a client that does not read before the server's
 * queue grows: the client's receive buffer (not autotuned while it does not read), and for a
 * server on a host's sockets its kernel send buffer too (autotuned up to tcp_wmem's maximum); the
 * ESP32's lwip send buffer is 8 KiB.
 */
function bufferedBeforeQueue(kind, engine) {
  const [, receiveDefault] = tcpMemory("tcp_rmem", [4096, 131072, 6291456]);
  const [, , sendMax] = tcpMemory("tcp_wmem", [4096, 16384, 4194304]);
  // The platform layer (npm start, also when tested as a board) says its engine in /status: its
  // sockets are the host's, as the simulator's are; a board's firmware says "xs".
  const hostSockets = kind === "platform" || kind === "sim" || (engine && engine !== "xs");
  return receiveDefault + (hostSockets ? sendMax : 8192);
}

/** Message `seq` of `size` bytes: its number in the first 4 bytes, then a pattern. */
function payloadFor(seq, size) {
  const bytes = Buffer.alloc(size, seq & 0xff);
  bytes.writeUInt32BE(seq, 0);
  return bytes;
}

/**
 * The fast /broadcast client. It keeps up to WINDOW messages in flight and checks that each one
 * comes back intact, in order, within `timeoutMs` of being sent: a server that held it up behind
 * the slow client longer than the timeout (sendTimeout, and a reply's time) fails that.
 */
class FastClient {
  #client;
  #timeoutMs;
  #inFlight = []; // { seq, payload, sentAt, written }
  /** Payload bytes of each message. */
  size;
  /** Number of the next message to send. */
  next = 0;
  /** Slowest round trip so far, in ms. */
  slowest = 0;

  constructor(client, { size, timeoutMs }) {
    this.#client = client;
    this.size = size;
    this.#timeoutMs = timeoutMs;
  }

  /** Sends while `keepGoing()` holds (checked after each reply); resolves once all are back. */
  async run(keepGoing) {
    while (keepGoing()) {
      while (this.#inFlight.length < WINDOW) this.#send();
      await this.#receiveOldest();
    }
    while (this.#inFlight.length) await this.#receiveOldest();
  }

  #send() {
    const seq = this.next++;
    const payload = payloadFor(seq, this.size);
    // Resolves with the write error, if any, so that no rejection waits unhandled meanwhile.
    const written = this.#client.send(payload).then(
      () => null,
      (err) => err,
    );
    this.#inFlight.push({ seq, payload, sentAt: performance.now(), written });
  }

  async #receiveOldest() {
    const { seq, payload, sentAt, written } = this.#inFlight.shift();
    const writeError = await written;
    if (writeError) throw new Error(`fast client, sending #${seq}: ${writeError.message}`);
    let data;
    try {
      const left = sentAt + this.#timeoutMs - performance.now();
      ({ data } = await this.#client.nextMessage(Math.max(1, left)));
    } catch (err) {
      throw new Error(
        `fast client, message #${seq} (${this.#timeoutMs} ms to come back): ${err.message}`,
        { cause: err },
      );
    }
    if (!data.equals(payload)) {
      throw new Error(`the fast client got message #${data.readUInt32BE(0)} where #${seq} was due`);
    }
    this.slowest = Math.max(this.slowest, performance.now() - sentAt);
  }
}

/**
 * The slow client's id once it has joined, and the gap between the fast client's messagesOut and
 * its own then (the fast client's earlier messages): it stays the same while both get every
 * broadcast.
 */
async function slowClientJoined(t, fastId) {
  const { clients } = await fetchStatus(t);
  const fast = clients.find((c) => c.id === fastId);
  const slow = clients.find((c) => c.id !== fastId);
  return { slowId: slow.id, gap: fast.messagesOut - slow.messagesOut };
}

/**
 * Polls GET /status while the fast client sends, until the server stops queuing messages for the
 * slow client: once it is closing it (1008), broadcasts skip it, so the gap between the fast
 * client's messagesOut and its own grows; or it has left. Also records the most bytes seen queued
 * for it and the most the server held in buffers.
 */
function watchSlowClient(t, { fastId, slowId, gap }) {
  const seen = { closing: false, left: false, mostQueued: 0, mostHeld: 0 };
  let polling = true;
  const done = (async () => {
    while (polling && !seen.closing) {
      try {
        const { clients, buffers } = await fetchStatus(t);
        seen.mostHeld = Math.max(seen.mostHeld, buffers.held);
        const fast = clients.find((c) => c.id === fastId);
        const slow = clients.find((c) => c.id === slowId);
        if (!slow) {
          seen.left = seen.closing = true;
        } else {
          seen.mostQueued = Math.max(seen.mostQueued, slow.queuedBytes);
          if (fast && fast.messagesOut - slow.messagesOut > gap) seen.closing = true;
        }
      } catch {
        // a busy or full server: try again
      }
      await delay(STATUS_POLL_MS);
    }
  })();
  return {
    seen,
    async stop() {
      polling = false;
      await done;
    },
  };
}

/**
 * The fast client sends until /status shows the slow client closing or gone, `capBytes` have
 * been sent, or `limitMs` have passed. Resolves with what happened.
 */
async function fillUntilClosing(t, fast, { fastId, capBytes, limitMs }) {
  const { slowId, gap } = await slowClientJoined(t, fastId);
  const first = fast.next;
  const started = performance.now();
  const watch = watchSlowClient(t, { fastId, slowId, gap });
  try {
    await fast.run(
      () =>
        !watch.seen.closing &&
        (fast.next - first) * fast.size < capBytes &&
        performance.now() - started < limitMs,
    );
  } finally {
    await watch.stop();
  }
  return { ...watch.seen, sent: fast.next - first, seconds: (performance.now() - started) / 1000 };
}

/** Fast client's throughput alone, in payload bytes/s: 20 messages, or 1 s on a slow target. */
async function measureThroughput(fast) {
  const started = performance.now();
  const first = fast.next;
  const elapsed = () => performance.now() - started;
  await fast.run(() => {
    const count = fast.next - first;
    return count < 20 && (count < 2 * WINDOW || elapsed() < 1000);
  });
  return ((fast.next - first) * fast.size) / (elapsed() / 1000);
}

/**
 * The slow client reads again: a prefix of the messages from `first` on, intact and in order
 * (fewer than `sent`), then close 1008.
 */
async function expectPrefixThenClose(slow, { first, sent, size, timeoutMs, summary }) {
  slow.resume();
  let received = 0;
  for (;;) {
    let message;
    try {
      message = await slow.nextMessage(timeoutMs, { stopAtClose: true });
    } catch (err) {
      throw new Error(`slow client, after ${received} messages: ${err.message}; ${summary}`, {
        cause: err,
      });
    }
    if (message === null) break;
    const expected = payloadFor(first + received, size);
    expect(
      message.payload.equals(expected),
      `slow client message ${received}: #${message.payload.readUInt32BE(0)} (${message.payload.length} B), expected #${first + received}`,
    ).to.equal(true);
    received++;
  }
  expect(received, `messages the slow client got before the close; ${summary}`).to.be.below(sent);
  await slow.expectClose(1008);
}

describe("slow consumer", function () {
  this.timeout(target.timeoutMs);

  it("[firmware] closes a /broadcast client that takes nothing for sendTimeout with 1008, holding at most maxBuffered meanwhile; a fast client gets every message", async function () {
    let t = target;
    let instance = null;
    if (canStartInstance({ simulator: true })) {
      this.timeout(instanceStartMs());
      instance = await startInstance({
        pingInterval: OWN_INSTANCE_PING_INTERVAL,
        sendTimeout: OWN_INSTANCE_SEND_TIMEOUT,
      });
      t = instance;
    }
    try {
      const limits = await targetLimits(this, t);
      if (!limits.sendTimeout)
        skipBecause(this, "sendTimeout=0: no client is closed for not reading");
      // Until the server's queue for the paused client grows, a ping sent to it goes unanswered
      // and drops it pingTimeout later; from then on sendTimeout alone watches it.
      const fillLimitMs = instance
        ? OWN_INSTANCE_FILL_MS
        : Math.min(SHARED_TARGET_FILL_MS, FILL_SHARE_OF_PING_TIMEOUT * limits.pingTimeout);
      this.timeout(
        (instance ? instanceStartMs() : 0) +
          fillLimitMs +
          limits.sendTimeout +
          3 * target.timeoutMs,
      );
      await runSlowConsumer(this, t, limits, { sharedTarget: !instance, fillLimitMs });
    } finally {
      await instance?.stop();
    }
  });
});

async function runSlowConsumer(context, t, limits, options) {
  const { maxBuffered, maxMessageSize, sendTimeout, pingTimeout } = limits;
  const { sharedTarget, fillLimitMs } = options;
  await waitForClientCount(0, { t });
  // Twice WINDOW messages of this size fit in the budget: the fast client's own in flight, and
  // as many for the slow client before the budget holds the fast client back.
  const size = Math.max(
    16,
    Math.min(Math.floor(maxBuffered / (2 * WINDOW)) - MAX_FRAME_HEADER, maxMessageSize),
  );
  const fastClient = await WsClient.open(t, { path: "/broadcast" });
  // Held back while the slow client fills the budget: at most until it is closed.
  const timeoutMs = t.replyTimeoutMs + sendTimeout + SERVER_TICK_MS;
  const fast = new FastClient(fastClient, { size, timeoutMs });
  const fastId = (await fetchStatus(t)).clients[0]?.id;

  const bytesPerSecond = await measureThroughput(fast);
  const { engine } = await fetchStatus(t);
  const capBytes = 2 * (bufferedBeforeQueue(t.kind, engine) + maxBuffered + 2 * size);
  const capSeconds = capBytes / bytesPerSecond;
  if (sharedTarget && capSeconds > fillLimitMs / 1000) {
    skipBecause(
      context,
      `may need ~${(capBytes / 1e6).toFixed(1)} MB through the server (2 × host buffers + maxBuffered) ` +
        `at the measured ${(bytesPerSecond / 1e3).toFixed(0)} KB/s: ~${capSeconds.toFixed(0)} s, ` +
        `over ${(fillLimitMs / 1000).toFixed(1)} s: a ping sent to the paused client before the ` +
        `server's queue for it grows would drop it first (pingTimeout ${pingTimeout} ms)`,
    );
  }

  const first = fast.next; // the slow client receives messages from this one on
  const slow = await RawClient.open(t, { path: "/broadcast" });
  slow.pause();
  const fill = await fillUntilClosing(t, fast, {
    fastId,
    capBytes,
    limitMs: fillLimitMs + sendTimeout + SERVER_TICK_MS,
  });
  const summary =
    `${fill.sent} messages of ${size} B sent after the slow client stopped reading ` +
    `(${((fill.sent * size) / 1e6).toFixed(2)} MB in ${fill.seconds.toFixed(1)} s; ` +
    `${(bytesPerSecond / 1e3).toFixed(0)} KB/s with the fast client alone), most queued for it ` +
    `seen in /status ${fill.mostQueued} B, most held ${fill.mostHeld} B (maxBuffered ${maxBuffered})` +
    `${fill.left ? ", then it left /status" : ""}; slowest round trip of the fast client ` +
    `${fast.slowest.toFixed(0)} ms`;
  expect(fill.closing, `the server still queues for the paused client: ${summary}`).to.equal(true);
  const slack = sharedTarget ? CONTROL_FRAMES_SLACK : 0;
  expect(fill.mostQueued, `queued for the paused client; ${summary}`).to.be.at.most(
    maxBuffered + slack,
  );
  const { buffers } = await fetchStatus(t);
  if (!sharedTarget)
    expect(buffers.peak, `the most the server held; ${summary}`).to.be.at.most(maxBuffered);
  await fastClient.expectQuiet(t.quietMs);

  await expectPrefixThenClose(slow, {
    first,
    sent: fill.sent,
    size,
    timeoutMs: t.replyTimeoutMs,
    summary,
  });

  // The fast client carries on, alone again.
  const more = fast.next + 1;
  await fast.run(() => fast.next < more);
}
