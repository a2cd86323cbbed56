// The lwip limits the firmware meets on an ESP32, from the ESP-IDF settings a build merges: the
// SDK's defaults (build/devices/esp32/xsProj-esp32/sdkconfig.defaults of SDK 8.2.3), then the
// project's `sdkconfig.defaults` and, for a release build, `sdkconfig.defaults.release` in the folder
// named by the manifest's `build.SDKCONFIGPATH` (top level or platforms.esp32). Environment variables
// read only by the platform layer override them for tests.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const SDK_DEFAULTS = Object.freeze({
  CONFIG_LWIP_MAX_ACTIVE_TCP: 8,
  CONFIG_LWIP_MAX_LISTENING_TCP: 4,
  CONFIG_LWIP_TCP_MSS: 1436,
  CONFIG_LWIP_TCP_SND_BUF_DEFAULT: 8192,
  CONFIG_LWIP_TCP_WND_DEFAULT: 8192,
});

const ENVIRONMENT = Object.freeze({
  maxActiveTcp: "MODDABLE_NODE_MAX_TCP",
  sendBuffer: "MODDABLE_NODE_SND_BUF",
  receiveWindow: "MODDABLE_NODE_WND",
  mss: "MODDABLE_NODE_MSS",
});

function sdkconfigFolder(manifestJson, root) {
  const path =
    manifestJson.platforms?.esp32?.build?.SDKCONFIGPATH ?? manifestJson.build?.SDKCONFIGPATH;
  if (typeof path !== "string" || path.includes("$(")) return undefined;
  return resolve(root, path);
}

/** `CONFIG_X=N` lines of an sdkconfig file, as numbers. Missing file: no entries. */
function readSdkconfig(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const values = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(CONFIG_[A-Z0-9_]+)\s*=\s*(\d+)\s*$/.exec(line);
    if (match) values[match[1]] = Number(match[2]);
  }
  return values;
}

function positiveInteger(name, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name}=${text}: expected a positive integer`);
  }
  return value;
}

/**
 * @returns {{ maxActiveTcp: number, maxListeningTcp: number, mss: number, sendBuffer: number,
 *   receiveWindow: number }}
 */
export function lwipSettings(manifestJson, root, env = {}) {
  const folder = sdkconfigFolder(manifestJson, root);
  const merged = {
    ...SDK_DEFAULTS,
    ...(folder ? readSdkconfig(join(folder, "sdkconfig.defaults")) : {}),
    ...(folder ? readSdkconfig(join(folder, "sdkconfig.defaults.release")) : {}),
  };
  const settings = {
    maxActiveTcp: merged.CONFIG_LWIP_MAX_ACTIVE_TCP,
    maxListeningTcp: merged.CONFIG_LWIP_MAX_LISTENING_TCP,
    mss: merged.CONFIG_LWIP_TCP_MSS,
    sendBuffer: merged.CONFIG_LWIP_TCP_SND_BUF_DEFAULT,
    receiveWindow: merged.CONFIG_LWIP_TCP_WND_DEFAULT,
  };
  for (const [key, variable] of Object.entries(ENVIRONMENT)) {
    if (env[variable] !== undefined && env[variable] !== "") {
      settings[key] = positiveInteger(variable, env[variable]);
    }
  }
  return settings;
}
