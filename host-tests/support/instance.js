// A second firmware instance, for a test that needs settings the shared target does not run with
// (idleTimeout > 0, tick > 0): on the platform layer, or, under `npm run test:sim`, a second
// simulator build. On a board the test runs on the target if its limits allow it, and skips
// otherwise. The instance is stopped after the test whatever happens, or, started with
// `{ forSuite: true }` in a `before` hook, kept for the tests of a suite until its `after` hook
// calls stop() (one simulator build for several tests).
import os from "node:os";
import path from "node:path";
import { register, unregister } from "../../tools/wire/open-connections.js";
import { settingsObject, testSettings } from "../../tools/testing/test-settings.js";
import { connectTcp } from "../../tools/wire/tcp.js";
import { target } from "./target.js";

/**
 * True when a dedicated instance can be started for this run: on the platform layer always; on the
 * simulator (`npm run test:sim`, MODDABLE set) when `simulator` is true — a second mcconfig build
 * into its own folder, slow the first time (about a minute), so only for tests that need it.
 */
export function canStartInstance({ simulator = false } = {}) {
  if (target.kind === "platform") return true;
  return simulator && target.kind === "sim" && Boolean(process.env.MODDABLE);
}

/** How long startInstance may take (a simulator build included), for this.timeout(). */
export function instanceStartMs() {
  return target.kind === "sim" ? 240_000 : 15_000;
}

/**
 * Starts the firmware with the test settings plus `overrides` (object), on a free port.
 * Resolves with a target-like object (host, port, path, url, timings) and `stop()`. Unless
 * `forSuite`, it is also stopped after the running test (root afterEach).
 */
export async function startInstance(overrides, { forSuite = false } = {}) {
  if (target.kind === "sim") return startSimulatorInstance(overrides, { forSuite });
  const { startFirmware } = await import("../../tools/platform/index.js");
  const settings = { ...settingsObject(testSettings), ...overrides, port: 0 };
  const firmware = await startFirmware({
    overrides: Object.entries(settings).map(([key, value]) => `${key}=${value}`),
    engine: target.engine,
  });
  const handle = { dispose: () => firmware.process.kill("SIGKILL") };
  if (forSuite) process.once("exit", handle.dispose);
  else register(handle);
  const url = new URL(firmware.url);
  const instance = {
    kind: "platform",
    engine: target.engine,
    settings,
    host: url.hostname,
    port: firmware.port,
    path: url.pathname,
    url: firmware.url,
    maxMessageSize: target.maxMessageSize,
    timeoutMs: target.timeoutMs,
    replyTimeoutMs: target.replyTimeoutMs,
    closeWaitMs: target.closeWaitMs,
    quietMs: target.quietMs,
    connectTcp() {
      return connectTcp(this.host, this.port, { timeoutMs: this.replyTimeoutMs });
    },
    output: () => firmware.output() + firmware.errors(),
    measure: () => firmware.measure(),
    /** Throws if the instance's firmware process has died. */
    assertAlive() {
      const child = firmware.process;
      if (child.exitCode === null && child.signalCode === null) return;
      const tail = instance.output().split("\n").slice(-30).join("\n");
      throw new Error(
        `the firmware instance exited (code ${child.exitCode}, signal ${child.signalCode}). ` +
          `Last output:\n${tail}`,
      );
    },
    /** Stops the instance; throws, with its last output, if it had died on its own. */
    async stop() {
      unregister(handle);
      process.removeListener("exit", handle.dispose);
      const { code, signal } = await firmware.stop();
      // On SIGTERM the platform exits with 0; an XS abort exits with 1.
      if (code !== 0 && signal !== "SIGTERM" && signal !== "SIGKILL") {
        const tail = instance.output().split("\n").slice(-30).join("\n");
        throw new Error(
          `the dedicated firmware instance exited (code ${code}, signal ${signal}). Last output:\n${tail}`,
        );
      }
      return { code, signal };
    },
  };
  return instance;
}

/** The same, built with mcconfig for the Moddable simulator and run headless. */
async function startSimulatorInstance(overrides, { forSuite }) {
  const { buildForSimulator, launchSimulator } = await import("../../tools/sim/moddable.js");
  const { freePort } = await import("../../tools/sim/free-port.js");
  const settings = { ...settingsObject(testSettings), ...overrides, port: await freePort() };
  const outputDir = path.join(os.tmpdir(), "ws-echo-sim-variant");
  const app = await buildForSimulator(
    Object.entries(settings).map(([key, value]) => `${key}=${value}`),
    { outputDir },
  );
  const sim = await launchSimulator(app);
  const handle = { dispose: () => sim.stop() };
  if (!forSuite) register(handle);
  const url = new URL(sim.url);
  return {
    ...target,
    kind: "sim",
    settings,
    host: url.hostname,
    port: sim.port,
    path: url.pathname,
    url: sim.url,
    connectTcp() {
      return connectTcp(this.host, this.port, { timeoutMs: this.replyTimeoutMs });
    },
    output: () => sim.output(),
    async stop() {
      unregister(handle);
      await sim.stop();
      return { code: 0, signal: null };
    },
  };
}
