// What the host gives the engine (the `host` object of sdk/host.js), written once for both
// engines: the Node engine calls these functions directly, the XS engine over its worker's pipe.
// The engine adds its own `engine`, `firmwareGlobal`, `later` and `heap`.
import { createHash } from "node:crypto";
import { lookup } from "node:dns";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { clearTimeout, setTimeout } from "node:timers";
import { printAbort, printPanic } from "./abort.js";
import { claimPin, drivePin, pinLevel, releasePin, setInputLevel, watchPin } from "./gpio-pins.js";
import { connect, listen } from "./sockets.js";

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const MAX_TIMER_MS = 0x7fffffff;

/** A hash of the host's (node:crypto); `digest(true)` leaves it open for more data. */
function hashOf(algorithm) {
  let hash = createHash(algorithm);
  return {
    update(bytes) {
      hash.update(bytes);
    },
    digest(keep) {
      const out = keep ? hash.copy().digest() : hash.digest();
      if (!keep) hash = null;
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
    },
  };
}

export const hostServices = Object.freeze({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  abort: printAbort,
  crash: printPanic,
  now: () => performance.now(),
  setTimer: (ms, task) => setTimeout(task, Math.min(ms, MAX_TIMER_MS)),
  clearTimer: (handle) => clearTimeout(handle),
  sleep: (ms) => Atomics.wait(sleeper, 0, 0, ms),
  listen,
  connect,
  createHash: hashOf,
  pins: Object.freeze({
    claim: (pin) => claimPin(pin, true),
    release: releasePin,
    drive: drivePin,
    level: pinLevel,
    setInput: setInputLevel,
    watch: watchPin,
  }),
  lookup(name, callback) {
    lookup(name, { family: 4 }, (error, address) => callback(error ? undefined : address));
  },
});
