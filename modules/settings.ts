/*
 * The board's settings, from the manifest's `config` section. `mcconfig … key=value` (and
 * `npm start -- key=value`) override them as strings, so each is read back as a number here; a
 * value that is not a valid number is reported and the default is used.
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
});

export default settings;
