// npm run watch: keeps a WebSocket connection open, shows a live status line, and says how and
// when the connection ended (close code, reason, how long it stayed open). See --help.
import process from "node:process";
import { parseWatchArgs, USAGE } from "./watch/args.js";
import { Display } from "./watch/display.js";
import { watch } from "./watch/loop.js";
import { readCommandLine } from "./wire/command-line.js";

const argv = process.argv.slice(2);
const { options, exitCode } = readCommandLine(() => parseWatchArgs(argv), {
  usage: USAGE,
  prefix: "watch: ",
  hint: "(npm run watch -- --help explains the options)",
});
if (!options) process.exit(exitCode);

const display = new Display({
  stdout: process.stdout,
  stderr: process.stderr,
  intervalMs: options.intervalMs,
});
if (options.defaulted) display.note(`no address given: ${options.url} (npm start's)`);
display.start();
const watcher = watch(options, display);
for (const [signal, why] of [
  ["SIGINT", "Ctrl-C"],
  ["SIGTERM", "SIGTERM"],
  ["SIGHUP", "SIGHUP"],
]) {
  let count = 0;
  process.on(signal, () => {
    // A second Ctrl-C does not wait for the close handshake.
    if (count++) process.exit(130);
    watcher.stop(why);
  });
}
watcher.done.then(
  (code) => {
    display.stop();
    process.exitCode = code;
  },
  (error) => {
    display.stop();
    console.error(`watch: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
