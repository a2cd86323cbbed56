// The bench report: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched;
// the page and its style are page.js's) from the figures bench.js saves as bench.json.
// renderReport() is a pure function; writeReport() saves both files. To draw a report again
// from saved figures:
//   node tools/bench/report.js [bench-results/bench.json] [out.html]
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { barChart, esc, formatCount, formatMs, histogramChart } from "./charts.js";
import { binsOf, binStart } from "./histogram.js";
import { cardSection, htmlPage, runRows, saveReport } from "./page.js";

export const REPORT_FILE = "bench-report.html";
export const FIGURES_FILE = "bench.json";
export const FIGURES_VERSION = 1;

/** Series colors: blue and orange stay apart for most color-blind readers. */
const COLORS = { firmware: "#2563eb", ws: "#ea7a0c" };
const FALLBACK_COLORS = ["#059669", "#9333ea", "#dc2626"];

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function colorOf(name, index) {
  return COLORS[name] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length];
}

/** Checks what renderReport needs; throws saying what is missing. */
function check(figures) {
  if (!figures || typeof figures !== "object") throw new Error("bench figures: not an object");
  if (figures.version !== FIGURES_VERSION)
    throw new Error(`bench figures: version ${figures.version}, expected ${FIGURES_VERSION}`);
  for (const key of ["parameters", "machine", "servers", "results"])
    if (!figures[key]) throw new Error(`bench figures: no "${key}"`);
}

/** The x range shared by all histogram panels: every non-empty bin of every result. */
function latencyRange(results) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of results) {
    const h = r.histogram;
    if (!h?.counts?.length) continue;
    lo = Math.min(lo, binStart(h.first, h.binsPerDecade, h.originMs));
    hi = Math.max(hi, binStart(h.first + h.counts.length, h.binsPerDecade, h.originMs));
  }
  if (!Number.isFinite(lo)) return [0.01, 1];
  // Whole 1-2-5 steps around the data, so that the axis starts and ends on a labelled tick.
  const down = (v) => {
    const p = 10 ** Math.floor(Math.log10(v));
    return [5, 2, 1].map((m) => m * p).find((s) => s <= v * (1 + 1e-9));
  };
  const up = (v) => {
    const p = 10 ** Math.floor(Math.log10(v));
    return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= v * (1 - 1e-9));
  };
  return [down(lo), up(hi)];
}

function runTable(figures) {
  const { parameters: p, machine: m, servers } = figures;
  const rows = [
    ["date", figures.generated ?? "-"],
    ["clients", p.clients.join(", ")],
    ["messages per client", formatCount(p.messages)],
    ["payload", `${formatCount(p.size)} bytes, binary`],
    [
      "rounds",
      p.rounds > 1
        ? `${p.rounds} per client count, alternating which server goes first; the median run is shown`
        : "1 per client count",
    ],
    ["warm-up", `${plural(p.warmup.clients, "client")} × ${p.warmup.messages} messages per server`],
    ...servers.map((s) => [s.name, s.label]),
    ["machine", `${m.cpus} × ${m.cpuModel}, ${formatCount(m.memoryBytes / 2 ** 20)} MiB`],
    ["system", `${m.platform} ${m.release} (${m.arch}), Node ${m.node}`],
    ["command", p.command ?? "npm run bench"],
  ];
  return runRows(rows);
}

function figuresTable(figures, byKey) {
  const names = figures.servers.map((s) => s.name);
  const head =
    "<tr><th>clients</th><th>server</th><th>msgs/s</th><th>p50 ms</th><th>p95 ms</th>" +
    "<th>p99 ms</th><th>round trips</th><th>errors</th><th>firmware/ws</th></tr>";
  const body = [];
  for (const clients of figures.parameters.clients) {
    names.forEach((name, k) => {
      const r = byKey.get(`${name} ${clients}`);
      if (!r) return;
      const f = byKey.get(`firmware ${clients}`);
      const w = byKey.get(`ws ${clients}`);
      const ratio = k === 0 && f && w ? `${(f.perSecond / w.perSecond).toFixed(2)}×` : "";
      body.push(
        `<tr${k === 0 ? ' class="first"' : ""}><td>${k === 0 ? clients : ""}</td>` +
          `<td><span class="swatch" style="background:${colorOf(name, k)}"></span>${esc(name)}</td>` +
          `<td>${formatCount(r.perSecond)}</td><td>${formatMs(r.p50)}</td><td>${formatMs(r.p95)}</td>` +
          `<td>${formatMs(r.p99)}</td><td>${formatCount(r.messages)}</td>` +
          `<td${r.errors ? ' class="bad"' : ""}>${r.errors}</td><td>${ratio}</td></tr>`,
      );
    });
  }
  return `<table class="figures">\n<thead>${head}</thead>\n<tbody>\n${body.join("\n")}\n</tbody>\n</table>`;
}

/** The report page for `figures` (the content of bench.json), as one HTML string. */
export function renderReport(figures) {
  check(figures);
  const { parameters } = figures;
  const names = figures.servers.map((s) => s.name);
  const byKey = new Map(figures.results.map((r) => [`${r.server} ${r.clients}`, r]));
  const categories = parameters.clients.map((n) => plural(n, "client"));
  const ratios = parameters.clients.map((clients) => {
    const f = byKey.get(`firmware ${clients}`);
    const w = byKey.get(`ws ${clients}`);
    return f && w ? `firmware/ws ${(f.perSecond / w.perSecond).toFixed(2)}×` : "";
  });
  const throughput = barChart({
    id: "throughput",
    title: "Echoes per second, all clients together (higher is better)",
    categories,
    series: names.map((name, k) => ({
      name,
      color: colorOf(name, k),
      values: parameters.clients.map((c) => byKey.get(`${name} ${c}`)?.perSecond),
      ranges: parameters.clients.map((c) => {
        const rounds = byKey.get(`${name} ${c}`)?.rounds ?? [];
        return rounds.length > 1 ? [Math.min(...rounds), Math.max(...rounds)] : null;
      }),
    })),
    notes: ratios,
    yLabel: "msgs/s",
  });

  const xRange = latencyRange(figures.results);
  const panels = parameters.clients.map((clients) => {
    const series = names
      .map((name, k) => ({ name, k, r: byKey.get(`${name} ${clients}`) }))
      .filter(({ r }) => r)
      .map(({ name, k, r }) => ({
        name,
        color: colorOf(name, k),
        bins: r.histogram ? binsOf(r.histogram) : [],
        markers: [
          { label: "p50", at: r.p50 },
          { label: "p99", at: r.p99 },
        ],
      }));
    const trips = byKey.get(`${names[0]} ${clients}`)?.messages;
    return (
      `<div class="card hist-panel" data-clients="${clients}">\n` +
      histogramChart({
        id: `latency-${clients}`,
        title:
          `${plural(clients, "client")}: round trips ` +
          `(${formatCount(trips)} per server${parameters.rounds > 1 ? ", median run" : ""})`,
        series,
        xRange,
        xLabel: "round trip, send to echo (ms, log scale)",
        yLabel: "share of round trips",
      }) +
      "\n</div>"
    );
  });

  const errors = figures.errors ?? [];
  const title = `Bench: firmware vs ws, ${parameters.clients.join("/")} clients`;
  const body = `<h1>WebSocket echo bench</h1>
<p class="lead">The firmware against a plain <code>ws</code> echo server on the same machine:
${plural(parameters.messages, "message")} of ${parameters.size} bytes per client, in a closed loop
(each client sends its next message when the echo of the previous one has arrived).</p>

<section id="throughput-section">
<h2>Throughput</h2>
<div class="card">
${throughput}
</div>
<p>msgs/s = echoes received by all clients / wall time from the first send to the last echo.
${
  parameters.rounds > 1
    ? `Bars: the median of ${parameters.rounds} rounds; whiskers: the slowest and the fastest round.`
    : "One round per client count."
}</p>
</section>

<section id="latency-section">
<h2>Round trips</h2>
<p>How long each message took from send to echo, as the share of all round trips per bin
(${figures.results[0]?.histogram?.binsPerDecade ?? 20} bins per decade, the same axis in every panel).
Dashed lines: p50 and p99.</p>
${panels.join("\n")}
</section>

<section id="figures-section">
<h2>Figures</h2>
<div class="card">
${figuresTable(figures, byKey)}
</div>
</section>

${cardSection("run", "Run", runTable(figures))}
${
  errors.length
    ? `
<section id="errors-section">
<h2>Errors (${errors.length})</h2>
<ul class="errors">
${errors
  .slice(0, 50)
  .map((e) => `<li>${esc(e)}</li>`)
  .join("\n")}
</ul>
</section>
`
    : ""
}
<footer>Drawn by <code>tools/bench/report.js</code> from <code>${FIGURES_FILE}</code>, saved next
to this file; <code>node tools/bench/report.js &lt;dir&gt;/${FIGURES_FILE}</code> draws it again.</footer>
`;
  return htmlPage({ title, body });
}

/** Saves bench.json and the report into `dir`; returns their paths. */
export function writeReport(dir, figures) {
  const page = renderReport(figures);
  return saveReport(dir, { figuresFile: FIGURES_FILE, figures, reportFile: REPORT_FILE, page });
}

function main(argv) {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(
      "Usage: node tools/bench/report.js [bench.json] [out.html]\n" +
        `Draws the bench report again from saved figures (default bench-results/${FIGURES_FILE};\n` +
        `the report goes next to it as ${REPORT_FILE} unless out.html is given).`,
    );
    return 0;
  }
  const input = argv[0] ?? path.join("bench-results", FIGURES_FILE);
  const output = argv[1] ?? path.join(path.dirname(input), REPORT_FILE);
  let figures;
  try {
    figures = JSON.parse(readFileSync(input, "utf8"));
  } catch (error) {
    console.error(`report: cannot read ${input}: ${error.message}`);
    return 1;
  }
  try {
    writeFileSync(output, renderReport(figures));
  } catch (error) {
    console.error(`report: ${error.message}`);
    return 1;
  }
  console.log(`report: ${output}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
