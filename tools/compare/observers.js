// The three ways a client learns of the server's ticks, run side by side: a WebSocket the server
// pushes `tick n` to, and two pollers of GET /tick, one opening a TCP connection per request
// (Connection: close), one keeping its connection open (HTTP/1.1 keep-alive). Each records what
// it learnt and when (host ms, performance.now()), and the bytes and connections it took.
import net from "node:net";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { addressUrl } from "../wire/address.js";
import { tokenHeaders } from "../wire/opening-handshake.js";
import { plainGet } from "../wire/raw-http.js";
import { Waiter } from "../wire/waiter.js";
import { HttpConnection } from "./http-connection.js";

const TICK_MESSAGE = /^tick (\d+)$/;

/**
 * One `ws` client on `path`; `onTick(n)` for each `tick n` message. `fail(error)` when the
 * connection ends before stop(). `ready` resolves once it is open.
 */
export function pushObserver({ host, port, path = "/broadcast", token, onTick = () => {}, fail }) {
  const sockets = [];
  const messages = [];
  let stopping = false;
  const ws = new WebSocket(addressUrl({ host, port, path }), {
    perMessageDeflate: false,
    headers: tokenHeaders(token),
    handshakeTimeout: 5000,
    // The TCP socket itself, whose byte counts include the upgrade and every frame.
    createConnection(options) {
      const socket = net.connect({ ...options, path: undefined });
      socket.setNoDelay(true);
      sockets.push(socket);
      return socket;
    },
  });
  const closed = new Promise((resolve) => ws.once("close", resolve));
  const ready = new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_, response) => {
      reject(new Error(`${path}: the upgrade was answered ${response.statusCode}`));
      ws.terminate();
    });
    ws.once("error", reject);
  });
  ready.then(
    () => {
      ws.on("error", () => {}); // the close that follows says it
      ws.once("close", (code, reason) => {
        if (!stopping) fail(new Error(`the WebSocket on ${path} closed (${code} ${reason})`));
      });
    },
    () => {},
  );
  ws.on("message", (data, isBinary) => {
    const received = performance.now();
    const match = isBinary ? null : TICK_MESSAGE.exec(data.toString());
    if (!match) return; // another client's broadcast: its bytes count, it is no tick
    const tick = Number(match[1]);
    messages.push({ tick, received });
    onTick(tick);
  });
  return {
    ready,
    messages,
    /** Closes with 1000 (the close frames count) and resolves the observer's figures. */
    async stop() {
      stopping = true;
      if (ws.readyState !== WebSocket.CLOSED) {
        const timer = setTimeout(() => ws.terminate(), 2000);
        ws.close(1000);
        await closed;
        clearTimeout(timer);
      }
      return {
        requests: 0,
        connections: sockets.length,
        bytesToServer: sockets.reduce((sum, s) => sum + s.bytesWritten, 0),
        bytesToClient: sockets.reduce((sum, s) => sum + s.bytesRead, 0),
        messages,
      };
    },
  };
}

/** The body of a GET /tick response: `{ tick, at, now }`; throws saying what is wrong. */
export function readTick(response) {
  const what = () => `GET /tick answered "${response.statusLine}" ${response.body.slice(0, 200)}`;
  if (response.status !== 200) throw new Error(what());
  let body;
  try {
    body = JSON.parse(response.body);
  } catch {
    throw new Error(`${what()}: not JSON`);
  }
  const { tick, at, now } = body ?? {};
  const valid =
    Number.isSafeInteger(tick) &&
    tick >= 0 &&
    Number.isFinite(now) &&
    (tick === 0 ? at === null || Number.isFinite(at) : Number.isFinite(at));
  if (!valid) throw new Error(`${what()}: not {"tick": n, "at": ms, "now": ms}`);
  return { tick, at, now };
}

/**
 * GET /tick every `intervalMs` ms on average, each wait drawn between 0.75 and 1.25 times it so
 * that the polls keep no fixed phase against the server's periodic ticks (events in general come
 * at any time). `keepAlive`: on one connection, opened again when the server has closed it;
 * else a new connection per request, with `Connection: close`. `onResponse(r)` for each,
 * `fail(error)` on any error; `ready` resolves at the first response.
 */
export function poller({
  host,
  port,
  keepAlive,
  intervalMs,
  random = Math.random,
  onResponse = () => {},
  fail,
}) {
  const request = plainGet({ host, port }, "/tick", keepAlive ? {} : { Connection: "close" });
  const responses = [];
  const figures = {
    requests: 0,
    connections: 0,
    reconnects: 0,
    bytesToServer: 0,
    bytesToClient: 0,
  };
  const closing = [];
  const waiter = new Waiter();
  let connection = null;
  let stopping = false;
  let firstResponse;
  const ready = new Promise((resolve) => (firstResponse = resolve));

  async function connect() {
    const opened = await HttpConnection.open(host, port);
    figures.connections++;
    closing.push(
      opened.whenClosed.then(() => {
        figures.bytesToServer += opened.bytesWritten;
        figures.bytesToClient += opened.bytesRead;
      }),
    );
    return opened;
  }

  async function exchange() {
    if (!connection || connection.closed) {
      if (connection) figures.reconnects++;
      connection = await connect();
    }
    const used = connection.responses > 0;
    figures.requests++;
    let result;
    try {
      result = await connection.request(request);
    } catch (error) {
      // The server closed an idle keep-alive connection as the request went: once more, anew.
      if (!(keepAlive && used && error.beforeResponse)) throw error;
      figures.reconnects++;
      connection = await connect();
      figures.requests++;
      result = await connection.request(request);
    }
    const { response, sent, received } = result;
    const recorded = { ...readTick(response), sent, received };
    responses.push(recorded);
    if (!keepAlive || /\bclose\b/i.test(response.headers.connection ?? "")) {
      const done = connection;
      connection = null;
      await done.close();
    }
    onResponse(recorded);
    firstResponse();
  }

  const loop = (async () => {
    let next = performance.now();
    while (!stopping) {
      await exchange();
      next = Math.max(next + intervalMs * (0.75 + 0.5 * random()), performance.now());
      if (!stopping) await waiter.sleep(next - performance.now());
    }
  })().catch((error) => {
    if (!stopping) fail(error);
  });

  return {
    ready,
    responses,
    /** Lets the request under way finish, closes the connection, resolves the figures. */
    async stop() {
      stopping = true;
      waiter.wake();
      await loop;
      await connection?.close();
      await Promise.all(closing);
      return { ...figures, responses };
    },
  };
}
