// Command line of tools/start.js: `key=value` overrides of mc/config (kept as strings, as mcconfig
// does) and a few options.
import { UsageError } from "../wire/usage-error.js";
import { parseOverrides } from "./manifest/mc-config.js";

export { UsageError };

/**
 * @param {string[]} argv arguments after the script name
 * @returns {{ help: boolean, engine?: "xs" | "node", manifest?: string, build?: string,
 *   overrides: [string, string][] }}
 */
export function parseStartArgs(argv) {
  const result = { help: false, overrides: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      result.help = true;
    } else if (arg === "--engine" || arg.startsWith("--engine=")) {
      const value = arg.includes("=") ? arg.slice(9) : argv[++i];
      if (value !== "xs" && value !== "node") {
        throw new UsageError(
          `--engine takes xs or node${value === undefined ? "" : `, not "${value}"`}`,
        );
      }
      result.engine = value;
    } else if (arg === "--manifest" || arg === "--build") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--"))
        throw new UsageError(`${arg} needs a path`);
      result[arg.slice(2)] = value;
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown option "${arg}"`);
    } else {
      if (arg.startsWith("=")) throw new UsageError(`"${arg}" is not key=value`);
      try {
        result.overrides.push(...parseOverrides([arg]));
      } catch (error) {
        throw new UsageError(error.message);
      }
    }
  }
  return result;
}

/** The --help text, listing the manifest's config keys with their defaults. */
export function usageText(config = {}) {
  const keys = Object.entries(config).map(
    ([key, value]) => `  ${key.padEnd(18)} default ${JSON.stringify(value)}`,
  );
  return [
    "Usage: node tools/start.js [key=value ...] [--engine xs|node] [--manifest path] [--build dir]",
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
    "--manifest   the app's manifest.json (default: ./manifest.json)",
    "--build      folder of the compiled TypeScript (default: build/firmware beside the manifest)",
    "",
    "Config keys of the manifest:",
    ...(keys.length ? keys : ["  (none)"]),
    "",
    "Environment (platform layer only): MODDABLE_NODE_MAX_TCP, MODDABLE_NODE_SND_BUF,",
    "MODDABLE_NODE_WND, MODDABLE_NODE_MSS override the lwip limits read from the sdkconfig.",
    "",
  ].join("\n");
}
