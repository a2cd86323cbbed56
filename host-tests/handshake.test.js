// The opening handshake (RFC 6455 §4.2): valid requests upgrade, bad ones get an HTTP error and
// the connection is closed, and the server keeps serving others. The generic tests assert what
// RFC 6455 requires (a 4xx); the exact status codes are this firmware's choice and skip on the
// reference server (`ws` answers 405 to POST, 400 to a bad version and to an unknown path).
import { expect } from "chai";
import "./support/hooks.js";
import { headerTokens, httpRequest } from "../tools/wire/raw-http.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { newKey } from "../tools/wire/opening-handshake.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { firmwareOnly, target } from "./support/target.js";
import { targetUpgrade } from "./support/upgrade.js";
import { WsClient } from "./support/ws-client.js";

const upgrade = targetUpgrade;

const BAD_REQUESTS = [
  {
    what: "a POST instead of a GET",
    request: () => upgrade({ method: "POST" }),
    firmware: { status: 400 },
  },
  {
    what: "no Sec-WebSocket-Key",
    request: () => upgrade({ headers: { "Sec-WebSocket-Key": null } }),
    firmware: { status: 400 },
  },
  {
    what: "a Sec-WebSocket-Key that is not 16 bytes in base64",
    request: () => upgrade({ key: Buffer.from("only 11 byte").toString("base64") }),
    firmware: { status: 400 },
  },
  {
    what: "Sec-WebSocket-Version: 12",
    request: () => upgrade({ headers: { "Sec-WebSocket-Version": "12" } }),
    // §4.2.2: the error response MUST carry the versions the server understands.
    check: (response) =>
      expect(headerTokens(response.headers["sec-websocket-version"])).to.include("13"),
    firmware: { status: 426, headers: { "sec-websocket-version": "13" } },
  },
  {
    what: "no Sec-WebSocket-Version",
    request: () => upgrade({ headers: { "Sec-WebSocket-Version": null } }),
  },
  {
    what: "an unknown path",
    request: () => upgrade({ path: "/not-the-echo-path" }),
    firmware: { status: 404 },
  },
  {
    what: "no Upgrade header",
    request: () => upgrade({ headers: { Upgrade: null } }),
  },
  {
    what: "Upgrade: h2c",
    request: () => upgrade({ headers: { Upgrade: "h2c" } }),
  },
  {
    what: "garbage bytes instead of a request line",
    request: () =>
      Buffer.concat([
        Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0xfe, 0x00]),
        Buffer.from("\r\n\r\n"),
      ]),
  },
  {
    what: "a header block over 8 KiB",
    request: () => upgrade({ headers: { "X-Padding": "p".repeat(8 * 1024 + 512) } }),
    check: (response) => expect(response.status, response.statusLine).to.be.oneOf([400, 431]),
  },
];

async function expectStillServing() {
  const client = await WsClient.open(target);
  await client.send("still serving");
  const { data } = await client.nextMessage();
  expect(data.toString()).to.equal("still serving");
  await client.close();
}

describe("opening handshake", function () {
  this.timeout(target.timeoutMs);

  it("answers the RFC 6455 sample key with the sample Sec-WebSocket-Accept", async function () {
    // §1.3: key "dGhlIHNhbXBsZSBub25jZQ==" gives "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
    const client = await RawClient.open(target, { key: "dGhlIHNhbXBsZSBub25jZQ==" });
    expect(client.response.status).to.equal(101);
    expect(client.response.headers["sec-websocket-accept"]).to.equal(
      "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    );
  });

  it("accepts header names and the Upgrade token in any case, and a multi-token Connection", async function () {
    const key = newKey();
    const client = await RawClient.open(target, {
      key,
      headers: {
        host: `${target.host}:${target.port}`,
        UPGRADE: "WebSocket",
        connection: "keep-alive, Upgrade",
        "sec-websocket-key": key,
        "SEC-WEBSOCKET-VERSION": "13",
      },
    });
    await client.sendText("case-insensitive");
    const message = await client.nextMessage();
    expect(message.payload.toString()).to.equal("case-insensitive");
  });

  it("does not agree to an extension it was offered and sends plain frames", async function () {
    // The suite assumes no extensions: the firmware implements none and the reference server
    // runs without permessage-deflate. Frames from the server are checked for RSV bits.
    const client = await RawClient.open(target, {
      headers: { "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits" },
    });
    expect(client.response.headers).not.to.have.property("sec-websocket-extensions");
    await client.sendText("no compression");
    const message = await client.nextMessage();
    expect(message.payload.toString()).to.equal("no compression");
  });

  it("selects no subprotocol the client did not offer", async function () {
    const client = await RawClient.open(target, {
      headers: { "Sec-WebSocket-Protocol": "chat, superchat" },
    });
    const selected = client.response.headers["sec-websocket-protocol"];
    if (selected !== undefined) expect(selected).to.be.oneOf(["chat", "superchat"]);
    await client.sendBinary(Buffer.from([1, 2, 3]));
    const message = await client.nextMessage();
    expect(message.opcode).to.equal(Opcode.BINARY);
  });

  for (const bad of BAD_REQUESTS) {
    it(`rejects ${bad.what} with a 4xx, closes, and keeps serving`, async function () {
      const response = await httpRequest(target, bad.request(), {
        timeoutMs: target.replyTimeoutMs,
        closeWaitMs: target.closeWaitMs,
      });
      expect(response.status, response.statusLine).to.be.within(400, 499);
      bad.check?.(response);
      expect(response.closed, "the server left the connection open").to.equal(true);
      await expectStillServing();
    });

    if (bad.firmware) {
      const extra = Object.entries(bad.firmware.headers ?? {})
        .map(([name, value]) => ` with ${name}: ${value}`)
        .join("");
      it(`[firmware] answers ${bad.what} with ${bad.firmware.status}${extra}`, async function () {
        firmwareOnly(this, "the exact status code is this firmware's choice");
        const response = await httpRequest(target, bad.request(), {
          timeoutMs: target.replyTimeoutMs,
          closeWaitMs: target.closeWaitMs,
        });
        expect(response.status, response.statusLine).to.equal(bad.firmware.status);
        for (const [name, value] of Object.entries(bad.firmware.headers ?? {})) {
          expect(response.headers[name], `${name} header`).to.equal(value);
        }
      });
    }
  }

  it("serves a normal client while another connection sits on an unfinished request", async function () {
    const socket = await target.connectTcp();
    socket.on("error", () => {});
    socket.write("GET /ws HTTP/1.1\r\nHost: x\r\n"); // never finished
    try {
      await expectStillServing();
    } finally {
      socket.destroy();
    }
  });
});
