// How the host ends a run that the board would end: an XS abort ("XS abort: unhandled exception
// <message>", fxAbort in xs/platforms/esp/xsPlatform.c, then the board restarts) or a panic of native
// code. The line, then the stack, on stderr, and exit code 1, so that a firmware bug that would
// reset the board stops the run too. `beforeExit` hooks let an engine adapter stop its worker first.
import process from "node:process";
import { inspect } from "node:util";

const beforeExit = [];

/** Runs `hook` just before an abort or panic exits the process. */
export function onFatal(hook) {
  beforeExit.push(hook);
}

function exit() {
  for (const hook of beforeExit) {
    try {
      hook();
    } catch {
      // exiting anyway
    }
  }
  process.exit(1);
}

/**
 * @param {"unhandled exception"|"unhandled rejection"} status
 * @param {string} message
 * @param {string} detail the stack, or what was thrown
 * @returns {never}
 */
export function printAbort(status, message, detail) {
  process.stderr.write(`XS abort: ${status} ${message}\n${detail}\n`);
  return exit();
}

/** @returns {never} */
export function printPanic(reason, where = "") {
  process.stderr.write(`ESP32 panic (emulated): ${reason}\n${where}\n`);
  return exit();
}

function describe(error) {
  if (error instanceof Error || (error && typeof error === "object" && "stack" in error)) {
    return [String(error.message ?? ""), String(error.stack ?? "")];
  }
  return ["", `thrown value: ${inspect(error)}`];
}

/**
 * The Node engine runs the firmware in this process: any uncaught exception or rejection there
 * aborts like XS.
 */
export function installAbortHandlers() {
  process.on("uncaughtException", (error) => printAbort("unhandled exception", ...describe(error)));
  process.on("unhandledRejection", (reason) =>
    printAbort("unhandled rejection", ...describe(reason)),
  );
}
