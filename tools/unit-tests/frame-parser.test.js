// Unit tests of the firmware's frame parser (modules/websocket/frame-parser.ts), compiled.
import { expect } from "chai";
import { binaryPayload } from "../testing/pseudo-random.js";
import { clientFrame, firmwareModule, recordingHandler, utf8 } from "./firmware-modules.js";

const { BytesSource, FrameParser, newHeaderViews, Room } =
  await firmwareModule("websocket/frame-parser");
const limits = { maxMessageSize: 1000, maxFrames: 4 };

const newParser = (handler, options = limits, streaming = false) =>
  new FrameParser(handler, options, newHeaderViews(), streaming);

/** One read of the socket: the parser reads `bytes` from a source holding them; what it took. */
const feed = (parser, bytes) =>
  parser.readFrom(new BytesSource(Uint8Array.from(bytes)), bytes.length);

function parse(bytes, { split = null, options = limits } = {}) {
  const handler = recordingHandler();
  const parser = newParser(handler, options);
  const all = Uint8Array.from(bytes);
  if (split === null) feed(parser, all);
  else for (let i = 0; i < all.length; i += split) feed(parser, all.subarray(i, i + split));
  return handler.events;
}

describe("firmware frame parser", () => {
  it("reads a text frame whole, and the same frame pushed one byte at a time", () => {
    const frame = clientFrame({ opcode: 1, payload: utf8("héllo") });
    expect(parse(frame)).to.deep.equal([["message", "héllo", true]]);
    expect(parse(frame, { split: 1 })).to.deep.equal([["message", "héllo", true]]);
  });

  it("reads 16-bit and 64-bit lengths", () => {
    const options = { maxMessageSize: 70000, maxFrames: 4 };
    const medium = clientFrame({ opcode: 2, payload: new Array(300).fill(7) });
    const large = clientFrame({ opcode: 2, payload: new Array(65536).fill(9) });
    const [[, mediumData]] = parse(medium, { split: 7, options });
    const [[, largeData]] = parse(large, { split: 1000, options });
    expect(mediumData).to.have.length(300);
    expect(largeData).to.have.length(65536);
    expect(largeData.every((byte) => byte === 9)).to.equal(true);
  });

  it("reads many frames from one push, in order", () => {
    const frames = [1, 2, 3].flatMap((n) => [
      ...clientFrame({ opcode: 1, payload: utf8(`m${n}`) }),
    ]);
    expect(parse(frames).map(([, text]) => text)).to.deep.equal(["m1", "m2", "m3"]);
  });

  it("joins fragments and handles a ping between them", () => {
    const bytes = [
      ...clientFrame({ fin: false, opcode: 1, payload: utf8("he") }),
      ...clientFrame({ opcode: 9, payload: [42] }),
      ...clientFrame({ fin: false, opcode: 0, payload: utf8("l") }),
      ...clientFrame({ opcode: 0, payload: utf8("lo") }),
    ];
    expect(parse(bytes, { split: 3 })).to.deep.equal([
      ["ping", [42]],
      ["message", "hello", true],
    ]);
  });

  it("accepts a code point split between fragments and rejects one left unfinished", () => {
    const euro = utf8("€"); // E2 82 AC
    const split = [
      ...clientFrame({ fin: false, opcode: 1, payload: euro.slice(0, 1) }),
      ...clientFrame({ opcode: 0, payload: euro.slice(1) }),
    ];
    expect(parse(split)).to.deep.equal([["message", "€", true]]);
    const truncated = clientFrame({ opcode: 1, payload: euro.slice(0, 2) });
    expect(parse(truncated)[0].slice(0, 2)).to.deep.equal(["error", 1007]);
  });

  it("rejects invalid UTF-8 as soon as the bad byte arrives", () => {
    const handler = recordingHandler();
    const parser = newParser(handler);
    const frame = clientFrame({
      opcode: 1,
      payload: [0x61, 0xe0, 0x80, ...new Array(50).fill(0x61)],
    });
    feed(parser, frame.subarray(0, 2 + 4 + 2)); // header, mask, "a" and 0xE0: still possibly valid
    expect(handler.events).to.deep.equal([]);
    feed(parser, frame.subarray(8, 9)); // 0x80 after 0xE0: overlong, fails before the rest arrives
    expect(handler.events[0].slice(0, 2)).to.deep.equal(["error", 1007]);
  });

  const protocolErrors = {
    "an unmasked frame": Uint8Array.from([0x81, 0x01, 0x61]),
    "RSV1 set": clientFrame({ rsv: 4, opcode: 1, payload: [0x61] }),
    "reserved opcode 3": clientFrame({ opcode: 3 }),
    "reserved opcode 0xB": clientFrame({ opcode: 0xb }),
    "a fragmented ping": clientFrame({ fin: false, opcode: 9 }),
    "a ping over 125 bytes": clientFrame({ opcode: 9, payload: new Array(126).fill(0) }),
    "a continuation with nothing to continue": clientFrame({ opcode: 0, payload: [1] }),
    "a close over 125 bytes": clientFrame({ opcode: 8, payload: [0x03, 0xe8, ...new Array(124)] }),
    "a fragmented close": clientFrame({ fin: false, opcode: 8, payload: [0x03, 0xe8] }),
    "a close frame with 1 byte": clientFrame({ opcode: 8, payload: [3] }),
    "close code 1005": clientFrame({ opcode: 8, payload: [0x03, 0xed] }),
  };
  for (const [name, bytes] of Object.entries(protocolErrors)) {
    it(`answers ${name} with 1002 and ignores what follows`, () => {
      const events = parse([...bytes, ...clientFrame({ opcode: 1, payload: utf8("after") })]);
      expect(events).to.have.length(1);
      expect(events[0].slice(0, 2)).to.deep.equal(["error", 1002]);
    });
  }

  // A close frame with a bad header is skipped like any other frame: it is no close reply.
  it("after a bad header, skips that frame and data and pings, and still sees the client's close reply", () => {
    const badPayload = ["a close frame with 1 byte", "close code 1005"]; // the client's last frame
    for (const [name, bytes] of Object.entries(protocolErrors)) {
      if (badPayload.includes(name)) continue;
      const reply = clientFrame({ opcode: 8, payload: [0x03, 0xea] }); // close 1002
      const events = parse(
        [
          ...bytes,
          ...clientFrame({ opcode: 9, payload: [1] }),
          ...clientFrame({ opcode: 2, payload: [2] }),
          ...reply,
        ],
        { split: 3 },
      );
      expect(
        events.map((e) => e.slice(0, 2)),
        name,
      ).to.deep.equal([
        ["error", 1002],
        ["close", 1002],
      ]);
    }
  });

  it("refuses a message over the limit from its header, before any payload", () => {
    const header = clientFrame({ opcode: 2, payload: new Array(1001).fill(0) }).subarray(0, 4);
    expect(parse(header)[0].slice(0, 2)).to.deep.equal(["error", 1009]);
    const fragments = [
      ...clientFrame({ fin: false, opcode: 2, payload: new Array(600).fill(0) }),
      ...clientFrame({ opcode: 0, payload: new Array(401).fill(0) }),
    ];
    expect(parse(fragments)[0].slice(0, 2)).to.deep.equal(["error", 1009]);
  });

  it("refuses a message in more frames than maxFrames", () => {
    const bytes = [
      ...clientFrame({ fin: false, opcode: 2, payload: [1] }),
      ...[2, 3, 4].flatMap((n) => [...clientFrame({ fin: false, opcode: 0, payload: [n] })]),
      ...clientFrame({ opcode: 0, payload: [5] }),
    ];
    expect(parse(bytes)[0].slice(0, 2)).to.deep.equal(["error", 1009]);
  });

  it("after invalid UTF-8 or a message too big, skips payloads but still sees the close frame", () => {
    const close = [...clientFrame({ opcode: 8, payload: [0x03, 0xe8] })];
    const afterUtf8 = parse([
      ...clientFrame({ opcode: 1, payload: [0x61, 0xff, 0x61] }),
      ...clientFrame({ opcode: 1, payload: utf8("ignored") }),
      ...clientFrame({ opcode: 9, payload: [1] }),
      ...close,
    ]);
    expect(afterUtf8.map((event) => event.slice(0, 2))).to.deep.equal([
      ["error", 1007],
      ["close", 1000],
    ]);
    const afterTooBig = parse(
      [...clientFrame({ opcode: 2, payload: new Array(1500).fill(1) }), ...close],
      { split: 100 },
    );
    expect(afterTooBig.map((event) => event.slice(0, 2))).to.deep.equal([
      ["error", 1009],
      ["close", 1000],
    ]);
  });

  it("reads close codes and reasons", () => {
    expect(parse(clientFrame({ opcode: 8 }))).to.deep.equal([["close", 1005, ""]]);
    const bye = clientFrame({ opcode: 8, payload: [0x0b, 0xb8, ...utf8("bye")] }); // 3000
    expect(parse(bye)).to.deep.equal([["close", 3000, "bye"]]);
    const badReason = clientFrame({ opcode: 8, payload: [0x03, 0xe8, 0xff] });
    expect(parse(badReason)[0].slice(0, 2)).to.deep.equal(["error", 1007]);
  });
});

describe("firmware frame parser, reading the socket itself (readFrom)", () => {
  /** A source over `bytes` that logs its reads: into a view (a copy), a count (a buffer taken), all. */
  function loggingSource(bytes) {
    const source = new BytesSource(Uint8Array.from(bytes));
    const reads = [];
    const taken = [];
    return {
      reads,
      taken,
      read(what) {
        if (what === undefined) reads.push(["all", source.left]);
        else if (typeof what === "number") reads.push(["taken", what]);
        else reads.push(["into", what.length]);
        const result = source.read(what);
        if (typeof what === "number") taken.push(result);
        return result;
      },
    };
  }

  function readAll(bytes, options = limits) {
    const handler = recordingHandler();
    const source = loggingSource(bytes);
    const read = newParser(handler, options).readFrom(source, bytes.length);
    return { events: handler.events, reads: source.reads, read };
  }

  it("reads each header field into a view, then takes a payload that is there whole as its own buffer", () => {
    const payload = new Array(300).fill(0).map((_, i) => i & 0xff);
    const bytes = [
      ...clientFrame({ opcode: 2, payload }),
      ...clientFrame({ opcode: 1, payload: utf8("hi") }),
    ];
    const { events, reads, read } = readAll(bytes);
    expect(read).to.equal(bytes.length);
    expect(reads).to.deep.equal([
      ["into", 2],
      ["into", 2],
      ["into", 4],
      ["taken", 300],
      ["into", 2],
      ["into", 4],
      ["taken", 2],
    ]);
    expect(events).to.deep.equal([
      ["message", payload, false],
      ["message", "hi", true],
    ]);
  });

  it("hands the buffer the socket gave on as the message (no copy)", () => {
    let received = null;
    const parser = newParser({ ...recordingHandler(), parsedMessage: (data) => (received = data) });
    const frame = clientFrame({ opcode: 2, payload: [5, 6, 7] });
    const source = loggingSource(frame);
    parser.readFrom(source, frame.length);
    expect(received).to.equal(source.taken[0]);
    expect([...new Uint8Array(received)]).to.deep.equal([5, 6, 7]);
  });

  it("checks UTF-8 of a taken payload, and copies (does not take) a payload it discards", () => {
    const bad = readAll(clientFrame({ opcode: 1, payload: [0x68, 0xff] }));
    expect(bad.events).to.deep.equal([["error", 1007, "invalid UTF-8 in text message"]]);
    const tooBig = readAll(clientFrame({ opcode: 2, payload: new Array(1001).fill(1) }));
    expect(tooBig.events).to.deep.equal([["error", 1009, "message too big"]]);
    expect(tooBig.reads.at(-1), "a discarded payload is read into a scratch buffer").to.deep.equal([
      "into",
      1001,
    ]);
  });

  it("reads nothing while the handler holds back (mayRead), and drops everything once stopped", () => {
    const handler = recordingHandler();
    let mayRead = false;
    handler.mayRead = () => mayRead;
    const parser = newParser(handler);
    const frame = clientFrame({ opcode: 1, payload: utf8("hi") });
    const source = loggingSource([...frame, ...frame]);
    expect(parser.readFrom(source, frame.length * 2), "held back").to.equal(0);
    mayRead = true;
    expect(parser.readFrom(source, frame.length)).to.equal(frame.length);
    expect(handler.events).to.deep.equal([["message", "hi", true]]);
    parser.stop();
    expect(parser.readFrom(source, frame.length), "stopped: all of it, dropped").to.equal(
      frame.length,
    );
    expect(source.reads.at(-1)).to.deep.equal(["all", frame.length]);
    expect(handler.events).to.have.length(1);
  });
});

/** `length` pseudo-random bytes (the same every run), as an array. */
const randomBytes = (length, seed = 7) => [...binaryPayload(length, seed)];

/** Feeds `bytes` in reads of `split` bytes, each from a view at an odd offset of a larger buffer. */
function feedUnaligned(parser, bytes, split) {
  for (let i = 0; i < bytes.length; i += split) {
    const piece = bytes.slice(i, i + split);
    const holder = new Uint8Array(piece.length + 3);
    holder.set(piece, 1);
    feed(parser, holder.subarray(1, 1 + piece.length));
  }
}

const mask = [0x12, 0x34, 0x56, 0x78];

describe("firmware frame parser, streaming and room", () => {
  it("unmasks any payload exactly, whatever the reads and their alignment (word-wise from 64 bytes)", () => {
    const payload = randomBytes(1000);
    const frame = [...clientFrame({ opcode: 2, payload, mask })];
    for (const split of [1, 3, 7, 13, 64, 333, 2000]) {
      const whole = recordingHandler();
      feedUnaligned(newParser(whole), frame, split);
      expect(whole.events, `assembled, reads of ${split}`).to.deep.equal([
        ["message", payload, false],
      ]);
      const parts = recordingHandler();
      feedUnaligned(newParser(parts, limits, true), frame, split);
      const streamed = parts.events.flatMap(([kind, bytes]) => (kind === "part" ? bytes : []));
      expect(streamed, `streamed, reads of ${split}`).to.deep.equal(payload);
    }
  });

  it("streams each part as it arrives, first and last marked, a message of any length and any number of fragments", () => {
    const handler = recordingHandler();
    const parser = newParser(handler, { maxMessageSize: 10, maxFrames: 1 }, true);
    const big = randomBytes(300);
    const bytes = [
      ...clientFrame({ fin: false, opcode: 2, payload: big }),
      ...clientFrame({ fin: false, opcode: 0, payload: big }),
      ...clientFrame({ opcode: 0, payload: [1, 2] }),
    ];
    feed(parser, bytes.slice(0, 200));
    feed(parser, bytes.slice(200));
    const flags = handler.events.map(([kind, part, isText, first, last]) => [
      kind,
      part.length,
      isText,
      first,
      last,
    ]);
    expect(flags[0]).to.deep.equal(["part", 200 - 8, false, true, false]); // 8: header and mask
    // The second frame's payload and the last frame's arrive whole in one read: one part.
    expect(flags.at(-1)).to.deep.equal(["part", 300 + 2, false, false, true]);
    expect(flags.slice(1, -1).every(([, , , first, last]) => !first && !last)).to.equal(true);
    const all = handler.events.flatMap(([, part]) => part);
    expect(all).to.deep.equal([...big, ...big, 1, 2]);
  });

  it("frames an echo as the client did, at most one frame a read: a read's short frames as one part, a long one begun with them", () => {
    const handler = recordingHandler();
    const parts = [];
    handler.parsedPart = (part, isText, first, last, frameLength, finalFrame) =>
      parts.push([part.length, first, last, frameLength, finalFrame]);
    const parser = newParser(handler, limits, true);
    const short = (opcode, n) =>
      Array.from(clientFrame({ fin: false, opcode, payload: new Array(n).fill(1) }));
    feed(parser, [...short(2, 10), ...short(0, 20), ...short(0, 30)]);
    expect(parts.splice(0), "three short frames, one part").to.deep.equal([
      [60, true, false, 60, false],
    ]);
    const long = clientFrame({ opcode: 0, payload: new Array(300).fill(2) }); // 8 bytes of header
    feed(parser, [...short(0, 5), ...long.slice(0, 8 + 100)]);
    expect(parts.splice(0), "the short frame begins the long one's frame").to.deep.equal([
      [5, false, false, 305, true],
      [100, false, false, -1, true],
    ]);
    feed(parser, long.slice(8 + 100));
    expect(parts.splice(0), "its rest, ending the message").to.deep.equal([
      [200, false, true, -1, true],
    ]);
    feed(parser, clientFrame({ opcode: 1, payload: utf8("hi") }));
    expect(parts, "a whole message goes at once").to.deep.equal([[2, true, true, 2, true]]);
  });

  it("streams a payload of at most 125 bytes as one part however it arrives", () => {
    const handler = recordingHandler();
    const parser = newParser(handler, limits, true);
    for (const byte of clientFrame({ opcode: 1, payload: utf8("Ping") })) feed(parser, [byte]);
    expect(handler.events).to.deep.equal([["part", utf8("Ping"), true, true, true]]);
  });

  it("checks streamed text as it arrives: a code point may span parts, an invalid byte closes 1007 after the valid parts", () => {
    const euro = utf8("€");
    const text = [...utf8("a".repeat(200)), ...euro, ...utf8("b".repeat(200))];
    const valid = recordingHandler();
    const parser = newParser(valid, limits, true);
    const frame = clientFrame({ opcode: 1, payload: text });
    feed(parser, frame.subarray(0, 8 + 201)); // ends inside the euro sign
    feed(parser, frame.subarray(8 + 201));
    expect(valid.events.flatMap(([, part]) => part)).to.deep.equal(text);

    const invalid = recordingHandler();
    const bad = clientFrame({ opcode: 1, payload: [...utf8("a".repeat(200)), 0xff, 0x61] });
    const second = newParser(invalid, limits, true);
    feed(second, bad.subarray(0, 100));
    feed(second, bad.subarray(100));
    expect(invalid.events[0][0]).to.equal("part");
    expect(invalid.events.at(-1).slice(0, 2)).to.deep.equal(["error", 1007]);
  });

  it("stops reading a streamed payload while the handler has no room for a part (reservePart)", () => {
    const handler = recordingHandler();
    let room = false;
    handler.reservePart = () => room;
    const parser = newParser(handler, limits, true);
    const frame = clientFrame({ opcode: 2, payload: randomBytes(300) });
    const source = new BytesSource(frame);
    // 100 bytes of the payload have arrived, not all of it: a part, which needs room.
    expect(parser.readFrom(source, 8 + 100), "the header only").to.equal(8);
    expect(handler.events).to.deep.equal([]);
    room = true;
    expect(parser.readFrom(source, 100)).to.equal(100);
    expect(parser.readFrom(source, 200)).to.equal(200);
    expect(handler.events.map(([kind, part]) => [kind, part.length])).to.deep.equal([
      ["part", 100],
      ["part", 200],
    ]);
  });

  it("stops before a message's payload when the handler says Room.wait, and goes on after resume()", () => {
    const handler = recordingHandler();
    let answer = Room.wait;
    const asked = [];
    handler.reserveMessage = (bytes, continuing) => (asked.push([bytes, continuing]), answer);
    const parser = newParser(handler);
    const frames = [
      ...clientFrame({ opcode: 2, payload: [1, 2, 3] }),
      ...clientFrame({ opcode: 1, payload: utf8("next") }),
    ];
    const source = new BytesSource(Uint8Array.from(frames));
    expect(parser.readFrom(source, frames.length), "header and mask, then no room").to.equal(6);
    expect(parser.readFrom(source, frames.length - 6), "still no room").to.equal(0);
    expect(handler.events).to.deep.equal([]);
    answer = Room.granted;
    parser.resume();
    expect(parser.readFrom(source, frames.length - 6)).to.equal(frames.length - 6);
    expect(handler.events).to.deep.equal([
      ["message", [1, 2, 3], false],
      ["message", "next", true],
    ]);
    expect(asked).to.deep.equal([
      [3, false],
      [3, false],
      [4, false],
    ]);
  });

  it("refuses a message with 1009 on Room.never, 1013 (try again later) on Room.notNow", () => {
    for (const [room, code] of [
      [Room.never, 1009],
      [Room.notNow, 1013],
    ]) {
      const handler = recordingHandler();
      handler.reserveMessage = (bytes, continuing) => (continuing ? room : Room.granted);
      feed(newParser(handler), [
        ...clientFrame({ fin: false, opcode: 2, payload: [1] }),
        ...clientFrame({ opcode: 0, payload: [2] }),
      ]);
      expect(handler.events.at(-1).slice(0, 2), `answer ${code}`).to.deep.equal(["error", code]);
    }
  });
});
