// `npm run bench -- --out <dir>` for real (a small run: the bench starts the firmware on the Node
// platform layer and the ws server itself; needs `npm run build`), then its report opened in a
// headless Chromium (playwright-core with the system's chromium, never a downloaded one, driven
// from bench-report-page.js in its own process): the charts are drawn, the page logs no error and
// fetches nothing. The screenshot goes to test-results/bench-report.png. Without Chromium the
// browser test skips, saying so.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { findChromium } from "../testing/find-chromium.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BENCH = fileURLToPath(new URL("../bench/bench.js", import.meta.url));
const REPORT = fileURLToPath(new URL("../bench/report.js", import.meta.url));
const PAGE = fileURLToPath(new URL("./bench-report-page.js", import.meta.url));
const SCREENSHOT = fileURLToPath(new URL("../../test-results/bench-report.png", import.meta.url));

function runNode(args) {
  const child = spawn(process.execPath, args, { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text) => (stderr += text));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

describe("bench --out: the report of a real run, in headless Chromium", function () {
  this.timeout(60_000);
  let dir;
  let bench;

  before(async function () {
    this.timeout(90_000);
    dir = mkdtempSync(join(tmpdir(), "bench-out-"));
    bench = await runNode([
      BENCH,
      "--clients",
      "1,2",
      "--messages",
      "50",
      "--rounds",
      "1",
      "--out",
      dir,
    ]);
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("saves bench.json and bench-report.html and prints the report's path", function () {
    expect(bench.code, `${bench.stdout}\n${bench.stderr}`).to.equal(0);
    const html = join(dir, "bench-report.html");
    expect(bench.stdout).to.include(`report: ${html}`);
    expect(bench.stdout).to.include(`figures: ${join(dir, "bench.json")}`);
    const figures = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8"));
    expect(figures.parameters).to.include({ messages: 50, rounds: 1, size: 125 });
    expect(figures.parameters.clients).to.deep.equal([1, 2]);
    expect(figures.results.map((r) => `${r.server} ${r.clients}`)).to.deep.equal([
      "firmware 1",
      "ws 1",
      "firmware 2",
      "ws 2",
    ]);
    for (const r of figures.results) {
      expect(r.errors, `${r.server} ${r.clients}`).to.equal(0);
      // Every round trip is in the histogram.
      expect(r.histogram.total).to.equal(50 * r.clients);
      expect(r.histogram.counts.reduce((a, b) => a + b)).to.equal(50 * r.clients);
    }
    expect(figures.machine.cpus).to.be.above(0);
    expect(existsSync(html)).to.equal(true);
  });

  it("draws the same report again from bench.json (node tools/bench/report.js)", async function () {
    if (bench.code !== 0) this.skip();
    const again = join(dir, "again.html");
    const run = await runNode([REPORT, join(dir, "bench.json"), again]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal(`report: ${again}\n`);
    expect(readFileSync(again, "utf8")).to.equal(
      readFileSync(join(dir, "bench-report.html"), "utf8"),
    );
  });

  it("renders: bars, histograms, legends and tables drawn, no console error, nothing fetched", async function () {
    if (bench.code !== 0) this.skip();
    const executablePath = findChromium();
    if (!executablePath) {
      this.test.title +=
        " (skipped: no Chromium found: apt-get install chromium, or set CHROMIUM=<path>)";
      this.skip();
    }
    const run = await runNode([PAGE, join(dir, "bench-report.html"), SCREENSHOT, executablePath]);
    expect(run.code, run.stderr).to.equal(0);
    const page = JSON.parse(run.stdout);

    expect(page.title).to.equal("Bench: firmware vs ws, 1/2 clients");
    expect(page.bars, "msgs/s bars").to.equal(4);
    expect(page.panels, "histogram panels").to.equal(2);
    expect(page.series, "histogram outlines").to.equal(4);
    expect(page.markers, "p50 and p99 lines").to.equal(8);
    expect(page.figureRows).to.equal(4);
    expect(Object.keys(page.boxes)).to.deep.equal(["throughput", "latency-1", "latency-2"]);
    for (const [id, box] of Object.entries(page.boxes)) {
      expect(box?.width, `${id} width`).to.be.above(800);
      expect(box?.height, `${id} height`).to.be.above(200);
    }
    // Every bar has a height, every histogram outline an area; no label leaves its chart.
    for (const height of page.shapes.bars) expect(height).to.be.above(0);
    for (const area of page.shapes.series) expect(area).to.be.above(0);
    expect(page.shapes.outside, "text outside its chart").to.deep.equal([]);
    for (const items of page.shapes.legends)
      for (let i = 1; i < items.length; i++)
        expect(items[i].left, "legend entries overlap").to.be.above(items[i - 1].right);
    expect(page.errors, "errors in the page").to.deep.equal([]);
    expect(page.requests, "what the page loaded").to.deep.equal([page.url]);
    expect(existsSync(SCREENSHOT), SCREENSHOT).to.equal(true);
  });
});
