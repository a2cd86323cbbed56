// Unit tests of the firmware's HTTP request parser and handshake checks, compiled.
import { expect } from "chai";
import { firmwareModule } from "./firmware-modules.js";

const { HttpRequestParser } = await firmwareModule("http/request-parser");
const { acceptKey, checkUpgrade } = await firmwareModule("websocket/upgrade");
const { isValidUtf8 } = await firmwareModule("websocket/utf8-validator");

const bytes = (text) => new TextEncoder().encode(text);
const request = (lines) => `${lines.join("\r\n")}\r\n\r\n`;
const upgrade = [
  "GET /ws HTTP/1.1",
  "Host: board",
  "Upgrade: websocket",
  "Connection: keep-alive, Upgrade",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version: 13",
];

function parseAll(text, { maxHeaderSize = 4096, step = text.length } = {}) {
  const parser = new HttpRequestParser(maxHeaderSize);
  const data = bytes(text);
  let result;
  for (let i = 0; i < data.length; i += step) {
    result = parser.push(data.subarray(i, i + step));
    if (result.done) return result;
  }
  return result;
}

describe("firmware handshake", () => {
  it("computes the RFC 6455 sample Sec-WebSocket-Accept", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).to.equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("parses a request fed one byte at a time and keeps the bytes after it", () => {
    const result = parseAll(request(upgrade) + "\x81", { step: 1 });
    expect(result.done).to.equal(true);
    expect(result.request.method).to.equal("GET");
    expect(result.request.headers.get("sec-websocket-version")).to.equal("13");
    expect(result.rest).to.have.length(0); // the byte after the request was not pushed yet
    const whole = parseAll(request(upgrade) + "\x01\x02");
    expect([...whole.rest]).to.deep.equal([1, 2]);
  });

  it("answers 431 when the header block outgrows maxHeaderSize", () => {
    const big = request([...upgrade, `X-Pad: ${"a".repeat(600)}`]);
    expect(parseAll(big, { maxHeaderSize: 512 }).error.status).to.equal(431);
    expect(parseAll(big, { maxHeaderSize: 512, step: 100 }).error.status).to.equal(431);
  });

  it("answers 400 to a malformed request line or header", () => {
    expect(parseAll(request(["GARBAGE"])).error.status).to.equal(400);
    expect(parseAll(request(["GET /ws HTTP/1.1", "no colon here"])).error.status).to.equal(400);
  });

  it("checks only the head: a frame sent with the request is not garbage", () => {
    const frame = [0x88, 0x81, 0xb4, 0xd4, 0x8c, 0x5a];
    const result = new HttpRequestParser(4096).push(
      Uint8Array.from([...bytes(request(upgrade)), ...frame]),
    );
    expect(result.error, "no error").to.equal(undefined);
    expect([...result.rest]).to.deep.equal(frame);
  });

  it("answers 400 as soon as the bytes can start no request (binary, a TLS hello), not at the end", () => {
    const parser = new HttpRequestParser(4096);
    expect(parser.push(bytes("GE")).done, "the start of a method").to.equal(false);
    const tls = new HttpRequestParser(4096).push(Uint8Array.of(0x16, 0x03, 0x01));
    expect(tls.error).to.deep.equal({ status: 400, body: "malformed request line" });
    expect(tls.incomplete, "refused before its end: the client may still be sending").to.equal(
      true,
    );
    expect(new HttpRequestParser(4096).push(Uint8Array.of(0x47, 0xff)).error.body).to.equal(
      "request head is not ASCII text",
    );
    expect(parseAll("G(T /ws", { step: 1 }).error.body).to.equal("malformed request line");
    expect(parseAll("GET /ws HTTP/1.1\r\nX: (ok in a value)", { step: 1 }).done).to.equal(false);
  });

  const cases = [
    ["a valid upgrade", upgrade, null],
    ["POST", ["POST /ws HTTP/1.1", ...upgrade.slice(1)], 400],
    ["HTTP/1.0", ["GET /ws HTTP/1.0", ...upgrade.slice(1)], 400],
    ["no Host", upgrade.filter((line) => !line.startsWith("Host")), 400],
    ["an unknown path", ["GET /other HTTP/1.1", ...upgrade.slice(1)], 404],
    ["a plain GET", upgrade.filter((line) => !line.startsWith("Upgrade")), 426],
    ["version 12", [...upgrade.slice(0, 5), "Sec-WebSocket-Version: 12"], 426],
    ["a short key", [...upgrade.slice(0, 4), "Sec-WebSocket-Key: abc", upgrade[5]], 400],
    ["two keys", [...upgrade, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="], 400],
  ];
  for (const [name, lines, status] of cases) {
    it(`${status ? `refuses ${name} with ${status}` : `accepts ${name}`}`, () => {
      const ws = { path: "/ws" };
      const endpointAt = (path) => (path === "/ws" ? ws : undefined);
      const result = checkUpgrade(parseAll(request(lines)).request, endpointAt);
      if (status !== null) return expect(result.refusal.status).to.equal(status);
      expect(result.endpoint).to.equal(ws);
      expect(acceptKey(result.key)).to.equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    });
  }

  it("validates UTF-8 like RFC 3629", () => {
    expect(isValidUtf8(Uint8Array.from([0xf0, 0x9f, 0x98, 0x80]))).to.equal(true);
    for (const bad of [
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    ]) {
      expect(isValidUtf8(Uint8Array.from(bad)), bad.join(" ")).to.equal(false);
    }
  });
});
