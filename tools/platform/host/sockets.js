// The network side of lwip: listening sockets and outgoing connections, as PCBs (lwip-pcb.js).
//
// lwip refuses a connection when all MEMP_NUM_TCP_PCB (CONFIG_LWIP_MAX_ACTIVE_TCP) control blocks
// are in use: it drops the SYN, and the client retries and times out. Node's kernel has already
// completed the handshake when the server sees the connection, so here the connection is reset at
// once instead; the firmware is told nothing, as on the board.
//
// The ESP32 listener binds IP_ADDR_ANY, which in lwip is IPv4 only; Node listens on "::" (the only
// way to bind synchronously, as lwip does) and resets IPv6 clients.
import net from "node:net";
import process from "node:process";
import { Pcb } from "./lwip-pcb.js";
import { limits, pools } from "./lwip-state.js";

function isIPv4Client(socket) {
  return socket.remoteFamily === "IPv4" || String(socket.remoteAddress).startsWith("::ffff:");
}

/**
 * The port cannot be listened on: on this machine that is how it was started, not the firmware's
 * doing (a board has its port to itself), so the run ends here with one line saying what to give
 * instead, and exit code 1.
 */
function cannotListen(port, code) {
  const reason =
    code === "EACCES" || (port > 0 && port < 1024 && process.getuid?.() !== 0)
      ? "ports below 1024 need root: give port=8080"
      : "it is taken (another npm start?): give another, as port=8081, or port=0 for any free one";
  process.stderr.write(`start: cannot listen on port ${port}: ${reason}\n`);
  process.exit(1);
}

/**
 * tcp_new + tcp_bind + tcp_listen: calls `onAccept(pcb)` for each connection lwip accepts.
 * Throws as xs_listener_constructor does: Error "no socket" when no PCB is free, RangeError
 * "no memory" when no listening PCB is. A port it cannot bind ends the run (cannotListen).
 * @returns {{ port: number, close(): void }}
 */
export function listen(port, onAccept) {
  if (pools.activeTcp >= limits.maxActiveTcp) throw new Error("no socket");
  if (pools.listeningTcp >= limits.maxListeningTcp) throw new RangeError("no memory");
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  let bindError;
  server.on("error", (error) => (bindError = error));
  server.listen({ port });
  if (!server.listening) {
    server.close();
    cannotListen(port, bindError?.code);
  }
  let closed = false;
  pools.listeningTcp += 1;
  server.on("connection", (socket) => {
    if (closed || !isIPv4Client(socket) || pools.activeTcp >= limits.maxActiveTcp) {
      socket.resetAndDestroy();
      return;
    }
    onAccept(new Pcb(socket));
  });
  return {
    port: server.address().port,
    close() {
      if (closed) return;
      closed = true;
      server.close();
      pools.listeningTcp -= 1;
    },
  };
}

/**
 * tcp_connect: an outgoing connection; `onConnected(pcb)` once it is established, and a failure
 * reaches the PCB's err callback. Throws Error "invalid address", RangeError "no socket".
 */
export function connect(address, port, onConnected) {
  if (net.isIP(address) === 0) throw new Error("invalid address");
  if (pools.activeTcp >= limits.maxActiveTcp) throw new RangeError("no socket");
  return Pcb.connect(address, port, onConnected);
}
