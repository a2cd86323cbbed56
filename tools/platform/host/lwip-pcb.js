// One TCP connection as lwip holds it on the ESP32 (a tcp_pcb), over a node:net socket.
//
// Receiving: bytes from the socket first wait in `incoming` (they are "on the network"). Each turn
// moves at most one segment of MSS bytes to the firmware side, and only while the receive window
// has room: the window is TCP_WND minus the bytes handed to the firmware and not yet consumed
// (tcp_recved). When the window is full the socket is paused, so the peer is held back, as lwip
// holds it back by advertising a zero window. A FIN is delivered after the last byte before it.
//
// Sending: TCP_SND_BUF bytes of send space; a write takes space, which comes back when node:net
// hands the bytes to the OS (on the board: when the peer acknowledges them). Writes made during one
// firmware callback go out together when the callback is done (lwip's tcp_output at message end).
//
// Closing: like tcp_close, a FIN after the queued bytes; but a reset when bytes received were never
// read by the firmware (lwip's tcp_close_shutdown sends RST when rcv_wnd is not fully open) or when
// data arrives after the close.
import { Buffer } from "node:buffer";
import net from "node:net";
import { clearTimeout, setImmediate, setTimeout } from "node:timers";
import { limits, pools } from "./lwip-state.js";

const FIN_WAIT_TIMEOUT_MS = 20_000; // lwip TCP_FIN_WAIT_TIMEOUT

function ipv4(address) {
  return typeof address === "string" && address.startsWith("::ffff:") ? address.slice(7) : address;
}

export class Pcb {
  /** The record lwip passes to the callbacks (tcp_arg). */
  arg = null;
  /** tcp_recv: (arg, Uint8Array | null) — null is the peer's FIN. null while data is refused. */
  recv = null;
  /** tcp_sent: (arg, bytes). */
  sent = null;
  /** tcp_err: (arg). The PCB is gone when it is called. */
  err = null;
  remoteAddress = undefined;
  remotePort = undefined;

  #socket;
  #incoming = [];
  #incomingBytes = 0;
  #unacked = 0;
  #inFlight = 0;
  #writeLengths = []; // of the writes node:net has not completed, oldest first
  #finReceived = false;
  #finDelivered = false;
  #accepted = false;
  #corked = false;
  #pumpScheduled = false;
  #closed = false;
  #gone = false;
  #counted = true;
  #finWait = null;

  /** @param {net.Socket} socket paused, connected or connecting */
  constructor(socket) {
    pools.activeTcp++;
    this.#socket = socket;
    this.#noteAddress();
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("end", () => this.#onEnd());
    socket.on("error", () => this.#onReset());
    socket.on("close", () => this.#onClose());
  }

  /**
   * tcp_connect: an outgoing connection; `connected(pcb)` runs once it is established, and a
   * failure reaches the err callback.
   */
  static connect(address, port, connected) {
    const socket = net.connect({ host: address, port, allowHalfOpen: true });
    const pcb = new Pcb(socket);
    pcb.#accepted = true;
    socket.once("connect", () => {
      pcb.#noteAddress();
      connected(pcb);
    });
    return pcb;
  }

  get sndbuf() {
    return limits.sendBuffer - this.#inFlight;
  }

  setNoDelay(noDelay) {
    this.#socket.setNoDelay(noDelay);
  }

  /** The firmware took the connection from the listener: start receiving. */
  accept() {
    this.#accepted = true;
    if (this.#gone) {
      setImmediate(() => this.err?.(this.arg));
      return;
    }
    this.#socket.resume();
    this.#schedulePump();
  }

  /** tcp_recved: the firmware consumed `bytes`, so the window opens by that much. */
  recved(bytes) {
    this.#unacked -= bytes;
    this.#resumeIfRoom();
    if (this.#incomingBytes > 0 || this.#finReceived) this.#schedulePump();
  }

  /** tcp_write: queues a copy of `bytes`. False when the connection cannot take it. */
  write(bytes) {
    const socket = this.#socket;
    if (this.#gone || socket.destroyed || socket.writableEnded) return false;
    if (!this.#corked) {
      socket.cork();
      this.#corked = true;
    }
    const length = bytes.byteLength;
    this.#inFlight += length;
    this.#writeLengths.push(length);
    socket.write(Buffer.from(bytes), this.#written); // a copy, as tcp_write makes
    return true;
  }

  /** node:net handed a write to the OS (writes complete in order): its space comes back. */
  #written = (error) => {
    const length = this.#writeLengths.shift();
    if (error) return;
    this.#inFlight -= length;
    this.sent?.(this.arg, length);
  };

  /** tcp_output: sends what write() queued. */
  output() {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  }

  /** tcp_close. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    if (this.#gone) return;
    const socket = this.#socket;
    if (this.#unacked > 0 || this.#incomingBytes > 0) {
      socket.resetAndDestroy(); // what write() queued is dropped with the reset
      return;
    }
    this.output();
    socket.end();
    socket.resume();
    this.#finWait = setTimeout(() => socket.destroy(), FIN_WAIT_TIMEOUT_MS).unref();
  }

  /** A pending connection dropped by Listener.close(). */
  abandon() {
    this.#closed = true;
    this.#detach();
    this.#socket.destroy();
  }

  #noteAddress() {
    this.remoteAddress = ipv4(this.#socket.remoteAddress);
    this.remotePort = this.#socket.remotePort;
  }

  #detach() {
    this.arg = null;
    this.recv = null;
    this.sent = null;
    this.err = null;
  }

  #onData(chunk) {
    if (this.#closed) {
      this.#socket.resetAndDestroy();
      return;
    }
    this.#incoming.push(chunk);
    this.#incomingBytes += chunk.length;
    if (this.#incomingBytes >= limits.receiveWindow) this.#socket.pause();
    // lwip's tcp_recv runs as the segment arrives: deliver the first one now, the rest one per turn.
    if (!this.#pumpScheduled) this.#pump();
  }

  #onEnd() {
    this.#finReceived = true;
    this.#schedulePump();
  }

  /** A reset (or any socket error): lwip frees the PCB and calls tcp_err. */
  #onReset() {
    if (this.#gone) return;
    this.#gone = true;
    this.#deliverWithinWindow();
    this.#incoming = [];
    this.#incomingBytes = 0;
    const { err, arg } = this;
    this.#detach();
    err?.(arg);
  }

  #onClose() {
    clearTimeout(this.#finWait);
    if (this.#counted) {
      this.#counted = false;
      pools.activeTcp--;
    }
    if (!this.#closed) this.#onReset();
  }

  #resumeIfRoom() {
    const socket = this.#socket;
    if (this.#accepted && !this.#closed && socket.isPaused()) {
      if (this.#incomingBytes < limits.receiveWindow) socket.resume();
    }
  }

  #schedulePump() {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** One segment per turn, within the window; the FIN after the last segment. */
  #pump() {
    if (!this.recv || this.#gone) return;
    if (this.#incomingBytes > 0) {
      const size = Math.min(limits.mss, limits.receiveWindow - this.#unacked, this.#incomingBytes);
      if (size <= 0) return;
      this.#deliverSegment(size);
      if (this.#incomingBytes > 0) this.#schedulePump();
      else if (this.#finReceived) this.#deliverFin();
      return;
    }
    if (this.#finReceived) this.#deliverFin();
  }

  /** Before a reset: the segments that fit in the window reached lwip before the RST did. */
  #deliverWithinWindow() {
    while (this.recv && this.#incomingBytes > 0) {
      const size = Math.min(limits.mss, limits.receiveWindow - this.#unacked, this.#incomingBytes);
      if (size <= 0) return;
      this.#deliverSegment(size);
    }
  }

  #deliverSegment(size) {
    const first = this.#incoming[0];
    const segment = first.length === size ? this.#incoming.shift() : this.#joinIncoming(size);
    this.#incomingBytes -= size;
    this.#unacked += size;
    this.#resumeIfRoom();
    this.recv(this.arg, segment);
  }

  /** The first `size` bytes waiting, taken from as many chunks as they span, in one segment. */
  #joinIncoming(size) {
    const segment = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.#incoming[0];
      const use = Math.min(chunk.length, size - filled);
      segment.set(chunk.subarray(0, use), filled);
      filled += use;
      if (use === chunk.length) this.#incoming.shift();
      else this.#incoming[0] = chunk.subarray(use);
    }
    return segment;
  }

  #deliverFin() {
    if (this.#finDelivered || !this.recv) return;
    this.#finDelivered = true;
    this.recv(this.arg, null);
  }
}
