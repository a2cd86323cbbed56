// Helpers for the platform layer's tests: fixture firmware in child processes, on each engine, TCP
// clients, waits.
import net from "node:net";
import { fileURLToPath } from "node:url";
import { findXsWorker } from "../platform/adapters/xs/worker-binary.js";
import { runFirmware, startFirmware } from "../platform/index.js";

export const fixtureManifest = (name) =>
  fileURLToPath(new URL(`./fixtures/platform-${name}/manifest.json`, import.meta.url));

const xs = findXsWorker();

/** The name the platform layer gives an engine (mc/config's engine, /status's). */
export const engineName = (engine) => (engine === "xs" ? `xs ${xs.xs}` : "node");

/**
 * Defines the tests of `suite(engine)` once for each engine, in a describe of its own. Where the
 * XS worker is not built, the XS engine's describe holds one pending test that says why.
 */
export function forEachEngine(suite) {
  for (const engine of ["node", "xs"]) {
    describe(`on the ${engine} engine`, function () {
      if (engine === "xs" && "missing" in xs) {
        it(`runs on XS (skipped: ${xs.missing})`);
        return;
      }
      suite.call(this, engine);
    });
  }
}

/** Starts a fixture that prints a "…://host:port/" line when ready. */
export function startFixture(
  name,
  { overrides = [], env, engine, ready = /\b[a-z]+:\/\/\S+/ } = {},
) {
  return startFirmware({ manifest: fixtureManifest(name), overrides, env, engine, ready });
}

export function runFixture(name, { overrides = [], env, engine, timeout } = {}) {
  return runFirmware({ manifest: fixtureManifest(name), overrides, env, engine, timeout });
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

/**
 * Runs check `name` of fixtures/platform-checks in the engine and returns what it returned; throws
 * with the run's output when it printed no result.
 */
export async function runCheck(name, engine) {
  const run = await runFixture("checks", { engine, overrides: [`check=${name}`] });
  const line = run.stdout.split("\n").find((text) => text.startsWith("result "));
  if (run.code !== 0 || !line) {
    throw new Error(`check ${name} on ${engine}: exit ${run.code}\n${run.stdout}${run.stderr}`);
  }
  return JSON.parse(line.slice(7));
}
