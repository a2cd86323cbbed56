// Starts firmware in this process: the XS-like global environment, the loader hooks, then the main
// module. Used by tools/start.js.
import process from "node:process";
import { moduleUrl, registerFirmwareLoader } from "./loader/register.js";
import { installAbortHandlers, xsAbort } from "./runtime/abort.js";
import { configureLimits } from "./runtime/lwip-state.js";
import { installReadOnlyCollections, runtimeBegins } from "./runtime/preload.js";
import { listenForTestControl } from "./runtime/test-control.js";
import { installXsGlobals } from "./runtime/xs-globals.js";
import { freezeBuiltIns, removeHostGlobals } from "./runtime/xs-intrinsics.js";

// The layer's firmware-facing modules, loaded before the globals are removed.
const LAYER_MODULES = [
  "./modules/listener.js",
  "./modules/tcp.js",
  "./modules/digital.js",
  "./modules/timer.js",
  "./modules/crypt.js",
  "./modules/net.js",
  "./modules/mdns.js",
  "./modules/instrumentation.js",
];

/** Makes this process's global environment like XS's on the ESP32. Irreversible. */
export function installXsEnvironment() {
  installXsGlobals();
  installReadOnlyCollections();
  freezeBuiltIns();
  removeHostGlobals();
}

/**
 * @param {ReturnType<import("./manifest/app.js").loadApp>} app
 */
export async function bootFirmware(app) {
  const main = app.modules.get(app.mainName);
  if (!main) throw new Error(`the manifest defines no module "${app.mainName}"`);
  installAbortHandlers();
  process.setSourceMapsEnabled(true);
  configureLimits(app.lwip);
  listenForTestControl();
  registerFirmwareLoader(app);
  for (const path of LAYER_MODULES) await import(new URL(path, import.meta.url).href);
  installXsEnvironment();
  let namespace;
  try {
    namespace = await import(moduleUrl(main));
  } catch (error) {
    xsAbort(error);
  }
  runtimeBegins();
  if (typeof namespace.default === "function") {
    try {
      namespace.default();
    } catch (error) {
      xsAbort(error);
    }
  }
}
