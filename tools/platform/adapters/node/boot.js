// The Node engine: the firmware runs in this process, on V8, with the engine modules (engine/)
// calling the host's services (host/services.js) directly. Then the XS-like global environment,
// the loader hooks, and the main module. Used by tools/start.js.
import process from "node:process";
import { setImmediate } from "node:timers";
import { installHost } from "../../sdk/host.js";
import { xsAbort } from "../../sdk/runtime/abort.js";
import { installXsEnvironment, runMain } from "../../sdk/runtime/firmware-start.js";
import { installAbortHandlers } from "../../host/abort.js";
import { configureLimits } from "../../host/lwip-state.js";
import { hostServices } from "../../host/services.js";
import { listenForTestControl } from "../../host/test-control.js";
import { moduleUrl, PLATFORM_MODULES, registerFirmwareLoader } from "../../loader/register.js";

export const ENGINE_NAME = "node";

/**
 * The engine modules in this process call the host's services directly. `network`: whether the
 * board's Wi-Fi is there to join.
 */
export function installNodeHost({ network = true } = {}) {
  installHost({
    ...hostServices,
    engine: ENGINE_NAME,
    network,
    firmwareGlobal: globalThis,
    later: setImmediate,
    heap: () => null,
  });
}

/**
 * @param {ReturnType<import("../../manifest/app.js").loadApp>} app
 * @param {{ network?: boolean }} [board] whether the board's Wi-Fi is there to join
 */
export async function bootFirmware(app, board = {}) {
  const main = app.modules.get(app.mainName);
  if (!main) throw new Error(`the manifest defines no module "${app.mainName}"`);
  installAbortHandlers();
  process.setSourceMapsEnabled(true);
  installNodeHost(board);
  configureLimits(app.lwip);
  listenForTestControl();
  registerFirmwareLoader(app);
  // The engine's modules, loaded before the globals they capture are removed.
  for (const url of Object.values(PLATFORM_MODULES)) await import(url);
  installXsEnvironment();
  let namespace;
  try {
    namespace = await import(moduleUrl(main));
  } catch (error) {
    xsAbort(error);
  }
  runMain(namespace);
}
