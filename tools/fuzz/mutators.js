// Fuzz cases: a mutated (or valid) opening handshake, then a sequence of valid and mutated client
// frames, split into TCP writes, and a way to end. Everything is drawn from one seeded Random, so
// a case is a pure function of (seed, iteration): `--seed S --only N` rebuilds it byte for byte.
//
// The mutators do not predict what the server should do: the model (model.js) reads the bytes
// actually sent, as the server must. They only know which endpoint the case connects to (the
// echo endpoint, or one that takes messages whole within maxMessageSize), to size messages and
// to aim the oversize mutations mostly at the latter, where they call for 1009.
import { closePayload } from "../wire/close-payload.js";
import { encodeFrame } from "../wire/frame-encoder.js";
import { Opcode } from "../wire/opcodes.js";
import { Random, iterationSeed } from "./prng.js";

// ---------------------------------------------------------------------------------------------
// Bytes

/** Byte-level mutations of any buffer; each returns [newBuffer, description]. */
export const byteMutations = {
  bitflip(rng, buf) {
    const out = Buffer.from(buf);
    const flips = rng.between(1, 4);
    const where = [];
    for (let i = 0; i < flips && out.length; i++) {
      const at = rng.int(out.length);
      const bit = rng.int(8);
      out[at] ^= 1 << bit;
      where.push(`${at}.${bit}`);
    }
    return [out, `bit flip at ${where.join(", ")}`];
  },
  insert(rng, buf) {
    const at = rng.int(buf.length + 1);
    const extra = rng.chance(0.5)
      ? rng.bytes(rng.between(1, 8))
      : Buffer.from([rng.pick(INTERESTING)]);
    return [
      Buffer.concat([buf.subarray(0, at), extra, buf.subarray(at)]),
      `insert ${extra.length} at ${at}`,
    ];
  },
  delete(rng, buf) {
    if (!buf.length) return [buf, "delete (nothing)"];
    const at = rng.int(buf.length);
    const n = Math.min(buf.length - at, rng.between(1, 8));
    return [Buffer.concat([buf.subarray(0, at), buf.subarray(at + n)]), `delete ${n} at ${at}`];
  },
  truncate(rng, buf) {
    const keep = rng.int(Math.max(1, buf.length));
    return [buf.subarray(0, keep), `truncate to ${keep} of ${buf.length}`];
  },
  replace(rng, buf) {
    if (!buf.length) return [buf, "replace (nothing)"];
    const out = Buffer.from(buf);
    const at = rng.int(out.length);
    out[at] = rng.pick(INTERESTING);
    return [out, `byte ${at} = 0x${out[at].toString(16)}`];
  },
  duplicate(rng, buf) {
    if (!buf.length) return [buf, "duplicate (nothing)"];
    const at = rng.int(buf.length);
    const n = Math.min(buf.length - at, rng.between(1, 16));
    const slice = buf.subarray(at, at + n);
    return [
      Buffer.concat([buf.subarray(0, at + n), slice, buf.subarray(at + n)]),
      `duplicate ${n} at ${at}`,
    ];
  },
};

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x0d, 0x0a, 0x20, 0x3a, 0x09, 0x7e, 0xc0, 0xfe];

function mutateBytes(rng, buf, notes) {
  const name = rng.pick(Object.keys(byteMutations));
  const [out, what] = byteMutations[name](rng, buf);
  notes.push(what);
  return out;
}

/** Splits `buf` into TCP writes: one, many random pieces, or a byte at a time for a while. */
export function splitWrites(rng, buf) {
  if (buf.length <= 1) return [buf];
  const style = rng.weighted([
    [5, "whole"],
    [3, "random"],
    [1, "bytewise"],
  ]);
  if (style === "whole") return [buf];
  const cuts = new Set();
  if (style === "random") {
    const n = rng.between(1, Math.min(12, buf.length - 1));
    for (let i = 0; i < n; i++) cuts.add(rng.between(1, buf.length - 1));
  } else {
    const start = rng.int(buf.length);
    const end = Math.min(buf.length - 1, start + rng.between(2, 24));
    for (let i = Math.max(1, start); i <= end; i++) cuts.add(i);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const pieces = [];
  let from = 0;
  for (const cut of sorted) {
    pieces.push(buf.subarray(from, cut));
    from = cut;
  }
  pieces.push(buf.subarray(from));
  return pieces;
}

// ---------------------------------------------------------------------------------------------
// Payloads

const FIRMWARE_SPECIAL = ["Ping", "Trigger async"];

/** The largest payload a valid message gets: the endpoint's limit, and 64 KiB (16 KiB on the sim). */
function largestPayload(ctx) {
  return Math.min(ctx.kind === "sim" ? 16384 : 65536, ctx.messageLimit);
}

function payloadSize(rng, ctx) {
  const top = largestPayload(ctx);
  return rng.weighted([
    [8, () => 0],
    [55, () => rng.between(1, Math.min(125, top))],
    [20, () => rng.between(Math.min(126, top), Math.min(2000, top))],
    [8, () => rng.between(Math.min(2001, top), Math.min(16000, top))],
    [2, () => rng.between(Math.min(16001, top), top)],
    [1, () => rng.pick([125, 126, 127, 65535, 65536, ctx.maxMessageSize].filter((n) => n <= top))],
  ])();
}

/** Valid UTF-8 of about `n` bytes: ASCII, or a mix of 1- to 4-byte code points. */
function randomText(rng, n) {
  if (rng.chance(0.5)) {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(rng.between(0x20, 0x7e));
    return Buffer.from(FIRMWARE_SPECIAL.includes(s) ? `${s}.` : s, "utf8");
  }
  const parts = [];
  let size = 0;
  while (size < n) {
    const cp = rng.weighted([
      [6, () => rng.between(0x20, 0x7e)],
      [2, () => rng.between(0x80, 0x7ff)],
      [2, () => (rng.chance(0.5) ? rng.between(0x800, 0xd7ff) : rng.between(0xe000, 0xfffd))],
      [1, () => rng.between(0x10000, 0x10ffff)],
    ])();
    const b = Buffer.from(String.fromCodePoint(cp), "utf8");
    parts.push(b);
    size += b.length;
  }
  return Buffer.concat(parts);
}

/** Byte sequences that are never valid UTF-8 (overlong, surrogates, beyond U+10FFFF, …). */
const INVALID_UTF8 = [
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0x80],
  [0xbf],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xce, 0x41],
];

function invalidText(rng, n) {
  const text = randomText(rng, n);
  const bad = Buffer.from(rng.pick(INVALID_UTF8));
  const at = rng.int(text.length + 1);
  // keep code points whole around the insertion point when possible
  let cut = at;
  while (cut > 0 && cut < text.length && (text[cut] & 0xc0) === 0x80) cut--;
  return Buffer.concat([text.subarray(0, cut), bad, text.subarray(cut)]);
}

// ---------------------------------------------------------------------------------------------
// Frames

function frameBytes(rng, frame) {
  return encodeFrame({ ...frame, maskKey: frame.mask === false ? undefined : maskKey(rng) });
}

function maskKey(rng) {
  return rng.chance(0.05) ? Buffer.alloc(4) : rng.bytes(4);
}

/** Frames of one data message: one frame, or fragments with control frames between them. */
function dataMessage(rng, ctx, { opcode, payload, fragments }) {
  const count = fragments ?? 1;
  const cuts = [
    ...new Set(Array.from({ length: count - 1 }, () => rng.int(payload.length + 1))),
  ].sort((a, b) => a - b);
  const bounds = [0, ...cuts, payload.length];
  const frames = [];
  for (let i = 0; i < bounds.length - 1; i++) {
    const last = i === bounds.length - 2;
    frames.push({
      fin: last,
      opcode: i === 0 ? opcode : Opcode.CONTINUATION,
      payload: payload.subarray(bounds[i], bounds[i + 1]),
    });
    if (!last && rng.chance(0.25)) frames.push(controlFrame(rng));
  }
  return frames;
}

function controlFrame(rng) {
  return rng.chance(0.7)
    ? { opcode: Opcode.PING, payload: rng.bytes(rng.between(0, 125)) }
    : { opcode: Opcode.PONG, payload: rng.bytes(rng.between(0, 20)) };
}

const VALID_CLOSE_CODES = [
  1000, 1000, 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
  4000, 4999,
];
const INVALID_CLOSE_CODES = [
  0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
];

function validClose(rng) {
  if (rng.chance(0.15)) return { opcode: Opcode.CLOSE, payload: Buffer.alloc(0) };
  const reason = rng.chance(0.3) ? randomText(rng, rng.between(0, 60)).subarray(0, 123) : "";
  return {
    opcode: Opcode.CLOSE,
    payload: closePayload(rng.pick(VALID_CLOSE_CODES), fitReason(reason)),
  };
}

/** A reason that keeps the close payload within 125 bytes and valid UTF-8. */
function fitReason(reason) {
  let r = Buffer.from(reason);
  while (r.length > 123) r = r.subarray(0, r.length - 1);
  while (r.length && (r[r.length - 1] & 0xc0) === 0x80) r = r.subarray(0, r.length - 1);
  if (r.length && r[r.length - 1] >= 0xc0) r = r.subarray(0, r.length - 1);
  return r;
}

/** A valid item: [frames, note]. */
function validItem(rng, ctx) {
  const kind = rng.weighted([
    [30, "text"],
    [20, "binary"],
    [14, "fragmented"],
    [10, "ping"],
    [4, "pong"],
  ]);
  if (kind === "ping" || kind === "pong") {
    const opcode = kind === "ping" ? Opcode.PING : Opcode.PONG;
    const payload = rng.bytes(
      rng.weighted([
        [3, 0],
        [6, rng.between(1, 30)],
        [1, 125],
      ]),
    );
    return [[{ opcode, payload }], `${kind} ${payload.length}`];
  }
  const binary = kind === "binary" || (kind === "fragmented" && rng.chance(0.4));
  const size = payloadSize(rng, ctx);
  const payload = binary ? rng.bytes(size) : randomText(rng, size);
  const opcode = binary ? Opcode.BINARY : Opcode.TEXT;
  const fragments = kind === "fragmented" ? rng.between(2, 8) : 1;
  const frames = dataMessage(rng, ctx, { opcode, payload, fragments });
  return [
    frames,
    `${binary ? "binary" : "text"} ${payload.length}${fragments > 1 ? ` in ${frames.length} frames` : ""}`,
  ];
}

/** Frame-level mutations: each returns [encoded bytes, note]. */
const frameMutations = {
  rsv(rng, ctx) {
    const [frames] = validItem(rng, ctx);
    const i = rng.int(frames.length);
    frames[i] = { ...frames[i], rsv: rng.between(1, 7) };
    return [
      encodeAll(rng, frames),
      `RSV ${frames[i].rsv.toString(2).padStart(3, "0")} on frame ${i}`,
    ];
  },
  reservedOpcode(rng) {
    const opcode = rng.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]);
    return [
      frameBytes(rng, { opcode, payload: rng.bytes(rng.between(0, 40)), fin: rng.chance(0.8) }),
      `opcode 0x${opcode.toString(16)}`,
    ];
  },
  unmasked(rng, ctx) {
    const [frames] = validItem(rng, ctx);
    const i = rng.int(frames.length);
    frames[i] = { ...frames[i], mask: false };
    return [encodeAll(rng, frames), `mask bit off on frame ${i}`];
  },
  oversizeControl(rng) {
    const opcode = rng.pick([Opcode.PING, Opcode.PONG, Opcode.CLOSE]);
    const n = rng.between(126, 300);
    const payload = opcode === Opcode.CLOSE ? closePayload(1000, "r".repeat(n - 2)) : rng.bytes(n);
    return [frameBytes(rng, { opcode, payload }), `${opcodeName(opcode)} of ${n} bytes`];
  },
  controlExtendedLength(rng) {
    // a small control payload, its length in a 16- or 64-bit field: 7-bit field > 125
    const opcode = rng.pick([Opcode.PING, Opcode.PONG]);
    const payload = rng.bytes(rng.between(0, 20));
    const bytes = withLengthField(
      rng,
      frameBytes(rng, { opcode, payload }),
      rng.chance(0.5) ? 16 : 64,
    );
    return [bytes, `${opcodeName(opcode)} ${payload.length} with an extended length field`];
  },
  fragmentedControl(rng) {
    const opcode = rng.pick([Opcode.PING, Opcode.PONG, Opcode.CLOSE]);
    const frames = [
      { fin: false, opcode, payload: opcode === Opcode.CLOSE ? closePayload(1000) : rng.bytes(4) },
      { opcode: Opcode.CONTINUATION, payload: rng.bytes(3) },
    ];
    return [encodeAll(rng, frames), `${opcodeName(opcode)} with FIN=0`];
  },
  nonMinimalLength(rng) {
    const payload = rng.chance(0.5)
      ? rng.bytes(rng.between(0, 125))
      : randomText(rng, rng.between(0, 100));
    const opcode = payload.length && rng.chance(0.5) ? Opcode.BINARY : Opcode.TEXT;
    const frame = frameBytes(rng, {
      opcode,
      payload: opcode === Opcode.TEXT ? randomText(rng, payload.length) : payload,
    });
    const bits = rng.chance(0.5) ? 16 : 64;
    return [
      withLengthField(rng, frame, bits),
      `${payload.length}-byte ${opcodeName(opcode)} with a ${bits}-bit length (not minimal)`,
    ];
  },
  length64TopBit(rng) {
    const big = (1n << 63n) | BigInt(rng.between(0, 1000));
    return [
      headerWithLength(rng, Opcode.BINARY, big, rng.bytes(rng.between(0, 16))),
      `64-bit length 0x${big.toString(16)}`,
    ];
  },
  lengthHuge(rng, ctx) {
    // over maxMessageSize (1009 where messages are taken whole; on the firmware's /ws a frame
    // that streams until the bytes run out), over 2^32 - 1 (more than the firmware reads at all)
    const big = rng.weighted([
      [2, BigInt(ctx.maxMessageSize) + BigInt(rng.between(1, 1000))],
      [2, (1n << 32n) + BigInt(rng.between(0, 1000))],
      [1, BigInt(2 ** 53) - 1n],
      [1, 0xffffffffn],
    ]);
    return [
      headerWithLength(
        rng,
        rng.pick([Opcode.TEXT, Opcode.BINARY]),
        big,
        rng.bytes(rng.between(0, 64)),
      ),
      `declared length ${big}`,
    ];
  },
  tooBig(rng, ctx) {
    // fragments that add up to more than maxMessageSize, all of it sent (1009 where messages are
    // taken whole, an echo on /ws); not where that is more than a run can send in good time
    if (ctx.maxMessageSize > (ctx.kind === "sim" ? 20000 : 70000))
      return frameMutations.lengthHuge(rng, ctx);
    const count = rng.between(2, 4);
    const size = Math.floor(ctx.maxMessageSize / count) + rng.between(1, 100);
    const frames = Array.from({ length: count }, (_, i) => ({
      fin: i === count - 1,
      opcode: i === 0 ? Opcode.BINARY : Opcode.CONTINUATION,
      payload: rng.bytes(size),
    }));
    return [
      encodeAll(rng, frames),
      `${count} fragments of ${size} bytes (${count * size} > maxMessageSize)`,
    ];
  },
  lengthShorter(rng, ctx) {
    const [frames] = validItem(rng, ctx);
    const frame = frames[0];
    const body = Buffer.from(frame.payload);
    if (!body.length) return frameMutations.lengthLonger(rng, ctx);
    const declared = rng.int(body.length);
    return [
      frameBytes(rng, { ...frame, length: declared, payload: body }),
      `${opcodeName(frame.opcode)} declares ${declared} of ${body.length} bytes`,
    ];
  },
  lengthLonger(rng, ctx) {
    const [frames] = validItem(rng, ctx);
    const frame = frames[0];
    const body = Buffer.from(frame.payload);
    const declared =
      body.length +
      rng.weighted([
        [3, rng.between(1, 10)],
        [1, rng.between(11, 300)],
      ]);
    return [
      frameBytes(rng, { ...frame, length: declared, payload: body }),
      `${opcodeName(frame.opcode)} declares ${declared} for ${body.length} bytes`,
    ];
  },
  lengthField(rng, ctx) {
    // random value in the 7-bit field, or in the 16/64-bit extension
    const [frames] = validItem(rng, ctx);
    const bytes = Buffer.from(encodeAll(rng, frames));
    const len7 = bytes[1] & 0x7f;
    if (len7 === 126 && rng.chance(0.7)) bytes.writeUInt16BE(rng.between(0, 0xffff), 2);
    else if (len7 === 127 && rng.chance(0.7)) bytes.writeUInt32BE(rng.between(0, 0xffffffff), 6);
    else bytes[1] = (bytes[1] & 0x80) | rng.between(0, 127);
    return [bytes, `length field tampered (first byte 0x${bytes[1].toString(16)})`];
  },
  bytes(rng, ctx) {
    const [frames, what] = validItem(rng, ctx);
    const notes = [];
    const bytes = mutateBytes(rng, encodeAll(rng, frames), notes);
    return [bytes, `${what}: ${notes.join(", ")}`];
  },
  invalidUtf8(rng, ctx) {
    const payload = invalidText(rng, rng.between(0, 60));
    const fragments = rng.chance(0.4) ? rng.between(2, 5) : 1;
    return [
      encodeAll(rng, dataMessage(rng, ctx, { opcode: Opcode.TEXT, payload, fragments })),
      `text with invalid UTF-8 (${payload.length} bytes${fragments > 1 ? `, ${fragments} fragments` : ""})`,
    ];
  },
  truncatedUtf8(rng, ctx) {
    // text that ends inside a code point, or a code point split across fragments (valid)
    const text = randomText(rng, rng.between(1, 40));
    const multi = Buffer.from(
      String.fromCodePoint(rng.pick([0xe9, 0x20ac, 0x1f600, 0x10ffff])),
      "utf8",
    );
    if (rng.chance(0.5)) {
      const payload = Buffer.concat([text, multi.subarray(0, rng.between(1, multi.length - 1))]);
      return [
        encodeAll(
          rng,
          dataMessage(rng, ctx, { opcode: Opcode.TEXT, payload, fragments: rng.between(1, 3) }),
        ),
        "text ending inside a code point",
      ];
    }
    const cut = rng.between(1, multi.length - 1);
    const frames = [
      { fin: false, opcode: Opcode.TEXT, payload: Buffer.concat([text, multi.subarray(0, cut)]) },
      { fin: true, opcode: Opcode.CONTINUATION, payload: multi.subarray(cut) },
    ];
    return [encodeAll(rng, frames), "a code point split across two fragments (valid)"];
  },
  orphanContinuation(rng) {
    return [
      frameBytes(rng, {
        opcode: Opcode.CONTINUATION,
        payload: rng.bytes(rng.between(0, 30)),
        fin: rng.chance(0.7),
      }),
      "continuation with nothing to continue",
    ];
  },
  interleavedData(rng) {
    const frames = [
      { fin: false, opcode: rng.pick([Opcode.TEXT, Opcode.BINARY]), payload: randomText(rng, 10) },
      {
        fin: rng.chance(0.5),
        opcode: rng.pick([Opcode.TEXT, Opcode.BINARY]),
        payload: randomText(rng, 10),
      },
    ];
    return [encodeAll(rng, frames), "new data frame inside a fragmented message"];
  },
  shuffledFragments(rng, ctx) {
    const opcode = rng.pick([Opcode.TEXT, Opcode.BINARY]);
    const payload =
      opcode === Opcode.TEXT
        ? randomText(rng, rng.between(3, 200))
        : rng.bytes(rng.between(3, 200));
    const frames = dataMessage(rng, ctx, { opcode, payload, fragments: rng.between(2, 5) });
    const shuffled = rng.shuffle(frames);
    const order = shuffled.map((f) =>
      f.opcode === Opcode.CONTINUATION ? (f.fin ? "c!" : "c") : opcodeName(f.opcode),
    );
    return [encodeAll(rng, shuffled), `fragments shuffled: ${order.join(" ")}`];
  },
  invalidClose(rng) {
    const kind = rng.pick(["code", "code", "one-byte", "reason", "long-reason"]);
    let payload;
    if (kind === "code")
      payload = closePayload(rng.pick(INVALID_CLOSE_CODES), rng.chance(0.3) ? "bye" : "");
    else if (kind === "one-byte") payload = Buffer.from([rng.between(0, 255)]);
    else if (kind === "reason")
      payload = Buffer.concat([closePayload(1000), Buffer.from(rng.pick(INVALID_UTF8))]);
    else payload = closePayload(1000, "x".repeat(rng.between(124, 200)));
    return [
      frameBytes(rng, { opcode: Opcode.CLOSE, payload }),
      `close frame: bad ${kind} (${payload.length} bytes)`,
    ];
  },
  manyFragments(rng, ctx) {
    // more than maxFrames fragments, sometimes (1009 where messages are taken whole)
    const count =
      rng.chance(0.5) && ctx.maxFrames < 2000
        ? ctx.maxFrames + rng.between(0, 3)
        : rng.between(20, 200);
    const frames = [];
    for (let i = 0; i < count; i++)
      frames.push({
        fin: i === count - 1,
        opcode: i === 0 ? Opcode.BINARY : Opcode.CONTINUATION,
        payload: rng.bytes(rng.between(0, 2)),
      });
    return [encodeAll(rng, frames), `binary message in ${count} fragments`];
  },
};

/** How often each frame mutation is picked, on the echo endpoint. */
const FRAME_MUTATION_WEIGHTS = [
  [6, "rsv"],
  [5, "reservedOpcode"],
  [5, "unmasked"],
  [5, "oversizeControl"],
  [3, "controlExtendedLength"],
  [4, "fragmentedControl"],
  [4, "nonMinimalLength"],
  [2, "length64TopBit"],
  [3, "lengthHuge"],
  [1, "tooBig"],
  [4, "lengthShorter"],
  [4, "lengthLonger"],
  [4, "lengthField"],
  [12, "bytes"],
  [8, "invalidUtf8"],
  [4, "truncatedUtf8"],
  [3, "orphanContinuation"],
  [3, "interleavedData"],
  [5, "shuffledFragments"],
  [6, "invalidClose"],
  [1, "manyFragments"],
];

/** On an endpoint that takes messages whole, where they call for 1009, more of these. */
const WHOLE_MESSAGE_WEIGHTS = new Map([
  ["lengthHuge", 4],
  ["tooBig", 5],
  ["manyFragments", 3],
]);
const FRAME_MUTATION_WEIGHTS_WHOLE = FRAME_MUTATION_WEIGHTS.map(([weight, name]) => [
  WHOLE_MESSAGE_WEIGHTS.get(name) ?? weight,
  name,
]);

function encodeAll(rng, frames) {
  return Buffer.concat(frames.map((f) => frameBytes(rng, f)));
}

function opcodeName(opcode) {
  return (
    { 0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong" }[opcode] ??
    `0x${opcode.toString(16)}`
  );
}

/** The same frame with its length in a 16- or 64-bit field (masked frames only). */
function withLengthField(rng, frame, bits) {
  const len7 = frame[1] & 0x7f;
  if (len7 >= 126) return frame;
  const header = Buffer.alloc(bits === 16 ? 4 : 10);
  header[0] = frame[0];
  header[1] = (frame[1] & 0x80) | (bits === 16 ? 126 : 127);
  if (bits === 16) header.writeUInt16BE(len7, 2);
  else header.writeBigUInt64BE(BigInt(len7), 2);
  return Buffer.concat([header, frame.subarray(2)]);
}

/** A masked frame header declaring `length` (64-bit field), followed by `tail` bytes. */
function headerWithLength(rng, opcode, length, tail) {
  const header = Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(length, 2);
  return Buffer.concat([header, maskKey(rng), tail]);
}

// ---------------------------------------------------------------------------------------------
// Handshake

const REQUEST_MUTATIONS = {
  method(rng, r) {
    r.method = rng.pick([
      "POST",
      "PUT",
      "HEAD",
      "get",
      "Get",
      "GETT",
      "DELETE",
      "OPTIONS",
      "CONNECT",
      "",
      "G ET",
    ]);
    return `method ${JSON.stringify(r.method)}`;
  },
  version(rng, r) {
    r.version = rng.pick([
      "HTTP/1.0",
      "HTTP/1.2",
      "HTTP/2.0",
      "HTTP/0.9",
      "http/1.1",
      "HTTP/11",
      "HTTP/1.x",
      "HTTP/1.1 ",
      "HTTP 1.1",
      "",
    ]);
    return `version ${JSON.stringify(r.version)}`;
  },
  path(rng, r, ctx) {
    r.path = rng.pick([
      "/nope",
      "/status",
      "/",
      `${ctx.path}?x=1`,
      `${ctx.path}/`,
      "*",
      ctx.path.slice(1),
      `${ctx.path}#frag`,
      `${ctx.path}?token=abc&x=%zz`,
      `${ctx.path}%00`,
      `/${"a".repeat(rng.between(100, 3000))}`,
      `http://${ctx.host}:${ctx.port}${ctx.path}`,
      `${ctx.path.toUpperCase()}`,
    ]);
    return `path ${JSON.stringify(r.path.slice(0, 40))}${r.path.length > 40 ? "…" : ""}`;
  },
  dropHeader(rng, r) {
    const required = r.fields.filter((f) => REQUIRED.includes(f[0].toLowerCase()));
    const victim = rng.chance(0.8) && required.length ? rng.pick(required) : rng.pick(r.fields);
    if (!victim) return "drop (no header)";
    r.fields = r.fields.filter((f) => f !== victim);
    return `drop ${victim[0]}`;
  },
  duplicateHeader(rng, r) {
    const field = rng.pick(r.fields);
    if (!field) return "duplicate (no header)";
    const value = rng.chance(0.5)
      ? field[1]
      : rng.pick(["", "x", "websocket", "13", rng.bytes(16).toString("base64")]);
    const copy = [field[0], value];
    const at = rng.chance(0.5) ? r.fields.indexOf(field) + 1 : r.fields.length;
    r.fields.splice(at, 0, copy);
    return `duplicate ${field[0]} (${JSON.stringify(value.slice(0, 24))})`;
  },
  garbleName(rng, r) {
    const field = rng.pick(r.fields);
    if (!field) return "garble (no header)";
    const name = field[0];
    const at = rng.int(name.length + 1);
    const bad = rng.pick([" ", "(", "@", "\t", "/", '"', "", "é"]);
    field[0] = bad === "" ? "" : name.slice(0, at) + bad + name.slice(at);
    return `header name ${JSON.stringify(field[0])}`;
  },
  noColon(rng, r) {
    const field = rng.pick(r.fields);
    if (!field) return "no colon (no header)";
    field.noColon = true;
    return `no colon after ${field[0]}`;
  },
  spaceBeforeColon(rng, r) {
    const field = rng.pick(r.fields);
    if (!field) return "space (no header)";
    field[0] += rng.pick([" ", "\t"]);
    return `whitespace before the colon of ${field[0].trim()}`;
  },
  obsFold(rng, r) {
    const field = rng.pick(r.fields);
    if (!field) return "fold (no header)";
    field.fold = true;
    return `obs-fold of ${field[0]}`;
  },
  nonAscii(rng, r) {
    const field = rng.pick(r.fields);
    if (!field) return "non-ASCII (no header)";
    const ch = String.fromCharCode(rng.pick([0x00, 0x7f, 0x80, 0xa0, 0xe9, 0xff, 0x01, 0x1b]));
    const at = rng.int(field[1].length + 1);
    field[1] = field[1].slice(0, at) + ch + field[1].slice(at);
    return `0x${ch.charCodeAt(0).toString(16)} in ${field[0]}`;
  },
  longLine(rng, r, ctx) {
    const n = rng.weighted([
      [3, rng.between(200, 1000)],
      [3, rng.between(1000, Math.max(1001, ctx.maxHeaderSize - 400))],
      [2, rng.between(Math.max(1, ctx.maxHeaderSize - 400), ctx.maxHeaderSize + 400)],
      [2, rng.between(ctx.maxHeaderSize + 400, ctx.maxHeaderSize * 3)],
    ]);
    r.fields.splice(rng.int(r.fields.length + 1), 0, [`X-Long-${rng.int(100)}`, "v".repeat(n)]);
    return `header line of ${n} bytes`;
  },
  manyHeaders(rng, r) {
    const n = rng.between(20, 300);
    for (let i = 0; i < n; i++) r.fields.push([`X-H${i}`, String(rng.uint32())]);
    return `${n} extra headers`;
  },
  wsVersion(rng, r) {
    const value = rng.pick([
      "8",
      "12",
      "14",
      "0",
      "13, 8",
      "8, 13",
      "",
      "abc",
      "13 13",
      "013",
      "+13",
      "1 3",
      "13.0",
    ]);
    setField(r, "Sec-WebSocket-Version", value);
    return `Sec-WebSocket-Version ${JSON.stringify(value)}`;
  },
  wsKey(rng, r) {
    const good = r.key;
    const value = rng.pick([
      "",
      rng.bytes(8).toString("base64"),
      rng.bytes(17).toString("base64"),
      rng.bytes(15).toString("base64"),
      good.slice(0, -2),
      `${good.slice(0, 20)}!!==`,
      `${good} x`,
      good.replace("==", "=A"),
      good.toLowerCase(),
      `${good}, ${good}`,
    ]);
    setField(r, "Sec-WebSocket-Key", value);
    r.key = value;
    return `Sec-WebSocket-Key ${JSON.stringify(value.slice(0, 40))}`;
  },
  upgradeValue(rng, r) {
    const value = rng.pick([
      "h2c",
      "websockets",
      "web socket",
      "",
      "WebSocket",
      "WEBSOCKET",
      "websocket, h2c",
      "h2c, websocket",
      "websocket/13",
    ]);
    setField(r, "Upgrade", value);
    return `Upgrade ${JSON.stringify(value)}`;
  },
  connectionValue(rng, r) {
    const value = rng.pick([
      "close",
      "keep-alive",
      "",
      "Upgrade, keep-alive",
      "keep-alive, Upgrade",
      "upgrade",
      "UPGRADE",
      "Upgradeish",
      "Up grade",
    ]);
    setField(r, "Connection", value);
    return `Connection ${JSON.stringify(value)}`;
  },
  headerCase(rng, r) {
    for (const field of r.fields)
      field[0] = [...field[0]]
        .map((c) => (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase()))
        .join("");
    return "header names in mixed case";
  },
  whitespace(rng, r) {
    const field = rng.pick(r.fields);
    if (!field) return "whitespace (no header)";
    field.pad = [rng.pick(["", " ", "  ", "\t"]), rng.pick(["", " ", "\t "])];
    return `whitespace around the value of ${field[0]}`;
  },
  bareLf(rng, r) {
    r.eol = rng.chance(0.5) ? "\n" : "mixed";
    return r.eol === "\n" ? "bare LF line endings" : "one bare LF line ending";
  },
  extensions(rng, r) {
    r.fields.push([
      "Sec-WebSocket-Extensions",
      rng.pick([
        "permessage-deflate",
        "permessage-deflate; client_max_window_bits",
        "x-webkit-deflate-frame",
        "foo",
      ]),
    ]);
    return "Sec-WebSocket-Extensions offered";
  },
  protocols(rng, r) {
    r.fields.push([
      "Sec-WebSocket-Protocol",
      rng.pick(["chat", "chat, superchat", "mqtt", "a,b,c"]),
    ]);
    return "Sec-WebSocket-Protocol offered";
  },
  hostWithoutPort(rng, r, ctx) {
    setField(r, "Host", rng.pick([ctx.host, "example.com", "", "[::1]:1", "a b"]));
    return "Host changed";
  },
};

const REQUIRED = ["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version"];

function setField(r, name, value) {
  const field = r.fields.find((f) => f[0].toLowerCase() === name.toLowerCase());
  if (field) field[1] = value;
  else r.fields.push([name, value]);
}

const REQUEST_WEIGHTS = [
  [3, "method"],
  [3, "version"],
  [4, "path"],
  [6, "dropHeader"],
  [4, "duplicateHeader"],
  [3, "garbleName"],
  [2, "noColon"],
  [2, "spaceBeforeColon"],
  [2, "obsFold"],
  [3, "nonAscii"],
  [3, "longLine"],
  [1, "manyHeaders"],
  [4, "wsVersion"],
  [4, "wsKey"],
  [3, "upgradeValue"],
  [3, "connectionValue"],
  [2, "headerCase"],
  [2, "whitespace"],
  [2, "bareLf"],
  [2, "extensions"],
  [2, "protocols"],
  [2, "hostWithoutPort"],
];

function renderRequest(r) {
  const lines = [`${r.method} ${r.path} ${r.version}`];
  for (const field of r.fields) {
    const [before, after] = field.pad ?? [" ", ""];
    const value = `${before}${field[1]}${after}`;
    if (field.fold && value.length > 2) {
      const at = Math.ceil(value.length / 2);
      lines.push(`${field[0]}:${value.slice(0, at)}`, ` ${value.slice(at)}`);
    } else lines.push(`${field[0]}${field.noColon ? " " : ":"}${value}`);
  }
  if (r.eol === "\n") return Buffer.from(`${lines.join("\n")}\n\n`, "latin1");
  const text = `${lines.join("\r\n")}\r\n\r\n`;
  if (r.eol === "mixed") {
    const at = text.indexOf("\r\n", text.indexOf("\r\n") + 2);
    return Buffer.from(at > 0 ? text.slice(0, at) + text.slice(at + 1) : text, "latin1");
  }
  return Buffer.from(text, "latin1");
}

/** How often each endpoint is picked: mostly the echo endpoint, /broadcast enough for 1009. */
const ENDPOINT_WEIGHTS = { "/broadcast": 3, "/api": 1 };

/** The opening handshake request: valid about half the time. */
function handshake(rng, ctx) {
  const key = rng.bytes(16).toString("base64");
  const others = (ctx.wholePaths ?? ctx.endpoints.filter((p) => p !== ctx.path)).map((p) => [
    ENDPOINT_WEIGHTS[p] ?? 1,
    p,
  ]);
  const path = others.length ? rng.weighted([[14, ctx.path], ...others]) : ctx.path;
  const r = {
    method: "GET",
    path,
    version: "HTTP/1.1",
    key,
    eol: "\r\n",
    fields: [
      ["Host", `${ctx.host}:${ctx.port}`],
      ["Upgrade", "websocket"],
      ["Connection", "Upgrade"],
      ["Sec-WebSocket-Key", key],
      ["Sec-WebSocket-Version", "13"],
    ],
  };
  if (rng.chance(0.3)) r.fields.push(["User-Agent", `fuzz/${rng.uint32()}`]);
  if (rng.chance(0.2)) r.fields.push(["Origin", `http://${ctx.host}:${ctx.port}`]);
  if (rng.chance(0.3)) r.fields = rng.shuffle(r.fields);
  const notes = [];
  const count = rng.weighted([
    [50, 0],
    [30, 1],
    [12, 2],
    [8, 3],
  ]);
  for (let i = 0; i < count; i++) {
    const name = rng.weighted(REQUEST_WEIGHTS);
    notes.push(REQUEST_MUTATIONS[name](rng, r, ctx));
  }
  let bytes = renderRequest(r);
  if (rng.chance(0.08)) bytes = mutateBytes(rng, bytes, notes);
  if (rng.chance(0.04)) {
    const keep = rng.int(bytes.length);
    bytes = bytes.subarray(0, keep);
    notes.push(`request cut at ${keep} bytes`);
  }
  return { bytes, notes, path };
}

// ---------------------------------------------------------------------------------------------
// Cases

const ENDINGS = [
  [30, { wait: true, action: "close" }],
  [10, { wait: true, action: "reset" }],
  [10, { wait: true, action: "end" }],
  [8, { wait: true, action: "destroy" }],
  [14, { wait: false, action: "reset" }],
  [10, { wait: false, action: "end" }],
  [8, { wait: false, action: "destroy" }],
];

/**
 * The case of iteration `n` of the run with `seed`.
 * @param {{host: string, port: number, path: string, firmware: boolean, kind: string,
 *   endpoints: string[], wholePaths?: string[], maxMessageSize: number, maxHeaderSize: number,
 *   maxFrames: number, echoLimits?: {maxMessageSize: number}}} target `maxMessageSize` and
 *   `maxFrames` bound the endpoints that take messages whole, `echoLimits` the echo endpoint
 */
export function buildCase(seed, n, target) {
  const rng = new Random(iterationSeed(seed, n));
  const request = handshake(rng, target);
  const echo = request.path === target.path;
  const ctx = {
    ...target,
    // the largest message the endpoint takes
    messageLimit: echo
      ? (target.echoLimits?.maxMessageSize ?? target.maxMessageSize)
      : target.maxMessageSize,
  };
  const mutationWeights = echo ? FRAME_MUTATION_WEIGHTS : FRAME_MUTATION_WEIGHTS_WHOLE;
  const items = [];
  const count = rng.weighted([
    [10, 0],
    [30, 1],
    [25, 2],
    [20, 4],
    [15, rng.between(5, 10)],
  ]);
  let pings = 0;
  for (let i = 0; i < count; i++) {
    let bytes;
    let note;
    if (rng.chance(0.55)) {
      const [frames, what] = validItem(rng, ctx);
      pings += frames.filter((f) => f.opcode === Opcode.PING).length;
      bytes = encodeAll(rng, frames);
      note = what;
    } else {
      const name = rng.weighted(mutationWeights);
      [bytes, note] = frameMutations[name](rng, ctx);
      note = `${name}: ${note}`;
    }
    if (pings > 10) break; // stay well below the firmware's ping rate limit
    items.push({ bytes, note });
  }
  const ending = { ...rng.weighted(ENDINGS), delayMs: rng.chance(0.3) ? rng.between(1, 50) : 0 };
  if (ending.action === "close") {
    const close = validClose(rng);
    items.push({
      bytes: frameBytes(rng, close),
      note: `close ${close.payload.length ? close.payload.readUInt16BE(0) : "(no code)"}`,
    });
  }
  // The frames as one stream, cut into TCP writes; some go out with the request itself.
  const stream = Buffer.concat(items.map((item) => item.bytes));
  const frameWrites = rng.chance(0.3)
    ? items.flatMap((item) => splitWrites(rng, item.bytes))
    : splitWrites(rng, stream);
  const pipelined = rng.chance(0.15) && frameWrites.length ? rng.between(1, frameWrites.length) : 0;
  const requestBytes = Buffer.concat([request.bytes, ...frameWrites.slice(0, pipelined)]);
  return {
    seed,
    iteration: n,
    path: request.path,
    requestNotes: request.notes,
    frameNotes: items.map((item) => item.note),
    requestWrites: splitWrites(rng, requestBytes).filter((w) => w.length),
    pipelinedBytes: requestBytes.length - request.bytes.length,
    frameWrites: frameWrites.slice(pipelined).filter((w) => w.length),
    gapMs: rng.weighted([
      [6, 0],
      [3, 1],
      [1, 5],
    ]),
    ending,
    // an unfinished request: sometimes wait for the server's handshake timeout
    waitForHandshakeTimeout: ctx.firmware && rng.chance(0.2),
    // after the close handshake, wait for the server to close TCP (else end it ourselves)
    awaitServerClose: rng.chance(0.3),
    lingerMs: rng.between(0, 200),
  };
}
