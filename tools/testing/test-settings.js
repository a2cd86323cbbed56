// Firmware settings (mcconfig-style key=value) that the host tests run the firmware with: the
// platform layer and the simulator build (`npm run test:sim`) both use them. None: the shared
// target runs the manifest's defaults, as a flashed board does, so that no test of the suite
// depends on the firmware judging time quickly, which a busy machine would upset. The tests of
// that timing (pings, requestTimeout, sendTimeout) run on an instance of their own with settings
// of their own (host-tests/support/timing.js); a board runs them with its own limits, read from
// GET /status.
export const testSettings = [];

/**
 * The settings of the timing tests' own instance, and of `npm run fuzz`'s firmware: pings every
 * 400 ms, a second for a request, and for a client that takes nothing.
 */
export const timingSettings = Object.freeze({
  pingInterval: 400,
  pingTimeout: 1000,
  requestTimeout: 1000,
  sendTimeout: 1000,
});

/** `testSettings` as an object of numbers (or strings), later entries winning. */
export function settingsObject(settings = testSettings) {
  const result = {};
  for (const entry of settings) {
    const eq = entry.indexOf("=");
    const value = entry.slice(eq + 1);
    result[entry.slice(0, eq)] =
      value !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return result;
}
