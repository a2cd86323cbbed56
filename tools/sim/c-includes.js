// Which headers a C file of the ESP32 build reaches, and whether the build finds each one: the
// file is read as the preprocessor would (its #includes in order, the #if branches it can decide,
// #define and #undef), and each header is looked for as GCC does: "quoted" in the including
// file's folder first, then in the -I folders in order; <angled> in the -I folders only.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { evaluateCondition, UNKNOWN } from "./c-conditions.js";

/** The directives of a C file: [kind, rest] pairs (#include, #if, #define…), lines joined. */
function directives(file) {
  const text = readFileSync(file, "latin1")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/\\\r?\n/g, " ");
  const found = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*#\s*(\w+)\s*(.*)$/.exec(line.replace(/\/\/.*$/, ""));
    if (match) found.push([match[1], match[2].trim()]);
  }
  return found;
}

/** -D flags as macros: name → body (a flag without a value defines it as 1). */
export function macrosOf(defines) {
  const macros = new Map();
  for (const define of defines) {
    const [name, ...value] = define.split("=");
    if (name) macros.set(name, value.length ? value.join("=") : "1");
  }
  return macros;
}

/**
 * Walks one translation unit: `source` compiled with `includeDirs` (the -I folders, in order) and
 * `defines` (-D). Calls `found(header, from, where)` for each header reached: `where` is the file
 * the build would open, or null when it finds none.
 */
export function walkIncludes(source, { includeDirs, defines }, found) {
  const macros = macrosOf(defines);
  const cache = new Map(); // file → its directives
  const onceOnly = new Set(); // files with #pragma once already read
  const depth = { value: 0 };

  const locate = (header, quoted, from) => {
    const folders = quoted ? [path.dirname(from), ...includeDirs] : includeDirs;
    for (const folder of folders) {
      const candidate = path.join(folder, header);
      if (existsSync(candidate)) return candidate;
    }
    return null;
  };

  const read = (file) => {
    if (onceOnly.has(file) || depth.value > 64) return;
    depth.value++;
    if (!cache.has(file)) cache.set(file, directives(file));
    // Each open #if: whether its current branch is taken (true, false, UNKNOWN), and whether a
    // branch before it was surely taken.
    const stack = [];
    const live = () => stack.every((frame) => frame.taken !== false);
    const sure = () => stack.every((frame) => frame.taken === true);
    for (const [kind, rest] of cache.get(file)) {
      switch (kind) {
        case "if":
        case "ifdef":
        case "ifndef": {
          let taken;
          if (kind === "if") taken = evaluateCondition(rest, macros);
          else {
            const name = rest.split(/\s/)[0];
            taken = evaluateCondition(`defined ${name}`, macros);
            if (kind === "ifndef" && taken !== UNKNOWN) taken = !taken;
          }
          stack.push({ taken, done: taken === true });
          continue;
        }
        case "elif": {
          const frame = stack.at(-1);
          if (!frame) continue;
          if (frame.done) frame.taken = false;
          else {
            frame.taken = evaluateCondition(rest, macros);
            frame.done = frame.taken === true;
          }
          continue;
        }
        case "else": {
          const frame = stack.at(-1);
          if (!frame) continue;
          frame.taken = frame.done ? false : frame.taken === UNKNOWN ? UNKNOWN : !frame.taken;
          frame.done = true;
          continue;
        }
        case "endif":
          stack.pop();
          continue;
      }
      if (!live()) continue;
      if (kind === "define" && sure()) {
        const match = /^(\w+)(\(?)\s*(.*)$/.exec(rest);
        if (match) macros.set(match[1], match[2] ? null : match[3]);
      } else if (kind === "undef" && sure()) {
        macros.delete(rest.split(/\s/)[0]);
      } else if (kind === "pragma" && rest === "once") {
        onceOnly.add(file);
      } else if (kind === "include") {
        const match = /^(?:"([^"]+)"|<([^>]+)>)/.exec(rest);
        if (!match) continue; // a computed include: not followed
        const header = match[1] ?? match[2];
        const where = locate(header, match[1] !== undefined, file);
        found(header, file, where);
        if (where) read(where);
      }
    }
    depth.value--;
  };

  read(source);
}
