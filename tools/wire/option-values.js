// The kinds of value a command-line option takes (command-line.js), which are the value checks
// the tools share: each reads the text given to an option, or throws a UsageError that names the
// option and says what it wanted.
import { UsageError } from "./usage-error.js";

/** @typedef {(text: string, name: string) => any} Kind */

function refuse(name, text, what) {
  return new UsageError(`${name}: "${text}" is not ${what}`);
}

/** Any text. */
export const text = (value) => value;

/** An integer of at least `min`, written in decimal digits. */
export function integer(min) {
  const what = min === 1 ? "a positive integer" : `an integer of at least ${min}`;
  return (value, name) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
      throw refuse(name, value, what);
    return n;
  };
}

/** A number above 0 ("1.5", "2"). */
export function positiveNumber(value, name) {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw refuse(name, value, "a number above 0");
  return n;
}

/** One of `choices`, as written. */
export function oneOf(...choices) {
  const what = `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`;
  return (value, name) => {
    if (!choices.includes(value)) throw refuse(name, value, what);
    return value;
  };
}

/** A comma-separated list of values of `kind` ("1,10,50"). */
export function listOf(kind) {
  return (value, name) => value.split(",").map((part) => kind(part.trim(), name));
}

/** A ws:// URL (a server without TLS: a board, the simulator, the platform layer). */
export function wsUrl(value, name) {
  if (!/^ws:\/\//.test(value)) throw refuse(name, value, "ws://…");
  return value;
}

/** A bearer token: printable ASCII without spaces (what an Authorization header can carry). */
export function token(value, name) {
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new UsageError(`${name}: a token is printable ASCII without spaces`);
  }
  return value;
}
