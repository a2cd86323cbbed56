/*
 * Every setting of the board, once: name, default, type, range and meaning. The defaults, how
 * `key=value` is read, the limits GET /status reports, `npm start -- --help` and the README's table
 * all come from here. It imports nothing, so that the tools on the computer can read it too.
 */

/** How a setting's text (from mc/config: `key=value` arrives as a string) is read. */
type Kind = "integer" | "flag" | "text" | "path" | "list" | "hostname";

interface SettingSpec {
  readonly kind: Kind;
  readonly default: number | boolean | string;
  readonly min?: number;
  readonly max?: number;
  /** What it does, for --help and the README. */
  readonly meaning: string;
  /** Reported under GET /status → limits. */
  readonly limit?: boolean;
}

// Each spec is frozen, as the whole table is: xsl keeps a frozen object in flash only when what
// it holds is frozen too ("not frozen" warnings otherwise).
const integer = (value: number, min: number, max: number, meaning: string) =>
  Object.freeze({ kind: "integer", default: value, min, max, meaning } as const);
/** An integer setting that GET /status reports under its limits. */
const limit = (value: number, min: number, max: number, meaning: string) =>
  Object.freeze({ kind: "integer", default: value, min, max, meaning, limit: true } as const);
const flag = (value: boolean, meaning: string) =>
  Object.freeze({ kind: "flag", default: value, meaning } as const);
const text = <K extends Kind>(kind: K, value: string, meaning: string) =>
  Object.freeze({ kind, default: value, meaning } as const);
const INT32 = 0x7fffffff;
const HOUR = 3600000;

// A table, one setting a line:
// prettier-ignore
export const SETTINGS = Object.freeze({
  port:             integer(80, 0, 65535, "TCP port (`npm start` uses 8080 unless given; 0: any free port)"),
  path:             text("path", "/ws", "the echo endpoint; other paths answer 404"),
  maxMessageSize:   limit(16384, 0, INT32, "largest message taken whole (`/broadcast`, `/api`; `/ws` streams), in bytes; larger → close 1009"),
  maxHeaderSize:    limit(4096, 256, 65536, "largest HTTP request head; larger → 431"),
  maxFrames:        limit(1024, 1, INT32, "most frames in one message taken whole; more → close 1009"),
  closeTimeout:     integer(1000, 0, 60000, "ms to wait for the client's side of a close the server starts cleanly before dropping TCP"),
  maxClients:       limit(7, 1, 1000, "WebSocket clients at once (ESP32: 8 TCP connections, one left for HTTP); more → 503"),
  maxBuffered:      limit(40960, 4096, INT32, "bytes held in buffers, all clients together (messages read whole, bytes to send); see docs/memory.md"),
  sendTimeout:      limit(5000, 0, HOUR, "ms a client may take none of what waits for it; then close 1008 (0: no limit)"),
  requestTimeout:   limit(5000, 0, HOUR, "ms for an HTTP request to arrive (an upgrade's; on a kept connection, the next); later → 408, or a quiet close (0: no limit)"),
  pingInterval:     limit(20000, 0, HOUR, "ms between the server's pings to each client (0: no pings)"),
  pingTimeout:      limit(10000, 1, HOUR, "ms a client has to answer a ping before it is dropped"),
  idleTimeout:      limit(0, 0, 24 * HOUR, "ms without any frame from a client before it is closed with 1001 (0: never)"),
  tick:             limit(0, 0, 24 * HOUR, "ms between `tick n` messages pushed to `/broadcast` clients (0: off)"),
  maxRequestSize:   limit(1024, 16, 65536, "largest `/api` request, in bytes; larger → an error reply"),
  maxPingRate:      limit(20, 0, 100000, "pings a client may send per second; more → close 1008 (0: no limit)"),
  lightPin:         integer(2, 0, 48, "GPIO of the light (2: the LED of most ESP32 DevKit boards)"),
  lightActiveLow:   flag(false, "`true` when the light is on with the pin low"),
  buttonPin:        integer(0, 0, 48, "GPIO of the button, pressed when low (0: the BOOT button)"),
  token:            text("text", "", "when set, WebSocket upgrades and `GET /status` need it, else 401 (empty: open)"),
  origins:          text("list", "", "comma-separated `Origin`s allowed to open a WebSocket, others → 403 (empty: any)"),
  hostname:         text("hostname", "esp32-echo", "claimed over mDNS as `<hostname>.local`"),
} satisfies Record<string, SettingSpec>);

/**
 * Settings renamed, by their old name: a board built with the old name (`mcconfig …
 * handshakeTimeout=1000`) keeps it working, with a notice at boot.
 */
const RENAMED: Readonly<Record<string, string>> = Object.freeze({
  handshakeTimeout: "requestTimeout",
});

/**
 * Keys of mc/config that are not the board's settings but known: the Moddable SDK's own (`ssid`
 * and `password` join the Wi-Fi; mcconfig adds `sntp`, `format` and `rotation`) and the one the
 * platform layer adds (`engine`).
 */
const OTHER_CONFIG_KEYS: readonly string[] = Object.freeze([
  "ssid",
  "password",
  "sntp",
  "format",
  "rotation",
  "engine",
]);

type Schema = typeof SETTINGS;
type ValueOf<S> = S extends { kind: "integer" }
  ? number
  : S extends { kind: "flag" }
    ? boolean
    : S extends { kind: "list" }
      ? readonly string[]
      : string;

/** The board's settings, each as the type its kind reads to. */
export type Settings = { readonly [K in keyof Schema]: ValueOf<Schema[K]> };
type SettingName = keyof Schema;

/** What a setting's value may be, in words. */
export function accepts(spec: SettingSpec): string {
  switch (spec.kind) {
    case "integer":
      return `an integer in ${spec.min}..${spec.max}`;
    case "flag":
      return "true, false, 1 or 0";
    case "path":
      return "a path starting with /";
    case "list":
      return "a comma-separated list";
    case "hostname":
      return "a host name: 1 to 63 letters, digits and -, not starting with -";
    default:
      return "any text";
  }
}

/** A setting given a value it cannot take, or a key that is no setting. */
interface SettingProblem {
  key: string;
  value: unknown;
  /** For a value it cannot take: what it accepts, and the default used instead. */
  accepts?: string;
  fallback?: unknown;
  /** For an unknown key: the setting of the nearest name, if one is close. */
  nearest?: string;
  /** For an old name (RENAMED): the setting's name now, which takes its value. */
  renamedTo?: string;
}

export function describeProblem(problem: SettingProblem): string {
  if (problem.renamedTo !== undefined)
    return `config ${problem.key} is now called ${problem.renamedTo}; using its value`;
  if (problem.accepts !== undefined) {
    return `config ${problem.key}=${String(problem.value)} is not ${problem.accepts}; using ${JSON.stringify(problem.fallback)}`;
  }
  const hint = problem.nearest ? ` (did you mean ${problem.nearest}?)` : "";
  return `config ${problem.key} is not a setting${hint}; ignored`;
}

function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > 63 || value[0] === "-") return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
    if (!ok) return false;
  }
  return true;
}

const INVALID = Symbol("invalid");

/** The value `given` reads to as `spec` says, or INVALID. */
function readValue(spec: SettingSpec, given: unknown): unknown {
  switch (spec.kind) {
    case "integer": {
      const number = typeof given === "number" ? given : Number(given);
      const ok = typeof given !== "string" || given.trim() !== "";
      return ok && Number.isInteger(number) && number >= spec.min! && number <= spec.max!
        ? number
        : INVALID;
    }
    case "flag":
      if (given === true || given === "true" || given === "1" || given === 1) return true;
      if (given === false || given === "false" || given === "0" || given === 0) return false;
      return INVALID;
    case "path":
      return String(given).startsWith("/") ? String(given) : INVALID;
    case "hostname":
      return isHostname(String(given)) ? String(given) : INVALID;
    case "list":
      return Object.freeze(
        String(given)
          .split(",")
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      );
    default:
      return String(given);
  }
}

/** Letters to change, add or remove to turn `a` into `b` (Levenshtein), stopping above `most`. */
function distance(a: string, b: string, most: number): number {
  if (Math.abs(a.length - b.length) > most) return most + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
      row.push(Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost));
    }
    previous = row;
  }
  return previous[b.length];
}

function nearestSetting(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3; // more than 2 edits away is no typo
  for (const name of Object.keys(SETTINGS)) {
    const d = distance(key, name, 2);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The settings from `config` (mc/config: the manifest's defaults, then `key=value` overrides as
 * strings). A value a setting cannot take, and a key that is neither a setting nor one of
 * OTHER_CONFIG_KEYS, is passed to `report`; the setting keeps its default.
 */
export function readSettings(
  config: Readonly<Record<string, unknown>>,
  report: (problem: SettingProblem) => void,
): Settings {
  const settings: Record<string, unknown> = {};
  const renamed: Record<string, unknown> = {};
  for (const [old, now] of Object.entries(RENAMED)) {
    if (config[old] === undefined || config[now] !== undefined) continue;
    renamed[now] = config[old];
    report({ key: old, value: config[old], renamedTo: now });
  }
  for (const [key, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    const given = config[key] ?? renamed[key];
    const value = given === undefined ? INVALID : readValue(spec, given);
    if (value !== INVALID) {
      settings[key] = value;
      continue;
    }
    const fallback = readValue(spec, spec.default);
    if (given !== undefined) report({ key, value: given, accepts: accepts(spec), fallback });
    settings[key] = fallback;
  }
  for (const key of Object.keys(config)) {
    if (!(key in SETTINGS) && !(key in RENAMED) && !OTHER_CONFIG_KEYS.includes(key)) {
      report({ key, value: config[key], nearest: nearestSetting(key) });
    }
  }
  return Object.freeze(settings) as Settings;
}

/** The settings GET /status reports as its limits, by name. */
export function limitsOf(settings: Settings): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    if (spec.limit) limits[key] = settings[key] as number;
  }
  return limits;
}
