// Argument handling shared by the ECMA-419 classes, after modules/io/common/builtinCommon.c and
// the XS conversions they use.

export const FORMATS = Object.freeze([
  "number",
  "buffer",
  "string",
  "socket/tcp",
  "uint8",
  "int8",
  "uint16",
  "int16",
  "uint32",
  "int32",
  "uint64",
  "int64",
  "buffer/disposable",
]);
export const kFormatInvalid = 0;
export const kFormatNumber = 1;
export const kFormatBuffer = 2;
export const kFormatSocketTCP = 4;

/** xsmcToInteger: ToNumber, truncated to a 32-bit integer; NaN and infinities give 0. */
export function toInteger(value) {
  const number = Number(value);
  return Number.isFinite(number) ? Math.trunc(number) | 0 : 0;
}

/** builtinGetSignedInteger: like toInteger, but undefined is an error. */
export function getSignedInteger(value) {
  if (value === undefined) throw new Error("invalid");
  return toInteger(value);
}

/** xsmcHas: the property exists on the object or its prototype chain. */
export function has(options, name) {
  return options !== null && typeof options === "object" && name in options;
}

/** builtinGetCallback: undefined or null means none; anything else must be callable. */
export function getCallback(options, name) {
  const value = options[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "function") throw new Error("not a function");
  return value;
}

/** builtinInitializeFormat: the format option as a number, `fallback` when absent or falsy. */
export function initializeFormat(options, fallback) {
  if (!has(options, "format")) return fallback;
  const value = options.format;
  if (!value) return fallback;
  const index = FORMATS.indexOf(String(value));
  return index < 0 ? kFormatInvalid : index + 1;
}

/** builtinSetFormat: for a format setter. */
export function parseFormat(value) {
  const index = FORMATS.indexOf(String(value));
  if (index < 0) throw new RangeError("unknown");
  return index + 1;
}

/** builtinInitializeTarget: copies the "target" option onto the instance. */
export function initializeTarget(instance, options) {
  if (has(options, "target")) instance.target = options.target;
}
