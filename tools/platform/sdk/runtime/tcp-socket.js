// embedded:io/socket/tcp, after modules/io/socket/lwip/tcp.c of Moddable SDK 8.2.3 (the ESP32
// implementation). A TCP instance is the XS host object; its record is the C TCPRecord; the PCB is
// lwip's tcp_pcb, the host's (host/lwip-pcb.js). Callbacks are "triggered" by lwip events and
// delivered later in one message (tcpDeliver), with `this` the instance.
import { host } from "../host.js";
import { nativeCrash } from "./abort.js";
import { bufferBytes } from "./buffers.js";
import { counters } from "./counters.js";
import { callFirmware, postMessage } from "./deliver.js";
import { freezeClass } from "./freeze.js";
import { HostData } from "./host-data.js";
import {
  FORMATS,
  getCallback,
  getSignedInteger,
  has,
  initializeFormat,
  initializeTarget,
  kFormatBuffer,
  kFormatNumber,
  parseFormat,
  toInteger,
} from "./io-arguments.js";

const kTCPWritable = 1 << 0;
const kTCPReadable = 1 << 1;
const kTCPError = 1 << 2;
const kTCPOutput = 1 << 3;

const hostData = new HostData();

class TCPRecord {
  pcb = null;
  obj = null;
  /** Received segments not fully read: { bytes: Uint8Array, offset: number } */
  buffers = [];
  triggerable = 0;
  triggered = 0;
  useCount = 0;
  error = false;
  format = kFormatBuffer;
  ready = false;
  onReadable = undefined;
  onWritable = undefined;
  onError = undefined;
  /** The message posted when a trigger fires (one function per record, not one per trigger). */
  deliver = () => tcpDeliver(this);

  available() {
    let bytes = 0;
    for (const buffer of this.buffers) bytes += buffer.bytes.length - buffer.offset;
    return bytes;
  }
}

function removeTCPCallbacks(tcp) {
  if (tcp.pcb) {
    tcp.pcb.recv = null;
    tcp.pcb.sent = null;
    tcp.pcb.err = null;
  }
  tcp.triggerable &= ~kTCPWritable;
}

function tcpHold(tcp) {
  tcp.useCount += 1;
}

function tcpRelease(tcp) {
  tcp.useCount -= 1;
  if (tcp.useCount === 0) tcpDestructor(tcp);
}

function tcpDestructor(tcp) {
  if (tcp.pcb) {
    removeTCPCallbacks(tcp);
    tcp.pcb.close();
    tcp.pcb = null;
  }
  tcp.buffers = [];
  counters.networkSockets -= 1;
}

function tcpTrigger(tcp, trigger) {
  const triggered = tcp.triggered;
  tcp.triggered |= trigger;
  if (!triggered) {
    tcpHold(tcp);
    postMessage(tcp.deliver);
  }
}

function tcpDeliver(tcp) {
  let triggered = tcp.triggered;
  tcp.triggered = 0;
  if (triggered & kTCPError) {
    triggered &= ~(kTCPOutput | kTCPWritable);
    tcp.error = true;
    tcp.ready = false;
  }
  if (triggered & kTCPOutput && tcp.pcb) tcp.pcb.output();

  if (triggered & tcp.triggerable & kTCPReadable && tcp.buffers.length) {
    callFirmware(tcp.onReadable, tcp.obj, tcp.available());
  }

  if (tcp.buffers.length && tcp.error) {
    // error delivered after receive buffers empty
  } else if (!tcp.error) {
    if (triggered & tcp.triggerable & kTCPWritable && tcp.pcb) {
      callFirmware(tcp.onWritable, tcp.obj, tcp.pcb.sndbuf);
    }
  } else if (tcp.triggerable & kTCPError) {
    callFirmware(tcp.onError, tcp.obj);
  }
  tcpRelease(tcp);
}

function tcpReceive(tcp, segment) {
  if (segment === null) {
    // the peer's FIN; on ESP32 the pcb stays, so write() after it reports "not ready"
    removeTCPCallbacks(tcp);
    tcpTrigger(tcp, kTCPError);
    return;
  }
  tcp.buffers.push({ bytes: segment, offset: 0 });
  counters.networkBytesRead += segment.length;
  if (tcp.triggerable & kTCPReadable) tcpTrigger(tcp, kTCPReadable);
}

function tcpError(tcp) {
  removeTCPCallbacks(tcp);
  tcp.pcb = null; // "pcb is already freed when this callback is called"
  if (kTCPError & tcp.triggerable) tcpTrigger(tcp, kTCPError);
}

function tcpSent(tcp) {
  tcpTrigger(tcp, kTCPWritable);
}

function tcpConnect(tcp) {
  tcp.ready = true;
  tcpTrigger(tcp, kTCPWritable);
}

function attachPcb(tcp, pcb) {
  tcp.pcb = pcb;
  pcb.arg = tcp;
  pcb.err = tcpError;
  pcb.recv = tcpReceive;
  if (tcp.triggerable && tcp.onWritable) pcb.sent = tcpSent;
}

function doClose(instance) {
  const tcp = hostData.peek(instance);
  if (!tcp) return;
  tcp.ready = false;
  removeTCPCallbacks(tcp);
  tcp.triggerable = 0;
  hostData.delete(instance);
  tcp.triggered = 0;
  tcpRelease(tcp);
}

/**
 * Consumes `count` bytes into `out`; with no `out`, consumes them and returns the first (the read
 * of one byte in number format).
 */
function consume(tcp, out, count) {
  let filled = 0;
  let last = 0;
  while (filled < count) {
    const buffer = tcp.buffers[0];
    const use = Math.min(count - filled, buffer.bytes.length - buffer.offset);
    if (!out) last = buffer.bytes[buffer.offset];
    else if (use === buffer.bytes.length) out.set(buffer.bytes, filled);
    else out.set(buffer.bytes.subarray(buffer.offset, buffer.offset + use), filled);
    filled += use;
    buffer.offset += use;
    if (buffer.offset === buffer.bytes.length) {
      tcp.buffers.shift();
      tcp.pcb?.recved(buffer.bytes.length);
      if (tcp.buffers.length === 0) {
        if (tcp.error) tcpTrigger(tcp, kTCPError);
        break;
      }
    }
  }
  return last;
}

class TCP {
  constructor(options) {
    const create = arguments.length > 0;
    const tcp = new TCPRecord();
    let pcb = null;
    let connect = false;
    let triggered = 0;
    let nodelay;

    if (create) {
      const format = initializeFormat(options, kFormatBuffer);
      if (format !== kFormatNumber && format !== kFormatBuffer) {
        throw new RangeError("unimplemented");
      }
      tcp.format = format;
      tcp.onReadable = getCallback(options, "onReadable");
      tcp.onWritable = getCallback(options, "onWritable");
      tcp.onError = getCallback(options, "onError");
      if (tcp.onReadable) tcp.triggerable |= kTCPReadable;
      if (tcp.onWritable) tcp.triggerable |= kTCPWritable;
      if (tcp.onError) tcp.triggerable |= kTCPError;

      if (has(options, "nodelay")) nodelay = Boolean(options.nodelay);

      if (has(options, "from")) {
        const from = hostData.get(options.from);
        if (!from.pcb) throw new Error("invalid from");
        pcb = from.pcb;
        tcp.buffers = from.buffers;
        tcp.ready = from.ready;
        triggered = from.triggered;
        if (tcp.triggerable & kTCPWritable && pcb.sndbuf) triggered |= kTCPWritable;
        if (tcp.triggerable & kTCPReadable && tcp.buffers.length) triggered |= kTCPReadable;
        from.pcb = null;
        from.buffers = [];
        from.triggered = 0;
        doClose(options.from);
      } else {
        const address = String(options.address);
        const port = getSignedInteger(options.port);
        if (port < 0 || port > 65535) throw new RangeError("invalid port");
        pcb = host.connect(address, port, () => tcpConnect(tcp));
        connect = true;
      }
    }

    counters.networkSockets += 1;
    hostData.set(this, tcp);
    tcp.obj = this;
    tcpHold(tcp);
    if (!create) return;

    if (nodelay !== undefined) pcb.setNoDelay(nodelay);
    initializeTarget(this, options);
    attachPcb(tcp, pcb);
    if (!connect && triggered) tcpTrigger(tcp, triggered);
  }

  close() {
    doClose(this);
  }

  read(...args) {
    const tcp = hostData.get(this);
    if (!tcp.buffers.length) return undefined;
    if (tcp.format !== kFormatBuffer) return consume(tcp, undefined, 1);

    const available = tcp.available();
    let requested;
    let result;
    let out;
    if (args.length === 0) {
      requested = available;
    } else if (args[0] !== null && typeof args[0] === "object") {
      out = bufferBytes(args[0]);
      requested = out.byteLength;
      result = requested;
    } else {
      requested = toInteger(args[0]);
    }
    if (requested <= 0 || requested > available) throw new Error("invalid");
    if (!out) {
      result = new ArrayBuffer(requested);
      out = new Uint8Array(result);
    }
    consume(tcp, out, requested);
    return result;
  }

  write(value) {
    const tcp = hostData.get(this);
    if (!tcp.ready) throw new Error("not ready");
    if (tcp.error || !tcp.pcb) return undefined;
    const bytes =
      tcp.format === kFormatBuffer ? bufferBytes(value) : Uint8Array.of(toInteger(value) & 0xff);
    if (bytes.byteLength > tcp.pcb.sndbuf) throw new Error("would block");
    if (!tcp.pcb.write(bytes)) {
      host.stdout("tcp write failed\n");
      tcpTrigger(tcp, kTCPError);
      return undefined;
    }
    tcpTrigger(tcp, kTCPOutput);
    counters.networkBytesWritten += bytes.byteLength;
    return tcp.pcb.sndbuf;
  }

  get remoteAddress() {
    const tcp = hostData.get(this);
    if (!tcp.pcb)
      nativeCrash("TCP remoteAddress read after the connection was reset (tcp->skt is NULL)");
    return tcp.pcb.remoteAddress;
  }

  get remotePort() {
    const tcp = hostData.get(this);
    if (!tcp.pcb)
      nativeCrash("TCP remotePort read after the connection was reset (tcp->skt is NULL)");
    return tcp.pcb.remotePort;
  }

  get format() {
    return FORMATS[hostData.get(this).format - 1];
  }

  set format(value) {
    const tcp = hostData.get(this);
    const format = parseFormat(value);
    if (format !== kFormatNumber && format !== kFormatBuffer) throw new RangeError("unimplemented");
    tcp.format = format;
  }
}

/**
 * xs_listener_read: gives an accepted connection to a TCP made with `new TCP()`, ready, receiving,
 * with no callbacks until `new TCP({ from })` takes it over.
 */
export function adoptAcceptedPcb(instance, pcb) {
  const tcp = hostData.get(instance);
  attachPcb(tcp, pcb);
  tcp.ready = true;
  pcb.accept();
  return instance;
}

export default freezeClass(TCP);
