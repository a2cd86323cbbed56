// Helpers for the platform layer's tests: fixture firmware in child processes, TCP clients, waits.
import net from "node:net";
import { fileURLToPath } from "node:url";
import { runFirmware, startFirmware } from "../platform/index.js";

export const fixtureManifest = (name) =>
  fileURLToPath(new URL(`./fixtures/platform-${name}/manifest.json`, import.meta.url));

/** Starts a fixture that prints a "…://host:port/" line when ready. */
export function startFixture(name, { overrides = [], env, ready = /\b[a-z]+:\/\/\S+/ } = {}) {
  return startFirmware({ manifest: fixtureManifest(name), overrides, env, ready });
}

export function runFixture(name, { overrides = [], env, timeout } = {}) {
  return runFirmware({ manifest: fixtureManifest(name), overrides, env, timeout });
}

/** Polls `check` until it returns a truthy value; throws with `describe()` on timeout. */
export async function waitUntil(check, { timeout = 5000, describe = () => "" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The "log …" lines a fixture printed, without the prefix. */
export const logLines = (firmware) =>
  firmware
    .output()
    .split("\n")
    .filter((line) => line.startsWith("log "))
    .map((line) => line.slice(4));

/** Waits for a log line matching `pattern` and returns it. */
export function waitForLog(firmware, pattern, timeout) {
  return waitUntil(() => logLines(firmware).find((line) => pattern.test(line)), {
    timeout,
    describe: () => `no log line matching ${pattern}\n${firmware.output()}\n${firmware.errors()}`,
  });
}

/**
 * A TCP client that records what it receives and how it ends.
 * @returns {Promise<{ socket: net.Socket, received: () => Buffer, ended: Promise<string> }>}
 */
export function connectClient(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    const chunks = [];
    const ended = new Promise((done) => {
      socket.on("error", (error) => done(`error ${error.code}`));
      socket.on("end", () => done("end"));
      socket.on("close", () => done("close"));
    });
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.once("connect", () => resolve({ socket, received: () => Buffer.concat(chunks), ended }));
    socket.once("error", reject);
  });
}
