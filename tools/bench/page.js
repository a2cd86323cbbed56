// The page the reports are drawn on (the bench's, tools/bench/report.js, and the comparison's,
// tools/compare/report.js): one self-contained HTML document, its style inline, no script,
// nothing fetched; charts.js draws what goes in it.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { esc } from "./charts.js";

/** The reports' style: cards, tables of figures and of the run, the charts' text and lines. */
export const STYLE = `
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1f2328;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
p { margin: 6px 0; }
.lead { color: #57606a; margin-bottom: 16px; }
.card { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 12px 14px; margin: 10px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 10px 4px 0; vertical-align: top; }
table.run th { width: 170px; color: #57606a; font-weight: 500; }
table.figures th, table.figures td { text-align: right; font-variant-numeric: tabular-nums; }
table.figures th:nth-child(2), table.figures td:nth-child(2) { text-align: left; }
table.figures thead th { border-bottom: 1px solid #d8dee4; color: #57606a; font-weight: 500; }
table.figures tr.first td { border-top: 1px solid #eaeef2; }
td.bad { color: #cf222e; font-weight: 600; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
svg.chart { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: #1f2328; }
svg .chart-title { font-size: 15px; font-weight: 600; }
svg .legend, svg .tick, svg .note, svg .marker-label { font-size: 12px; }
svg .tick, svg .note { fill: #57606a; }
svg .axis-label, svg .category { font-size: 13px; }
svg .value { font-size: 12px; font-weight: 600; }
svg .marker-label { font-weight: 600; }
svg .grid { stroke: #eaeef2; }
svg .grid-v { stroke: #f1f3f5; }
svg .axis { stroke: #8c959f; }
svg .whisker line { stroke: #1f2328; stroke-width: 1.2; }
ul.errors { font-family: ui-monospace, monospace; font-size: 12px; }
footer { margin-top: 28px; color: #57606a; font-size: 12px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
`;

/** Escapes `text`, showing its `quoted` parts as code. */
export function withCode(text) {
  return esc(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

/** The document: `body` (HTML, ending with a newline) in the page's frame, titled `title`. */
export function htmlPage({ title, body, style = "" }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}${style}</style>
</head>
<body>
<main>
${body}</main>
</body>
</html>
`;
}

/**
 * Saves a report's figures (as JSON) and its page into `dir`, made when missing; returns their
 * paths.
 */
export function saveReport(dir, { figuresFile, figures, reportFile, page }) {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, figuresFile);
  const html = path.join(dir, reportFile);
  writeFileSync(json, `${JSON.stringify(figures, null, 2)}\n`);
  writeFileSync(html, page);
  return { json, html };
}

/** The run's table: a row per [what, value] pair, the value's `quoted` parts as code. */
export function runRows(rows) {
  return (
    `<table class="run">\n` +
    rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${withCode(v)}</td></tr>`).join("\n") +
    `\n</table>`
  );
}

/** A section of the page: its heading and one card holding `content` (HTML). */
export function cardSection(id, heading, content) {
  return `<section id="${id}-section">
<h2>${esc(heading)}</h2>
<div class="card">
${content}
</div>
</section>`;
}

/**
 * Makes `dir` for a tool's --out before its runs, so that a folder that cannot be written fails at
 * once, not at the end; false (said on stderr, prefixed with `tool`) when it cannot.
 */
export function makeOutDir(dir, tool) {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch (error) {
    console.error(`${tool}: --out ${dir}: ${error.message}`);
    return false;
  }
}
