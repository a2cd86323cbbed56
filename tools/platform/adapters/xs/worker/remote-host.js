// The engine's `host` inside the XS worker (see sdk/host.js): every service is the Node host's,
// reached through the channel. Objects the host keeps for the engine (PCBs, listeners, timers,
// hashes, pin watches, look-ups) are known here by an id; the host's events name them by it.
import { attach, call, post } from "./channel.js";
import { PcbProxy } from "./pcb-proxy.js";

const pcbs = new Map(); // host's PCB id -> PcbProxy
const acceptors = new Map(); // listener id -> onAccept(pcb)
const timers = new Map(); // timer id -> task
const watchers = new Map(); // watch id -> listener(level)
const watchOfPin = new Map(); // pin -> watch id
const lookups = new Map(); // look-up id -> callback(address)
let nextId = 1;

function pcbFrom(id, free, address, port) {
  const pcb = new PcbProxy(id, free, address, port, () => pcbs.delete(id));
  pcbs.set(id, pcb);
  return pcb;
}

/** An attachment as bytes of their own: the command's buffer is not kept alive by them. */
const own = (bytes) => bytes.slice();

export const remoteHost = {
  stdout(text) {
    post("stdout", String(text));
  },
  stderr(text) {
    post("stderr", String(text));
  },
  abort(status, message, detail) {
    call("abort", status, message, detail);
  },
  crash(reason, where) {
    call("crash", reason, where);
  },
  now: () => performance.now(),
  later: (task) => setImmediate(task),
  setTimer(ms, task) {
    const id = nextId++;
    timers.set(id, task);
    post("timer", id, ms);
    return id;
  },
  clearTimer(id) {
    if (timers.delete(id)) post("untimer", id);
  },
  sleep(ms) {
    call("sleep", ms);
  },
  listen(port, onAccept) {
    const { id, port: bound } = call("listen", port).value;
    acceptors.set(id, onAccept);
    return {
      port: bound,
      close() {
        if (acceptors.delete(id)) post("unlisten", id);
      },
    };
  },
  connect(address, port, onConnected) {
    const { id, free } = call("connect", address, port).value;
    const pcb = pcbFrom(id, free);
    pcb.onConnected = onConnected;
    return pcb;
  },
  createHash(algorithm) {
    const id = call("hash", algorithm).value;
    return {
      update(bytes) {
        post("hashUpdate", id, attach(own(bytes)));
      },
      digest(keep) {
        const digest = call("digest", id, keep).attachments[0];
        return own(digest).buffer;
      },
    };
  },
  pins: Object.freeze({
    claim: (pin) => call("pinClaim", pin).value,
    release(pin) {
      watchers.delete(watchOfPin.get(pin));
      watchOfPin.delete(pin);
      post("pinRelease", pin);
    },
    drive: (pin, level) => post("pinDrive", pin, level),
    level: (pin) => call("pinLevel", pin).value,
    setInput: (pin, level) => post("pinSetInput", pin, level),
    watch(pin, listener) {
      const id = nextId++;
      watchers.set(id, listener);
      watchOfPin.set(pin, id);
      post("pinWatch", pin, id);
    },
  }),
  lookup(name, callback) {
    const id = nextId++;
    lookups.set(id, callback);
    post("lookup", id, name);
  },
  heap: () => call("heap").value,
};

const EVENTS = {
  accept([, listener, id, free, address, port]) {
    const pcb = pcbFrom(id, free, address, port);
    const onAccept = acceptors.get(listener);
    if (onAccept) onAccept(pcb);
    else pcb.abandon();
  },
  connected([, id, address, port]) {
    pcbs.get(id)?.connected(address, port);
  },
  recv([, id, index], attachments) {
    pcbs.get(id)?.received(index < 0 ? null : own(attachments[index]));
  },
  sent([, id, bytes]) {
    pcbs.get(id)?.wasSent(bytes);
  },
  err([, id]) {
    pcbs.get(id)?.failed();
  },
  timer([, id]) {
    const task = timers.get(id);
    timers.delete(id);
    task?.();
  },
  pin([, id, level]) {
    watchers.get(id)?.(level);
  },
  lookup([, id, address]) {
    const callback = lookups.get(id);
    lookups.delete(id);
    callback?.(address ?? undefined);
  },
};

/** Applies the host's events, in order. */
export function deliverEvents(events, attachments) {
  for (const event of events) EVENTS[event[0]](event, attachments);
}
