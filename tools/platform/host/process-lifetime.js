// How the platform layer's process ends when it is told to, or when whoever started it is gone:
// SIGINT (Ctrl-C), SIGTERM and SIGHUP (a closed terminal) end it at once, and so does its parent's
// end (`npm start` runs it under a shell, which a SIGTERM to npm ends without passing it on). Its
// 'exit' handlers stop what it started (the XS worker); a worker whose host died exits on its own
// when its pipe closes.
import process from "node:process";

/** How often it looks for its parent. */
const PARENT_CHECK_MS = 250;

/**
 * Ends the process (code 0) on those signals and when its parent goes; `onEnd` runs first, and is
 * waited for if it returns a promise. A second signal while it runs ends the process at once.
 * Returns the function that ends it, for other ways to end (a key).
 */
export function endWithSignalsAndParent(onEnd = () => {}) {
  let ending = false;
  const end = async () => {
    if (ending) process.exit(0);
    ending = true;
    await onEnd();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, end);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) end();
  }, PARENT_CHECK_MS).unref();
  return end;
}
