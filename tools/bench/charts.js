// Inline SVG charts for the bench report (report.js): grouped bars and log-scale histograms.
// Pure functions from numbers to SVG text; no DOM, no external assets. Every chart has a title,
// axis labels and a legend, and each mark a <title> that a browser shows on hover.

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(value) {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** The opening of a chart's SVG: the element, its title (tooltip, accessible name) and heading. */
function chartHeader({ id, kind, title, width, height, left }) {
  return [
    `<svg id="${esc(id)}" class="chart ${kind}" viewBox="0 0 ${width} ${height}" ` +
      `width="${width}" height="${height}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    `<text class="chart-title" x="${left}" y="22">${esc(title)}</text>`,
  ];
}

/** Horizontal grid lines at `ticks`, each labelled with `format(tick)` left of the plot. */
function yGrid({ ticks, y, left, right, format }) {
  return ticks.flatMap((t) => {
    const ty = round(y(t));
    return [
      `<line class="grid" x1="${left}" x2="${right}" y1="${ty}" y2="${ty}"/>`,
      `<text class="tick" x="${left - 8}" y="${ty + 4}" text-anchor="end">${esc(format(t))}</text>`,
    ];
  });
}

/** 34978 -> "34,978". */
export function formatCount(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-";
}

/** Milliseconds with the decimals that matter: 0.0213, 0.213, 2.13, 21.3. */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 0.1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  return ms.toFixed(1);
}

const round = (x) => Math.round(x * 10) / 10;

/** Ticks 0, step, 2·step, … up to at least `max`, with step 1, 2 or 5 × 10^k. */
export function linearTicks(max, target = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = 0; v < max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

/** Ticks for a log axis from `lo` to `hi`: 1, 2, 5 × 10^k (only 1 × 10^k over many decades). */
export function logTicks(lo, hi) {
  const decades = Math.log10(hi / lo);
  const multiples = decades > 5 ? [1] : [1, 2, 5];
  const ticks = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of multiples) {
      const v = Number((m * 10 ** k).toPrecision(6));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

function tickLabel(v) {
  return v >= 1 ? String(v) : String(Number(v.toPrecision(3)));
}

function legend(items, x, y) {
  let offset = 0;
  const parts = items.map(({ label, color, detail }) => {
    const text = detail ? `${label}  ${detail}` : label;
    const part =
      `<g class="legend-item" transform="translate(${round(x + offset)},${y})">` +
      `<rect x="0" y="-10" width="12" height="12" rx="2" fill="${color}"/>` +
      `<text x="18" y="0" class="legend"><tspan font-weight="600">${esc(label)}</tspan>` +
      `${detail ? `<tspan dx="8">${esc(detail)}</tspan>` : ""}</text></g>`;
    offset += 34 + text.length * 6.6;
    return part;
  });
  return `<g class="legend">${parts.join("")}</g>`;
}

/**
 * Grouped bars: one group per category, one bar per series.
 * `series`: [{ name, color, values: [..], ranges?: [[min, max], ..] }] (a range draws a whisker:
 * the spread of the rounds). `notes`: a line under each category (e.g. the ratio).
 */
export function barChart({
  id,
  title,
  categories,
  series,
  notes = [],
  yLabel,
  formatValue = formatCount,
  width = 920,
  height = 360,
}) {
  const margin = { left: 78, right: 16, top: 58, bottom: notes.length ? 66 : 46 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const highest = Math.max(
    ...series.flatMap((s) => [...s.values, ...(s.ranges ?? []).map((r) => r?.[1] ?? 0)]),
  );
  const ticks = linearTicks(highest * 1.08);
  const yMax = ticks[ticks.length - 1];
  const y = (v) => margin.top + plotH - (v / yMax) * plotH;
  const groupW = plotW / categories.length;
  const barW = Math.min(72, (groupW * 0.72) / series.length);
  const out = chartHeader({ id, kind: "bar-chart", title, width, height, left: margin.left });
  out.push(
    legend(
      series.map((s) => ({ label: s.name, color: s.color })),
      margin.left,
      44,
    ),
  );
  out.push(
    ...yGrid({ ticks, y, left: margin.left, right: width - margin.right, format: formatValue }),
  );
  const midY = margin.top + plotH / 2;
  out.push(
    `<text class="axis-label" transform="translate(16,${round(midY)}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  categories.forEach((category, c) => {
    const center = margin.left + groupW * (c + 0.5);
    const left = center - (barW * series.length) / 2;
    series.forEach((s, k) => {
      const v = s.values[c];
      if (!Number.isFinite(v)) return;
      const x = round(left + k * barW + 2);
      const w = round(barW - 4);
      const top = round(y(v));
      out.push(
        `<rect class="bar" data-series="${esc(s.name)}" data-category="${esc(category)}" ` +
          `x="${x}" y="${top}" width="${w}" height="${round(margin.top + plotH - top)}" ` +
          `fill="${s.color}"><title>${esc(`${s.name}, ${category}: ${formatValue(v)}`)}</title></rect>`,
      );
      const range = s.ranges?.[c];
      let labelY = top - 6;
      if (range && range[1] > range[0]) {
        const cx = round(x + w / 2);
        const [y0, y1] = [round(y(range[0])), round(y(range[1]))];
        out.push(
          `<g class="whisker"><line x1="${cx}" x2="${cx}" y1="${y0}" y2="${y1}"/>` +
            `<line x1="${cx - 5}" x2="${cx + 5}" y1="${y0}" y2="${y0}"/>` +
            `<line x1="${cx - 5}" x2="${cx + 5}" y1="${y1}" y2="${y1}"/></g>`,
        );
        labelY = Math.min(labelY, y1 - 6);
      }
      out.push(
        `<text class="value" x="${round(x + w / 2)}" y="${round(labelY)}" text-anchor="middle">${esc(formatValue(v))}</text>`,
      );
    });
    const base = margin.top + plotH;
    out.push(
      `<text class="category" x="${round(center)}" y="${base + 20}" text-anchor="middle">${esc(category)}</text>`,
    );
    if (notes[c])
      out.push(
        `<text class="note" x="${round(center)}" y="${base + 40}" text-anchor="middle">${esc(notes[c])}</text>`,
      );
  });
  out.push(
    `<line class="axis" x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotH}" y2="${margin.top + plotH}"/>`,
  );
  out.push("</svg>");
  return out.join("\n");
}

/**
 * A histogram on a log x axis. `series`: [{ name, color, bins: [{ from, to, share }], markers:
 * [{ label, at }] }] with `from`/`to` in the axis unit and `share` 0–1; `xRange`: [lo, hi], the
 * same for every panel of a report so that panels compare.
 */
export function histogramChart({
  id,
  title,
  series,
  xRange,
  xLabel,
  yLabel,
  width = 920,
  height = 280,
}) {
  const margin = { left: 62, right: 16, top: 58, bottom: 46 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const [lo, hi] = xRange;
  const x = (v) =>
    margin.left + (Math.log10(Math.min(hi, Math.max(lo, v)) / lo) / Math.log10(hi / lo)) * plotW;
  const highest = Math.max(0.01, ...series.flatMap((s) => s.bins.map((b) => b.share * 100)));
  const ticks = linearTicks(highest * 1.05, 4);
  const yMax = ticks[ticks.length - 1];
  const base = margin.top + plotH;
  const y = (pct) => base - (pct / yMax) * plotH;
  const out = chartHeader({ id, kind: "histogram", title, width, height, left: margin.left });
  out.push(
    legend(
      series.map((s) => ({
        label: s.name,
        color: s.color,
        detail: s.markers.map((m) => `${m.label} ${formatMs(m.at)}`).join(" · ") + " ms",
      })),
      margin.left,
      44,
    ),
  );
  out.push(
    ...yGrid({ ticks, y, left: margin.left, right: width - margin.right, format: (t) => `${t} %` }),
  );
  for (const t of logTicks(lo, hi)) {
    const tx = round(x(t));
    out.push(
      `<line class="grid-v" x1="${tx}" x2="${tx}" y1="${margin.top}" y2="${base}"/>`,
      `<line class="axis" x1="${tx}" x2="${tx}" y1="${base}" y2="${base + 5}"/>`,
      `<text class="tick" x="${tx}" y="${base + 18}" text-anchor="middle">${esc(tickLabel(t))}</text>`,
    );
  }
  out.push(
    `<text class="axis-label" x="${round(margin.left + plotW / 2)}" y="${height - 6}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text class="axis-label" transform="translate(14,${round(margin.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  series.forEach((s) => {
    if (!s.bins.length) return;
    // A step outline: up at each bin's start, across at its height, down at the last bin's end.
    let d = `M${round(x(s.bins[0].from))},${base}`;
    let previousEnd = null;
    for (const bin of s.bins) {
      const x0 = round(x(bin.from));
      if (previousEnd !== null && Math.abs(previousEnd - x0) > 0.05)
        d += ` L${previousEnd},${base} L${x0},${base}`;
      const top = round(y(bin.share * 100));
      d += ` L${x0},${top} L${round(x(bin.to))},${top}`;
      previousEnd = round(x(bin.to));
    }
    d += ` L${previousEnd},${base} Z`;
    out.push(
      `<path class="series" data-series="${esc(s.name)}" d="${d}" fill="${s.color}" ` +
        `fill-opacity="0.28" stroke="${s.color}" stroke-width="1.6" stroke-linejoin="round">` +
        `<title>${esc(`${s.name}: ${s.bins.length} bins`)}</title></path>`,
    );
  });
  // Percentile markers, one row of labels per series so that close ones stay readable.
  series.forEach((s, k) => {
    for (const m of s.markers) {
      if (!Number.isFinite(m.at)) continue;
      const mx = round(x(m.at));
      // Near the right edge the label goes to the left of its line.
      const flip = mx + 30 > width - margin.right;
      const labelX = flip ? mx - 3 : mx + 3;
      out.push(
        `<g class="marker" data-series="${esc(s.name)}"><line x1="${mx}" x2="${mx}" y1="${margin.top + 4 + k * 13}" y2="${base}" ` +
          `stroke="${s.color}" stroke-width="1.2" stroke-dasharray="4 3"/>` +
          `<text class="marker-label" x="${labelX}" y="${margin.top + 12 + k * 13}"${flip ? ' text-anchor="end"' : ""} style="fill:${s.color}">${esc(m.label)}</text>` +
          `<title>${esc(`${s.name} ${m.label}: ${formatMs(m.at)} ms`)}</title></g>`,
      );
    }
  });
  out.push(
    `<line class="axis" x1="${margin.left}" x2="${width - margin.right}" y1="${base}" y2="${base}"/>`,
  );
  out.push("</svg>");
  return out.join("\n");
}
