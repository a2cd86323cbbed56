// A small declarative command-line parser for the tools: options by name, each a flag or an
// option with a value of some kind (option-values.js: `--name value` or `--name=value`,
// repeatable or not), positional arguments, and a UsageError that says what it could not read.
import { UsageError } from "./usage-error.js";

/**
 * @typedef {object} OptionSpec
 * @property {import("./option-values.js").Kind} [kind] the kind of its value; without one the option is a flag
 * @property {string} [key] its property in the result (default: the name in camelCase,
 *   "--max-reconnects" → maxReconnects)
 * @property {*} [default] its value when not given (a flag's: false; a repeatable one's: [])
 * @property {*} [set] a flag's value when given (default true)
 * @property {boolean} [repeat] each use adds its value to an array
 */

/** --help and -h, the flag every tool has. */
export const HELP = { "--help": {}, "-h": "--help" };

/**
 * Reads `argv`. An argument that starts with "-" (and is not "-" alone) is an option; every
 * argument after "--" is positional. The value of an option is the next argument, whatever it is,
 * or what follows "=" in `--name=value`.
 * @param {string[]} argv
 * @param {{ options: Record<string, OptionSpec | string>, positionals?: number }} spec each
 *   option by name, or, as a string, the name of the option it is another name of
 *   ("-h": "--help"); `positionals`: how many positional arguments it takes (default none)
 * @returns {{ options: Record<string, any>, positionals: string[] }}
 */
export function parseCommandLine(argv, { options: specs, positionals: most = 0 }) {
  const options = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (typeof spec !== "string") options[keyOf(name, spec)] = initial(spec);
  }
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const canonical = typeof specs[name] === "string" ? specs[name] : name;
    const spec = specs[canonical];
    if (!Object.hasOwn(specs, name) || typeof spec !== "object") {
      throw new UsageError(`unknown option "${name}"`);
    }
    const key = keyOf(canonical, spec);
    if (!spec.kind) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      options[key] = spec.set ?? true;
      continue;
    }
    const value = spec.kind(inline ?? valueAfter(argv, i++, name), name);
    if (spec.repeat) options[key].push(value);
    else options[key] = value;
  }
  if (positionals.length > most) {
    throw new UsageError(`unexpected argument "${positionals[most]}"`);
  }
  return { options, positionals };
}

function keyOf(name, spec) {
  return spec.key ?? name.replace(/^-+/, "").replace(/-(\w)/g, (_, c) => c.toUpperCase());
}

function initial(spec) {
  if ("default" in spec) return spec.default;
  if (spec.repeat) return [];
  return spec.kind ? undefined : false;
}

/** The value of the option `name` at `argv[i]`: the next argument; throws when there is none. */
export function valueAfter(argv, i, name) {
  if (argv[i + 1] === undefined) throw new UsageError(`${name} needs a value`);
  return argv[i + 1];
}

/**
 * A tool's command line as its main function wants it: `{ options }`, or `{ exitCode }` once it
 * has printed what is wrong (a UsageError: on stderr, then `hint`, or the usage; 2) or, when the
 * options ask for help and `usage` is given, the usage (on stdout; 0).
 * @param {() => {help?: boolean}} parse reads the command line; throws UsageError
 * @param {{ usage?: string, prefix?: string, hint?: string }} text `prefix` goes before the
 *   message ("bench: ")
 */
export function readCommandLine(parse, { usage, prefix = "", hint = `\n${usage}` }) {
  let options;
  try {
    options = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${prefix}${error.message}\n${hint}`);
    return { exitCode: 2 };
  }
  if (options.help && usage !== undefined) {
    console.log(usage);
    return { exitCode: 0 };
  }
  return { options };
}
