// Registers the firmware loader hooks for one app (see hooks.js).
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { ENGINE_MODULES, PRELOAD_RUNTIME } from "./engine-modules.js";

const here = (path) => new URL(path, import.meta.url).href;

/** The specifiers the platform layer provides instead of the Moddable SDK. */
export const PLATFORM_MODULES = Object.freeze(
  Object.fromEntries(
    Object.entries(ENGINE_MODULES).map(([specifier, path]) => [specifier, here(`../${path}`)]),
  ),
);

const PRELOAD_RUNTIME_URL = here(`../${PRELOAD_RUNTIME}`);

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
