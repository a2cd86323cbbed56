// The specifiers the platform layer provides instead of the Moddable SDK, and the engine module
// (a path below tools/platform) that each loads, in either engine.
export const ENGINE_MODULES = Object.freeze({
  "embedded:io/socket/listener": "sdk/modules/listener.js",
  "embedded:io/socket/tcp": "sdk/modules/tcp.js",
  "embedded:io/digital": "sdk/modules/digital.js",
  "embedded:network/interface/wifi": "sdk/modules/wifi.js",
  timer: "sdk/modules/timer.js",
  crypt: "sdk/modules/crypt.js",
  net: "sdk/modules/net.js",
  mdns: "sdk/modules/mdns.js",
  instrumentation: "sdk/modules/instrumentation.js",
});

/** What the load hook's instrumentation imports in preloaded and other firmware modules. */
export const PRELOAD_RUNTIME = "sdk/runtime/preload.js";
