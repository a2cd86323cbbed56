// Hardening, the opening handshake (issue 5): whatever a client sends before its upgrade is
// complete gets a clear HTTP answer and a closed connection, within a bounded time, and a
// bystander (support/bystander().js) connected before keeps echoing, as does a client that connects
// after. handshake.test.js covers the common bad requests (POST, missing or malformed key,
// version, path, Upgrade, a short garbage line, one 8 KiB header); this file covers the abusive
// ones: heads over the size limit, heads that never end or arrive a byte at a time, binary
// garbage, HTTP/1.0, no Host, a duplicate or empty key, and a request pipelined after the upgrade.
//
// Generic tests assert a 4xx (or a close code) and the closed connection; `[firmware]` tests the
// firmware's exact answers and its limits: maxHeaderSize (not in /status: support/firmware-config.js)
// and requestTimeout (from GET /status), whose tests run on the timing tests' instance
// (support/timing.js).
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { useBystander } from "./support/bystander.js";
import { register, unregister } from "../tools/wire/open-connections.js";
import { binaryPayload } from "./support/data.js";
import { firmwareSetting } from "./support/firmware-config.js";
import { httpRequest, parseResponseHead, plainGet } from "../tools/wire/raw-http.js";
import { newKey } from "../tools/wire/opening-handshake.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { fetchStatus } from "./support/status.js";
import { firmwareOnly, target } from "./support/target.js";
import { marginFor, timingTarget } from "./support/timing.js";
import { targetUpgrade } from "./support/upgrade.js";
import { connectTcp } from "../tools/wire/tcp.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";

const upgrade = targetUpgrade;

/** 10 KiB: over the firmware's maxHeaderSize (4096) and Node's 8 KiB, the reference's limit. */
const OVERSIZE = 10 * 1024;

/** The head of an upgrade request with a header field that makes it exactly `size` bytes. */
function upgradeOfSize(size) {
  const key = newKey(); // always 24 characters
  const base = upgrade({ key, headers: { "X-Padding": "" } }).length;
  if (size < base) throw new RangeError(`an upgrade request takes at least ${base} bytes`);
  return { key, request: upgrade({ key, headers: { "X-Padding": "p".repeat(size - base) } }) };
}

/** A TLS 1.2 ClientHello's first bytes, as a client that speaks TLS to the plain port sends. */
function tlsClientHello() {
  const random = binaryPayload(32, 443);
  const head = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03]);
  const tail = Buffer.from([0x00, 0x00, 0x04, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00]);
  return Buffer.concat([head, random, tail]);
}

/** Binary garbage without CR or LF, then a blank line: a head the server can parse, and reject. */
function garbageHead(length) {
  const bytes = binaryPayload(length, 7);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0d || bytes[i] === 0x0a) bytes[i] = 0;
  return Buffer.concat([bytes, Buffer.from("\r\n\r\n")]);
}

/** The firmware's requestTimeout (GET /status), 0 on the reference server. */
async function requestTimeoutOf() {
  if (target.kind === "reference") return 0;
  return Number((await fetchStatus()).limits.requestTimeout) || 0;
}

/** Sends `request` and reads the answer, giving the server `requestTimeout` on top. */
async function send(request, { requestTimeout = 0 } = {}) {
  const extra = requestTimeout ? requestTimeout + marginFor(requestTimeout) : 0;
  return httpRequest(target, request, {
    timeoutMs: target.replyTimeoutMs + extra,
    closeWaitMs: target.closeWaitMs,
  });
}

// Requests that get an HTTP error. `generic: false` where the reference server (`ws`) accepts
// the request although RFC 6455 §4.2.1 asks for an error: an HTTP/1.0 request, no Host.
const BAD_REQUESTS = [
  {
    what: "a request line of 10 KiB",
    request: () => upgrade({ path: `${target.path}?pad=${"a".repeat(OVERSIZE)}` }),
    firmware: 431,
  },
  {
    what: "10 KiB of header fields (200 fields of 50 bytes)",
    request: () => {
      const fields = Array.from({ length: 200 }, (_, i) => [`X-Field-${i}`, "v".repeat(36)]);
      return upgrade({ headers: Object.fromEntries(fields) });
    },
    firmware: 431,
  },
  {
    what: "a head of maxHeaderSize + 1 bytes",
    request: () => upgradeOfSize(firmwareSetting("maxHeaderSize") + 1).request,
    generic: false, // under the reference server's limit
    firmware: 431,
  },
  {
    what: "two Sec-WebSocket-Key fields",
    request: () => upgrade().replace("\r\n\r\n", `\r\nSec-WebSocket-Key: ${newKey()}\r\n\r\n`),
    firmware: 400,
  },
  {
    what: "an empty Sec-WebSocket-Key",
    request: () => upgrade({ headers: { "Sec-WebSocket-Key": "" } }),
    firmware: 400,
  },
  {
    what: "an HTTP/1.0 upgrade request",
    request: () => upgrade().replace(" HTTP/1.1\r\n", " HTTP/1.0\r\n"),
    generic: false, // `ws` upgrades it
    firmware: 400,
  },
  {
    what: "an upgrade request without Host",
    request: () => upgrade({ headers: { Host: null } }),
    generic: false, // `ws` upgrades it
    firmware: 400,
  },
  {
    what: "1 KiB of binary garbage ending in a blank line",
    request: () => garbageHead(1024),
    firmware: 400,
  },
  {
    // No line end at all: the first byte can start no request; the firmware answers at once, as
    // Node's HTTP parser does.
    what: "a TLS ClientHello (binary, no line end)",
    request: tlsClientHello,
    firmware: 400,
  },
];

/**
 * Writes `source(offset)` pieces every `gapMs`, as a slow or never-ending client does, until the
 * server answers or closes or `timeoutMs` passes; then waits up to `closeWaitMs` for the close.
 */
async function trickle(t, source, { gapMs, timeoutMs, closeWaitMs = t.closeWaitMs }) {
  const socket = await connectTcp(t.host, t.port, { timeoutMs: t.replyTimeoutMs });
  const handle = register({ dispose: () => socket.destroy() });
  const started = performance.now();
  let data = Buffer.alloc(0);
  let answeredAt = null;
  let closedAt = null;
  let wake;
  const woken = () => new Promise((resolve) => (wake = resolve));
  socket.on("error", () => {}); // a reset still ends in "close"
  socket.on("data", (chunk) => {
    data = Buffer.concat([data, chunk]);
    answeredAt ??= performance.now();
    wake?.();
  });
  const closed = new Promise((resolve) =>
    socket.once("close", () => {
      closedAt = performance.now();
      wake?.();
      resolve();
    }),
  );
  let sent = 0;
  let writes = 0;
  try {
    while (answeredAt === null && closedAt === null && performance.now() - started < timeoutMs) {
      const piece = Buffer.from(source(sent));
      socket.write(piece);
      sent += piece.length;
      writes++;
      await Promise.race([delay(gapMs), woken()]);
    }
    if (closedAt === null) await Promise.race([closed, delay(closeWaitMs)]);
  } finally {
    socket.destroy();
    unregister(handle);
  }
  const end = data.indexOf("\r\n\r\n");
  return {
    response: end < 0 ? null : parseResponseHead(data.subarray(0, end).toString("latin1")),
    received: data.toString("latin1"),
    answeredAfter: answeredAt === null ? null : Math.round(answeredAt - started),
    closed: closedAt !== null,
    writes,
  };
}

/** An upgrade request that never ends: its head without the blank line, then field after field. */
function endlessHead(t) {
  const start = upgrade({}, t).slice(0, -2); // keeps the CRLF of the last field
  let text = start;
  for (let i = 0; text.length < 3000; i++) text += `X-More-${i}: ${i}\r\n`;
  return text;
}

/** A trickled head was answered 408, close to requestTimeout, and the connection closed. */
function expect408AtTimeout(result, requestTimeout, margin) {
  const answer = result.response?.statusLine ?? JSON.stringify(result.received);
  expect(result.response?.status, `answered ${answer} after ${result.answeredAfter} ms`).to.equal(
    408,
  );
  expect(result.closed, "the server closes the connection after the 408").to.equal(true);
  expect(result.answeredAfter, `ms until the 408 (requestTimeout ${requestTimeout})`).to.be.within(
    requestTimeout * 0.9,
    requestTimeout + margin,
  );
}

describe("handshake abuse", function () {
  this.timeout(target.timeoutMs);
  const bystander = useBystander();

  for (const bad of BAD_REQUESTS) {
    if (bad.generic !== false) {
      it(`rejects ${bad.what} with a 4xx and closes; the others keep working`, async function () {
        const requestTimeout = bad.waitsForTimeout ? await requestTimeoutOf() : 0;
        this.timeout(target.timeoutMs + requestTimeout);
        const response = await send(bad.request(), { requestTimeout });
        expect(response.status, response.statusLine).to.be.within(400, 499);
        expect(response.closed, "the server left the connection open").to.equal(true);
        await bystander().expectUnharmed(bad.what);
      });
    }

    it(`[firmware] answers ${bad.what} with ${bad.firmware} and closes; the others keep working`, async function () {
      firmwareOnly(this, "the exact status code is this firmware's choice");
      const requestTimeout = bad.waitsForTimeout ? await requestTimeoutOf() : 0;
      this.timeout(target.timeoutMs + requestTimeout);
      const response = await send(bad.request(), { requestTimeout });
      expect(response.status, response.statusLine).to.equal(bad.firmware);
      expect(response.closed, "the server left the connection open").to.equal(true);
      await bystander().expectUnharmed(bad.what);
    });
  }

  it("[firmware] upgrades a head of exactly maxHeaderSize bytes", async function () {
    firmwareOnly(this, "maxHeaderSize is this firmware's limit");
    const maxHeaderSize = firmwareSetting("maxHeaderSize");
    const { key, request } = upgradeOfSize(maxHeaderSize);
    expect(request.length).to.equal(maxHeaderSize);
    const padding = request.match(/X-Padding: (p*)\r\n/)[1];
    const client = await RawClient.open(target, { key, headers: { "X-Padding": padding } });
    await client.sendText("a head at the limit");
    expect((await client.nextMessage()).payload.toString()).to.equal("a head at the limit");
    await bystander().expectUnharmed("a head of maxHeaderSize bytes");
  });

  it("reads the frames a client sends in the same write as its upgrade request: their echoes follow the 101", async function () {
    const frames = ["early one", "early two"].map((text) =>
      encodeFrame({ opcode: 1, payload: text }),
    );
    const socket = await target.connectTcp();
    socket.write(Buffer.concat([Buffer.from(upgrade({ key: newKey() }), "latin1"), ...frames]));
    const client = new RawClient(socket, target);
    const echoes = [await client.nextMessage(), await client.nextMessage()];
    expect(client.response?.status, client.response?.statusLine).to.equal(101);
    expect(echoes.map((m) => m.payload.toString())).to.deep.equal(["early one", "early two"]);
    client.sendClose(1000);
    await client.expectClose(1000);
    await bystander().expectUnharmed("frames sent with the upgrade request");
  });

  it("upgrades, then fails the connection with 1002 when a second request follows the upgrade in the same write", async function () {
    // Bytes after the blank line belong to the WebSocket: "GET ..." read as a frame header has
    // RSV1 set (0x47) and no mask bit, a protocol error (§5.2, §5.1).
    const key = newKey();
    const bytes = Buffer.from(upgrade({ key }) + plainGet(target, "/status"), "latin1");
    const socket = await target.connectTcp();
    socket.write(bytes);
    const client = new RawClient(socket, target, { answerPings: false });
    const { code } = await client.expectClose(1002);
    expect(client.response?.status, client.response?.statusLine).to.equal(101);
    expect(client.response.headers["sec-websocket-accept"]).to.be.a("string");
    expect(code).to.equal(1002);
    await bystander().expectUnharmed("a request pipelined after the upgrade");
  });

  it("[firmware] answers 408 and closes a head that never ends (a field every 100 ms) at requestTimeout", async function () {
    firmwareOnly(this, "requestTimeout is this firmware's");
    const { t, limits } = await timingTarget(this);
    const { requestTimeout } = limits;
    const margin = marginFor(requestTimeout);
    this.timeout(this.timeout() + requestTimeout + 2 * margin);
    const head = endlessHead(t);
    let line = 0;
    const lines = head.split(/(?<=\r\n)/);
    const result = await trickle(t, () => lines[line++] ?? "", {
      gapMs: 100,
      timeoutMs: requestTimeout + margin,
    });
    expect408AtTimeout(result, requestTimeout, margin);
    expect(result.writes, "header fields written before the 408").to.be.above(1);
    await bystander().expectUnharmed("a head that never ends");
  });

  it("[firmware] answers 408 and closes a slow-loris head (one byte at a time) at requestTimeout", async function () {
    firmwareOnly(this, "requestTimeout is this firmware's");
    const { t, limits } = await timingTarget(this);
    const { requestTimeout } = limits;
    const margin = marginFor(requestTimeout);
    this.timeout(this.timeout() + requestTimeout + 2 * margin);
    const head = endlessHead(t);
    const gapMs = Math.min(300, requestTimeout / 3);
    const result = await trickle(t, (offset) => head.slice(offset, offset + 1), {
      gapMs,
      timeoutMs: requestTimeout + margin,
    });
    expect408AtTimeout(result, requestTimeout, margin);
    expect(result.writes, `bytes written, one every ${gapMs} ms, before the 408`).to.be.above(1);
    await bystander().expectUnharmed("a slow-loris head");
  });
});
