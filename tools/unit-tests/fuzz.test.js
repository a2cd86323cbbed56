// Unit tests of the fuzzer (tools/fuzz): the seeded generator, the cases it builds, the model of
// what a server owes, and the checker of server output. The fuzz runs themselves are
// host-tests/fuzz.test.js and `npm run fuzz`.
import { expect } from "chai";
import { closePayload } from "../wire/close-payload.js";
import { encodeFrame, encodeServerFrame } from "../wire/frame-encoder.js";
import { Opcode } from "../wire/opcodes.js";
import { acceptFor } from "../wire/opening-handshake.js";
import { ServerOutput, checkResponseHead } from "../fuzz/checker.js";
import { parseResponseHead } from "../wire/raw-http.js";
import { StreamModel, analyzeRequest } from "../fuzz/model.js";
import { buildCase } from "../fuzz/mutators.js";
import { Random, iterationSeed, parseSeed } from "../fuzz/prng.js";

const ctx = {
  host: "127.0.0.1",
  port: 8080,
  path: "/ws",
  firmware: true,
  kind: "node",
  endpoints: ["/ws", "/broadcast", "/api"],
  maxMessageSize: 65536,
  maxHeaderSize: 4096,
  maxFrames: 1024,
};
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const request = (lines) => Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
const upgrade = (extra = [], { first = "GET /ws HTTP/1.1", drop = "" } = {}) =>
  request(
    [
      first,
      "Host: board",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${KEY}`,
      "Sec-WebSocket-Version: 13",
      ...extra,
    ].filter((line) => !drop || !line.startsWith(drop)),
  );
const frame = (f) => encodeFrame({ maskKey: Buffer.from([1, 2, 3, 4]), ...f });
const model = (options = {}) =>
  new StreamModel({
    echo: true,
    maxMessageSize: 65536,
    maxFrames: 1024,
    failFastUtf8: true,
    maxPings: 20,
    ...options,
  });
const kinds = (m) => m.expected.map((e) => (e.kind === "close" ? `close ${e.codes}` : e.kind));

describe("fuzzer: seeded generator", function () {
  it("gives the same numbers for the same seed, others for another", function () {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const first = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).to.deep.equal(first);
    expect(Array.from({ length: 5 }, () => c.uint32())).to.not.deep.equal(first);
    expect(iterationSeed(1, 0)).to.not.equal(iterationSeed(1, 1));
  });

  it("reads seeds in decimal and hex, and refuses anything else", function () {
    expect(parseSeed("123")).to.equal(123);
    expect(parseSeed("0xff")).to.equal(255);
    expect(parseSeed("4294967295")).to.equal(0xffffffff);
    for (const bad of ["-1", "1.5", "abc", "4294967296", ""])
      expect(() => parseSeed(bad), bad).to.throw(/not a seed/);
  });

  it("builds the same case, byte for byte, from the same seed and iteration", function () {
    for (const n of [0, 7, 99]) {
      const one = buildCase(5, n, ctx);
      const two = buildCase(5, n, ctx);
      expect(Buffer.concat(two.requestWrites)).to.deep.equal(Buffer.concat(one.requestWrites));
      expect(Buffer.concat(two.frameWrites)).to.deep.equal(Buffer.concat(one.frameWrites));
      expect(two.ending).to.deep.equal(one.ending);
    }
    const other = buildCase(6, 7, ctx);
    expect(Buffer.concat(other.requestWrites)).to.not.deep.equal(
      Buffer.concat(buildCase(5, 7, ctx).requestWrites),
    );
  });
});

describe("fuzzer: request verdicts", function () {
  it("a valid upgrade must be accepted", function () {
    const a = analyzeRequest(upgrade(), ctx);
    expect(a.verdict).to.equal("upgrade");
    expect(a.key).to.equal(KEY);
    expect(a.headLength).to.equal(upgrade().length);
  });

  it("RFC 6455 violations must be refused by every server", function () {
    for (const bytes of [
      upgrade([], { first: "POST /ws HTTP/1.1" }),
      upgrade([], { drop: "Sec-WebSocket-Key" }),
      upgrade([], { drop: "Upgrade" }),
      upgrade([`Sec-WebSocket-Key: ${KEY}`]),
      upgrade([], { first: "GET /nope HTTP/1.1" }),
    ]) {
      expect(analyzeRequest(bytes, ctx).verdict).to.equal("reject");
      expect(
        analyzeRequest(bytes, { ...ctx, firmware: false, endpoints: ["/ws"] }).verdict,
      ).to.equal("reject");
    }
  });

  it("what only the firmware refuses is either answer on another server", function () {
    const generic = { ...ctx, firmware: false, endpoints: ["/ws"], maxHeaderSize: 8192 };
    for (const bytes of [
      upgrade([], { first: "GET /ws HTTP/1.0" }),
      upgrade([], { drop: "Host" }),
      upgrade(["X-Long: " + "v".repeat(9000)]),
    ]) {
      expect(analyzeRequest(bytes, ctx).verdict).to.equal("reject");
      expect(analyzeRequest(bytes, generic).verdict).to.equal("maybe");
    }
  });

  it("a request without the blank line is unfinished", function () {
    expect(analyzeRequest(upgrade().subarray(0, 40), ctx).verdict).to.equal("incomplete");
  });
});

describe("fuzzer: what the server owes", function () {
  it("an echo for each message, a pong for each ping, the client's close code back", function () {
    const m = model();
    m.push(frame({ opcode: Opcode.TEXT, payload: "hi" }));
    m.push(frame({ opcode: Opcode.PING, payload: "p" }));
    m.push(frame({ fin: false, opcode: Opcode.BINARY, payload: "a" }));
    m.push(frame({ opcode: Opcode.CONTINUATION, payload: "b" }));
    m.push(frame({ opcode: Opcode.CLOSE, payload: closePayload(4000) }));
    expect(kinds(m)).to.deep.equal(["message", "pong", "message", "close 4000"]);
    expect(m.expected[2].payload.toString()).to.equal("ab");
  });

  it("a header that promises more swallows what follows", function () {
    const m = model();
    m.push(frame({ opcode: Opcode.BINARY, payload: "hi", length: 30 }));
    m.push(frame({ opcode: Opcode.CLOSE, payload: closePayload(1000) }));
    expect(kinds(m)).to.deep.equal([]);
    expect(m.insideFrame).to.equal(true);
  });

  it("protocol violations call for 1002, 1007 or 1009, and nothing more after them", function () {
    const cases = [
      [{ opcode: Opcode.TEXT, payload: "x", rsv: 4 }, "close 1002"],
      [{ opcode: Opcode.TEXT, payload: "x", mask: false }, "close 1002"],
      [{ opcode: 0x3, payload: "x" }, "close 1002"],
      [{ opcode: Opcode.PING, payload: Buffer.alloc(126) }, "close 1002"],
      [{ opcode: Opcode.CONTINUATION, payload: "x" }, "close 1002"],
      [{ opcode: Opcode.TEXT, payload: Buffer.from([0xc0, 0x80]) }, "close 1007"],
      [{ opcode: Opcode.BINARY, payload: "", length: 70000 }, "close 1009"],
      [{ opcode: Opcode.CLOSE, payload: closePayload(1005) }, "close 1002"],
    ];
    for (const [f, expected] of cases) {
      const m = model();
      m.push(Buffer.concat([frame(f), frame({ opcode: Opcode.TEXT, payload: "after" })]));
      expect(kinds(m), JSON.stringify(f)).to.deep.equal([expected]);
    }
  });

  it("text is checked as it arrives on the firmware, at the end of the message elsewhere", function () {
    const bad = frame({ fin: false, opcode: Opcode.TEXT, payload: Buffer.from([0xff]) });
    const ping = frame({ opcode: Opcode.PING, payload: "p" });
    const firm = model();
    firm.push(Buffer.concat([bad, ping]));
    expect(kinds(firm)).to.deep.equal(["close 1007"]);
    const other = model({ failFastUtf8: false });
    other.push(Buffer.concat([bad, ping, frame({ opcode: Opcode.CONTINUATION, payload: "x" })]));
    expect(other.expected.filter((e) => !e.optional).map((e) => e.kind)).to.deep.equal(["close"]);
    expect(other.expected.some((e) => e.kind === "pong" && e.optional)).to.equal(true);
  });

  it("counts the bytes a client sends after its close frame", function () {
    const m = model();
    m.push(Buffer.concat([frame({ opcode: Opcode.CLOSE, payload: "" }), Buffer.alloc(10)]));
    expect(m.bytesAfterClientClose).to.equal(10);
  });
});

describe("fuzzer: server output checks", function () {
  const valid = analyzeRequest(upgrade(), ctx);
  const head = (lines) => lines.join("\r\n");
  const switching = head([
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${acceptFor(KEY)}`,
  ]);

  it("accepts a correct 101 and names what is wrong with a bad one", function () {
    expect(checkResponseHead(switching, valid, ctx).problems).to.deep.equal([]);
    const wrongAccept = switching.replace(acceptFor(KEY), "x");
    expect(checkResponseHead(wrongAccept, valid, ctx).problems.join()).to.match(/Accept/);
    const refused = analyzeRequest(upgrade([], { first: "POST /ws HTTP/1.1" }), ctx);
    expect(checkResponseHead(switching, refused, ctx).problems.join()).to.match(/must be refused/);
    expect(
      checkResponseHead(
        head(["HTTP/1.1 500 Oops", "Content-Length: 0"]),
        refused,
        ctx,
      ).problems.join(),
    ).to.match(/never sends/);
  });

  function serverOutput(bytes) {
    const events = [];
    const problems = [];
    const output = new ServerOutput({
      onHead: () => ({ status: 101, headers: {} }),
      onEvent: (e) => events.push(e),
      onProblem: (p) => problems.push(p),
    });
    output.push(Buffer.concat([Buffer.from(`${switching}\r\n\r\n`), bytes]));
    return { events, problems };
  }
  const server = encodeServerFrame;

  it("reads well-formed server frames as events", function () {
    const { events, problems } = serverOutput(
      Buffer.concat([
        server({ fin: false, opcode: Opcode.TEXT, payload: "a" }),
        server({ opcode: Opcode.PING, payload: "" }),
        server({ opcode: Opcode.CONTINUATION, payload: "b" }),
        server({ opcode: Opcode.CLOSE, payload: closePayload(1000) }),
      ]),
    );
    expect(problems).to.deep.equal([]);
    expect(events.map((e) => e.kind)).to.deep.equal(["ping", "message", "close"]);
  });

  it("fails a masked, RSV, oversize or bad close frame, and bytes after a close", function () {
    const bad = [
      server({ opcode: Opcode.TEXT, payload: "x", mask: true }),
      server({ opcode: Opcode.TEXT, payload: "x", rsv: 1 }),
      server({ opcode: Opcode.PING, payload: Buffer.alloc(126) }),
      server({ opcode: 0xb, payload: "" }),
      server({ opcode: Opcode.CLOSE, payload: closePayload(1005) }),
      server({ opcode: Opcode.CLOSE, payload: Buffer.from([3]) }),
      server({ opcode: Opcode.CONTINUATION, payload: "x" }),
      server({ opcode: Opcode.TEXT, payload: Buffer.from([0xff]) }),
      Buffer.concat([server({ opcode: Opcode.CLOSE, payload: "" }), Buffer.from([0x81, 0])]),
    ];
    for (const bytes of bad)
      expect(serverOutput(bytes).problems, bytes.toString("hex")).to.have.length(1);
  });

  it("reads bytes after a kept response's body as the next responses, else fails them", function () {
    const response = (connection, status = 200, body = "ok") =>
      `HTTP/1.1 ${status} X\r\nConnection: ${connection}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const read = (text, split) => {
      const problems = [];
      const output = new ServerOutput({
        onHead: (head) => ({ ...parseResponseHead(head), noBody: false }),
        onEvent: () => {},
        onProblem: (p) => problems.push(p),
      });
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += split) output.push(bytes.subarray(i, i + split));
      return { problems, later: output.laterStatuses };
    };
    const kept = `${response("keep-alive")}${response("keep-alive", 404, "no")}${response("close", 400, "bad")}`;
    for (const split of [1, 7, kept.length])
      expect(read(kept, split), `split ${split}`).to.deep.equal({
        problems: [],
        later: [404, 400],
      });
    const { problems } = read(`${response("close")}${response("close", 400)}`, 5);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^\d+ bytes after the 2-byte body of the 200$/);
    const garbage = "garbage\r\nContent-Length: 0\r\n\r\n";
    expect(read(`${response("keep-alive")}${garbage}`, 5).problems).to.have.length(1);
  });
});
