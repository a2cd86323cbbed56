// Firmware settings (mcconfig-style key=value) that the host tests run the firmware with: the Node
// platform layer and the simulator build (`npm run test:sim`) both use them. A board flashed with
// the manifest's defaults works too: the tests read the target's actual limits from GET /status and
// compute their waits from them (liveness tests then take ~30 s).
//
// - pingInterval/pingTimeout: liveness is checked within ~1.5 s. The raw client answers pings
//   only on a frame boundary, and a test writing a 300-byte frame one byte per TCP write is inside
//   a frame for ~0.5 s: pingTimeout must stay well above that.
// - handshakeTimeout: 1 s, above the slowest valid handshake of the suite (one byte per write).
// - sendTimeout: 1 s, so that a client closed for taking nothing (a slow consumer, or one that
//   sent FIN while bytes waited for it, which the firmware sees only by that) goes within ~2 s.
// - idleTimeout=0 and tick=0: the idle and tick tests start their own platform-layer instance.
export const testSettings = [
  "maxClients=7",
  "maxBuffered=40960",
  "sendTimeout=1000",
  "pingInterval=400",
  "pingTimeout=1000",
  "handshakeTimeout=1000",
  "idleTimeout=0",
  "tick=0",
];

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
