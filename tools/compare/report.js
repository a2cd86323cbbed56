// The comparison's report: one self-contained HTML page (the bench report's page and charts,
// tools/bench/page.js and charts.js: inline CSS and SVG, no script, nothing fetched) from the
// figures compare.js saves as compare.json. renderReport() is pure; writeReport() saves both.
import { barChart, esc } from "../bench/charts.js";
import { cardSection, htmlPage, runRows, saveReport, withCode } from "../bench/page.js";
import { COLUMNS, explain } from "./table.js";

export const REPORT_FILE = "compare-report.html";
export const FIGURES_FILE = "compare.json";
export const FIGURES_VERSION = 1;

const COLORS = ["#2563eb", "#ea7a0c", "#059669"];

const STYLE = `
table.compare th:first-child, table.compare td:first-child { text-align: left; }
table.compare th:nth-child(2), table.compare td:nth-child(2) { text-align: right; }
ul.notes li { margin: 4px 0; }
`;

/** 0 → "0", 0.4 → "0.4", 52.13 → "52.1": latencies and their axis. */
const formatMs = (ms) => (Number.isInteger(ms) ? String(ms) : ms.toFixed(1));

function chart({ id, title, rows, series, yLabel, formatValue }) {
  return `<div class="card">\n${barChart({
    id,
    title,
    categories: rows.map((r) => r.name),
    series: series.map(([name, value], k) => ({
      name,
      color: COLORS[k],
      values: rows.map(value),
    })),
    yLabel,
    formatValue,
    height: 320,
  })}\n</div>`;
}

function figuresTable(rows) {
  const head = ["client", ...COLUMNS.map(([title]) => title)];
  const body = rows.map(
    (r) =>
      `<tr><td>${esc(r.name)}</td>` +
      COLUMNS.map(([, cell]) => `<td>${esc(cell(r))}</td>`).join("") +
      `</tr>`,
  );
  return (
    `<table class="figures compare">\n<thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead>\n` +
    `<tbody>\n${body.join("\n")}\n</tbody>\n</table>`
  );
}

/** explain()'s lines as items: an item begins at each line that is not indented. */
function notes(figures) {
  const items = [];
  for (const line of explain(figures, { intervalMs: figures.parameters.intervalMs })) {
    if (line.startsWith("  ") && items.length) items[items.length - 1] += ` ${line.trim()}`;
    else items.push(line);
  }
  return `<ul class="notes">\n${items.map((item) => `<li>${withCode(item)}</li>`).join("\n")}\n</ul>`;
}

function runTable(figures) {
  const { parameters: p, machine: m, clock, window } = figures;
  const rows = [
    ["date", figures.generated ?? "-"],
    ["server", figures.target],
    ["events", `${p.events}: ticks ${window.first} to ${window.last}, one every ${p.tickMs} ms`],
    ["polling", `every ${p.intervalMs} ms on average (each wait 0.75 to 1.25 times that)`],
    [
      "clock offset",
      clock
        ? `from the fastest of ${clock.samples} poll round trips, ${clock.roundTrip.toFixed(2)} ms`
        : "none (no poll response)",
    ],
    ["machine", `${m.cpus} × ${m.cpuModel}; ${m.platform} ${m.release}, Node ${m.node}`],
    ["command", p.command],
  ];
  if (figures.atDeadline)
    rows.push(["ended", "at the deadline, before every client had learnt of the last tick"]);
  return runRows(rows);
}

/** The report page for `figures` (the content of compare.json), as one HTML string. */
export function renderReport(figures) {
  if (figures?.version !== FIGURES_VERSION)
    throw new Error(`compare figures: version ${figures?.version}, expected ${FIGURES_VERSION}`);
  const { rows, parameters: p } = figures;
  const latency = (pick) => (r) => (r.latency.count ? Math.max(0, r.latency[pick]) : undefined);
  const body = `<h1>HTTP polling against one open WebSocket</h1>
<p class="lead">${p.events} server events (a tick every ${p.tickMs} ms) followed by three clients at
once, against ${withCode(figures.target)}: a WebSocket the server pushes each tick to, and two
pollers of <code>GET /tick</code> every ${p.intervalMs} ms, one on a new TCP connection per request,
one on a kept connection.</p>

<section id="figures-section">
<h2>Figures</h2>
<div class="card">
${figuresTable(rows)}
</div>
${notes(figures)}
</section>

<section id="charts-section">
<h2>Charts</h2>
${chart({
  id: "bytes",
  title: `Bytes on the wire each way for ${p.events} events (TCP payload; lower is better)`,
  rows,
  series: [
    ["to server", (r) => r.bytesToServer],
    ["to client", (r) => r.bytesToClient],
  ],
  yLabel: "bytes",
})}
${chart({
  id: "connections",
  title: "TCP connections opened, and requests sent (lower is better)",
  rows,
  series: [
    ["connections", (r) => r.connections],
    ["requests", (r) => r.requests],
  ],
  yLabel: "count",
})}
${chart({
  id: "latency",
  title: "Latency from the tick's making to the client's learning of it (lower is better)",
  rows,
  series: [
    ["p50", latency("p50")],
    ["p99", latency("p99")],
  ],
  yLabel: "ms",
  formatValue: formatMs,
})}
</section>

${cardSection("run", "Run", runTable(figures))}
<footer>Drawn by <code>tools/compare/report.js</code> from <code>${FIGURES_FILE}</code>, saved next
to this file.</footer>
`;
  return htmlPage({ title: `Compare: push vs polling, ${p.events} events`, body, style: STYLE });
}

/** Saves compare.json and the report into `dir`; returns their paths. */
export function writeReport(dir, figures) {
  const page = renderReport(figures);
  return saveReport(dir, { figuresFile: FIGURES_FILE, figures, reportFile: REPORT_FILE, page });
}
