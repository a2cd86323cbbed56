// A slow consumer: a /broadcast client that stops reading. Once more than maxQueued bytes wait
// for it in the server, it is closed with 1008 (frames not yet started are dropped, then the close
// frame is sent; it sees that close once it reads again, after the data before it), and it never
// holds up delivery to the other clients. Firmware-specific.
//
// Before the server's own queue grows, the kernels' buffers between the server and the paused
// client fill up: on Linux loopback a paused reader absorbs ~4 MB (the sender's tcp_wmem maximum
// and the reader's tcp_rmem default). The volume to send is estimated from those and from the
// target's limits (GET /status). A client that does not read cannot answer pings either, so on a
// shared target the run must end well within pingTimeout; on the Node layer it runs on its own
// instance with pings every 60 s. Where the estimated time is too long, the test skips.
import { readFileSync } from "node:fs";
import { expect } from "chai";
import "./support/hooks.js";
import { canStartInstance, startInstance } from "./support/instance.js";
import { RawClient } from "./support/raw-client.js";
import { fetchStatus, targetLimits, waitForClientCount } from "./support/status.js";
import { skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

const MAX_SECONDS = 30;

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
 * Bytes that can be on their way to a client that does not read before the server's queue grows:
 * the client's receive buffer, and for a server on this machine its kernel send buffer too; the
 * ESP32's lwip send buffer is 8 KiB.
 */
function bufferedBeforeQueue(kind) {
  const [, receiveDefault] = tcpMemory("tcp_rmem", [4096, 131072, 6291456]);
  const [, , sendMax] = tcpMemory("tcp_wmem", [4096, 16384, 4194304]);
  const local = kind === "node" || kind === "sim";
  return receiveDefault + (local ? sendMax : 8192);
}

/** Message `seq` of `size` bytes: its number in the first 4 bytes, then a pattern. */
function payloadFor(seq, size) {
  const bytes = Buffer.alloc(size, seq & 0xff);
  bytes.writeUInt32BE(seq, 0);
  return bytes;
}

describe("slow consumer", function () {
  this.timeout(target.timeoutMs);

  it("[firmware] closes a /broadcast client that stops reading with 1008 past maxQueued; a fast client still gets every message", async function () {
    let t = target;
    let instance = null;
    let limits;
    if (canStartInstance()) {
      instance = await startInstance({ pingInterval: 60_000 });
      t = instance;
      limits = await targetLimits(this, t);
    } else {
      limits = await targetLimits(this);
    }
    this.timeout(MAX_SECONDS * 1000 + 3 * target.timeoutMs);
    try {
      await runSlowConsumer(this, t, limits, { sharedTarget: !instance });
    } finally {
      await instance?.stop();
    }
  });
});

async function runSlowConsumer(context, t, limits, { sharedTarget }) {
  const { maxQueued, pingTimeout } = limits;
  await waitForClientCount(0, { t });
  // Large messages fill the buffers quickly; half of maxQueued keeps the fast client's own queue
  // (one message at a time) far from the limit.
  const size = Math.max(1024, Math.min(Math.floor(maxQueued / 2), t.maxMessageSize));
  const fast = await WsClient.open(t, { path: "/broadcast" });
  const fastId = (await fetchStatus(t)).clients[0]?.id;

  let seq = 0;
  const roundTrip = async () => {
    const payload = payloadFor(seq++, size);
    const started = performance.now();
    await fast.send(payload);
    const { data } = await fast.nextMessage();
    if (!data.equals(payload)) {
      throw new Error(`the fast client got message #${data.readUInt32BE(0)} for #${seq - 1}`);
    }
    return performance.now() - started;
  };

  // Throughput with the fast client alone, to size the run: 20 messages, or 1 s on a slow target.
  const sampleStart = performance.now();
  let sample = 0;
  while (sample < 20 && (sample < 2 || performance.now() - sampleStart < 1000)) {
    await roundTrip();
    sample++;
  }
  const bytesPerSecond = (sample * size) / ((performance.now() - sampleStart) / 1000);
  const volume = maxQueued + 2 * size + bufferedBeforeQueue(t.kind);
  const seconds = (2 * volume) / bytesPerSecond;
  const allowed = sharedTarget ? Math.min(MAX_SECONDS, (0.5 * pingTimeout) / 1000) : MAX_SECONDS;
  if (seconds > allowed) {
    const why = sharedTarget
      ? `, and a client that does not read cannot answer pings (pingTimeout ${pingTimeout} ms)`
      : "";
    skipBecause(
      context,
      `needs ~${((2 * volume) / 1e6).toFixed(1)} MB through the server (2 × host buffers + maxQueued) at the ` +
        `measured ${(bytesPerSecond / 1e3).toFixed(0)} KB/s: ~${seconds.toFixed(0)} s, over ${allowed} s${why}`,
    );
  }
  const firstSlow = seq; // the slow client receives messages from this one on

  const slow = await RawClient.open(t, { path: "/broadcast" });
  slow.pause();

  // The fast client sends one message at a time and waits for its own copy (closed loop), so a
  // server that held it up behind the slow client would time it out. It sends twice the estimated
  // volume, or less if /status shows the slow client's queue above maxQueued (then two more
  // messages must close it) or the slow client gone.
  const cap = 2 * volume;
  const deadline = performance.now() + MAX_SECONDS * 1000;
  let sentToSlow = 0;
  let maxQueuedSeen = 0;
  let overAt = null; // seq when the slow client's queue was seen above maxQueued
  let slowGone = false;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      try {
        const status = await fetchStatus(t);
        const entry = status.clients.find((c) => c.path === "/broadcast" && c.id !== fastId);
        if (!entry) slowGone = true;
        else {
          maxQueuedSeen = Math.max(maxQueuedSeen, entry.queuedBytes);
          if (entry.queuedBytes > maxQueued) overAt ??= seq;
        }
      } catch {
        // a busy or full server: try again
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  let slowestRoundTrip = 0;
  try {
    while (!slowGone && sentToSlow < cap && performance.now() < deadline) {
      if (overAt !== null && seq >= overAt + 2) break;
      slowestRoundTrip = Math.max(slowestRoundTrip, await roundTrip());
      sentToSlow += size;
    }
  } finally {
    polling = false;
    await poller;
  }
  const sent = seq - firstSlow;
  const summary =
    `${sent} messages of ${size} B sent after the slow client stopped reading ` +
    `(${(sentToSlow / 1e6).toFixed(2)} MB), most queued for it seen in /status ${maxQueuedSeen} B ` +
    `(maxQueued ${maxQueued})${slowGone ? ", then it left /status" : ""}`;
  await fast.expectQuiet(t.quietMs);

  // The slow client reads again: a prefix of the messages, intact and in order, then close 1008.
  slow.resume();
  let received = 0;
  for (;;) {
    let message;
    try {
      message = await slow.nextMessage(t.replyTimeoutMs, { stopAtClose: true });
    } catch (err) {
      throw new Error(`slow client, after ${received} messages: ${err.message}; ${summary}`, {
        cause: err,
      });
    }
    if (message === null) break;
    const expected = payloadFor(firstSlow + received, size);
    expect(
      message.payload.equals(expected),
      `slow client message ${received}: #${message.payload.readUInt32BE(0)} (${message.payload.length} B), expected #${firstSlow + received}`,
    ).to.equal(true);
    received++;
  }
  expect(received, `messages the slow client got before the close; ${summary}`).to.be.below(sent);
  await slow.expectClose(1008);

  // The fast client carries on, alone again.
  await roundTrip();
  expect(slowestRoundTrip, "slowest round trip of the fast client (ms)").to.be.below(
    t.replyTimeoutMs,
  );
}
