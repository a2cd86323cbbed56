// A plain `ws` echo server (the host tests' reference server) in its own process, so that the bench
// compares the firmware's process with another server process and not with one that shares the
// clients' event loop. Prints "ws echo server ready: ws://…" and runs until killed.
import process from "node:process";
import { startReferenceServer } from "../testing/reference-server.js";

const server = await startReferenceServer({ path: "/ws", maxMessageSize: 16 * 1024 * 1024 });
process.stdout.write(`ws echo server ready: ${server.url}\n`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.stop().finally(() => process.exit(0)));
}
