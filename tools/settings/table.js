// The table of settings in docs/settings.md, drawn from the firmware's own schema
// (modules/settings/schema.ts, compiled to build/firmware/modules/settings/schema.js): one row a
// setting, then the Wi-Fi keys that the Moddable SDK reads.
//   npm run settings-table              prints the table
//   npm run settings-table -- --write   puts it into docs/settings.md, between its two markers
//   npm run settings-table -- --check   exits 1 when docs/settings.md's table is not this one
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The page that holds the table, and its name in messages. */
const PAGE = fileURLToPath(new URL("../../docs/settings.md", import.meta.url));
const PAGE_NAME = "docs/settings.md";
const SCHEMA = new URL("../../build/firmware/modules/settings/schema.js", import.meta.url);
export const TABLE_START = "<!-- settings table: npm run settings-table -- --write -->";
export const TABLE_END = "<!-- end of settings table -->";

const code = (text) => `\`${text}\``;

function defaultOf(spec) {
  return spec.default === "" ? code('""') : code(String(spec.default));
}

function valuesOf(spec) {
  switch (spec.kind) {
    case "integer":
      return `${spec.min}…${spec.max === 0x7fffffff ? "2³¹−1" : spec.max}`;
    case "flag":
      return "`true`, `false`";
    case "path":
      return "`/…`";
    case "list":
      return "list";
    case "hostname":
      return "host name";
    default:
      return "text";
  }
}

/** The markdown table for `settings` (the schema's SETTINGS). */
export function settingsTable(settings) {
  const rows = [
    ["Key", "Default", "Values", "Meaning"],
    ...Object.entries(settings).map(([key, spec]) => [
      code(key),
      defaultOf(spec),
      valuesOf(spec),
      spec.meaning,
    ]),
    [`${code("ssid")}, ${code("password")}`, "—", "text", "Wi-Fi network (ESP32 only; the SDK's)"],
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  const rule = `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`;
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n");
}

/** The page's `text` with its table replaced by `table`; throws when the markers are missing. */
export function withTable(text, table) {
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`${PAGE_NAME} has no ${TABLE_START} … ${TABLE_END}`);
  return `${text.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${text.slice(end)}`;
}

async function main(argv) {
  const { SETTINGS } = await import(SCHEMA.href);
  const table = settingsTable(SETTINGS);
  const page = readFileSync(PAGE, "utf8");
  if (argv.includes("--write")) {
    writeFileSync(PAGE, withTable(page, table));
    return 0;
  }
  if (argv.includes("--check")) {
    if (withTable(page, table) === page) return 0;
    console.error(
      `${PAGE_NAME}'s settings table is not the schema's: npm run settings-table -- --write`,
    );
    return 1;
  }
  console.log(table);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  process.exitCode = await main(process.argv.slice(2));
