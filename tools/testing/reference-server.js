// The reference target: a plain `ws` echo server. Running the suite against it shows that
// the generic tests encode RFC 6455 and not quirks of the firmware. Like the firmware it has two
// kinds of endpoint: `path` (/ws) echoes messages of any length the tests send (up to
// REFERENCE_ECHO_LIMIT), and WHOLE_PATH (/broadcast) takes messages of at most `maxMessageSize`
// and sends each to all its clients, so to a lone client it is an echo that refuses more with 1009.
import http from "node:http";
import { WebSocketServer } from "ws";

/** The endpoint that takes messages whole, within maxMessageSize (the firmware's /broadcast). */
export const WHOLE_PATH = "/broadcast";
/** The most the reference server's echo endpoint takes in one message. */
export const REFERENCE_ECHO_LIMIT = 32 * 1024 * 1024;

/**
 * Starts an echo server on a free port of 127.0.0.1.
 * @param {{path: string, maxMessageSize: number, maxHeaderSize?: number}} options
 * @returns {Promise<{url: string, host: string, port: number, path: string, stop(): Promise<void>}>}
 */
export async function startReferenceServer({ path, maxMessageSize, maxHeaderSize = 8192 }) {
  const sockets = new Set();
  // Plain HTTP requests (no Upgrade) get 426 and the connection is closed, like `ws` does for
  // its own server except that it keeps the connection alive.
  const server = http.createServer({ maxHeaderSize }, (req, res) => {
    const body = http.STATUS_CODES[426];
    res.writeHead(426, {
      Connection: "close",
      "Content-Type": "text/plain",
      "Content-Length": Buffer.byteLength(body),
    });
    res.end(body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  // Any number of fragments (RFC 6455 sets no limit; `ws` takes at most 16 384 by default).
  const echo = new WebSocketServer({
    noServer: true,
    maxPayload: REFERENCE_ECHO_LIMIT,
    maxFragments: 0,
  });
  echo.on("connection", (ws) => {
    ws.on("error", () => {}); // protocol errors: `ws` already sent the close frame
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const whole = new WebSocketServer({ noServer: true, maxPayload: maxMessageSize });
  whole.on("connection", (ws) => {
    ws.on("error", () => {});
    ws.on("message", (data, isBinary) => {
      for (const client of whole.clients) client.send(data, { binary: isBinary });
    });
  });
  // Any other path gets 400, as `ws` answers with its `path` option.
  const servers = new Map([
    [path, echo],
    [WHOLE_PATH, whole],
  ]);
  server.on("upgrade", (request, socket, head) => {
    const wss = servers.get(new URL(request.url, "http://x").pathname);
    if (!wss) {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const host = "127.0.0.1";

  return {
    url: `ws://${host}:${port}${path}`,
    host,
    port,
    path,
    async stop() {
      for (const wss of servers.values()) for (const ws of wss.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      for (const wss of servers.values())
        await new Promise((resolve) => wss.close(() => resolve()));
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
