// embedded:io/socket/listener, after modules/io/socket/lwip/tcp.c (Listener part) and listener.js
// of Moddable SDK 8.2.3. The listening PCB and the decision which connections lwip accepts are the
// host's (host/sockets.js); each accepted PCB waits here until the firmware reads it.
import { host } from "../host.js";
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
import TCP, { adoptAcceptedPcb } from "./tcp-socket.js";

const kListenerReadable = 1 << 0;

const hostData = new HostData();

function listenerAccept(listener, pcb) {
  if (listener.closed) {
    pcb.abandon();
    return;
  }
  listener.pending.push(pcb);
  if (listener.onReadable) listenerTrigger(listener, kListenerReadable);
}

function listenerTrigger(listener, trigger) {
  const triggered = listener.triggered;
  listener.triggered |= trigger;
  if (!triggered) postMessage(listener.deliver);
}

function listenerDeliver(listener) {
  const triggered = listener.triggered;
  listener.triggered = 0;
  if (triggered & kListenerReadable && listener.pending.length && !listener.closed) {
    callFirmware(listener.onReadable, listener.obj, listener.pending.length);
  }
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
    const listener = {
      socket: null,
      obj: this,
      pending: [],
      triggered: 0,
      closed: false,
      onReadable,
      deliver: () => listenerDeliver(listener),
    };
    listener.socket = host.listen(port, (pcb) => listenerAccept(listener, pcb));
    counters.networkSockets += 1;
    hostData.set(this, listener);
    initializeTarget(this, options);
  }

  close() {
    const listener = hostData.peek(this);
    if (!listener) return;
    hostData.delete(this);
    listener.closed = true;
    listener.socket.close();
    for (const pcb of listener.pending) pcb.abandon();
    listener.pending = [];
    counters.networkSockets -= 1;
  }

  read() {
    const listener = hostData.get(this);
    const pcb = listener.pending.shift();
    if (!pcb) return undefined;
    return adoptAcceptedPcb(new TCP(), pcb);
  }

  get port() {
    return hostData.get(this).socket.port;
  }

  get format() {
    return "socket/tcp";
  }

  set format(value) {
    if ("socket/tcp" !== value) throw new RangeError();
  }
}

export default freezeClass(Listener);
