// The reference target: a plain `ws` echo server. Running the suite against it shows that
// the generic tests encode RFC 6455 and not quirks of the firmware.
import http from "node:http";
import { WebSocketServer } from "ws";

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

  // `path` makes `ws` answer 400 for any other path.
  const wss = new WebSocketServer({ server, path, maxPayload: maxMessageSize });
  wss.on("connection", (ws) => {
    ws.on("error", () => {}); // protocol errors: `ws` already sent the close frame
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
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
      for (const ws of wss.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => wss.close(() => resolve()));
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
