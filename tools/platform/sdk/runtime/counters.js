// Values behind the instrumentation module (modInstrumentationAdjust in the SDK).
export const counters = {
  networkBytesRead: 0,
  networkBytesWritten: 0,
  /** Listener and TCP host objects not closed yet, as modInstrumentationAdjust(NetworkSockets). */
  networkSockets: 0,
  /** Timers created and not removed. */
  timers: 0,
};
