// Plain HTTP on the WebSocket port beyond GET: HEAD is answered as its GET without the body
// (RFC 9110 §9.3.2), and a connection the client keeps (HTTP/1.1 without `Connection: close`)
// serves request after request (RFC 9112 §9.3), pipelined ones included, until the client closes
// it or it has waited requestTimeout for the next one; a refusal closes it. GET /tick is the
// tick for clients that poll. The HEAD of the WebSocket path is generic; the rest is this
// firmware's (the reference server answers nothing but 426).
import { expect } from "chai";
import "./support/hooks.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { targetLimits } from "./support/status.js";
import { firmwareOnly, skipBecause, target } from "./support/target.js";
import { marginFor, timingTarget } from "./support/timing.js";
import { httpRequest, parseResponseHead, plainGet } from "../tools/wire/raw-http.js";
import { Waiter } from "../tools/wire/waiter.js";

const HEAD_END = "\r\n\r\n";

/** A HEAD request for `path` (Host, the token when the server has one, `headers`). */
function plainHead(t, path, headers = {}) {
  return plainGet(t, path, headers).replace(/^GET /, "HEAD ");
}

/**
 * One TCP connection for several requests: `exchange(request)` writes it and resolves with the
 * next response (`{status, headers, body}`; no body for a HEAD); `closed` tells whether the server
 * has closed the connection, `waitForClose(ms)` waits for it, `extra` is what came beyond.
 */
async function openConnection(t) {
  const socket = await t.connectTcp();
  const waiter = new Waiter();
  const state = { data: Buffer.alloc(0), closed: false, closedAt: 0 };
  socket.on("data", (chunk) => {
    state.data = Buffer.concat([state.data, chunk]);
    waiter.wake();
  });
  socket.on("error", () => {});
  socket.once("close", () => {
    state.closed = true;
    state.closedAt = performance.now();
    waiter.wake();
  });

  /** The next response in what arrived, once it is complete; `headOnly`: a HEAD's. */
  async function nextResponse(headOnly, timeoutMs = t.replyTimeoutMs) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const end = state.data.indexOf(HEAD_END);
      if (end >= 0) {
        const head = parseResponseHead(state.data.subarray(0, end).toString("latin1"));
        const length = headOnly ? 0 : Number(head.headers["content-length"] ?? 0);
        const start = end + HEAD_END.length;
        if (state.data.length - start >= length) {
          const body = state.data.subarray(start, start + length).toString("utf8");
          state.data = state.data.subarray(start + length);
          return { ...head, body };
        }
      }
      if (state.closed) throw new Error(`the server closed the connection before a response`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no complete response within ${timeoutMs} ms`);
      await waiter.sleep(left);
    }
  }

  return {
    socket,
    get closed() {
      return state.closed;
    },
    get extra() {
      return state.data;
    },
    nextResponse,
    async exchange(request) {
      socket.write(request);
      return nextResponse(request.startsWith("HEAD "));
    },
    async waitForClose(ms) {
      const deadline = performance.now() + ms;
      while (!state.closed && performance.now() < deadline)
        await waiter.sleep(deadline - performance.now());
      return state.closed ? state.closedAt : null;
    },
    dispose: () => socket.destroy(),
  };
}

/** One request on a connection of its own (Connection: close): `make` is plainGet or plainHead. */
const once = (make, path) =>
  httpRequest(target, make(target, path, { Connection: "close" }), {
    closeWaitMs: target.closeWaitMs,
  });

describe("plain HTTP: HEAD, kept connections, /tick", function () {
  this.timeout(target.timeoutMs);

  it("answers HEAD of the WebSocket path with its GET's status and no body", async function () {
    const get = await once(plainGet, target.path);
    const head = await once(plainHead, target.path);
    expect(head.status, "HEAD status").to.equal(get.status);
    expect(head.body, "no body after the head").to.equal("");
    expect(head.closed, "closed after the response").to.equal(true);
  });

  it("[firmware] answers HEAD /status and HEAD of an unknown path as their GETs, without the body", async function () {
    firmwareOnly(this, "GET /status is this firmware's");
    for (const path of ["/status", "/no-such-page"]) {
      const get = await once(plainGet, path);
      const head = await once(plainHead, path);
      expect(head.status, `HEAD ${path}`).to.equal(get.status);
      expect(head.headers["content-type"], `HEAD ${path}: Content-Type`).to.equal(
        get.headers["content-type"],
      );
      if (path === "/no-such-page") {
        expect(head.headers["content-length"], "the GET's length").to.equal(
          String(Buffer.byteLength(get.body, "latin1")),
        );
      }
      expect(head.body, `HEAD ${path}: no body`).to.equal("");
    }
  });

  it("[firmware] serves requests one after another on a kept connection, pipelined ones too, and closes it on Connection: close", async function () {
    firmwareOnly(this, "GET /status and /tick are this firmware's");
    const connection = await openConnection(target);
    try {
      for (const path of ["/status", "/tick", "/status"]) {
        const response = await connection.exchange(plainGet(target, path));
        expect(response.status, `GET ${path} on the kept connection`).to.equal(200);
        expect(response.headers.connection, "Connection").to.equal("keep-alive");
        expect(() => JSON.parse(response.body), `GET ${path}: JSON`).not.to.throw();
      }
      // Two requests in one write: two responses, in order.
      connection.socket.write(plainGet(target, "/tick") + plainHead(target, "/status"));
      const first = await connection.nextResponse(false);
      const second = await connection.nextResponse(true);
      expect(JSON.parse(first.body), "the pipelined GET /tick").to.have.property("tick");
      expect(second.status, "the pipelined HEAD /status").to.equal(200);
      const last = await connection.exchange(plainGet(target, "/tick", { Connection: "close" }));
      expect(last.headers.connection, "Connection of the last").to.equal("close");
      expect(await connection.waitForClose(target.closeWaitMs), "closed after it").to.not.equal(
        null,
      );
      expect(connection.extra.length, "bytes after the last response").to.equal(0);
    } finally {
      connection.dispose();
    }
  });

  it("[firmware] closes a kept connection with a refusal, and one that waits requestTimeout for a request without a word", async function () {
    firmwareOnly(this, "the firmware's timeouts");
    const { t, limits } = await timingTarget(this);
    const { requestTimeout } = limits;
    if (!requestTimeout) skipBecause(this, "requestTimeout=0: a kept connection waits forever");
    this.timeout(this.timeout() + requestTimeout + 2 * target.timeoutMs);
    const refused = await openConnection(t);
    try {
      expect((await refused.exchange(plainGet(t, "/tick"))).status).to.equal(200);
      const refusal = await refused.exchange(plainGet(t, "/no-such-page"));
      expect(refusal.status, "a refusal").to.equal(404);
      expect(refusal.headers.connection, "closes with it").to.equal("close");
      expect(await refused.waitForClose(t.closeWaitMs), "closed").to.not.equal(null);
    } finally {
      refused.dispose();
    }
    const idle = await openConnection(t);
    try {
      expect((await idle.exchange(plainGet(t, "/tick"))).status).to.equal(200);
      const answered = performance.now();
      const closedAt = await idle.waitForClose(requestTimeout + marginFor(requestTimeout));
      expect(closedAt, `closed within requestTimeout (${requestTimeout} ms)`).to.not.equal(null);
      expect(closedAt - answered, "not before requestTimeout").to.be.at.least(requestTimeout - 50);
      expect(idle.extra.toString("latin1"), "no 408 nor anything else: closed quietly").to.equal(
        "",
      );
    } finally {
      idle.dispose();
    }
  });

  it("[firmware] GET /tick tells the latest tick and when it was made", async function () {
    firmwareOnly(this, "tick is this firmware's");
    let t = target;
    let instance = null;
    if (canStartInstance({ simulator: true })) {
      this.timeout(instanceStartMs() + 2 * target.timeoutMs);
      instance = await startInstance({ tick: 200 });
      t = instance;
    } else if (!((await targetLimits(this)).tick > 0)) {
      skipBecause(this, "needs tick > 0 (build it with tick=200)");
    }
    try {
      const { tick } = await targetLimits(this, t);
      const read = async () =>
        JSON.parse((await httpRequest(t, plainGet(t, "/tick", { Connection: "close" }))).body);
      const first = await read();
      await new Promise((resolve) => setTimeout(resolve, 3 * tick));
      const later = await read();
      expect(later.tick, `ticks 3 × ${tick} ms later`).to.be.at.least(first.tick + 2);
      expect(later.at, "when it was made, ms since the start").to.be.a("number");
      expect(later.now, "now, ms since the start").to.be.at.least(later.at);
      expect(later.now - later.at, "the latest tick is at most an interval old").to.be.at.most(
        2 * tick + 100,
      );
    } finally {
      await instance?.stop();
    }
  });
});
