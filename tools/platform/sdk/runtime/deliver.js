// Host callbacks reach XS as messages posted to the machine (modMessagePostToMachine) and run later,
// one per turn of its loop, never inside the native call that caused them. host.later gives the
// same order in both engines. An exception thrown by a firmware callback is unhandled on XS: abort.
import { host } from "../host.js";
import { xsAbort } from "./abort.js";

const queue = [];
let draining = false;

/**
 * Runs `task` later, in its own turn, like a message posted to the XS machine. As the machine's
 * message service does, one drain runs every queued message, including those posted meanwhile
 * (e.g. a tcp_output posted by a write), before the loop goes back to waiting for I/O.
 */
export function postMessage(task) {
  queue.push(task);
  if (!draining) {
    draining = true;
    host.later(drain);
  }
}

function drain() {
  for (let i = 0; i < queue.length; i++) queue[i]();
  queue.length = 0;
  draining = false;
}

/** Calls a firmware function from the host; an exception it throws aborts like XS. */
export function callFirmware(callback, thisArg, ...args) {
  try {
    return callback.apply(thisArg, args);
  } catch (error) {
    return xsAbort(error);
  }
}
