// The "mc/config" module, as mcconfig generates it (tools/mcconfig.js, class ConfigFile):
//   export default Object.freeze({ ...config }, true);   // XS: true = deep freeze
// where config is the merged "config" of the manifests (the top level, then the "esp32" platform
// section, as an esp32 build merges them), then `key=value` command line arguments
// (tools/mcmanifest.js: `this.config[property] = split.join("=")`, so override values are strings).
//
// Keys the SDK adds on esp32, seen in the generated mc.config.js of an esp32 build of SDK 8.2.3:
// "sntp" from $(MODDABLE)/examples/manifest_net.json (included directly, from the esp32 section, or
// by the io manifest for esp32) before the project's keys, and "format" and "rotation" (mcconfig's filterConfig) after.
import { manifestIncludes } from "./read-manifest.js";

/** mcmanifest.js mergeProperties: objects merge recursively, anything else replaces. */
function mergeProperties(target, source) {
  for (const [name, value] of Object.entries(source ?? {})) {
    const current = target[name];
    if (current && value && typeof current === "object" && typeof value === "object") {
      mergeProperties(current, value);
    } else {
      target[name] = value;
    }
  }
  return target;
}

/** The includes of an esp32 build: the top level's and the esp32 section's. */
const esp32Includes = (json) => [
  ...manifestIncludes(json),
  ...manifestIncludes(json.platforms?.esp32 ?? {}),
];

/** Whether an esp32 build includes the SDK's manifest_net.json, whose config adds "sntp". */
function includesNetworkManifest(json) {
  return esp32Includes(json).some(
    (include) =>
      include.endsWith("/examples/manifest_net.json") ||
      include.endsWith("/modules/io/manifest.json"),
  );
}

/** Whether the app joins a Wi-Fi network on esp32 (and so takes mcconfig's ssid= and password=). */
export function joinsWiFi(json) {
  return (
    includesNetworkManifest(json) ||
    esp32Includes(json).some((include) => include.endsWith("/modules/io/wifi/manifest.json"))
  );
}

/**
 * Parses `key=value` arguments like mcconfig: the first "=" splits, the value stays a string.
 * @param {Iterable<string>} args
 * @returns {[string, string][]}
 */
export function parseOverrides(args) {
  const pairs = [];
  for (const arg of args) {
    const split = arg.split("=");
    if (split.length < 2) throw new Error(`"${arg}" is not key=value`);
    const key = split.shift();
    pairs.push([key, split.join("=")]);
  }
  return pairs;
}

/**
 * @param {object} manifestJson
 * @param {[string, string][]} overrides
 * @returns {object} the config object (not frozen)
 */
export function buildConfig(manifestJson, overrides = []) {
  const config = {};
  if (includesNetworkManifest(manifestJson)) config.sntp = "pool.ntp.org";
  mergeProperties(config, JSON.parse(JSON.stringify(manifestJson.config ?? {})));
  mergeProperties(config, JSON.parse(JSON.stringify(manifestJson.platforms?.esp32?.config ?? {})));
  mergeProperties(config, Object.fromEntries(overrides));
  config.format ??= "RGB565LE";
  config.rotation ??= 0;
  return config;
}

/** Source text of the mc/config module: a deep-frozen object, as XS's Object.freeze(o, true). */
export function configModuleSource(config) {
  return [
    "const deepFreeze = (value) => {",
    "  if (value && typeof value === 'object' && !Object.isFrozen(value)) {",
    "    Object.freeze(value);",
    "    for (const key of Object.keys(value)) deepFreeze(value[key]);",
    "  }",
    "  return value;",
    "};",
    `export default deepFreeze(${JSON.stringify(config, null, 2)});`,
    "",
  ].join("\n");
}
