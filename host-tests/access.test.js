// Who may connect: with token=<t> a WebSocket upgrade and GET /status need the token (an
// `Authorization: Bearer` header or `?token=` in the URL), else 401; with origins=<list> an upgrade
// from a browser page of another origin gets 403. GET / (the web console) stays open, and the
// shared target (no token, no origins) stays open to everyone. Firmware-specific.
//
// These tests run on one dedicated instance with both settings, started once for the suite: on
// the platform layer, or under `npm run test:sim` a second simulator build (~1 minute). On a board
// they skip (its token is not known here), except the check that the shared target is open.
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { httpRequest, plainGet } from "../tools/wire/raw-http.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { upgradeRequest } from "../tools/wire/opening-handshake.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { getStatus } from "./support/status.js";
import { firmwareOnly, skipBecause, target } from "./support/target.js";
import { WsClient } from "./support/ws-client.js";

const TOKEN = "secret";
const ALLOWED = "http://allowed.example";
const FOREIGN = "http://evil.example";

/** A raw upgrade request to `t` (headers as in upgradeRequest) and the server's answer. */
function upgrade(t, { path = t.path, headers } = {}) {
  return httpRequest(t, upgradeRequest({ host: t.host, port: t.port, path, headers }), {
    timeoutMs: t.replyTimeoutMs,
    closeWaitMs: t.closeWaitMs,
  });
}

/** A plain GET of `path` on `t`, with `headers`. */
function get(t, path, headers = {}) {
  return httpRequest(t, plainGet(t, path, { Connection: "close", ...headers }), {
    timeoutMs: t.replyTimeoutMs,
    closeWaitMs: t.closeWaitMs,
  });
}

const text = (response) => Buffer.from(response.body, "latin1").toString("utf8");

/** A refused handshake: `status`, no upgrade, the body says `reason`, the connection closed. */
function expectRefused(response, status, reason, what) {
  const said = `${what}: answered "${response.statusLine}" ${text(response).trim()}`;
  expect(response.status, said).to.equal(status);
  expect(response.headers.upgrade, `${what}: Upgrade header`).to.equal(undefined);
  expect(text(response), `${what}: body`).to.include(reason);
  expect(response.closed, `${what}: the server closes the connection`).to.equal(true);
}

function expectUnauthorized(response, reason, what) {
  expectRefused(response, 401, reason, what);
  expect(response.headers["www-authenticate"], `${what}: WWW-Authenticate`).to.match(/^Bearer\b/);
  // The body says how to pass the token.
  expect(text(response), `${what}: body`).to.include("Authorization: Bearer");
  expect(text(response), `${what}: body`).to.include("?token=");
}

/** The instance's GET /status, with the token. */
async function statusWithToken(t) {
  const response = await get(t, "/status", { Authorization: `Bearer ${TOKEN}` });
  expect(response.status, `GET /status with the token: "${response.statusLine}"`).to.equal(200);
  return JSON.parse(text(response));
}

/**
 * Retries `attempt` while it fails below HTTP: with every TCP slot taken (8 on the platform layer and
 * the ESP32), a connection the server has just closed may hold its slot a moment longer.
 */
async function retryingTcpFailures(attempt, t) {
  const deadline = performance.now() + t.timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const tcpLevel =
        /without a complete HTTP response|socket hang up|ECONNRESET|ECONNREFUSED/.test(err.message);
      if (!tcpLevel || performance.now() > deadline) throw err;
      await delay(50);
    }
  }
}

/** Polls the instance's /status (with the token) until it shows no client. */
async function waitForNoClients(t) {
  const deadline = performance.now() + t.replyTimeoutMs;
  for (;;) {
    const status = await retryingTcpFailures(() => statusWithToken(t), t);
    if (status.clients.length === 0) return status;
    if (performance.now() > deadline) {
      throw new Error(`/status still shows ${status.clients.length} client(s)`);
    }
    await delay(25);
  }
}

async function expectEcho(client, message) {
  await client.sendText(message);
  expect((await client.nextMessage()).payload.toString()).to.equal(message);
}

describe("access: token and origins", function () {
  this.timeout(target.timeoutMs);
  let instance = null;
  let startError = null;

  before(async function () {
    if (target.kind === "reference" || !canStartInstance({ simulator: true })) return;
    this.timeout(instanceStartMs());
    try {
      instance = await startInstance({ token: TOKEN, origins: ALLOWED }, { forSuite: true });
    } catch (err) {
      startError = err;
    }
  });

  after(async function () {
    this.timeout(20_000);
    await instance?.stop();
  });

  /** The instance with token=secret origins=http://allowed.example, or skips saying why. */
  function secured(context) {
    firmwareOnly(context, "token and origins are this firmware's");
    if (startError) throw startError;
    if (!instance) {
      skipBecause(
        context,
        `needs its own instance with token=${TOKEN} origins=${ALLOWED} (platform layer, or npm run test:sim); the ${target.kind} target's token is not known here`,
      );
    }
    return instance;
  }

  it("[firmware] the shared target (no token, no origins) upgrades and serves /status without a token", async function () {
    firmwareOnly(this, "GET /status is this firmware's");
    const client = await RawClient.open(target, { headers: { Origin: FOREIGN } });
    await expectEcho(client, "open to all");
    const { response } = await getStatus();
    expect(response.status).to.equal(200);
  });

  it("[firmware] with a token, an upgrade without it gets 401 with WWW-Authenticate, no upgrade, and is closed", async function () {
    const t = secured(this);
    expectUnauthorized(await upgrade(t), "missing token", "upgrade without a token");
    for (const path of ["/broadcast", "/api"]) {
      expectUnauthorized(await upgrade(t, { path }), "missing token", `upgrade of ${path}`);
    }
    const other = await upgrade(t, { headers: { Authorization: `Basic ${btoa("u:" + TOKEN)}` } });
    expectUnauthorized(other, "missing token", "upgrade with Authorization: Basic");
    const empty = await upgrade(t, { headers: { Authorization: "Bearer" } });
    expectUnauthorized(empty, "missing token", "upgrade with Authorization: Bearer and no token");
    const status = await statusWithToken(t);
    expect(status.clients, "clients after the refused upgrades").to.deep.equal([]);
  });

  it("[firmware] with a token, a wrong one gets 401 (invalid token), in the header or the URL", async function () {
    const t = secured(this);
    const cases = {
      "a wrong Bearer token": { headers: { Authorization: "Bearer wrong" } },
      "a prefix of the token": { headers: { Authorization: `Bearer ${TOKEN.slice(0, -1)}` } },
      "the token and more": { headers: { Authorization: `Bearer ${TOKEN}x` } },
      "a wrong ?token=": { path: `${t.path}?token=wrong` },
      "an empty ?token=": { path: `${t.path}?token=` },
      "a ?token= that is not percent-encoding": { path: `${t.path}?token=%zz` },
      "a wrong header beside the right ?token=": {
        path: `${t.path}?token=${TOKEN}`,
        headers: { Authorization: "Bearer wrong" },
      },
    };
    for (const [what, options] of Object.entries(cases)) {
      expectUnauthorized(await upgrade(t, options), "invalid token", what);
    }
  });

  it("[firmware] with a token, the right one as Authorization: Bearer upgrades and echoes", async function () {
    const t = secured(this);
    const client = await RawClient.open(t, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await expectEcho(client, "with the header");
    const lower = await RawClient.open(t, { headers: { Authorization: `bearer ${TOKEN}` } });
    await expectEcho(lower, "scheme names are case-insensitive");
  });

  it("[firmware] with a token, the right one as ?token= (what a browser can send) upgrades and echoes", async function () {
    const t = secured(this);
    const client = await WsClient.open(t, { path: `${t.path}?token=${TOKEN}` });
    await client.send("with the query");
    expect((await client.nextMessage()).data.toString()).to.equal("with the query");
    // Percent-decoded ("%73" is "s"), among other parameters, on another endpoint.
    const broadcast = await RawClient.open(t, { path: "/broadcast?x=1&token=%73ecret&y" });
    await expectEcho(broadcast, "percent-decoded");
  });

  it("[firmware] with a token, a bad upgrade still gets its own 4xx first (no token asked)", async function () {
    const t = secured(this);
    const version = await upgrade(t, { headers: { "Sec-WebSocket-Version": "12" } });
    expect(version.status, `Sec-WebSocket-Version: 12: "${version.statusLine}"`).to.equal(426);
    const unknown = await upgrade(t, { path: "/nowhere" });
    expect(unknown.status, `unknown path: "${unknown.statusLine}"`).to.equal(404);
    const plain = await get(t, t.path);
    expect(plain.status, `plain GET of ${t.path}: "${plain.statusLine}"`).to.equal(426);
  });

  it("[firmware] with a token, GET /status needs it too: 401 without, 200 JSON with", async function () {
    const t = secured(this);
    expectUnauthorized(await get(t, "/status"), "missing token", "GET /status without a token");
    const wrong = await get(t, "/status", { Authorization: "Bearer wrong" });
    expectUnauthorized(wrong, "invalid token", "GET /status with a wrong token");
    for (const [what, path, headers] of [
      ["the header", "/status", { Authorization: `Bearer ${TOKEN}` }],
      ["?token=", `/status?token=${TOKEN}`, {}],
      // /status is no WebSocket: origins do not apply to it (see the README).
      [
        "the header and a foreign Origin",
        "/status",
        { Authorization: `Bearer ${TOKEN}`, Origin: FOREIGN },
      ],
    ]) {
      const response = await get(t, path, headers);
      expect(response.status, `GET /status with ${what}: "${response.statusLine}"`).to.equal(200);
      expect(response.headers["content-type"]).to.match(/^application\/json\b/i);
      expect(JSON.parse(text(response)).limits, `GET /status with ${what}: limits`).to.be.an(
        "object",
      );
    }
  });

  it("[firmware] with a token, GET / (the web console, which asks for the token) does not need it", async function () {
    const t = secured(this);
    const response = await get(t, "/");
    // 404 until the console page exists; never 401.
    expect(response.status, `GET / without a token: "${response.statusLine}"`).to.be.oneOf([
      200, 404,
    ]);
  });

  it("[firmware] with origins, an upgrade from an Origin not listed gets 403 (whatever the token)", async function () {
    const t = secured(this);
    for (const [what, headers] of [
      ["with the right token", { Origin: FOREIGN, Authorization: `Bearer ${TOKEN}` }],
      ["without a token", { Origin: FOREIGN }],
      ["with a wrong token", { Origin: FOREIGN, Authorization: "Bearer wrong" }],
      ["from another port", { Origin: `${ALLOWED}:8080`, Authorization: `Bearer ${TOKEN}` }],
      ["from an opaque origin", { Origin: "null", Authorization: `Bearer ${TOKEN}` }],
    ]) {
      const response = await upgrade(t, { headers });
      expectRefused(response, 403, "not allowed", `Origin ${headers.Origin} ${what}`);
    }
    const status = await statusWithToken(t);
    expect(status.clients, "clients after the refused upgrades").to.deep.equal([]);
  });

  it("[firmware] with origins, a listed Origin upgrades (with the token), and so does a client without Origin", async function () {
    const t = secured(this);
    const listed = await RawClient.open(t, {
      headers: { Origin: ALLOWED, Authorization: `Bearer ${TOKEN}` },
    });
    await expectEcho(listed, "from the listed origin");
    const none = await RawClient.open(t, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await expectEcho(none, "without Origin");
    // A listed origin still needs the token.
    expectUnauthorized(
      await upgrade(t, { headers: { Origin: ALLOWED } }),
      "missing token",
      "listed Origin without a token",
    );
  });

  it("[firmware] with every client slot taken, an upgrade without the token gets 401, with it 503", async function () {
    const t = secured(this);
    const { maxClients } = (await waitForNoClients(t)).limits;
    const clients = [];
    for (let i = 0; i < maxClients; i++) {
      clients.push(await RawClient.open(t, { path: `${t.path}?token=${TOKEN}` }));
    }
    const without = await retryingTcpFailures(() => upgrade(t), t);
    expectUnauthorized(without, "missing token", "upgrade without a token, server full");
    const full = await retryingTcpFailures(
      () => upgrade(t, { path: `${t.path}?token=${TOKEN}` }),
      t,
    );
    expectRefused(full, 503, "slots", "upgrade with the token, server full");
    for (const client of clients) client.dispose();
    await waitForNoClients(t); // the closes are registered: the slots are free for what follows
  });
});
