// Unit tests of the firmware's frame parser (modules/websocket/frame-parser.ts), compiled.
import { expect } from "chai";
import { binaryPayload } from "../testing/pseudo-random.js";
import { clientFrame, firmwareModule, recordingHandler, utf8 } from "./firmware-modules.js";

const { FrameParser, RESERVED, WAIT } = await firmwareModule("websocket/frame-parser");
const limits = { maxMessageSize: 1000, maxFrames: 4 };

function parse(bytes, { split = null, options = limits } = {}) {
  const handler = recordingHandler();
  const parser = new FrameParser(handler, options);
  const all = Uint8Array.from(bytes);
  if (split === null) parser.push(all);
  else for (let i = 0; i < all.length; i += split) parser.push(all.subarray(i, i + split));
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
    const parser = new FrameParser(handler, limits);
    const frame = clientFrame({
      opcode: 1,
      payload: [0x61, 0xe0, 0x80, ...new Array(50).fill(0x61)],
    });
    parser.push(frame.subarray(0, 2 + 4 + 2)); // header, mask, "a" and 0xE0: still possibly valid
    expect(handler.events).to.deep.equal([]);
    parser.push(frame.subarray(8, 9)); // 0x80 after 0xE0: overlong, fails before the rest arrives
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

describe("firmware frame parser, read a part at a time (wanted, pushPayload)", () => {
  /** Feeds `bytes` the way the connection reads a socket: `wanted` bytes at a time. */
  function readInParts(bytes, options = limits) {
    const handler = recordingHandler();
    const parser = new FrameParser(handler, options);
    const all = Uint8Array.from(bytes);
    const reads = [];
    let offset = 0;
    while (offset < all.length && parser.wanted > 0) {
      const wanted = Math.min(parser.wanted, all.length - offset);
      const part = all.slice(offset, offset + wanted);
      if (parser.takesWholePayload && wanted === parser.wanted) {
        reads.push(["payload", wanted]);
        parser.pushPayload(part.buffer);
      } else {
        reads.push(["field", wanted]);
        parser.push(part);
      }
      offset += wanted;
    }
    return { events: handler.events, reads };
  }

  it("asks for each header field, then takes the payload whole and unmasks it in place", () => {
    const payload = new Array(300).fill(0).map((_, i) => i & 0xff);
    const { events, reads } = readInParts([
      ...clientFrame({ opcode: 2, payload }),
      ...clientFrame({ opcode: 1, payload: utf8("hi") }),
    ]);
    expect(reads).to.deep.equal([
      ["field", 2],
      ["field", 2],
      ["field", 4],
      ["payload", 300],
      ["field", 2],
      ["field", 4],
      ["payload", 2],
    ]);
    expect(events).to.deep.equal([
      ["message", payload, false],
      ["message", "hi", true],
    ]);
  });

  it("hands the pushed buffer itself on as the message (no copy)", () => {
    let received = null;
    const parser = new FrameParser(
      { ...recordingHandler(), parsedMessage: (data) => (received = data) },
      limits,
    );
    const frame = clientFrame({ opcode: 2, payload: [5, 6, 7] });
    parser.push(frame.subarray(0, 6));
    const buffer = frame.slice(6).buffer;
    parser.pushPayload(buffer);
    expect(received).to.equal(buffer);
    expect([...new Uint8Array(received)]).to.deep.equal([5, 6, 7]);
  });

  it("checks UTF-8 of a pushed payload, and takes no payload it discards", () => {
    const bad = readInParts(clientFrame({ opcode: 1, payload: [0x68, 0xff] }));
    expect(bad.events).to.deep.equal([["error", 1007, "invalid UTF-8 in text message"]]);
    const tooBig = readInParts(clientFrame({ opcode: 2, payload: new Array(1001).fill(1) }));
    expect(tooBig.events).to.deep.equal([["error", 1009, "message too big"]]);
    expect(tooBig.reads.at(-1), "a discarded payload is pushed, not taken").to.deep.equal([
      "field",
      1001,
    ]);
  });

  it("refuses a buffer that is not the whole payload, and wants nothing once stopped", () => {
    const parser = new FrameParser(recordingHandler(), limits);
    const frame = clientFrame({ opcode: 2, payload: [1, 2, 3, 4] });
    parser.push(frame.subarray(0, 6));
    expect(parser.wanted).to.equal(4);
    expect(() => parser.pushPayload(new ArrayBuffer(3))).to.throw(RangeError);
    parser.stop();
    expect(parser.wanted).to.equal(0);
  });
});

/** `length` pseudo-random bytes (the same every run), as an array. */
const randomBytes = (length, seed = 7) => [...binaryPayload(length, seed)];

/** Pushes `bytes` in pieces of `split` bytes, each a view at an odd offset of a larger buffer. */
function pushUnaligned(parser, bytes, split) {
  for (let i = 0; i < bytes.length; i += split) {
    const piece = bytes.slice(i, i + split);
    const holder = new Uint8Array(piece.length + 3);
    holder.set(piece, 1);
    parser.push(holder.subarray(1, 1 + piece.length));
  }
}

const streaming = { streaming: true };
const mask = [0x12, 0x34, 0x56, 0x78];

describe("firmware frame parser, streaming and room", () => {
  it("unmasks any payload exactly, whatever the pieces and their alignment (word-wise from 64 bytes)", () => {
    const payload = randomBytes(1000);
    const frame = [...clientFrame({ opcode: 2, payload, mask })];
    for (const split of [1, 3, 7, 13, 64, 333, 2000]) {
      const whole = recordingHandler();
      pushUnaligned(new FrameParser(whole, limits), frame, split);
      expect(whole.events, `assembled, pieces of ${split}`).to.deep.equal([
        ["message", payload, false],
      ]);
      const parts = recordingHandler();
      pushUnaligned(new FrameParser(parts, limits, streaming), frame, split);
      const streamed = parts.events.flatMap(([kind, bytes]) => (kind === "part" ? bytes : []));
      expect(streamed, `streamed, pieces of ${split}`).to.deep.equal(payload);
    }
  });

  it("streams each part as it arrives, first and last marked, a message of any length and any number of fragments", () => {
    const handler = recordingHandler();
    const parser = new FrameParser(handler, { maxMessageSize: 10, maxFrames: 1 }, streaming);
    const big = randomBytes(300);
    const bytes = [
      ...clientFrame({ fin: false, opcode: 2, payload: big }),
      ...clientFrame({ fin: false, opcode: 0, payload: big }),
      ...clientFrame({ opcode: 0, payload: [1, 2] }),
    ];
    parser.push(Uint8Array.from(bytes.slice(0, 200)));
    parser.push(Uint8Array.from(bytes.slice(200)));
    const flags = handler.events.map(([kind, part, isText, first, last]) => [
      kind,
      part.length,
      isText,
      first,
      last,
    ]);
    expect(flags[0]).to.deep.equal(["part", 200 - 8, false, true, false]); // 8: header and mask
    expect(flags.at(-1)).to.deep.equal(["part", 2, false, false, true]);
    expect(flags.slice(1, -1).every(([, , , first, last]) => !first && !last)).to.equal(true);
    const all = handler.events.flatMap(([, part]) => part);
    expect(all).to.deep.equal([...big, ...big, 1, 2]);
  });

  it("frames an echo as the client did, at most one frame a read: short frames gathered until the read ends, a long one begun with them", () => {
    const handler = recordingHandler();
    const parts = [];
    handler.parsedPart = (part, isText, first, last, frameLength, finalFrame) =>
      parts.push([part.length, first, last, frameLength, finalFrame]);
    const parser = new FrameParser(handler, limits, streaming);
    const short = (opcode, n) =>
      Array.from(clientFrame({ fin: false, opcode, payload: new Array(n).fill(1) }));
    parser.push(Uint8Array.from([...short(2, 10), ...short(0, 20), ...short(0, 30)]));
    expect(parts, "gathered until the read ends").to.deep.equal([]);
    parser.endOfRead();
    expect(parts.splice(0)).to.deep.equal([[60, true, false, 60, false]]);
    const long = clientFrame({ opcode: 0, payload: new Array(300).fill(2) }); // 8 bytes of header
    parser.push(Uint8Array.from([...short(0, 5), ...long.slice(0, 8 + 100)]));
    parser.endOfRead();
    expect(parts.splice(0), "the short frame begins the long one's frame").to.deep.equal([
      [5, false, false, 305, true],
      [100, false, false, -1, true],
    ]);
    parser.push(long.slice(8 + 100));
    expect(parts.splice(0), "its rest, ending the message").to.deep.equal([
      [200, false, true, -1, true],
    ]);
    parser.push(Uint8Array.from(clientFrame({ opcode: 1, payload: utf8("hi") })));
    expect(parts, "a whole message goes at once").to.deep.equal([[2, true, true, 2, true]]);
  });

  it("streams a payload of at most 125 bytes as one part however it arrives", () => {
    const handler = recordingHandler();
    const parser = new FrameParser(handler, limits, streaming);
    for (const byte of clientFrame({ opcode: 1, payload: utf8("Ping") }))
      parser.push(Uint8Array.of(byte));
    expect(handler.events).to.deep.equal([["part", utf8("Ping"), true, true, true]]);
  });

  it("checks streamed text as it arrives: a code point may span parts, an invalid byte closes 1007 after the valid parts", () => {
    const euro = utf8("€");
    const text = [...utf8("a".repeat(200)), ...euro, ...utf8("b".repeat(200))];
    const valid = recordingHandler();
    const parser = new FrameParser(valid, limits, streaming);
    const frame = clientFrame({ opcode: 1, payload: text });
    parser.push(frame.subarray(0, 8 + 201)); // ends inside the euro sign
    parser.push(frame.subarray(8 + 201));
    expect(valid.events.flatMap(([, part]) => part)).to.deep.equal(text);

    const invalid = recordingHandler();
    const bad = clientFrame({ opcode: 1, payload: [...utf8("a".repeat(200)), 0xff, 0x61] });
    const second = new FrameParser(invalid, limits, streaming);
    second.push(bad.subarray(0, 100));
    second.push(bad.subarray(100));
    expect(invalid.events[0][0]).to.equal("part");
    expect(invalid.events.at(-1).slice(0, 2)).to.deep.equal(["error", 1007]);
  });

  it("waits for room when the handler says WAIT, keeps what is pushed meanwhile, and goes on at resume()", () => {
    const handler = recordingHandler();
    let answer = WAIT;
    const asked = [];
    handler.reserveMessage = (bytes, continuing) => (asked.push([bytes, continuing]), answer);
    const parser = new FrameParser(handler, limits);
    const frames = [
      ...clientFrame({ opcode: 2, payload: [1, 2, 3] }),
      ...clientFrame({ opcode: 1, payload: utf8("next") }),
    ];
    parser.push(Uint8Array.from(frames.slice(0, 10)));
    parser.push(Uint8Array.from(frames.slice(10)));
    expect(parser.waiting, "waiting for room").to.equal(true);
    expect(handler.events).to.deep.equal([]);
    answer = RESERVED;
    parser.resume();
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

  it("refuses a message with the close code the handler answers (1009: never fits; 1013: no room for the rest)", () => {
    for (const code of [1009, 1013]) {
      const handler = recordingHandler();
      handler.reserveMessage = (bytes, continuing) => (continuing ? code : RESERVED);
      const parser = new FrameParser(handler, limits);
      parser.push(
        Uint8Array.from([
          ...clientFrame({ fin: false, opcode: 2, payload: [1] }),
          ...clientFrame({ opcode: 0, payload: [2] }),
        ]),
      );
      expect(handler.events.at(-1).slice(0, 2), `answer ${code}`).to.deep.equal(["error", code]);
    }
  });
});
