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
});

export default settings;
