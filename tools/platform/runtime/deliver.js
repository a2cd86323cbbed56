// Host callbacks reach XS as messages posted to the machine (modMessagePostToMachine) and run later,
// one per turn of its loop, never inside the native call that caused them. setImmediate gives the
// same order here. An exception thrown by a firmware callback is unhandled on XS: abort.
import { setImmediate } from "node:timers";
import { xsAbort } from "./abort.js";

/** Runs `task` later, in its own turn, like a message posted to the XS machine. */
export function postMessage(task) {
  setImmediate(task);
}

/** Calls a firmware function from the host; an exception it throws aborts like XS. */
export function callFirmware(callback, thisArg, ...args) {
  try {
    return callback.apply(thisArg, args);
  } catch (error) {
    return xsAbort(error);
  }
}
