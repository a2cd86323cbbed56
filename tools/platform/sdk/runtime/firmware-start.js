// How the firmware starts, in either engine, once the engine adapter has installed the host: the
// global environment XS gives it on the ESP32, then, once its main module is loaded, what Moddable
// does next.
import { xsAbort } from "./abort.js";
import { installReadOnlyCollections, runtimeBegins } from "./preload.js";
import { installXsGlobals } from "./xs-globals.js";
import { freezeBuiltIns, removeHostGlobals } from "./xs-intrinsics.js";

/** Makes the firmware's global environment like XS's on the ESP32. Irreversible. */
export function installXsEnvironment() {
  installXsGlobals();
  installReadOnlyCollections();
  freezeBuiltIns();
  removeHostGlobals();
}

/** The main module is loaded: preloaded collections become read-only, its default export runs. */
export function runMain(namespace) {
  runtimeBegins();
  if (typeof namespace.default !== "function") return;
  try {
    namespace.default();
  } catch (error) {
    xsAbort(error);
  }
}
