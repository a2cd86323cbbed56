// Holds a TCP port for the length of a test run, as `npm start` holds 8080, so that a test that
// needs that port fails there as it would beside `npm start`. No test may need a fixed port.
import net from "node:net";

/** `npm start`'s port (tools/start.js). */
export const START_PORT = 8080;

/**
 * Listens on `port` (all addresses). Resolves with a function that frees it; when the port is
 * taken already (by `npm start`, say), with one that does nothing.
 */
export function holdPort(port = START_PORT) {
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve) => {
    server.once("error", () => resolve(async () => {}));
    server.listen(port, () => resolve(() => new Promise((done) => server.close(done))));
  });
}

/** True when nothing can listen on `port` now. */
export function portTaken(port = START_PORT) {
  const probe = net.createServer();
  return new Promise((resolve) => {
    probe.once("error", (error) => resolve(error.code === "EADDRINUSE"));
    probe.listen(port, () => probe.close(() => resolve(false)));
  });
}
