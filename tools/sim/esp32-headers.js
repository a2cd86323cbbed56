// The C half of check:esp32: every C file the ESP32 build compiles, with the -I folders and -D
// flags the build gives it (from a dry run of the makefile that `mcconfig -d -p esp32` writes),
// must find every header it includes that the Moddable SDK has. A header the SDK has but the build
// does not put on the path is the error the compiler would stop at; a header the SDK does not
// have is ESP-IDF's or the C library's, which this machine cannot check.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { walkIncludes } from "./c-includes.js";

/** The compiler the dry run names, so that its command lines can be told from the rest. */
export const DRY_RUN_CC = "check-esp32-cc";

/**
 * The compile commands of a dry run (`make -n CC=DRY_RUN_CC`): for each, the C source, its -I
 * folders in order and its -D flags.
 */
export function compileCommands(output) {
  const commands = [];
  for (const line of output.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== DRY_RUN_CC) continue;
    const includeDirs = [];
    const defines = [];
    let source = null;
    for (let i = 1; i < words.length; i++) {
      const word = words[i];
      if (word === "-o") i++;
      else if (word.startsWith("-I")) includeDirs.push(word.slice(2) || words[++i]);
      else if (word.startsWith("-D")) defines.push(word.slice(2));
      else if (/\.(c|cc|cpp)$/.test(word)) source = word;
    }
    if (source) commands.push({ source, includeDirs, defines });
  }
  return commands;
}

/** Every header file of the SDK by its file name (its build output left out). */
export function sdkHeaders(sdkRoot) {
  const byName = new Map();
  const skip = new Set([path.join(sdkRoot, "build", "tmp"), path.join(sdkRoot, "build", "bin")]);
  const visit = (folder) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!skip.has(full) && !entry.name.startsWith(".")) visit(full);
      } else if (/\.(h|hpp)$/.test(entry.name)) {
        if (!byName.has(entry.name)) byName.set(entry.name, []);
        byName.get(entry.name).push(full);
      }
    }
  };
  visit(sdkRoot);
  return byName;
}

/** How near a folder is to the build: an esp32 one first, then an esp one, then the rest. */
const nearness = (file) => (/\/esp32\//.test(file) ? 0 : /\/esp\//.test(file) ? 1 : 2);

/** Where the SDK has `header` ("modGPIO.h", "driver/gpio.h"): its files of that path. */
function inSdk(header, headers) {
  const suffix = `/${header}`;
  return (headers.get(path.basename(header)) ?? [])
    .filter((file) => file.endsWith(suffix))
    .sort((a, b) => nearness(a) - nearness(b) || a.localeCompare(b));
}

/**
 * Checks every compile command. Returns the translation units read, the headers the build finds,
 * the problems (a header the SDK has that the build cannot find: the C file compiled, the file
 * that includes it, the header, where the SDK has it) and the headers from outside the SDK.
 */
export function checkHeaders(commands, sdkRoot) {
  const headers = sdkHeaders(sdkRoot);
  const problems = new Map(); // one per including file and header
  const outside = new Set();
  const reached = new Set();
  const generated = []; // sources the build writes itself (buildinfo.c, mc.resources.c)
  for (const command of commands) {
    if (!existsSync(command.source)) {
      generated.push(command.source);
      continue;
    }
    walkIncludes(command.source, command, (header, from, where) => {
      if (where) {
        reached.add(where);
        return;
      }
      const sdkHas = inSdk(header, headers);
      if (sdkHas.length === 0) {
        outside.add(header);
        return;
      }
      const key = `${from}\n${header}`;
      if (!problems.has(key)) problems.set(key, { source: command.source, from, header, sdkHas });
    });
  }
  return {
    units: commands.length - generated.length,
    generated,
    reached: reached.size,
    problems: [...problems.values()],
    outside,
  };
}

/** The first three of `files`, and how many more. */
function listed(files) {
  const more = files.length - 3;
  return files.slice(0, 3).join(", ") + (more > 0 ? ` and ${more} more` : "");
}

/** The check's report, for a terminal: the problems first, then what it could not check. */
export function describeHeaderCheck({ units, generated, reached, problems, outside }, sdkRoot) {
  const short = (file) =>
    file.startsWith(sdkRoot) ? `$(MODDABLE)${file.slice(sdkRoot.length)}` : file;
  const lines = [];
  for (const { source, from, header, sdkHas } of problems) {
    const via = from === source ? "" : ` (through ${short(from)})`;
    lines.push(
      `check:esp32: ${short(source)}${via} includes "${header}", which the build does not ` +
        `find: the SDK has it at ${listed(sdkHas.map(short))}; include the manifest that ` +
        `puts its folder on the path`,
    );
  }
  lines.push(
    `check:esp32: C half: ${units} C files read (and ${generated.length} the build writes ` +
      `itself), ${reached} headers found on the build's path, ${problems.length} SDK ` +
      `header${problems.length === 1 ? "" : "s"} off it; ` +
      `${outside.size} headers are ESP-IDF's or the C library's (not in the SDK): out of this ` +
      `check's reach, the ESP-IDF build finds them or not`,
  );
  return lines;
}
