/*
 * The board's settings, from the manifest's `config` section. `mcconfig … key=value` (and
 * `npm start -- key=value`) override them as strings, so each is read back as the type it has
 * here (number, true/false, text, list); a value that is not valid is reported and the default is
 * used.
 */
import config from "mc/config";

const defaults = {
  port: 80,
  path: "/ws",
  maxMessageSize: 65536,
  maxHeaderSize: 4096,
  maxFrames: 1024,
  closeTimeout: 1000,
  maxClients: 7,
  maxQueued: 16384,
  handshakeTimeout: 5000,
  pingInterval: 20000,
  pingTimeout: 10000,
  idleTimeout: 0,
  tick: 0,
  maxRequestSize: 1024,
  maxPingRate: 20,
  lightPin: 2,
  lightActiveLow: false,
  buttonPin: 0,
  token: "",
  origins: "",
  hostname: "esp32-echo",
};

function integer(name: keyof typeof defaults, min: number, max: number): number {
  const value = config[name];
  if (value === undefined) return defaults[name] as number;
  const number = Number(value);
  if (Number.isInteger(number) && number >= min && number <= max) return number;
  trace(`config ${name}=${value} is not an integer in ${min}..${max}; using ${defaults[name]}\n`);
  return defaults[name] as number;
}

function path(name: keyof typeof defaults): string {
  const value = String(config[name] ?? defaults[name]);
  if (value.startsWith("/")) return value;
  trace(`config ${name}=${value} must start with /; using ${defaults[name]}\n`);
  return defaults[name] as string;
}

function flag(name: keyof typeof defaults): boolean {
  const value = config[name] ?? defaults[name];
  if (value === true || value === "true" || value === "1" || value === 1) return true;
  if (value === false || value === "false" || value === "0" || value === 0) return false;
  trace(`config ${name}=${value} is not true, false, 1 or 0; using ${defaults[name]}\n`);
  return defaults[name] as boolean;
}

function text(name: keyof typeof defaults): string {
  return String(config[name] ?? defaults[name]);
}

/** A comma-separated list ("a, b") as its trimmed, non-empty items. */
function list(name: keyof typeof defaults): string[] {
  return text(name)
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A DNS label for <hostname>.local: letters, digits and hyphens, 1 to 63 of them. */
function hostname(name: keyof typeof defaults): string {
  const value = text(name);
  let valid = value.length > 0 && value.length <= 63 && value[0] !== "-";
  for (let i = 0; valid && i < value.length; i++) {
    const c = value.charCodeAt(i);
    valid = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
  }
  if (valid) return value;
  trace(
    `config ${name}=${value} is not a host name (letters, digits, -); using ${defaults[name]}\n`,
  );
  return defaults[name] as string;
}

const settings = Object.freeze({
  port: integer("port", 0, 65535),
  path: path("path"),
  maxMessageSize: integer("maxMessageSize", 0, 0x7fffffff),
  maxHeaderSize: integer("maxHeaderSize", 256, 65536),
  maxFrames: integer("maxFrames", 1, 0x7fffffff),
  closeTimeout: integer("closeTimeout", 0, 60000),
  maxClients: integer("maxClients", 1, 1000),
  maxQueued: integer("maxQueued", 1024, 0x7fffffff),
  handshakeTimeout: integer("handshakeTimeout", 0, 3600000),
  pingInterval: integer("pingInterval", 0, 3600000),
  pingTimeout: integer("pingTimeout", 1, 3600000),
  idleTimeout: integer("idleTimeout", 0, 86400000),
  tick: integer("tick", 0, 86400000),
  /** Most pings a client may send per second (0: no limit). */
  maxPingRate: integer("maxPingRate", 0, 100000),
  /** Largest /api request, in bytes of UTF-8. */
  maxRequestSize: integer("maxRequestSize", 16, 65536),
  /** The light (GPIO 2 is the LED of most ESP32 DevKit boards) and whether low means on. */
  lightPin: integer("lightPin", 0, 48),
  lightActiveLow: flag("lightActiveLow"),
  /** The button (GPIO 0 is the BOOT button), pressed when low. */
  buttonPin: integer("buttonPin", 0, 48),
  /** When set, WebSocket upgrades and /status need this token. */
  token: text("token"),
  /** When set, the Origin headers allowed to open a WebSocket. */
  origins: Object.freeze(list("origins")),
  /** Advertised over mDNS as <hostname>.local. */
  hostname: hostname("hostname"),
});

export default settings;
