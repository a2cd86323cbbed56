// A second firmware instance on the Node platform layer, for a test that needs settings the shared
// target does not run with (idleTimeout > 0, tick > 0). Only where the platform layer runs the
// firmware (target kind "node"); on the simulator and a board the test runs on the target if its
// limits allow it, and skips otherwise. The instance is killed after the test whatever happens.
import { register, unregister } from "./clients.js";
import { settingsObject, testSettings } from "./test-settings.js";
import { connectTcp } from "./tcp.js";
import { target } from "./target.js";

/** True when a dedicated instance can be started for this run. */
export function canStartInstance() {
  return target.kind === "node";
}

/**
 * Starts the firmware with the test settings plus `overrides` (object), on a free port.
 * Resolves with a target-like object (host, port, path, url, timings) and `stop()`.
 */
export async function startInstance(overrides) {
  const { startFirmware } = await import("../../tools/platform/index.js");
  const settings = { ...settingsObject(testSettings), ...overrides, port: 0 };
  const firmware = await startFirmware({
    overrides: Object.entries(settings).map(([key, value]) => `${key}=${value}`),
  });
  const handle = { dispose: () => firmware.process.kill("SIGKILL") };
  register(handle);
  const url = new URL(firmware.url);
  const instance = {
    kind: "node",
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
    /** Stops the instance; throws, with its last output, if it had died on its own. */
    async stop() {
      unregister(handle);
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
