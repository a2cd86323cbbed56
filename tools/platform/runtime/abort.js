// What XS does when firmware code throws and nothing catches it: fxAbort prints
// "XS abort: unhandled exception <message>" and exits (xs/platforms/esp/xsPlatform.c); the board
// restarts. Here the process prints the same line, then the stack, and exits with code 1, so that a
// firmware bug that would reset the board stops the Node run too.
import process from "node:process";
import { inspect } from "node:util";

function describe(error) {
  if (error instanceof Error || (error && typeof error === "object" && "stack" in error)) {
    return { message: String(error.message ?? ""), detail: String(error.stack ?? "") };
  }
  return { message: "", detail: `thrown value: ${inspect(error)}` };
}

/**
 * @param {unknown} error the exception
 * @param {"unhandled exception"|"unhandled rejection"} [status]
 * @returns {never}
 */
export function xsAbort(error, status = "unhandled exception") {
  const { message, detail } = describe(error);
  process.stderr.write(`XS abort: ${status} ${message}\n${detail}\n`);
  process.exit(1);
}

/**
 * Native code on the board would dereference a null pointer here: the chip panics and restarts.
 * @param {string} reason
 * @returns {never}
 */
export function nativeCrash(reason) {
  const where = new Error(reason).stack.split("\n").slice(2).join("\n");
  process.stderr.write(`ESP32 panic (emulated): ${reason}\n${where}\n`);
  process.exit(1);
}

/** Installs the process-wide handlers: any uncaught exception or rejection aborts like XS. */
export function installAbortHandlers() {
  process.on("uncaughtException", (error) => xsAbort(error));
  process.on("unhandledRejection", (reason) => xsAbort(reason, "unhandled rejection"));
}
