// One xsnap worker (one XS machine in a child process) and its pipes: netstrings on fd 3 (to the
// worker) and fd 4 (from it), as xsnap-worker.c reads and writes them. The host sends one command
// at a time ("e" evaluates a script, "?" calls the worker's handleCommand); while it runs, the
// worker may call the host synchronously (issueCommand: "?" from the worker, answered "/"). Every
// reply carries the worker's meter: live slots (currentHeapCount), compute, allocate.
import { spawn } from "node:child_process";
import { Buffer } from "node:buffer";

const COLON = 0x3a;

/** Exit codes of xsnap-worker.c, as the board would put them. */
const EXIT_REASONS = Object.freeze({
  1: "bad usage",
  2: "input/output error on the pipe to the host",
  11: "memory full",
  12: "stack overflow",
  15: "unhandled exception",
  16: "not enough keys",
  17: "too much computation",
});

export function describeWorkerExit(code, signal) {
  if (signal) return `the XS worker was killed (${signal})`;
  return `the XS worker exited with code ${code} (${EXIT_REASONS[code] ?? "unknown"})`;
}

const COMMA = Buffer.from(",");

/** `prefix` (one ASCII character) and `payload` as one netstring, in one copy. */
function netstring(prefix, payload) {
  const head = Buffer.from(`${prefix.length + payload.length}:${prefix}`, "latin1");
  return Buffer.concat([head, payload, COMMA]);
}

export class XsWorker {
  #child;
  #toWorker;
  #fromWorker;
  #received = Buffer.alloc(0);
  #queue = []; // commands not yet sent: { message, resolve, reject }
  #current = null;
  #onCall;
  #gone = false;
  exited;

  /**
   * @param {string} binary path of xsnap-worker
   * @param {(payload: Buffer) => Uint8Array} onCall answers the worker's synchronous calls
   * @param {string[]} [args] its command line (`-S <slots>`: the stack, a board-stack build's)
   */
  constructor(binary, onCall, args = []) {
    this.#onCall = onCall;
    this.#child = spawn(binary, args, { stdio: ["ignore", "inherit", "inherit", "pipe", "pipe"] });
    this.#toWorker = this.#child.stdio[3];
    this.#fromWorker = this.#child.stdio[4];
    this.#fromWorker.on("data", (chunk) => this.#receive(chunk));
    this.#toWorker.on("error", () => {}); // a dead worker is reported by its exit
    this.exited = new Promise((resolve) => {
      this.#child.on("exit", (code, signal) => {
        this.#gone = true;
        const error = new Error(describeWorkerExit(code, signal));
        for (const pending of [this.#current, ...this.#queue]) pending?.reject(error);
        this.#current = null;
        this.#queue = [];
        resolve({ code, signal });
      });
    });
    // The worker alone does not keep the host's process alive: the host's sockets, timers and
    // pins do, as on the Node engine. A command under way does (#send).
    this.#child.unref();
    this.#toWorker.unref();
    this.#fromWorker.unref();
  }

  /** True once the worker has exited (its exit is reported through `exited`). */
  get gone() {
    return this.#gone;
  }

  /** Evaluates a script in the worker's start compartment. */
  evaluate(script) {
    return this.#command("e", Buffer.from(script, "utf8"));
  }

  /** Calls the worker's handleCommand with `bytes`; resolves with { meter, reply }. */
  handle(bytes) {
    return this.#command("?", Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  kill() {
    this.#child.kill("SIGKILL");
  }

  #command(kind, payload) {
    return new Promise((resolve, reject) => {
      this.#queue.push({ message: netstring(kind, payload), resolve, reject });
      if (!this.#current) this.#sendNext();
    });
  }

  #sendNext() {
    this.#current = this.#queue.shift() ?? null;
    // A command under way keeps the host alive until its answer, or the worker's exit, comes.
    if (!this.#current) {
      this.#fromWorker.unref();
      this.#child.unref();
      return;
    }
    this.#fromWorker.ref();
    this.#child.ref();
    this.#toWorker.write(this.#current.message);
  }

  #receive(chunk) {
    this.#received = this.#received.length ? Buffer.concat([this.#received, chunk]) : chunk;
    for (;;) {
      const colon = this.#received.indexOf(COLON);
      if (colon < 0) return;
      const length = Number(this.#received.subarray(0, colon).toString("latin1"));
      const end = colon + 1 + length;
      if (this.#received.length < end + 1) return;
      const message = this.#received.subarray(colon + 1, end);
      this.#received = this.#received.subarray(end + 1);
      this.#dispatch(message);
    }
  }

  #dispatch(message) {
    const kind = String.fromCharCode(message[0]);
    if (kind === "?") {
      const reply = this.#onCall(message.subarray(1));
      this.#toWorker.write(
        netstring("/", Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength)),
      );
      return;
    }
    const current = this.#current;
    if (kind === ".") {
      const separator = message.indexOf(1);
      const meter = JSON.parse(message.subarray(1, separator).toString("latin1"));
      current?.resolve({ meter, reply: message.subarray(separator + 1) });
    } else {
      current?.reject(new Error(`the XS worker failed: ${message.subarray(1).toString("utf8")}`));
    }
    this.#sendNext();
  }
}
