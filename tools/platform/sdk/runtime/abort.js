// What XS does when firmware code throws and nothing catches it: fxAbort prints
// "XS abort: unhandled exception <message>" and the board restarts (xs/platforms/esp/xsPlatform.c).
// The host prints the same line and ends the run with code 1, so that a firmware bug that would
// reset the board stops the run too.
import { host } from "../host.js";

function describe(error) {
  if (error instanceof Error || (error && typeof error === "object" && "stack" in error)) {
    return { message: String(error.message ?? ""), detail: String(error.stack ?? "") };
  }
  let shown;
  try {
    shown = typeof error === "string" ? JSON.stringify(error) : String(error);
  } catch {
    shown = Object.prototype.toString.call(error);
  }
  return { message: "", detail: `thrown value: ${shown}` };
}

/**
 * @param {unknown} error the exception
 * @param {"unhandled exception"|"unhandled rejection"} [status]
 * @returns {never}
 */
export function xsAbort(error, status = "unhandled exception") {
  const { message, detail } = describe(error);
  return host.abort(status, message, detail);
}

/**
 * Native code on the board would dereference a null pointer here: the chip panics and restarts.
 * @param {string} reason
 * @returns {never}
 */
export function nativeCrash(reason) {
  const where = String(new Error(reason).stack ?? "")
    .split("\n")
    .slice(2)
    .join("\n");
  return host.crash(reason, where);
}
