// A TCP PCB as the engine's TCP and Listener see it (the interface of host/lwip-pcb.js), standing
// in inside the worker for the host's PCB of the same id. What the engine does to it becomes an
// operation for the host; what lwip does to the host's PCB comes back as an event. The send space
// is mirrored: a write takes it at once, the host's "sent" gives it back.
import { attach, post } from "./channel.js";

export class PcbProxy {
  /** The record lwip passes to the callbacks (tcp_arg). */
  arg = null;
  /** tcp_sent: (arg, bytes). */
  sent = null;
  /** tcp_err: (arg). The PCB is gone when it is called. */
  err = null;
  remoteAddress;
  remotePort;
  /** An outgoing connection: called once it is established. */
  onConnected = null;
  #id;
  #free;
  #forget;
  #recv = null;
  #ended = false; // closed or abandoned here, or gone on the host's side

  /** `forget()` is called once the PCB is gone: no event will name its id any more. */
  constructor(id, free, remoteAddress, remotePort, forget) {
    this.#id = id;
    this.#free = free;
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.#forget = forget;
  }

  /** tcp_recv: (arg, Uint8Array | null). The host delivers only while one is set. */
  get recv() {
    return this.#recv;
  }

  set recv(callback) {
    const receiving = this.#recv !== null;
    this.#recv = callback ?? null;
    if (receiving !== (this.#recv !== null) && !this.#ended) {
      post("pcb", this.#id, "receive", this.#recv !== null);
    }
  }

  get sndbuf() {
    return this.#free;
  }

  setNoDelay(noDelay) {
    this.#operate("nodelay", Boolean(noDelay));
  }

  accept() {
    this.#operate("accept");
  }

  recved(bytes) {
    this.#operate("recved", bytes);
  }

  /** tcp_write: the host copies the bytes, as tcp_write does, so this copies them now. */
  write(bytes) {
    if (this.#ended) return false;
    const copy = bytes.slice();
    this.#free -= copy.byteLength;
    post("pcb", this.#id, "write", attach(copy));
    return true;
  }

  output() {
    this.#operate("output");
  }

  close() {
    this.#end("close");
  }

  abandon() {
    this.#end("abandon");
  }

  #end(operation) {
    this.#operate(operation);
    this.#ended = true;
    this.#forget();
  }

  #operate(name, ...args) {
    if (!this.#ended) post("pcb", this.#id, name, ...args);
  }

  // Events from the host's PCB.

  received(segment) {
    this.#recv?.(this.arg, segment);
  }

  wasSent(bytes) {
    this.#free += bytes;
    this.sent?.(this.arg, bytes);
  }

  failed() {
    this.#ended = true;
    this.#forget();
    const { err, arg } = this;
    this.arg = null;
    this.#recv = null;
    this.sent = null;
    this.err = null;
    err?.(arg);
  }

  connected(remoteAddress, remotePort) {
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.onConnected?.(this);
  }
}
