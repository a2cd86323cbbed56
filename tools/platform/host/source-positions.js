// Where the XS engine's errors are, in the TypeScript source. XS's `error.stack` names each frame's
// script and line, `at fn (path:line)`, no column. The XS adapter names every module the worker
// loads by its file (a `//# sourceURL=` comment; without one XS says `#30`, its 30th script), and
// the host maps each `(build/firmware/x.js:line)` through tsc's source map (`x.js.map`, named by
// the file's `//# sourceMappingURL=`) to `(x.ts:line:column)`: the column is where that line's
// code starts, since XS records lines only. Paths are shown relative to the working directory.
// The Node engine needs none of this: Node maps V8's positions itself (setSourceMapsEnabled).
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGITS = new Map([...BASE64].map((char, value) => [char, value]));

/** The numbers of one segment of a source map's `mappings` (base64 VLQ: 5 bits a digit, sign last). */
function decodeSegment(text) {
  const values = [];
  let value = 0;
  let scale = 1;
  for (const char of text) {
    const digit = DIGITS.get(char);
    if (digit === undefined) throw new Error(`not a base64 VLQ digit: ${JSON.stringify(char)}`);
    value += (digit & 31) * scale;
    if (digit & 32) {
      scale *= 32;
    } else {
      values.push(value % 2 ? -(value - 1) / 2 : value / 2);
      value = 0;
      scale = 1;
    }
  }
  return values;
}

/**
 * Decodes a source map's `mappings` (version 3).
 * @param {string} mappings
 * @returns {number[][][]} for each generated line (0-based), its segments in order: [column] or
 *   [column, source index, source line, source column], all 0-based
 */
export function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const lineText of mappings.split(";")) {
    const segments = [];
    let column = 0;
    for (const segmentText of lineText.split(",")) {
      if (!segmentText) continue;
      const values = decodeSegment(segmentText);
      column += values[0];
      if (values.length < 4) {
        segments.push([column]);
        continue;
      }
      source += values[1];
      sourceLine += values[2];
      sourceColumn += values[3];
      segments.push([column, source, sourceLine, sourceColumn]);
    }
    lines.push(segments);
  }
  return lines;
}

/**
 * The source position of a generated one (1-based): with a column, the segment that covers it;
 * without, the line's first segment that has a source.
 * @param {{ sources: string[], lines: number[][][] }} map
 * @returns {{ source: string, line: number, column: number } | null} 1-based
 */
export function originalPosition(map, line, column) {
  const segments = map.lines[line - 1] ?? [];
  let found;
  for (const segment of segments) {
    if (segment.length < 4) continue;
    if (column === undefined) {
      found = segment;
      break;
    }
    if (segment[0] > column - 1) break;
    found = segment;
  }
  if (!found || map.sources[found[1]] === undefined) return null;
  return { source: map.sources[found[1]], line: found[2] + 1, column: found[3] + 1 };
}

/** A compiled file's source map, the paths of its sources made absolute; null when it has none. */
export function readSourceMap(file) {
  try {
    const text = readFileSync(file, "utf8");
    const url = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    if (!url) return null;
    let json;
    let base = dirname(file);
    if (url.startsWith("data:")) {
      const comma = url.indexOf(",");
      if (!url.slice(0, comma).endsWith(";base64")) return null;
      json = Buffer.from(url.slice(comma + 1), "base64").toString("utf8");
    } else {
      const mapFile = resolve(base, decodeURIComponent(url));
      json = readFileSync(mapFile, "utf8");
      base = dirname(mapFile);
    }
    const map = JSON.parse(json);
    const root = resolve(base, map.sourceRoot ?? "");
    return {
      sources: map.sources.map((source) => resolve(root, source)),
      lines: decodeMappings(map.mappings),
    };
  } catch {
    return null;
  }
}

/** A path as shown: relative to `base` with "/" when below it, absolute otherwise. */
export function displayPath(file, base) {
  const path = relative(base, file);
  if (!path || path.startsWith("..") || isAbsolute(path)) return file;
  return path.split(sep).join("/");
}

/**
 * Maps the positions in the XS engine's output, `(path.js:line)` with `path` relative to `base`,
 * to the TypeScript source; positions of files without a source map stay as they are.
 */
export function createXsPositionMapper(base) {
  const maps = new Map();
  const mapOf = (file) => {
    if (!maps.has(file)) maps.set(file, readSourceMap(file));
    return maps.get(file);
  };
  return (text) => {
    if (typeof text !== "string" || !text.includes(".js:")) return text;
    return text.replace(/\(([^()\n]+?\.m?js):(\d+)\)/g, (whole, path, line) => {
      const map = mapOf(resolve(base, path));
      const found = map && originalPosition(map, Number(line));
      return found ? `(${displayPath(found.source, base)}:${found.line}:${found.column})` : whole;
    });
  };
}
