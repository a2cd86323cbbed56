// /api: JSON commands (light, status, echo, add, help), one reply per request with its id, error
// replies that leave the connection open, and events pushed to every /api client (light changes,
// the BOOT button). Firmware-specific: the reference server only echoes.
import { expect } from "chai";
import "./support/hooks.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { fetchStatus, targetLimits, waitForStatus } from "./support/status.js";
import { firmwareOnly, skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

const BOOT_BUTTON_PIN = 0; // GPIO 0 on an ESP32 DevKit; the manifest's buttonPin default

/** An /api client that sends requests with increasing ids and sorts what comes back. */
class ApiClient {
  static async open() {
    return new ApiClient(await WsClient.open(target, { path: "/api" }));
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.events = [];
  }

  /** Sends `fields` (with a new id unless it has one) and resolves with the reply to it. */
  async request(fields) {
    const request = "id" in fields ? fields : { id: this.nextId++, ...fields };
    await this.ws.send(JSON.stringify(request));
    return this.reply(request.id);
  }

  /** Sends raw text or bytes and resolves with the next reply, whatever its id. */
  async requestRaw(data) {
    await this.ws.send(data);
    return this.reply(undefined);
  }

  /** The next reply (events met on the way are kept in `events`). */
  async reply(id) {
    for (;;) {
      const message = await this.json();
      if ("event" in message) this.events.push(message);
      else {
        if (id !== undefined) expect(message.id, `id of the reply to request ${id}`).to.equal(id);
        return message;
      }
    }
  }

  /** The next event, waiting for one if none has arrived yet. */
  async event() {
    if (this.events.length) return this.events.shift();
    for (;;) {
      const message = await this.json();
      if ("event" in message) return message;
      throw new Error(`expected an event, got a reply: ${JSON.stringify(message)}`);
    }
  }

  async json() {
    const { data, isBinary } = await this.ws.nextMessage();
    expect(isBinary, "/api messages are text").to.equal(false);
    return JSON.parse(data.toString());
  }
}

/** The registry id of the only /api client connected (opened alone for that purpose). */
async function apiClientId() {
  const status = await waitForStatus((s) => s.clients.filter((c) => c.path === "/api").length, {
    what: "the /api client",
  });
  const ids = status.clients.filter((c) => c.path === "/api").map((c) => c.id);
  expect(ids, "/api clients in /status").to.have.length(1);
  return ids[0];
}

/**
 * Sets the light to `on` and reads the event that caused on `client` and `others`, if it changed
 * anything, so that a test starts from a known state.
 */
async function setLight(client, on, others = []) {
  const before = (await client.request({ cmd: "light" })).light.on;
  const reply = await client.request({ cmd: "light", on });
  expect(reply).to.deep.equal({ id: reply.id, ok: true, light: { on } });
  if (before === on) return;
  for (const each of [client, ...others]) expect(await each.event()).to.include({ on });
}

describe("/api commands", function () {
  this.timeout(target.timeoutMs);

  beforeEach(function () {
    firmwareOnly(this, "the reference server only echoes");
  });

  it("[firmware] light: switches the light, replies with its state, and every /api client gets the event with the requester's id", async function () {
    const first = await ApiClient.open();
    const id = await apiClientId();
    const second = await ApiClient.open();
    await setLight(first, false, [second]);

    const reply = await first.request({ id: 41, cmd: "light", on: true });
    expect(reply).to.deep.equal({ id: 41, ok: true, light: { on: true } });
    const event = { event: "light", on: true, by: id };
    expect(await first.event(), "the requester's own event").to.deep.equal(event);
    expect(await second.event(), "the other client's event").to.deep.equal(event);

    const status = await fetchStatus();
    expect(status.light, "GET /status light").to.include({ on: true });
    expect(status.light.level, "the pin is high for an active-high light").to.equal(1);
    const output = target.output();
    if (output !== null) {
      expect(output, "the platform layer's log of the pin").to.include(
        `[gpio] pin ${status.light.pin} = 1`,
      );
    }
  });

  it('[firmware] light: "toggle" flips it, no "on" only reports it, and setting the same state sends no event', async function () {
    const client = await ApiClient.open();
    await setLight(client, true);
    const toggled = await client.request({ cmd: "light", on: "toggle" });
    expect(toggled.light, "after toggle").to.deep.equal({ on: false });
    expect(await client.event()).to.include({ event: "light", on: false });
    expect((await client.request({ cmd: "light" })).light, "reported").to.deep.equal({ on: false });
    expect((await client.request({ cmd: "light", on: false })).light).to.deep.equal({ on: false });
    await client.ws.expectQuiet(target.quietMs); // neither a report nor a no-op is an event
  });

  it("[firmware] a second client sees the first one's light changes live, in order", async function () {
    const a = await ApiClient.open();
    const b = await ApiClient.open();
    await setLight(a, false, [b]);
    for (const on of [true, false, true]) {
      await a.request({ cmd: "light", on });
      expect(await b.event(), `event for on=${on}`).to.include({ event: "light", on });
    }
    await b.ws.expectQuiet(target.quietMs);
  });

  it("[firmware] help lists every command with its parameters", async function () {
    const client = await ApiClient.open();
    const reply = await client.request({ cmd: "help" });
    expect(reply.ok).to.equal(true);
    const byName = Object.fromEntries(reply.commands.map((c) => [c.cmd, c]));
    expect(Object.keys(byName)).to.include.members(["help", "light", "status", "echo", "add"]);
    expect(byName.light.params.on, "light's parameter").to.include("toggle");
    expect(byName.add.params, "add's parameters").to.have.keys(["a", "b"]);
    for (const command of reply.commands)
      expect(command.description, command.cmd).to.be.a("string");
  });

  it("[firmware] echo, add and status answer with their results", async function () {
    const client = await ApiClient.open();
    const text = "héllo, 世界 🌍";
    expect(await client.request({ id: "e", cmd: "echo", text })).to.deep.equal({
      id: "e",
      ok: true,
      text,
    });
    expect(await client.request({ cmd: "add", a: 2.5, b: -4 })).to.include({ ok: true, sum: -1.5 });
    const { status } = await client.request({ cmd: "status" });
    expect(status, "status command").to.include.keys([
      "uptime",
      "clients",
      "totals",
      "limits",
      "memory",
      "light",
      "button",
    ]);
    expect(
      status.clients.map((c) => c.path),
      "the asking client is in it",
    ).to.include("/api");
  });

  it("[firmware] answers each bad request with an error saying what was wrong, and keeps the connection open", async function () {
    const { maxRequestSize } = await targetLimits(this);
    const client = await ApiClient.open();
    const cases = [
      { send: "light on", error: "not JSON" },
      { send: "[1, 2]", error: "JSON object" },
      { send: '"light"', error: "JSON object" },
      { send: "{}", error: 'missing "cmd"' },
      { send: '{"id": 3, "cmd": 7}', id: 3, error: 'missing "cmd"' },
      { send: '{"id": 4, "cmd": "fly"}', id: 4, error: 'unknown command "fly"' },
      { send: '{"id": {"a": 1}, "cmd": "help"}', error: '"id" must be' },
      { send: '{"id": 5, "cmd": "echo"}', id: 5, error: 'missing parameter "text"' },
      { send: '{"id": 6, "cmd": "light", "on": 1}', id: 6, error: 'invalid "on"' },
      { send: '{"id": 7, "cmd": "add", "a": 1, "b": "2"}', id: 7, error: 'invalid "b"' },
      {
        send: '{"id": 8, "cmd": "light", "on": true, "colour": "red"}',
        id: 8,
        error: 'unknown parameter "colour"',
      },
      { send: Buffer.from('{"cmd": "help"}'), error: "JSON text" },
      { send: JSON.stringify({ cmd: "echo", text: "x".repeat(maxRequestSize) }), error: "limit" },
    ];
    for (const { send, id = null, error } of cases) {
      const reply = await client.requestRaw(send);
      const what = `reply to ${typeof send === "string" ? send.slice(0, 60) : "a binary frame"}`;
      expect(reply.ok, what).to.equal(false);
      expect(reply.id, `${what}: id`).to.equal(id);
      expect(reply.error, what).to.be.a("string").and.include(error);
    }
    expect(await client.request({ cmd: "add", a: 1, b: 1 }), "still served").to.include({ sum: 2 });
    expect(client.ws.closeInfo, "the connection").to.equal(null);
  });

  it("[firmware] takes a request split over many fragments, and one exactly at maxRequestSize", async function () {
    const { maxRequestSize } = await targetLimits(this);
    const raw = await RawClient.open(target, { path: "/api" });
    const request = JSON.stringify({ id: 1, cmd: "echo", text: "fragmented" });
    const bytes = Buffer.from(request);
    await raw.sendFrame({ opcode: Opcode.TEXT, payload: bytes.subarray(0, 10), fin: false });
    await raw.sendFrame({
      opcode: Opcode.CONTINUATION,
      payload: bytes.subarray(10, 20),
      fin: false,
    });
    await raw.sendFrame({ opcode: Opcode.CONTINUATION, payload: bytes.subarray(20) });
    const reply = JSON.parse((await raw.nextMessage()).payload.toString());
    expect(reply).to.deep.equal({ id: 1, ok: true, text: "fragmented" });

    const skeleton = JSON.stringify({ id: 2, cmd: "echo", text: "" });
    const largest = JSON.stringify({
      id: 2,
      cmd: "echo",
      text: "y".repeat(maxRequestSize - skeleton.length),
    });
    expect(Buffer.byteLength(largest)).to.equal(maxRequestSize);
    await raw.sendText(largest);
    expect(JSON.parse((await raw.nextMessage()).payload.toString())).to.include({
      id: 2,
      ok: true,
    });
  });

  it("[firmware] pushes an event to every /api client when the BOOT button is pressed and released", async function () {
    const a = await ApiClient.open();
    const b = await ApiClient.open();
    const listener = await WsClient.open(target, { path: "/ws" });
    if (!target.setInputLevel(BOOT_BUTTON_PIN, 0)) {
      skipBecause(
        this,
        `needs a finger on the BOOT button: only the platform layer can press it (target ${target.kind})`,
      );
    }
    for (const client of [a, b]) {
      expect(await client.event(), "on press").to.deep.equal({ event: "button", pressed: true });
    }
    expect((await fetchStatus()).button, "GET /status while pressed").to.include({ pressed: true });
    target.setInputLevel(BOOT_BUTTON_PIN, 1);
    for (const client of [a, b]) {
      expect(await client.event(), "on release").to.deep.equal({ event: "button", pressed: false });
    }
    await listener.expectQuiet(target.quietMs); // events go to /api clients only
  });

  it("[firmware] a bouncing button gives one press and one release", async function () {
    const client = await ApiClient.open();
    if (!target.setInputLevel(BOOT_BUTTON_PIN, 0)) {
      skipBecause(this, `needs the platform layer's pin control (target ${target.kind})`);
    }
    for (const level of [1, 0, 1, 0]) target.setInputLevel(BOOT_BUTTON_PIN, level); // contact bounce
    expect(await client.event()).to.deep.equal({ event: "button", pressed: true });
    await client.ws.expectQuiet(100);
    for (const level of [1, 0, 1]) target.setInputLevel(BOOT_BUTTON_PIN, level);
    expect(await client.event()).to.deep.equal({ event: "button", pressed: false });
    await client.ws.expectQuiet(target.quietMs);
  });
});
