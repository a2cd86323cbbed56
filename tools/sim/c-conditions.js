// The value of a C preprocessor condition (`#if` / `#elif`), as far as this machine can know it:
// object-like macros from -D flags and the #defines read so far, `defined X`, integers and C's
// operators. A name nothing defined is 0, as in C, except a name ESP-IDF's own headers may define
// (sdkconfig's CONFIG_…, SOC_…, ESP_…), which are not here: a condition on one of those, or on a
// function-like macro, is UNKNOWN, and the reader follows both branches.

export const UNKNOWN = Symbol("unknown");

const TOKEN =
  /\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*|&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^?:()])/y;

/** Names of macros that ESP-IDF's headers (sdkconfig.h, soc_caps.h…) or the compiler define. */
const OUTSIDE_NAMES = /^(CONFIG_|SOC_|ESP_|IDF_|CHIP_|port|config|__)/;

/** The condition's tokens, or null when it has a character no condition has. */
function tokenize(text) {
  const tokens = [];
  let position = 0;
  for (;;) {
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (!match) break;
    tokens.push(match[1]);
    position = TOKEN.lastIndex;
  }
  return text.slice(position).trim() === "" ? tokens : null;
}

/**
 * Expands `text` (a condition) with `macros` (name → body text, or null for a macro whose body is
 * not a value): the tokens of a JavaScript expression, or UNKNOWN.
 */
function expand(text, macros, depth = 0) {
  if (depth > 16) return UNKNOWN;
  const tokens = tokenize(text.replace(/\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b/g, "$1"));
  if (!tokens) return UNKNOWN;
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === "defined") {
      const paren = tokens[i + 1] === "(";
      const name = tokens[i + (paren ? 2 : 1)];
      if (name === undefined) return UNKNOWN;
      if (!macros.has(name) && OUTSIDE_NAMES.test(name)) return UNKNOWN;
      out.push(macros.has(name) ? "1" : "0");
      i += paren ? 3 : 1;
    } else if (/^[A-Za-z_]/.test(token)) {
      if (tokens[i + 1] === "(") return UNKNOWN; // a function-like macro
      if (!macros.has(token)) {
        if (OUTSIDE_NAMES.test(token)) return UNKNOWN;
        out.push("0"); // defined nowhere: 0, as in C
        continue;
      }
      const body = macros.get(token);
      if (body === null) return UNKNOWN;
      const inner = body.trim() === "" ? ["1"] : expand(body, macros, depth + 1);
      if (inner === UNKNOWN) return UNKNOWN;
      out.push("(", ...inner, ")");
    } else if (/^\d/.test(token)) {
      out.push(String(Number(token)));
    } else {
      out.push(token);
    }
  }
  return out;
}

/** true, false, or UNKNOWN. */
export function evaluateCondition(text, macros) {
  const tokens = expand(text, macros);
  if (tokens === UNKNOWN || tokens.length === 0) return UNKNOWN;
  try {
    // Only numbers, parentheses and C operators are left, each of which means the same in
    // JavaScript for the integers a condition uses.
    const value = new Function(`return (${tokens.join(" ")});`)();
    return Boolean(Number(value));
  } catch {
    return UNKNOWN;
  }
}
