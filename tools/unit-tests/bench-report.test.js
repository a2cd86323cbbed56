// The bench report from figures: tools/bench/histogram.js (log bins), charts.js (SVG) and
// report.js (the HTML page). Pure functions: figures in, text out; no bench run, no browser.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { linearTicks, logTicks } from "../bench/charts.js";
import { binOf, binsOf, binStart, histogramOf } from "../bench/histogram.js";
import { FIGURES_VERSION, renderReport, writeReport } from "../bench/report.js";

/** Figures as bench.js saves them, for two client counts and two servers. */
function sampleFigures() {
  const result = (server, clients, perSecond, samples) => ({
    server,
    clients,
    connected: clients,
    messages: samples.length,
    seconds: samples.length / perSecond,
    perSecond,
    p50: samples[Math.floor(samples.length / 2)],
    p95: samples[Math.floor(samples.length * 0.95)],
    p99: samples[Math.floor(samples.length * 0.99)],
    errors: server === "firmware" && clients === 10 ? 1 : 0,
    rounds: [perSecond * 0.95, perSecond, perSecond * 1.04],
    histogram: histogramOf(samples),
  });
  const spread = (n, from, to) =>
    Array.from({ length: n }, (_, i) => from * (to / from) ** (i / (n - 1)));
  return {
    version: FIGURES_VERSION,
    generated: "2026-01-02T03:04:05.000Z",
    parameters: {
      clients: [1, 10],
      messages: 100,
      size: 125,
      rounds: 3,
      warmup: { clients: 10, messages: 200 },
      url: null,
      command: "node tools/bench/bench.js --clients 1,10 --messages 100",
    },
    servers: [
      { name: "firmware", label: "the firmware on the Node platform layer" },
      { name: "ws", label: "a plain `ws` echo server" },
    ],
    machine: {
      cpus: 2,
      cpuModel: "Test <CPU> & co",
      memoryBytes: 8 * 2 ** 30,
      platform: "linux",
      release: "6.1",
      arch: "x64",
      node: "v20.19.0",
    },
    results: [
      result("firmware", 1, 31789, spread(100, 0.02, 0.08)),
      result("ws", 1, 38214, spread(100, 0.015, 0.05)),
      result("firmware", 10, 87724, spread(1000, 0.05, 0.45)),
      result("ws", 10, 100341, spread(1000, 0.04, 0.34)),
    ],
    errors: ["firmware, 10 clients: no echo within 10000 ms (after 99 echoes)"],
  };
}

describe("bench report: histogram (tools/bench/histogram.js)", function () {
  it("bins round trips on a log scale, 20 bins per decade from 1 µs, exact edges in their bin", function () {
    expect(binOf(0.001)).to.equal(0);
    expect(binOf(0)).to.equal(0);
    expect(binOf(0.01)).to.equal(20);
    expect(binOf(0.1)).to.equal(40);
    expect(binOf(1)).to.equal(60);
    expect(binOf(0.0999)).to.equal(39);
    expect(binStart(60)).to.be.closeTo(1, 1e-12);
    expect(binStart(61) / binStart(60)).to.be.closeTo(10 ** (1 / 20), 1e-12);
  });

  it("keeps counts from the first to the last non-empty bin, and what they add up to", function () {
    const h = histogramOf([0.1, 0.1, 0.115, 1, NaN]);
    expect(h).to.include({ first: 40, total: 4, min: 0.1, max: 1, binsPerDecade: 20 });
    expect(h.counts).to.have.length(21);
    expect(h.counts[0]).to.equal(2);
    expect(h.counts[1]).to.equal(1);
    expect(h.counts[20]).to.equal(1);
    expect(h.counts.reduce((a, b) => a + b)).to.equal(4);
    const bins = binsOf(h);
    expect(bins[0].from).to.be.closeTo(0.1, 1e-12);
    expect(bins[0].share).to.equal(0.5);
    expect(histogramOf([])).to.include({ total: 0, min: null }).and.have.property("counts").that.is
      .empty;
  });
});

describe("bench report: chart scales (tools/bench/charts.js)", function () {
  it("picks linear ticks of 1, 2 or 5 × 10^k that cover the maximum", function () {
    expect(linearTicks(95000)).to.deep.equal([0, 20000, 40000, 60000, 80000, 100000]);
    expect(linearTicks(52, 4)).to.deep.equal([0, 20, 40, 60]);
    expect(linearTicks(0)).to.deep.equal([0, 1]);
  });

  it("picks 1-2-5 ticks on a log axis", function () {
    expect(logTicks(0.01, 1)).to.deep.equal([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(logTicks(0.001, 1000)).to.deep.equal([0.001, 0.01, 0.1, 1, 10, 100, 1000]);
  });
});

describe("bench report: the page (tools/bench/report.js)", function () {
  const figures = sampleFigures();
  const html = renderReport(figures);
  const count = (re) => (html.match(re) ?? []).length;

  it("is one self-contained HTML file: no script, no link, nothing fetched", function () {
    expect(html).to.match(/^<!doctype html>\n<html lang="en">/);
    expect(html).not.to.match(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html, "no http:// or https:// at all").not.to.match(/https?:/);
    expect(html).to.include("<title>Bench: firmware vs ws, 1/10 clients</title>");
  });

  it("draws msgs/s per client count as bars, firmware and ws, with labels, ratio and whiskers", function () {
    expect(html).to.include('<svg id="throughput" class="chart bar-chart"');
    expect(count(/<rect class="bar" data-series="firmware"/g)).to.equal(2);
    expect(count(/<rect class="bar" data-series="ws"/g)).to.equal(2);
    expect(html).to.include('data-series="firmware" data-category="10 clients"');
    expect(html).to.include("Echoes per second, all clients together (higher is better)");
    expect(html).to.include(">msgs/s</text>");
    expect(html).to.include(">87,724</text>");
    expect(html).to.include(">100,341</text>");
    expect(html).to.include(">firmware/ws 0.83×</text>");
    expect(html).to.include(">firmware/ws 0.87×</text>");
    expect(count(/<g class="whisker">/g), "one per bar: 3 rounds each").to.equal(4);
    expect(html).to.include('<tspan font-weight="600">firmware</tspan>');
  });

  it("draws a round-trip histogram per client count, both servers, p50/p99 marked", function () {
    expect(count(/<div class="card hist-panel" data-clients="/g)).to.equal(2);
    expect(html).to.include('<svg id="latency-1" class="chart histogram"');
    expect(html).to.include('<svg id="latency-10" class="chart histogram"');
    expect(count(/<path class="series" data-series="firmware" d="M/g)).to.equal(2);
    expect(count(/<path class="series" data-series="ws" d="M/g)).to.equal(2);
    expect(count(/<g class="marker" data-series=/g)).to.equal(8);
    expect(html).to.include("1 client: round trips (100 per server, median run)");
    expect(html).to.include("10 clients: round trips (1,000 per server, median run)");
    expect(html).to.include("round trip, send to echo (ms, log scale)");
    expect(html).to.include("share of round trips");
    // One x axis for all panels, from 0.01 to 1 ms (the last bin ends at 0.501), in 1-2-5 steps.
    for (const tick of ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"])
      expect(
        count(new RegExp(`text-anchor="middle">${tick.replace(".", "\\.")}</text>`, "g")),
        tick,
      ).to.equal(2);
    expect(html).not.to.include('text-anchor="middle">2</text>');
  });

  it("lists the figures, the run's parameters and machine, escaped, and the errors", function () {
    expect(html).to.include("<td>87,724</td><td>0.15</td><td>0.40</td><td>0.44</td><td>1,000</td>");
    expect(html).to.include("<td>0.83×</td>");
    expect(html).to.include('<td class="bad">1</td>');
    expect(html).to.include("2 × Test &lt;CPU&gt; &amp; co, 8,192 MiB");
    expect(html).to.include("linux 6.1 (x64), Node v20.19.0");
    expect(html).to.include("a plain <code>ws</code> echo server");
    expect(html).to.include("node tools/bench/bench.js --clients 1,10 --messages 100");
    expect(html).to.include("2026-01-02T03:04:05.000Z");
    expect(html).to.include("<h2>Errors (1)</h2>");
    expect(html).to.include(
      "<li>firmware, 10 clients: no echo within 10000 ms (after 99 echoes)</li>",
    );
  });

  it("refuses figures of another version, saying so", function () {
    expect(() => renderReport({ ...figures, version: 99 })).to.throw("version 99, expected 1");
    expect(() => renderReport({ ...figures, results: undefined })).to.throw('no "results"');
  });

  it("saves bench.json and the report; report.js draws the same page again from the JSON", function () {
    const dir = mkdtempSync(join(tmpdir(), "bench-report-"));
    try {
      const { json, html: file } = writeReport(join(dir, "out"), figures);
      expect(file).to.equal(join(dir, "out", "bench-report.html"));
      const saved = JSON.parse(readFileSync(json, "utf8"));
      expect(saved).to.deep.equal(figures);
      expect(renderReport(saved)).to.equal(readFileSync(file, "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
