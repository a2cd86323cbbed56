// embedded:io/socket/listener, after modules/io/socket/lwip/tcp.c (Listener part) and listener.js
// of Moddable SDK 8.2.3.
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
import { counters } from "./counters.js";
import { callFirmware, postMessage } from "./deliver.js";
import { freezeClass } from "./freeze.js";
import { HostData } from "./host-data.js";
import {
  getCallback,
  getSignedInteger,
  has,
  initializeFormat,
  initializeTarget,
  kFormatSocketTCP,
} from "./io-arguments.js";
import { Pcb } from "./lwip-pcb.js";
import { limits, pools } from "./lwip-state.js";
import TCP, { adoptAcceptedPcb } from "./tcp-socket.js";

const kListenerReadable = 1 << 0;

const hostData = new HostData();

function isIPv4Client(socket) {
  return socket.remoteFamily === "IPv4" || String(socket.remoteAddress).startsWith("::ffff:");
}

function listenerAccept(listener, socket) {
  if (!isIPv4Client(socket) || pools.activeTcp >= limits.maxActiveTcp) {
    socket.resetAndDestroy();
    return;
  }
  listener.pending.push(new Pcb(socket));
  if (listener.onReadable) listenerTrigger(listener, kListenerReadable);
}

function listenerTrigger(listener, trigger) {
  const triggered = listener.triggered;
  listener.triggered |= trigger;
  if (!triggered) postMessage(() => listenerDeliver(listener));
}

function listenerDeliver(listener) {
  const triggered = listener.triggered;
  listener.triggered = 0;
  if (triggered & kListenerReadable && listener.pending.length && !listener.closed) {
    callFirmware(listener.onReadable, listener.obj, listener.pending.length);
  }
}

function bindHint(port, code) {
  const reason =
    code === "EACCES" || (port > 0 && port < 1024 && process.getuid?.() !== 0)
      ? "ports below 1024 need root; try port=8080"
      : "the port is probably in use";
  process.stderr.write(`[platform] Listener cannot bind port ${port}: ${reason}\n`);
}

class Listener {
  constructor(options) {
    let port = 0;
    if (has(options, "port")) {
      port = getSignedInteger(options.port);
      if (port < 0 || port > 65535) throw new RangeError("invalid port");
    }
    const onReadable = getCallback(options, "onReadable");
    if (initializeFormat(options, kFormatSocketTCP) !== kFormatSocketTCP) {
      throw new RangeError("unimplemented");
    }
    if (pools.activeTcp >= limits.maxActiveTcp) throw new Error("no socket");
    if (pools.listeningTcp >= limits.maxListeningTcp) throw new RangeError("no memory");

    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    let bindError;
    server.on("error", (error) => (bindError = error));
    server.listen({ port });
    if (!server.listening) {
      server.close();
      bindHint(port, bindError?.code);
      throw new Error("socket bind");
    }

    const listener = {
      server,
      obj: this,
      pending: [],
      triggered: 0,
      closed: false,
      onReadable,
    };
    pools.listeningTcp += 1;
    counters.networkSockets += 1;
    hostData.set(this, listener);
    initializeTarget(this, options);
    server.on("connection", (socket) => listenerAccept(listener, socket));
  }

  close() {
    const listener = hostData.peek(this);
    if (!listener) return;
    hostData.delete(this);
    listener.closed = true;
    listener.server.close();
    for (const pcb of listener.pending) pcb.abandon();
    listener.pending = [];
    pools.listeningTcp -= 1;
    counters.networkSockets -= 1;
  }

  read() {
    const listener = hostData.get(this);
    const pcb = listener.pending.shift();
    if (!pcb) return undefined;
    return adoptAcceptedPcb(new TCP(), pcb);
  }

  get port() {
    return hostData.get(this).server.address().port;
  }

  get format() {
    return "socket/tcp";
  }

  set format(value) {
    if ("socket/tcp" !== value) throw new RangeError();
  }
}

export default freezeClass(Listener);
