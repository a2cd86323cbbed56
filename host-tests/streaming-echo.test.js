// The echo endpoint (target.path) takes a message of any length: the firmware echoes each part as
// it reads it (fragments of one message of the same type), so a message costs it one read of
// memory, not its length. Whole messages come back intact however they were cut: one 16 MiB
// frame, 65 537 fragments, text cut inside UTF-8 sequences, by fragments or by TCP writes.
// Generic (the reference server echoes up to target.echoLimit; on the firmware GET /status also
// shows that what it held stayed within its buffer budget).
//
// The echo comes in frames as long as the client's: at most one frame per read of the socket, and
// never more frames than the client sent, so that a default `ws` client (at most 16 384 fragments
// a message) takes any echo.
//
// A 16 MiB echo moves 32 MiB; a target slower than SLOWEST_MB_PER_S (the simulator's sockets
// move ~74 KB/s) would take minutes: the test measures the echo's throughput first and skips.
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { fetchStatus } from "./support/status.js";
import { skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";

const MiB = 1024 * 1024;
const LARGE = 16 * MiB;
const FRAGMENTS = 65_537;
/** The text message sent in FRAGMENTS fragments. */
const LARGE_TEXT = 4 * MiB;
/** Longest a large echo may take here, from the measured throughput, before the test skips. */
const LONGEST_ECHO_S = 60;
/** The probe of the echo's throughput: long enough to measure, short on a slow target. */
const PROBE = 64 * 1024;

/**
 * The echo's throughput in bytes per second, from one PROBE-byte message sent in fragments of
 * `fragmentSize` bytes (each frame costs the server work of its own: 64-byte fragments move
 * several times fewer bytes a second than one frame); also checks it.
 */
async function echoThroughput(client, fragmentSize) {
  const probe = binaryPayload(PROBE, 5);
  const started = performance.now();
  if (fragmentSize >= PROBE) await client.send(probe);
  else await client.sendFragments(fragmentsOf(probe, Math.ceil(PROBE / fragmentSize)));
  const { data } = await client.nextMessage(target.timeoutMs);
  expect(data.equals(probe), "the probe's echo").to.equal(true);
  return PROBE / ((performance.now() - started) / 1000);
}

/**
 * Opens a client for an echo of `bytes` bytes in `fragments` frames, or skips the test when the
 * echo would take longer than LONGEST_ECHO_S; sets the test's timeout from the throughput of
 * frames of that size. Resolves with the client and the time to allow.
 */
async function clientForLargeEcho(context, bytes, fragments = 1) {
  if (bytes > target.echoLimit) skipBecause(context, "above the echo's limit");
  context.timeout(target.timeoutMs + 2 * LONGEST_ECHO_S * 1000);
  const client = await WsClient.open(target); // a default client: at most 16 384 fragments
  const rate = await echoThroughput(client, Math.floor(bytes / fragments));
  const seconds = bytes / rate;
  if (seconds > LONGEST_ECHO_S) {
    skipBecause(
      context,
      `the echo moves ${(rate / 1e3).toFixed(0)} KB/s here: ${bytes / MiB} MiB would take ` +
        `~${seconds.toFixed(0)} s (more than ${LONGEST_ECHO_S} s)`,
    );
  }
  return { client, waitMs: target.timeoutMs + 3 * seconds * 1000 };
}

/** On the firmware: what GET /status says it held stayed within its budget. */
async function expectWithinBudget() {
  if (target.kind === "reference") return;
  const { buffers } = await fetchStatus();
  expect(buffers.peak, "the most the firmware held in buffers").to.be.at.most(buffers.limit);
}

/** `count` fragments of `message` (Buffer), as even as they come, the last taking the rest. */
function fragmentsOf(message, count) {
  const size = Math.floor(message.length / (count - 1));
  const parts = [];
  for (let i = 0; i < count - 1; i++) parts.push(message.subarray(i * size, (i + 1) * size));
  parts.push(message.subarray((count - 1) * size));
  return parts;
}

/** Text of about `bytes` UTF-8 bytes, mostly 2-, 3- and 4-byte code points. */
function multibyteText(bytes) {
  const unit = "aé€😀中𝄞ß한\u{10FFFF}"; // 1+2+3+4+3+4+2+3+4 = 26 bytes
  return unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));
}

/** Fragments of `bytes` cut so that every cut falls inside a code point (sizes 1, 2, 5, 7…). */
function cutInsideSequences(bytes) {
  const parts = [];
  const sizes = [1, 2, 5, 7, 11, 13];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    let end = Math.min(bytes.length, offset + sizes[i % sizes.length]);
    // move the cut forward until it lands on a continuation byte (inside a sequence)
    while (end < bytes.length && (bytes[end] & 0xc0) !== 0x80 && end - offset < 64) end++;
    parts.push(bytes.subarray(offset, end));
    offset = end;
  }
  return parts;
}

describe("streaming echo", function () {
  this.timeout(target.timeoutMs);

  it(`echoes a ${LARGE / MiB} MiB binary message sent as one frame, intact`, async function () {
    const { client, waitMs } = await clientForLargeEcho(this, LARGE);
    const message = binaryPayload(LARGE, 16);
    await client.send(message);
    const { data, isBinary } = await client.nextMessage(waitMs);
    expect(isBinary, "echo type").to.equal(true);
    expect(data.length, "echo length").to.equal(LARGE);
    expect(data.equals(message), "echoed bytes differ").to.equal(true);
    await expectWithinBudget();
  });

  it(`echoes a ${LARGE / MiB} MiB binary message sent as ${FRAGMENTS} fragments, intact, to a default ws client`, async function () {
    const { client, waitMs } = await clientForLargeEcho(this, LARGE, FRAGMENTS);
    const message = binaryPayload(LARGE, 17);
    await client.sendFragments(fragmentsOf(message, FRAGMENTS));
    const { data, isBinary } = await client.nextMessage(waitMs);
    expect(isBinary, "echo type").to.equal(true);
    expect(data.length, "echo length").to.equal(LARGE);
    expect(data.equals(message), "echoed bytes differ").to.equal(true);
    await expectWithinBudget();
  });

  it(`echoes a ${LARGE_TEXT / MiB} MiB text message sent as ${FRAGMENTS} fragments, intact, to a default ws client`, async function () {
    const { client, waitMs } = await clientForLargeEcho(this, LARGE_TEXT, FRAGMENTS);
    const bytes = Buffer.from(multibyteText(LARGE_TEXT)).subarray(0, LARGE_TEXT);
    const text = bytes.toString("utf8").replace(/\uFFFD$/, ""); // whole code points only
    const whole = Buffer.from(text);
    await client.sendFragments(fragmentsOf(whole, FRAGMENTS), { binary: false });
    const { data, isBinary } = await client.nextMessage(waitMs);
    expect(isBinary, "echo type").to.equal(false);
    expect(data.equals(whole), `echo of ${whole.length} bytes of text`).to.equal(true);
  });

  it("echoes a frame as one frame, however it is read, and fragments in no more frames than they came in", async function () {
    const sizes = [MiB, 1024, 64];
    // The time a frame of the echo may take: a whole MiB when it is one frame (~14 s through a
    // simulator's sockets), from the throughput of frames of that size, measured first.
    this.timeout(target.timeoutMs * (sizes.length + 1));
    const prober = await WsClient.open(target);
    const waits = [];
    for (const size of sizes) {
      const seconds = MiB / (await echoThroughput(prober, size));
      waits.push(target.timeoutMs + 3 * seconds * 1000);
    }
    await prober.close();
    this.timeout(target.timeoutMs + waits.reduce((sum, wait) => sum + wait));
    const client = await RawClient.open(target);
    for (const [i, size] of sizes.entries()) {
      const message = binaryPayload(MiB, size & 0xff);
      const frames = [];
      for (let offset = 0; offset < MiB; offset += size) {
        const end = Math.min(MiB, offset + size);
        const opcode = offset === 0 ? Opcode.BINARY : Opcode.CONTINUATION;
        const payload = message.subarray(offset, end);
        frames.push(encodeFrame({ fin: end === MiB, opcode, payload }));
      }
      await client.sendRaw(Buffer.concat(frames));
      const echoed = [];
      let last;
      do {
        last = await client.nextFrame(waits[i]);
        echoed.push(last.payload);
      } while (!last.fin);
      expect(Buffer.concat(echoed).equals(message), `the echo of ${frames.length} frames`).to.equal(
        true,
      );
      expect(echoed.length, `frames of the echo of ${frames.length}`).to.be.at.most(frames.length);
    }
  });

  it("echoes a long text message whose fragments are all cut inside UTF-8 sequences, as text", async function () {
    const text = multibyteText(30_000);
    const bytes = Buffer.from(text);
    const parts = cutInsideSequences(bytes);
    const client = await WsClient.open(target, { maxFragments: 0 });
    await client.sendFragments(parts, { binary: false });
    const { data, isBinary } = await client.nextMessage(target.timeoutMs);
    expect(isBinary, "echo type").to.equal(false);
    expect(data.toString("utf8") === text, `echo of ${parts.length} fragments`).to.equal(true);
  });

  it("echoes one text frame that arrives in TCP writes cut inside UTF-8 sequences", async function () {
    const text = multibyteText(1500);
    const client = await RawClient.open(target);
    // 7-byte writes: the server reads the frame's payload in parts that end inside code points
    await client.sendRaw(encodeFrame({ opcode: Opcode.TEXT, payload: text }), { chunkSize: 7 });
    const message = await client.nextMessage();
    expect(message.opcode, "echo type").to.equal(Opcode.TEXT);
    expect(message.payload.toString("utf8") === text, "echoed text differs").to.equal(true);
  });

  it("closes with 1007 when a streamed text message turns invalid after a valid start", async function () {
    const valid = Buffer.from(multibyteText(20_000));
    const client = await RawClient.open(target);
    const frames = [
      encodeFrame({ fin: false, opcode: Opcode.TEXT, payload: valid }),
      encodeFrame({
        fin: true,
        opcode: Opcode.CONTINUATION,
        payload: Buffer.of(0x61, 0xed, 0xa0, 0x80),
      }),
    ];
    await client.sendRaw(Buffer.concat(frames));
    // The firmware has echoed the valid start (unfinished fragments) before it finds the surrogate.
    await client.expectClose(1007, { skipData: true });
  });
});
