// The web console at GET /: the page the firmware serves, driven in a real headless Chromium
// (playwright-core with the system's chromium, never a downloaded browser). It connects to /ws and
// echoes, opens /api in two pages and sees a light toggled in one arrive as an event in the other,
// offers the endpoints the server registered (on its own instance with path=/echo, it connects
// there), and, on a board with a token, asks for it. A screenshot goes to test-results/web-console.png.
// Skips when no Chromium is installed (CHROMIUM=/path/to/chrome names another one).
import { mkdirSync } from "node:fs";
import { expect } from "chai";
import { findChromium } from "../tools/testing/find-chromium.js";
import { chromium } from "playwright-core";
import "./support/hooks.js";
import { httpRequest, plainGet } from "../tools/wire/raw-http.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { waitForClientCount } from "./support/status.js";
import { firmwareOnly, skipBecause, target } from "./support/target.js";

const SCREENSHOT = new URL("../test-results/web-console.png", import.meta.url);
const TOKEN_SCREENSHOT = new URL("../test-results/web-console-token.png", import.meta.url);

let browser = null;

/** The shared headless browser, launched on first use; skips the test when there is none. */
async function openBrowser(context) {
  firmwareOnly(context, "GET / is this firmware's web console");
  const executablePath = findChromium();
  if (!executablePath)
    skipBecause(context, "no Chromium found: apt-get install chromium, or set CHROMIUM=<path>");
  browser ??= await chromium.launch({ executablePath, headless: true });
  return browser;
}

/** GET / on `t`: the console must be there (on an older firmware the test skips). */
async function checkServed(context, t) {
  const response = await httpRequest(t, plainGet(t, "/", { Connection: "close" }), {
    timeoutMs: t.replyTimeoutMs,
    closeWaitMs: 0,
  });
  if (response.status === 404 && t.kind !== "platform")
    skipBecause(
      context,
      "the target does not serve the console at GET / (firmware built before it)",
    );
  expect(response.status, response.statusLine).to.equal(200);
  expect(response.headers["content-type"]).to.equal("text/html; charset=utf-8");
  return response.body.length;
}

/** A page of the console on `t`, with the page's own errors collected in `errors`. */
async function openConsole(context, t) {
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") page.errors.push(message.text());
  });
  // A board with a token (TOKEN=…): the page finds it where it keeps one it was given.
  if (t.token) await page.addInitScript((token) => sessionStorage.setItem("token", token), t.token);
  const host = t.host.includes(":") ? `[${t.host}]` : t.host;
  await page.goto(`http://${host}:${t.port}/`);
  return page;
}

/** Waits until the page's connection state reads `text` (e.g. "open /ws"). */
function stateIs(page, text) {
  return page.locator("#state", { hasText: text }).waitFor({ timeout: target.replyTimeoutMs });
}

/** Waits for a log line of `kind` (sent, received, event, info, error) containing `text`. */
function logShows(page, kind, text) {
  return page
    .locator(`#log li.${kind}`, { hasText: text })
    .first()
    .waitFor({ timeout: target.replyTimeoutMs });
}

async function sendText(page, text) {
  await page.fill("#text", text);
  await page.click("#go");
}

describe("web console (GET /)", function () {
  this.timeout(Math.max(30_000, target.timeoutMs * 2));

  after(async function () {
    await browser?.close();
    browser = null;
  });

  it("[firmware] serves a page that echoes on /ws and shows a light toggled in another page", async function () {
    // One context (a window) per page, so that neither is a background tab: Chromium gives one
    // about one animation frame a second, and Playwright waits for frames before each click.
    await openBrowser(this);
    const sessions = [await browser.newContext(), await browser.newContext()];
    try {
      const bytes = await checkServed(this, target);
      expect(bytes, "page size (it lives in the board's flash)").to.be.below(8192);
      const one = await openConsole(sessions[0], target);
      const two = await openConsole(sessions[1], target);

      // Page one connects to /ws by itself, and echoes.
      await stateIs(one, "open /ws");
      await sendText(one, "hello from the console");
      await logShows(one, "sent", "→ hello from the console");
      await logShows(one, "received", "← hello from the console");
      expect(await one.locator("#on").isDisabled(), "light buttons need /api").to.equal(true);

      // Both on /api; page one switches the light, page two sees the event.
      for (const page of [one, two]) {
        await page.selectOption("#path", "/api");
        await stateIs(page, "open /api");
      }
      await logShows(one, "info", "closed /ws (reconnecting)");
      await one.click("#off");
      await logShows(one, "received", '"light":{"on":false}');
      await one.click("#on");
      await logShows(one, "received", '"ok":true,"light":{"on":true}');
      await logShows(two, "event", '"event":"light","on":true');
      await two.locator("#light", { hasText: /^on$/ }).waitFor({ timeout: target.replyTimeoutMs });
      await two.click("#off");
      await logShows(one, "event", '"event":"light","on":false');
      await one.locator("#light", { hasText: /^off$/ }).waitFor({ timeout: target.replyTimeoutMs });

      mkdirSync(new URL(".", SCREENSHOT), { recursive: true });
      await one.screenshot({ path: SCREENSHOT.pathname, fullPage: true });

      // An error reply is shown as one; the connection stays open.
      await sendText(one, '{"id": 9, "cmd": "nonsense"}');
      await logShows(one, "error", '"ok":false');
      await sendText(one, '{"id": 10, "cmd": "help"}');
      await logShows(one, "received", '"commands"');

      // Disconnect shows the close code; Reconnect connects again.
      await one.click("#disconnect");
      await stateIs(one, "closed (1000)");
      await logShows(one, "info", "closed 1000");
      await one.click("#connect");
      await stateIs(one, "open /api");

      expect(one.errors, "errors in page one").to.deep.equal([]);
      expect(two.errors, "errors in page two").to.deep.equal([]);
    } finally {
      for (const session of sessions) await session.close();
    }
    if (target.kind !== "reference") await waitForClientCount(0);
  });

  it("[firmware] lists the endpoints the server has registered, and connects to the first (path=/echo)", async function () {
    await openBrowser(this);
    if (!canStartInstance({ simulator: true }))
      skipBecause(this, `needs a firmware instance with path=/echo (target ${target.kind})`);
    this.timeout(instanceStartMs() + 30_000);
    const instance = await startInstance({ path: "/echo" });
    const session = await browser.newContext();
    try {
      const page = await openConsole(session, instance);
      await stateIs(page, "open /echo");
      const paths = await page.locator("#path option").allTextContents();
      expect(paths, "the endpoints offered").to.deep.equal(["/echo", "/broadcast", "/api"]);
      await sendText(page, "echoed on /echo");
      await logShows(page, "received", "← echoed on /echo");
      expect(page.errors, "errors in the page").to.deep.equal([]);
    } finally {
      await session.close();
      await instance.stop();
    }
  });

  it("[firmware] asks for the token when the board has one, and connects with it", async function () {
    await openBrowser(this);
    if (!canStartInstance({ simulator: true }))
      skipBecause(this, `needs a firmware instance with token set (target ${target.kind})`);
    this.timeout(instanceStartMs() + 30_000);
    const token = "s3cr+t/&=x"; // characters that must be percent-encoded in ?token=
    const instance = await startInstance({ token });
    const session = await browser.newContext();
    try {
      const status = await httpRequest(instance, plainGet(instance, "/status"), { closeWaitMs: 0 });
      expect(status.status, "GET /status without the token").to.equal(401);
      await checkServed(this, instance);
      const page = await openConsole(session, instance);
      await stateIs(page, "token needed");
      await logShows(page, "error", "this board needs a token");
      mkdirSync(new URL(".", SCREENSHOT), { recursive: true });
      await page.screenshot({ path: TOKEN_SCREENSHOT.pathname });

      await page.fill("#token", "wrong");
      await page.click("#auth button");
      await logShows(page, "error", "the board refused this token");
      expect(await page.isVisible("#auth")).to.equal(true);

      await page.fill("#token", token);
      await page.click("#auth button");
      await stateIs(page, "open /ws");
      expect(await page.isVisible("#auth"), "token field hidden once accepted").to.equal(false);
      await sendText(page, "with a token");
      await logShows(page, "received", "← with a token");

      // The token is kept for the tab's session: a reload connects without asking.
      await page.reload();
      await stateIs(page, "open /ws");
      expect(await page.isVisible("#auth")).to.equal(false);
      expect(
        page.errors.filter((e) => !e.includes("401")),
        "errors in the page",
      ).to.deep.equal([]);
    } finally {
      await session.close();
      await instance.stop();
    }
  });
});
