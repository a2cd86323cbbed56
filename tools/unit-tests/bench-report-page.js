// For tools/unit-tests/bench-report-browser.test.js: opens a bench report in headless Chromium, saves a
// screenshot and prints what the page shows as JSON on stdout.
//   node tools/unit-tests/bench-report-page.js <report.html> <screenshot.png> <chromium>
// Its own process, because the unit tests load firmware modules, whose preloading freezes the
// JavaScript built-ins as XS does, and playwright-core cannot load in a process where they are.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

/* global document -- in the function that page.evaluate() runs in the page */

const [report, screenshot, executablePath] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = [];
  const requests = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
  });
  page.on("request", (request) => requests.push(request.url()));
  const url = pathToFileURL(report).href;
  await page.goto(url);

  const count = (selector) => page.locator(selector).count();
  const boxes = {};
  for (const id of await page.$$eval("svg.chart", (svgs) => svgs.map((svg) => svg.id)))
    boxes[id] = await page.locator(`svg#${id}`).boundingBox();
  const shapes = await page.evaluate(() => ({
    bars: [...document.querySelectorAll("rect.bar")].map((r) => r.getBBox().height),
    series: [...document.querySelectorAll("path.series")].map((p) => {
      const b = p.getBBox();
      return b.width * b.height;
    }),
    // Each chart's legend entries, left to right, in the chart's coordinates.
    legends: [...document.querySelectorAll("svg.chart")].map((svg) =>
      [...svg.querySelectorAll("g.legend-item")].map((g) => {
        const b = g.getBBox();
        const offset = g.transform.baseVal.consolidate()?.matrix.e ?? 0;
        return { left: b.x + offset, right: b.x + b.width + offset };
      }),
    ),
    // Text that runs out of its chart.
    outside: [...document.querySelectorAll("svg.chart text")]
      .filter((t) => {
        const b = t.getBoundingClientRect();
        const svg = t.ownerSVGElement.getBoundingClientRect();
        return (
          b.left < svg.left - 1 ||
          b.top < svg.top - 1 ||
          b.right > svg.right + 1 ||
          b.bottom > svg.bottom + 1
        );
      })
      .map((t) => t.textContent),
  }));
  const figures = {
    title: await page.title(),
    url,
    bars: await count("svg#throughput rect.bar"),
    panels: await count(".hist-panel"),
    series: await count("svg.histogram path.series"),
    markers: await count("svg.histogram g.marker"),
    figureRows: await count("table.figures tbody tr"),
    boxes,
    shapes,
  };
  mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  process.stdout.write(`${JSON.stringify({ ...figures, errors, requests })}\n`);
} finally {
  await browser.close();
}
