// XS (Moddable SDK 8.2.3) crashes when a RegExp created while preloading is used at run time and a
// garbage collection happens during the match: a preloaded RegExp has no match data of its own, so
// exec() allocates it in a temporary that the collector does not update. The simulator segfaulted
// in fx_RegExp_prototype_exec after a few WebSocket handshakes; a board would reset. On V8 such a
// RegExp just works, so the layer refuses, at load, a preloaded module that creates a RegExp in
// its top-level code (a literal or `new RegExp` outside any function).
import { parse } from "acorn";

const FUNCTION_NODES = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
]);

function isRegExpCreation(node) {
  if (node.type === "Literal" && node.regex) return true;
  const call = node.type === "NewExpression" || node.type === "CallExpression";
  return call && node.callee.type === "Identifier" && node.callee.name === "RegExp";
}

/** Lines of the RegExps that top-level code creates (not those inside functions). */
export function topLevelRegExpLines(source) {
  const ast = parse(source, { ecmaVersion: "latest", sourceType: "module", locations: true });
  const lines = [];
  const visit = (node) => {
    if (!node || typeof node.type !== "string" || FUNCTION_NODES.has(node.type)) return;
    if (isRegExpCreation(node)) lines.push(node.loc.start.line);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === "object") visit(value);
    }
  };
  visit(ast);
  return lines;
}

/** Throws when a preloaded module's top-level code creates a RegExp. */
export function refusePreloadedRegExps(source, name) {
  const lines = topLevelRegExpLines(source);
  if (lines.length === 0) return;
  throw new Error(
    `preloaded module "${name}" creates a RegExp in its top-level code (compiled line ` +
      `${lines.join(", ")}): XS crashes when such a RegExp is used after a garbage collection. ` +
      "Create it inside a function, avoid it, or do not preload the module.",
  );
}
