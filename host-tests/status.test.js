// GET /status (the client registry, counters and limits) and the plain HTTP answers on the
// WebSocket port. /status is this firmware's own: those tests skip on the reference server.
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { binaryPayload } from "./support/data.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { httpRequest, plainGet } from "../tools/wire/raw-http.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { fetchStatus, getStatus, targetLimits, waitForStatus } from "./support/status.js";
import { firmwareOnly, target } from "./support/target.js";
import { settingsObject } from "../tools/testing/test-settings.js";
import { WsClient } from "./support/ws-client.js";

const CLIENT_FIELDS = [
  "id",
  "path",
  "remoteAddress",
  "connectedAt",
  "messagesIn",
  "messagesOut",
  "bytesIn",
  "bytesOut",
  "queuedBytes",
];
const TOTAL_FIELDS = ["connections", "messagesIn", "messagesOut", "bytesIn", "bytesOut"];
const LIMIT_FIELDS = [
  "maxClients",
  "maxBuffered",
  "sendTimeout",
  "maxMessageSize",
  "pingInterval",
  "pingTimeout",
  "idleTimeout",
  "requestTimeout",
  "tick",
];
const MEMORY_FIELDS = [
  "chunkHeapUsed",
  "slotHeapUsed",
  "systemFree",
  "garbageCollections",
  "liveSlots",
  "liveSlotBytes",
  "stackSlots",
  "stackPeakSlots",
];
/** An XS slot on the ESP32, in bytes. */
const BOARD_SLOT_BYTES = 16;

function expectNumber(value, what) {
  expect(value, what).to.be.a("number");
  expect(Number.isFinite(value), `${what} is finite`).to.equal(true);
  expect(value, what).to.be.at.least(0);
}

/** The registry entry on `path`, which must be the only one there. */
function entryOn(status, path) {
  const entries = status.clients.filter((c) => c.path === path);
  expect(
    entries,
    `clients on ${path} in /status: ${JSON.stringify(status.clients)}`,
  ).to.have.length(1);
  return entries[0];
}

describe("GET /status and plain HTTP", function () {
  this.timeout(target.timeoutMs);

  it("[firmware] answers GET /status with 200 JSON: uptime, clients, totals, limits, buffers, memory", async function () {
    firmwareOnly(this, "GET /status is this firmware's");
    const { response, status } = await getStatus();
    expect(response.headers["content-type"], "Content-Type").to.match(/^application\/json\b/i);
    expectNumber(status.uptime, "uptime");
    expect(status.clients, "clients").to.be.an("array");
    for (const field of TOTAL_FIELDS) expectNumber(status.totals?.[field], `totals.${field}`);
    for (const field of LIMIT_FIELDS) expectNumber(status.limits?.[field], `limits.${field}`);
    for (const field of MEMORY_FIELDS) {
      expect(status.memory, "memory").to.have.property(field);
      if (status.memory[field] !== null) expectNumber(status.memory[field], `memory.${field}`);
    }
    expect(status.limits.maxMessageSize, "limits.maxMessageSize").to.equal(target.maxMessageSize);
    for (const field of ["held", "peak", "limit"])
      expectNumber(status.buffers?.[field], `buffers.${field}`);
    expect(status.buffers.limit, "buffers.limit is maxBuffered").to.equal(
      status.limits.maxBuffered,
    );
    expect(status.buffers.held, "buffers held, at most their peak").to.be.at.most(
      status.buffers.peak,
    );
    if (target.kind === "platform" || target.kind === "sim") {
      // Both are started with tools/testing/test-settings.js.
      const expected = settingsObject();
      for (const [key, value] of Object.entries(expected)) {
        if (LIMIT_FIELDS.includes(key)) expect(status.limits[key], `limits.${key}`).to.equal(value);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const later = await fetchStatus();
    expect(later.uptime, "uptime 50 ms later").to.be.above(status.uptime);
  });

  it("[firmware] names the engine it runs on: the platform layer's, or a board's XS", async function () {
    firmwareOnly(this, "GET /status is this firmware's");
    const { engine } = await fetchStatus();
    // A build of the Moddable SDK (board, simulator) says "xs"; the platform layer names its
    // engine. Whatever the target was called (test:board against npm start, say), one of them.
    expect(engine).to.match(/^(xs|xs \d+\.\d+\.\d+|node)$/);
    if (target.kind === "platform") {
      expect(engine).to.match(target.engine === "node" ? /^node$/ : /^xs \d+\.\d+\.\d+$/);
    }
    if (target.kind === "sim") expect(engine, "the simulator is a build of the SDK").to.equal("xs");
  });

  it("[firmware] on the XS engine, counts the slots alive after a collection and their bytes on the board", async function () {
    firmwareOnly(this, "GET /status is this firmware's");
    // the XS engine collects once at boot, then every second
    const { engine, memory } = await fetchStatus();
    if (!/^xs \d/.test(engine)) {
      expect(
        memory.liveSlots,
        `no engine but the XS engine counts live slots (${engine})`,
      ).to.equal(null);
      return;
    }
    expectNumber(memory.liveSlots, "memory.liveSlots");
    expect(memory.liveSlots, "a firmware's worth of slots").to.be.above(1000);
    expect(memory.liveSlotBytes).to.equal(memory.liveSlots * BOARD_SLOT_BYTES);
  });

  it("[firmware] says its XS stack where it can: the size the platform layer's XS engine runs it with, the most used", async function () {
    firmwareOnly(this, "GET /status is this firmware's");
    const { memory } = await fetchStatus();
    if (memory.stackSlots === null) {
      // A board or the simulator (a debug build says the last second's most), or the Node engine.
      if (memory.stackPeakSlots !== null) expectNumber(memory.stackPeakSlots, "stackPeakSlots");
      return;
    }
    expectNumber(memory.stackSlots, "memory.stackSlots");
    expectNumber(memory.stackPeakSlots, "memory.stackPeakSlots");
    expect(memory.stackPeakSlots, "some of it used, and no more than there is").to.be.within(
      1,
      memory.stackSlots,
    );
  });

  it("[firmware] lists each client with its path, remote address and message/byte counters", async function () {
    firmwareOnly(this, "GET /status is this firmware's");
    const before = await waitForStatus((s) => s.clients.length === 0, { what: "no clients" });

    const echo = await WsClient.open(target, { path: "/ws" });
    const echoOpened = performance.now();
    const sent = ["hello", binaryPayload(300), "é✓ bytes"];
    for (const message of sent) {
      await echo.send(message);
      const { data } = await echo.nextMessage();
      expect(data.equals(Buffer.from(message)), "echo").to.equal(true);
    }
    const echoBytes = sent.reduce((sum, m) => sum + Buffer.byteLength(m), 0);

    await delay(200); // a gap between the two connections that connectedAt must show
    const caster = await RawClient.open(target, { path: "/broadcast" });
    const gap = performance.now() - echoOpened;
    await caster.sendText("to all");
    expect((await caster.nextMessage()).payload.toString(), "own broadcast").to.equal("to all");

    const status = await fetchStatus();
    expect(status.clients, JSON.stringify(status.clients)).to.have.length(2);
    for (const client of status.clients) {
      for (const field of CLIENT_FIELDS) expect(client, "registry entry").to.have.property(field);
    }
    const a = entryOn(status, "/ws");
    const b = entryOn(status, "/broadcast");
    expect(a.id, "ids differ").to.not.equal(b.id);
    expect(a.remoteAddress, "remoteAddress of the /ws client").to.equal(echo.localAddress);
    expect(b.remoteAddress, "remoteAddress of the /broadcast client").to.equal(caster.localAddress);
    expect(
      { in: a.messagesIn, out: a.messagesOut, bytesIn: a.bytesIn, bytesOut: a.bytesOut },
      "/ws client counters",
    ).to.deep.equal({ in: 3, out: 3, bytesIn: echoBytes, bytesOut: echoBytes });
    expect(
      { in: b.messagesIn, out: b.messagesOut, bytesIn: b.bytesIn, bytesOut: b.bytesOut },
      "/broadcast client counters",
    ).to.deep.equal({ in: 1, out: 1, bytesIn: 6, bytesOut: 6 });
    for (const entry of [a, b]) {
      expect(entry.queuedBytes, `queuedBytes of #${entry.id} (it read everything)`).to.equal(0);
      expect(entry.connectedAt, `connectedAt of #${entry.id}`).to.be.a("number");
    }
    // connectedAt may count from boot or from 1970; either way in ms, so the gap shows: at least
    // the pause between the two (the server accepted the second after it), at most what the
    // client saw plus slack for a busy machine.
    expect(b.connectedAt - a.connectedAt, "ms between the connectedAt of the two").to.be.within(
      190,
      gap + target.replyTimeoutMs,
    );
    const delta = (field) => status.totals[field] - before.totals[field];
    expect(delta("connections"), "totals.connections increase").to.be.at.least(2);
    expect(
      {
        messagesIn: delta("messagesIn"),
        messagesOut: delta("messagesOut"),
        bytesIn: delta("bytesIn"),
        bytesOut: delta("bytesOut"),
      },
      "totals increase",
    ).to.deep.equal({
      messagesIn: 4,
      messagesOut: 4,
      bytesIn: echoBytes + 6,
      bytesOut: echoBytes + 6,
    });
  });

  for (const { how, vanish } of [
    { how: "closes TCP without a close frame", vanish: (c) => c.dispose() },
    { how: "resets TCP", vanish: (c) => c.reset() },
    {
      how: "closes TCP in the middle of a frame",
      vanish: async (c) => (await sendHalfFrame(c), c.dispose()),
    },
    {
      how: "resets TCP in the middle of a frame",
      vanish: async (c) => (await sendHalfFrame(c), c.reset()),
    },
  ]) {
    it(`[firmware] removes a client from /status at once when it ${how}`, async function () {
      const limits = await targetLimits(this);
      await waitForStatus((s) => s.clients.length === 0, { what: "no clients" });
      const stays = await WsClient.open(target, { path: "/ws" });
      const goes = await RawClient.open(target, { path: "/ws" });
      await waitForStatus((s) => s.clients.length === 2, { what: "2 clients" });

      // Sooner than a liveness check could notice: the client answered every ping until now.
      const withinMs = Math.max(300, Math.min(target.replyTimeoutMs, limits.pingTimeout - 100));
      const gone = performance.now();
      await vanish(goes);
      const status = await waitForStatus((s) => s.clients.length === 1, {
        timeoutMs: withinMs,
        what: "the vanished client removed",
      });
      const elapsed = Math.round(performance.now() - gone);
      expect(status.clients[0].remoteAddress, `remaining client (after ${elapsed} ms)`).to.equal(
        stays.localAddress,
      );
      await stays.send("still here");
      expect((await stays.nextMessage()).data.toString()).to.equal("still here");
    });
  }

  it("[firmware] answers 404 to a plain GET of another path", async function () {
    firmwareOnly(this, "the reference server answers 426 to every plain request");
    // GET / is the web console (web-console.test.js).
    for (const path of ["/index.html", "/status/extra", "/wsx", "/ws/"]) {
      const response = await httpRequest(target, plainGet(target, path, { Connection: "close" }), {
        timeoutMs: target.replyTimeoutMs,
        closeWaitMs: 0,
      });
      expect(response.status, `GET ${path}: "${response.statusLine}"`).to.equal(404);
    }
  });

  it("answers 426 Upgrade Required to a plain GET of the WebSocket path", async function () {
    const response = await httpRequest(
      target,
      plainGet(target, target.path, { Connection: "close" }),
      { timeoutMs: target.replyTimeoutMs, closeWaitMs: 0 },
    );
    expect(response.status, `GET ${target.path}: "${response.statusLine}"`).to.equal(426);
  });
});

async function sendHalfFrame(client) {
  const frame = encodeFrame({ opcode: Opcode.BINARY, payload: binaryPayload(200) });
  await client.sendRaw(frame.subarray(0, 100));
  await new Promise((resolve) => setTimeout(resolve, 50));
}
