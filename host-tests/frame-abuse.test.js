// Hardening, WebSocket frames (issue 5): a client that sends absurd or lying frame headers, stops
// in the middle of a frame, sends thousands of fragments or invalid UTF-8 anywhere in a message
// gets a clear close code (or, stalled, is dropped after a bounded time), and a bystander
// (support/bystander().js) connected before keeps echoing, as does a client that connects after.
// Covered elsewhere: a ping over 125 bytes and the reserved bits and opcodes
// (protocol-errors.test.js), 1-byte and invalid close payloads (close-handshake.test.js), lengths
// over maxMessageSize and 2^32 (message-size.test.js), a few kinds of invalid UTF-8 (utf8.test.js).
//
// `[firmware]` tests check the firmware's own limits: maxFrames on its whole-message endpoint
// (target.wholePath; not in /status: support/firmware-config.js), exact close codes where RFC 6455 allows two, and its liveness
// (pingInterval, pingTimeout from GET /status), which is what ends a connection stalled mid-frame:
// that test runs on the timing tests' instance (support/timing.js).
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { Bystander, useBystander } from "./support/bystander.js";
import { binaryPayload } from "./support/data.js";
import { firmwareSetting } from "./support/firmware-config.js";
import { parseClosePayload } from "../tools/wire/close-payload.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { firmwareOnly, target } from "./support/target.js";
import { marginFor, timingTarget } from "./support/timing.js";

/** Connections at a time in the many-connection tests: with the bystander and a /status
 * request, well within maxClients (7) and the 8 TCP connections of the platform layer and the board. */
const AT_ONCE = 4;

/** Runs `run(item)` for every item, `AT_ONCE` at a time; returns the failures' messages. */
async function inBatches(items, run) {
  const failures = [];
  for (let i = 0; i < items.length; i += AT_ONCE) {
    const batch = items.slice(i, i + AT_ONCE);
    const results = await Promise.allSettled(batch.map(run));
    results.forEach((result, k) => {
      if (result.status === "rejected") failures.push(`${batch[k].what}: ${result.reason.message}`);
    });
  }
  return failures;
}

/** The frames of a message cut into `parts`. */
function fragments(opcode, parts) {
  return Buffer.concat(
    parts.map((payload, i) =>
      encodeFrame({
        fin: i === parts.length - 1,
        opcode: i === 0 ? opcode : Opcode.CONTINUATION,
        payload,
      }),
    ),
  );
}

/** `count` one-byte fragments of a text message ("a", "b", … "z", "a", …). */
function oneByteFragments(count) {
  const text = Array.from({ length: count }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
  return { text, bytes: fragments(Opcode.TEXT, [...text]) };
}

const TOP_BIT_LENGTHS = [
  { what: "2^63", length: 2n ** 63n },
  { what: "2^64 - 1", length: 2n ** 64n - 1n },
];

// A frame header with a 64-bit length whose top bit is set breaks §5.2 ("the most significant
// bit MUST be 0"): 1002, or 1009 for a message that big; `ws` and the firmware send 1009.
async function topBitLengths(codes) {
  const failures = await inBatches(TOP_BIT_LENGTHS, async ({ length }) => {
    const client = await RawClient.open(target);
    await client.sendFrame({ opcode: Opcode.BINARY, length, payload: binaryPayload(16) });
    await client.expectClose(codes);
  });
  expect(failures, failures.join("\n")).to.deep.equal([]);
}

// Control frames declaring more than 125 bytes (§5.5), in each length encoding. The payload is
// not sent in full: the header alone is the violation.
const BIG_CONTROL_FRAMES = [
  { what: "a close frame of 126 bytes", opcode: Opcode.CLOSE, length: 126 },
  { what: "a pong of 126 bytes", opcode: Opcode.PONG, length: 126 },
  { what: "a ping declaring 65536 bytes (64-bit length)", opcode: Opcode.PING, length: 65536 },
];

// Ways to stop in the middle of a frame and send nothing more.
const STALLS = [
  { what: "after the first byte of a frame header", bytes: () => Buffer.from([0x81]) },
  {
    what: "inside a 64-bit length",
    bytes: () => Buffer.from([0x82, 0x80 | 127, 0, 0, 0, 0]),
  },
  { what: "inside the masking key", bytes: () => Buffer.from([0x81, 0x85, 0x01, 0x02]) },
  {
    what: "after 10 of the 100 payload bytes a header declared",
    bytes: () => encodeFrame({ opcode: Opcode.BINARY, length: 100, payload: binaryPayload(10) }),
  },
  {
    what: "after a first fragment and the header of the next",
    bytes: () =>
      Buffer.concat([
        encodeFrame({ fin: false, opcode: Opcode.TEXT, payload: "first fragment, " }),
        encodeFrame({ opcode: Opcode.CONTINUATION, length: 1000, payload: "" }),
      ]),
  },
];

/** Opens one client per stall, each left inside its frame. */
async function stalledClients(t = target) {
  const clients = [];
  for (const stall of STALLS) {
    const client = await RawClient.open(t, { answerPings: false, showPings: true });
    await client.sendRaw(stall.bytes());
    clients.push({ ...stall, client, since: performance.now() });
  }
  return clients;
}

const TEXT = "The quick brown fox!"; // 20 bytes of ASCII
// Bytes that are invalid UTF-8 wherever they stand among ASCII: never used in UTF-8 (C0, C1,
// F5-FF) or a continuation byte with no lead byte (80-BF).
const INVALID_BYTES = [0xff, 0xc0, 0x80, 0xf8, 0xc1, 0xbf, 0xf5, 0xfe];

/** TEXT with an invalid byte at `position`, for each position. */
function invalidAtEachPosition() {
  return [...TEXT].map((_, position) => {
    const bytes = Buffer.from(TEXT);
    bytes[position] = INVALID_BYTES[position % INVALID_BYTES.length];
    const hex = bytes[position].toString(16).toUpperCase();
    return { what: `0x${hex} at byte ${position}`, position, bytes };
  });
}

describe("frame abuse", function () {
  this.timeout(target.timeoutMs);
  const bystander = useBystander();

  it("closes with 1009 or 1002 on 64-bit lengths with the top bit set (2^63, 2^64 - 1)", async function () {
    await topBitLengths([1009, 1002]);
    await bystander().expectUnharmed("frame headers declaring 2^63 bytes and more");
  });

  it("[firmware] closes with 1009 on 64-bit lengths with the top bit set (2^63, 2^64 - 1)", async function () {
    firmwareOnly(this, "RFC 6455 allows 1002 too; the firmware sends 1009");
    await topBitLengths(1009);
    await bystander().expectUnharmed("frame headers declaring 2^63 bytes and more");
  });

  it("closes with 1002 on control frames declaring more than 125 bytes (close, pong, 64-bit ping)", async function () {
    const failures = await inBatches(BIG_CONTROL_FRAMES, async ({ opcode, length }) => {
      const client = await RawClient.open(target);
      await client.sendFrame({ opcode, length, payload: Buffer.alloc(16, 0x63) });
      await client.expectClose(1002);
    });
    expect(failures, failures.join("\n")).to.deep.equal([]);
    await bystander().expectUnharmed("control frames over 125 bytes");
  });

  it("echoes what a frame declared and fails with 1002 on the extra bytes read as the next header", async function () {
    // The header says 5 bytes and 11 follow (mask key 0: they arrive as written). " world"
    // then starts the next frame: 0x20 has RSV2 set, and 0x77 no mask bit.
    const client = await RawClient.open(target);
    const maskKey = Buffer.alloc(4);
    await client.sendFrame({ opcode: Opcode.TEXT, length: 5, payload: "hello world", maskKey });
    const message = await client.nextMessage();
    expect(message.payload.toString(), "the 5 bytes the header declared").to.equal("hello");
    await client.expectClose(1002);
    await bystander().expectUnharmed("a frame longer than its header said");
  });

  it("keeps serving the others while clients are stalled in the middle of frames", async function () {
    const stalled = await stalledClients();
    await bystander().expectUnharmed(`${stalled.length} clients stalled mid-frame`);
  });

  it("[firmware] drops clients stalled in the middle of a frame within pingInterval + pingTimeout", async function () {
    // A client inside a frame cannot answer a ping: liveness ends the connection. That covers
    // a header that promised more bytes than ever come.
    firmwareOnly(this, "the firmware's liveness");
    const { t, limits } = await timingTarget(this);
    const { pingInterval, pingTimeout } = limits;
    const budget = pingInterval + pingTimeout + marginFor(pingInterval + pingTimeout);
    this.timeout(this.timeout() + budget + target.timeoutMs);
    const witness = t === target ? bystander() : await Bystander.open(t);
    const stalled = await stalledClients(t);
    await Promise.race([
      Promise.all(stalled.map(({ client }) => client.closed)),
      delay(budget, null, { ref: false }),
    ]);
    const held = stalled
      .filter(({ client }) => !client.isClosed)
      .map(({ what, client }) => `${what} (${client.pingTimes.length} ping(s) received)`);
    expect(held, `still connected after ${budget} ms: ${held.join("; ")}`).to.deep.equal([]);
    for (const { what, client, since } of stalled) {
      const closes = client
        .takeFrames()
        .filter((frame) => frame.opcode === Opcode.CLOSE)
        .map((frame) => parseClosePayload(frame.payload).code);
      const lifetime = Math.round(client.closedAt - since);
      // Dropped by liveness (no close frame), or closed with a code: either is bounded.
      expect(
        closes.length,
        `${what}: close frames before the drop after ${lifetime} ms`,
      ).to.be.at.most(1);
    }
    await witness.expectAlone("clients stalled mid-frame");
    await witness.expectUnharmed("clients stalled mid-frame");
  });

  it("echoes a text message of 1000 one-byte fragments intact", async function () {
    const { text, bytes } = oneByteFragments(1000);
    const client = await RawClient.open(target);
    await client.sendRaw(bytes);
    const message = await client.nextMessage();
    expect(message.opcode).to.equal(Opcode.TEXT);
    expect(message.payload.toString(), "the reassembled message").to.equal(text);
    await bystander().expectUnharmed("a message of 1000 fragments");
  });

  it("bounds a message of 5000 one-byte fragments: echoes it intact or closes with 1009", async function () {
    // RFC 6455 sets no limit on fragments; a server that has one says so with 1009.
    const { text, bytes } = oneByteFragments(5000);
    const client = await RawClient.open(target);
    await client.sendRaw(bytes);
    const message = await client.nextMessage(client.replyTimeoutMs, { stopAtClose: true });
    if (message) expect(message.payload.toString(), "the reassembled message").to.equal(text);
    else await client.expectClose(1009);
    await bystander().expectUnharmed("a message of 5000 fragments");
  });

  it("[firmware] echoes a message of exactly maxFrames one-byte fragments", async function () {
    firmwareOnly(this, "maxFrames is this firmware's limit");
    const { text, bytes } = oneByteFragments(firmwareSetting("maxFrames"));
    const client = await RawClient.open(target, { path: target.wholePath });
    await client.sendRaw(bytes);
    const message = await client.nextMessage();
    expect(message.payload.toString(), "the reassembled message").to.equal(text);
    await bystander().expectUnharmed("a message of maxFrames fragments");
  });

  for (const { what, bytes } of [
    {
      what: "maxFrames + 1 one-byte fragments",
      bytes: () => oneByteFragments(firmwareSetting("maxFrames") + 1).bytes,
    },
    {
      what: "10000 empty fragments",
      bytes: () =>
        fragments(
          Opcode.BINARY,
          Array.from({ length: 10000 }, () => ""),
        ),
    },
  ]) {
    it(`[firmware] closes with 1009 on a message of ${what}`, async function () {
      firmwareOnly(this, "maxFrames is this firmware's limit");
      const client = await RawClient.open(target, { path: target.wholePath });
      await client.sendRaw(bytes());
      await client.expectClose(1009);
      await bystander().expectUnharmed(`a message of ${what}`);
    });
  }

  it(`closes with 1007 on an invalid UTF-8 byte at each of the ${TEXT.length} positions of a text message`, async function () {
    const failures = await inBatches(invalidAtEachPosition(), async ({ bytes }) => {
      const client = await RawClient.open(target);
      await client.sendText(bytes);
      await client.expectClose(1007, { skipData: true }); // the echo may have begun
    });
    expect(failures, failures.join("\n")).to.deep.equal([]);
    await bystander().expectUnharmed("invalid UTF-8 at every position");
  });

  it(`closes with 1007 on an invalid UTF-8 byte at each position of a text message sent as 4 fragments`, async function () {
    const failures = await inBatches(invalidAtEachPosition(), async ({ bytes }) => {
      const parts = [0, 5, 10, 15].map((start) => bytes.subarray(start, start + 5));
      const client = await RawClient.open(target);
      await client.sendRaw(fragments(Opcode.TEXT, parts));
      await client.expectClose(1007, { skipData: true }); // the fragments before it are echoed
    });
    expect(failures, failures.join("\n")).to.deep.equal([]);
    await bystander().expectUnharmed("invalid UTF-8 at every position of a fragmented message");
  });
});
