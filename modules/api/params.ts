/*
 * The parameters of an /api command: what each one accepts, checked before the command runs, so
 * that a command function only ever sees valid values, and a client gets an error that says which
 * parameter was wrong and what was expected.
 */

/** One parameter: a test for its values and what they are, in words, for help and errors. */
interface Param<T> {
  /** e.g. "a number", 'true, false or "toggle"' */
  readonly expected: string;
  readonly optional: boolean;
  accepts(value: unknown): value is T;
}

export type ParamSpecs = Readonly<Record<string, Param<unknown>>>;

/** The values a command receives, typed from its specs. */
export type ParamValues<S extends ParamSpecs> = {
  [K in keyof S]: S[K] extends Param<infer T> ? T : never;
};

function kind<T>(expected: string, accepts: (value: unknown) => value is T): Param<T> {
  return Object.freeze({ expected, optional: false, accepts });
}

export const param = Object.freeze({
  number: kind("a number", (value): value is number => Number.isFinite(value)),
  text: kind("a string", (value): value is string => typeof value === "string"),

  /** One of a few values, e.g. param.oneOf(true, false, "toggle"). */
  oneOf<const T extends readonly (string | number | boolean)[]>(...values: T): Param<T[number]> {
    const expected = values.map((value) => JSON.stringify(value)).join(", ");
    return kind(`one of ${expected}`, (value): value is T[number] =>
      values.includes(value as T[number]),
    );
  },

  /** The same parameter, which may be left out (the command then sees undefined). */
  optional<T>(inner: Param<T>): Param<T | undefined> {
    return Object.freeze({
      expected: inner.expected,
      optional: true,
      accepts: (value: unknown): value is T | undefined =>
        value === undefined || inner.accepts(value),
    });
  },
});

/**
 * The values of `request` for `specs`, or the error to reply with: a missing or invalid parameter,
 * or one the command does not take. `ignore` lists fields of every request (id, cmd).
 */
export function readParams<S extends ParamSpecs>(
  specs: S,
  request: Readonly<Record<string, unknown>>,
  ignore: readonly string[],
): { values: ParamValues<S> } | { error: string } {
  for (const name of Object.keys(request)) {
    if (!ignore.includes(name) && !Object.hasOwn(specs, name)) {
      const known = Object.keys(specs);
      const takes = known.length ? `it takes ${known.map((n) => `"${n}"`).join(", ")}` : "none";
      return { error: `unknown parameter "${name}"; ${takes}` };
    }
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = request[name];
    if (value === undefined && !spec.optional)
      return { error: `missing parameter "${name}": ${spec.expected}` };
    if (!spec.accepts(value))
      return { error: `invalid "${name}": ${JSON.stringify(value)} is not ${spec.expected}` };
    values[name] = value;
  }
  return { values: values as ParamValues<S> };
}

/** The specs as help shows them: { on: 'one of true, false, "toggle" (optional)' }. */
export function describeParams(specs: ParamSpecs): Record<string, string> {
  const described: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs))
    described[name] = spec.optional ? `${spec.expected} (optional)` : spec.expected;
  return described;
}
