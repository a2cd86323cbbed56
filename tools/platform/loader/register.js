// Registers the firmware loader hooks for one app (see hooks.js).
import { register } from "node:module";
import { pathToFileURL } from "node:url";

const here = (path) => new URL(path, import.meta.url).href;

/** The specifiers the platform layer provides instead of the Moddable SDK. */
export const PLATFORM_MODULES = Object.freeze({
  "embedded:io/socket/listener": here("../modules/listener.js"),
  "embedded:io/socket/tcp": here("../modules/tcp.js"),
  "embedded:io/digital": here("../modules/digital.js"),
  timer: here("../modules/timer.js"),
  crypt: here("../modules/crypt.js"),
  net: here("../modules/net.js"),
  mdns: here("../modules/mdns.js"),
  instrumentation: here("../modules/instrumentation.js"),
});

const PRELOAD_RUNTIME_URL = here("../runtime/preload.js");

/** The URL a firmware module runs from. */
export function moduleUrl(entry) {
  return pathToFileURL(entry.file).href;
}

/** @param {ReturnType<import("../manifest/app.js").loadApp>} app */
export function registerFirmwareLoader(app) {
  register(here("./hooks.js"), {
    data: {
      modules: [...app.modules].map(([name, entry]) => [name, moduleUrl(entry)]),
      preloaded: [...app.preloaded],
      platform: PLATFORM_MODULES,
      preloadUrl: PRELOAD_RUNTIME_URL,
      configSource: app.configSource,
    },
  });
}
