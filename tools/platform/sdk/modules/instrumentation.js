// "instrumentation", after modules/base/instrumentation of Moddable SDK 8.2.3, with the indexes of
// an instrumented ESP32 build (a release build returns undefined for everything). Only what the
// platform layer can honestly count is reported: socket and timer counts and network bytes, and 0
// for the display and file counters of a firmware that has neither. The chip's free memory and CPU
// load do not exist here: undefined, never an invented number. Nor does the SDK's XS heap figures:
// the XS engine instead reports "XS Live Slots", the slots alive after its last garbage
// collection (the host collects at most once a second), which no SDK build has. Where the XS
// worker has the board's stack, "XS Stack Used" is the most the firmware used since the start
// (a board's is the last second's most), and "XS Stack Slots" (no SDK build has it) its size.
import { host } from "../host.js";
import { counters } from "../runtime/counters.js";
import { freezeClass } from "../runtime/freeze.js";
import { toInteger } from "../runtime/io-arguments.js";

const zero = () => 0;
const unknown = () => undefined;
const BOARD_SLOT_BYTES = 16;

/** A figure of the board's stack, where the engine models it (a board-stack XS worker). */
function stackFigure(figure) {
  const stack = host.heap()?.stack;
  return stack?.slots == null ? undefined : figure(stack);
}

const ENTRIES = Object.freeze([
  ["", zero],
  ["Pixels Drawn", zero],
  ["Frames Drawn", zero],
  ["Network Bytes Read", () => counters.networkBytesRead],
  ["Network Bytes Written", () => counters.networkBytesWritten],
  ["Network Sockets", () => counters.networkSockets],
  ["Timers", () => counters.timers],
  ["Files", zero],
  ["Poco Display List Used", zero],
  ["Piu Command List Used", zero],
  ["SPI Flash Erases", zero],
  ["Turns", unknown],
  ["System Free Memory", unknown],
  ["CPU 0", unknown],
  ["CPU 1", unknown],
  ["XS Slot Heap Used", unknown],
  ["XS Chunk Heap Used", unknown],
  ["XS Keys Used", unknown],
  ["XS Garbage Collection Count", unknown],
  ["XS Modules Loaded", unknown],
  // The most stack the firmware used (board bytes: 16 a slot), since the start.
  ["XS Stack Used", () => stackFigure((stack) => stack.peak * BOARD_SLOT_BYTES)],
  ["XS Promises Settled", unknown],
  ["XS Live Slots", () => host.heap()?.liveSlots],
  ["XS Stack Slots", () => stackFigure((stack) => stack.slots)],
]);

export default freezeClass(
  class Instrumentation {
    static get(what) {
      const index = toInteger(what);
      return index >= 0 && index < ENTRIES.length ? ENTRIES[index][1]() : undefined;
    }

    static map(name) {
      const index = ENTRIES.findIndex(([entry]) => entry === String(name));
      return index < 0 ? undefined : index;
    }

    static name(what) {
      const index = toInteger(what);
      return index >= 0 && index < ENTRIES.length ? ENTRIES[index][0] : undefined;
    }
  },
);
