// The specifiers the platform layer provides instead of the Moddable SDK, and the engine module
// (a path below tools/platform) that each loads, in either engine.
export const ENGINE_MODULES = Object.freeze({
  "embedded:io/socket/listener": "engine/modules/listener.js",
  "embedded:io/socket/tcp": "engine/modules/tcp.js",
  "embedded:io/digital": "engine/modules/digital.js",
  "embedded:network/interface/wifi": "engine/modules/wifi.js",
  timer: "engine/modules/timer.js",
  crypt: "engine/modules/crypt.js",
  net: "engine/modules/net.js",
  mdns: "engine/modules/mdns.js",
  instrumentation: "engine/modules/instrumentation.js",
});

/** What the load hook's instrumentation imports in preloaded and other firmware modules. */
export const PRELOAD_RUNTIME = "engine/runtime/preload.js";
