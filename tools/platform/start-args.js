// Command line of tools/start.js: `key=value` overrides of mc/config (kept as strings, as mcconfig
// does) and a few options, read with the tools' shared parser.
import { HELP, parseCommandLine } from "../wire/command-line.js";
import { oneOf, text } from "../wire/option-values.js";
import { UsageError } from "../wire/usage-error.js";
import { parseOverrides } from "./manifest/mc-config.js";

const OPTIONS = {
  ...HELP,
  "--engine": { kind: oneOf("xs", "node") },
  "--manifest": { kind: text },
  "--build": { kind: text },
  "--board-settings": {},
  "--no-network": { key: "network", set: false, default: true },
};

/**
 * @param {string[]} argv arguments after the script name
 * @returns {{ help: boolean, engine?: "xs" | "node", manifest?: string, build?: string,
 *   boardSettings: boolean, network: boolean, overrides: [string, string][] }}
 */
export function parseStartArgs(argv) {
  const { options, positionals } = parseCommandLine(argv, {
    options: OPTIONS,
    positionals: Infinity,
  });
  const overrides = [];
  for (const arg of positionals) {
    if (arg.startsWith("=")) throw new UsageError(`"${arg}" is not key=value`);
    try {
      overrides.push(...parseOverrides([arg]));
    } catch (error) {
      throw new UsageError(error.message, { cause: error });
    }
  }
  const result = {
    help: options.help,
    boardSettings: options.boardSettings,
    network: options.network,
    overrides,
  };
  for (const key of ["engine", "manifest", "build"]) {
    if (options[key] !== undefined) result[key] = options[key];
  }
  return result;
}

/**
 * The lines that list what the firmware can be given as key=value: its settings, from its
 * settings schema (the firmware's `settings/schema` module: default, values, meaning), or, for an
 * app without one, the manifest's config keys with their defaults.
 */
function settingLines(config, schema) {
  if (schema) {
    return [
      "Settings (key=value; the firmware's settings/schema):",
      ...Object.entries(schema.SETTINGS).map(
        ([key, spec]) =>
          `  ${key.padEnd(18)} default ${JSON.stringify(spec.default)}: ${spec.meaning}\n` +
          `  ${"".padEnd(18)} ${schema.accepts(spec)}`,
      ),
    ];
  }
  const keys = Object.entries(config).map(
    ([key, value]) => `  ${key.padEnd(18)} default ${JSON.stringify(value)}`,
  );
  return ["Config keys of the manifest:", ...(keys.length ? keys : ["  (none)"])];
}

/** The --help text, listing the firmware's settings (see settingLines). */
export function usageText(config = {}, schema = null) {
  return [
    "Usage: node tools/start.js [key=value ...] [--engine xs|node] [--board-settings]",
    "                           [--no-network] [--manifest path] [--build dir]",
    "       npm start -- [key=value ...]",
    "",
    "Runs the compiled firmware (build/firmware, from `npm run build`) on the platform layer, with",
    "the semantics of the Moddable SDK on an ESP32 (lwip sockets, timers, mc/config).",
    "",
    "--engine     xs (default): the XS engine of the board, in an xsnap worker (npm package",
    "             @agoric/xsnap; where it could not be built, node is used and a line says why);",
    "             node: the same firmware on V8, in this process",
    "key=value    overrides a config value of manifest.json, like `mcconfig … key=value`: the",
    "             firmware reads it from mc/config as a string. port defaults to 8080 here",
    "             (port 80 needs root); port=0 picks a free port.",
    "             A key that is no setting, or a value a setting cannot take, is an error",
    "             (exit 2) naming what it takes;",
    "--board-settings  instead, as a board does: traced at start, and the default used.",
    "--no-network as a board whose Wi-Fi is not there: joining fails (without ssid=… it is not",
    "             tried: a board built without one). By default the board joins the Wi-Fi",
    "             it was given (ssid=loopback unless given) at 127.0.0.1.",
    "--manifest   the app's manifest.json (default: ./manifest.json)",
    "--build      folder of the compiled TypeScript (default: build/firmware beside the manifest)",
    "",
    ...settingLines(config, schema),
    "",
    "Environment (platform layer only): MODDABLE_NODE_MAX_TCP, MODDABLE_NODE_SND_BUF,",
    "MODDABLE_NODE_WND, MODDABLE_NODE_MSS override the lwip limits read from the sdkconfig;",
    "XSNAP_WORKER names an xsnap-worker to use for the XS engine.",
    "",
  ].join("\n");
}
