/*
 * Where an exception was thrown, for the log line that reports it: the first two frames of its
 * stack. XS on a board built with `mcconfig -d` names the file and line (` at onMessage
 * (…/main.ts:30)`); a release build names functions only.
 */

/** The first two frames of `error`'s stack, each on a line of its own, or "" when it has none. */
export function thrownAt(error: unknown): string {
  const stack = (error as { stack?: unknown } | null | undefined)?.stack;
  if (typeof stack !== "string") return "";
  let frames = "";
  let count = 0;
  for (const line of stack.split("\n")) {
    const frame = line.trim();
    if (!frame.startsWith("at ")) continue;
    frames += `\n  ${frame}`;
    if (++count === 2) break;
  }
  return frames;
}
