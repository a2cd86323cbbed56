// Helpers for the tests that start the project's long-running commands (npm start, npm run dev)
// and check how they end: polling with a deadline, and the processes they leave behind.
import { spawnSync } from "node:child_process";
import process from "node:process";

/** Polls `check` every 50 ms for up to `ms`; resolves with its first truthy answer, or null. */
export async function within(ms, check) {
  for (const deadline = performance.now() + ms; performance.now() < deadline;) {
    const answer = await check();
    if (answer) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return (await check()) || null;
}

/** Whether process `pid` still runs. */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of the processes whose parent is `pid`. */
export const childrenOf = (pid) =>
  spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
    .stdout.split("\n")
    .filter(Boolean)
    .map(Number);

/** The pids of `pid`'s children, their children, … */
export const descendants = (pid) =>
  childrenOf(pid).flatMap((child) => [child, ...descendants(child)]);
