// The web console at GET /: the page the firmware serves, driven in a real headless Chromium
// (playwright-core with the system's chromium, never a downloaded browser). The page has two
// clients side by side (panes #a and #b, each with its endpoint, log and input) and a board panel
// (GET /status: the clients, their counters, the memory figures; the light). The tests: /ws in
// both panes, each gets only its own echo; /broadcast in both, both get every message in the same
// order; the board panel lists the two clients and the memory figures /status gives; a pane
// connects again by itself after the server restarts (on an instance of its own, on a fixed
// port), and one closed by the user does not; /api in two pages sees a light toggled in one arrive
// as an event in the other; the endpoints the server registered are offered (on an instance with
// path=/echo, it connects there); on a board with a token, the page asks for it. Screenshots go
// to test-results/. Skips when no Chromium is installed (CHROMIUM=/path/to/chrome names another).
import { mkdirSync } from "node:fs";
import { expect } from "chai";
import { findChromium } from "../tools/testing/find-chromium.js";
import { chromium } from "playwright-core";
import "./support/hooks.js";
import { httpRequest, plainGet } from "../tools/wire/raw-http.js";
import { freePort } from "../tools/sim/free-port.js";
import { settingsObject, testSettings } from "../tools/testing/test-settings.js";
import { canStartInstance, instanceStartMs, startInstance } from "./support/instance.js";
import { waitForClientCount, waitForStatus } from "./support/status.js";
import { firmwareOnly, skipBecause, target } from "./support/target.js";

const SCREENSHOT = new URL("../test-results/web-console.png", import.meta.url);
const TOKEN_SCREENSHOT = new URL("../test-results/web-console-token.png", import.meta.url);
const RESTART_SCREENSHOT = new URL("../test-results/web-console-restart.png", import.meta.url);

/** What the page may weigh: it lives in the board's flash, and is built in its heap to be sent. */
const MAX_PAGE_BYTES = 14 * 1024;

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
  return response.body;
}

/**
 * A page of the console on `t`, with the page's own errors collected: `scriptErrors` (uncaught
 * exceptions) and `errors` (those and the console's error lines, failed requests included).
 */
async function openConsole(context, t) {
  const page = await context.newPage();
  page.errors = [];
  page.scriptErrors = [];
  page.on("pageerror", (error) => {
    page.errors.push(error.message);
    page.scriptErrors.push(error.message);
  });
  page.on("console", (message) => {
    if (message.type() === "error") page.errors.push(message.text());
  });
  // A board with a token (TOKEN=…): the page finds it where it keeps one it was given.
  if (t.token) await page.addInitScript((token) => sessionStorage.setItem("token", token), t.token);
  const host = t.host.includes(":") ? `[${t.host}]` : t.host;
  await page.goto(`http://${host}:${t.port}/`);
  return page;
}

/** Waits until pane `pane` ("a" or "b") of the page reads `text` as its state (e.g. "open /ws"). */
function stateIs(page, text, pane = "a", timeout = target.replyTimeoutMs) {
  return page.locator(`#${pane} .state`, { hasText: text }).waitFor({ timeout });
}

/** Waits for a log line of `kind` (sent, received, event, info, error) containing `text`. */
function logShows(page, kind, text, pane = "a", timeout = target.replyTimeoutMs) {
  return page.locator(`#${pane} .log li.${kind}`, { hasText: text }).first().waitFor({ timeout });
}

async function sendText(page, text, pane = "a") {
  await page.fill(`#${pane} input`, text);
  await page.click(`#${pane} .send`);
}

/** The messages pane `pane` has received, in order, as its log shows them (without "← "). */
function receivedIn(page, pane) {
  return page.$$eval(`#${pane} .log li.received`, (lines) =>
    lines.map((li) => li.lastChild.textContent.replace(/^← /, "")),
  );
}

/** Waits until pane `pane` has received `count` messages. */
function receivedCount(page, pane, count, timeout = target.replyTimeoutMs) {
  return page
    .locator(`#${pane} .log li.received`)
    .nth(count - 1)
    .waitFor({ timeout });
}

/** Connects pane `pane` to `path` (choosing it, or Connect when it is chosen already). */
async function connectPane(page, pane, path) {
  if ((await page.inputValue(`#${pane} select`)) === path) await page.click(`#${pane} .connect`);
  else await page.selectOption(`#${pane} select`, path);
  await stateIs(page, `open ${path}`, pane);
}

/** Until GET /status shows `count` clients on `path`: the server has registered them. */
function waitForClients(path, count) {
  return waitForStatus((s) => s.clients?.filter((c) => c.path === path).length === count, {
    what: `${count} client(s) on ${path}`,
  });
}

function saveScreenshot(page, url) {
  mkdirSync(new URL(".", url), { recursive: true });
  return page.screenshot({ path: url.pathname, fullPage: true });
}

describe("web console (GET /)", function () {
  this.timeout(Math.max(30_000, target.timeoutMs * 2));

  after(async function () {
    await browser?.close();
    browser = null;
  });

  afterEach(async function () {
    // The next test starts with no client left on the shared target.
    if (this.currentTest?.state === "passed" && target.kind !== "reference")
      await waitForClientCount(0);
  });

  it("[firmware] /ws in both panes: each gets only its own echo; the panes stack on a narrow screen", async function () {
    await openBrowser(this);
    const session = await browser.newContext();
    try {
      const page = await openConsole(session, target);
      await stateIs(page, "open /ws", "a"); // A connects to the first endpoint on load
      expect(await page.textContent("#b .state"), "B waits to be asked").to.equal("closed");
      await connectPane(page, "b", "/ws");
      await waitForClients("/ws", 2);

      await sendText(page, "one from A", "a");
      await sendText(page, "one from B", "b");
      await logShows(page, "received", "← one from B", "b");
      await logShows(page, "received", "← one from A", "a");
      // A second message of A's, echoed after B's was: anything of B's sent to A would be there.
      await sendText(page, "two from A", "a");
      await receivedCount(page, "a", 2);
      expect(await receivedIn(page, "a"), "what A received").to.deep.equal([
        "one from A",
        "two from A",
      ]);
      expect(await receivedIn(page, "b"), "what B received").to.deep.equal(["one from B"]);

      // Side by side on a wide screen, one above the other on a narrow one.
      const boxes = async () => [
        await page.locator("#a").boundingBox(),
        await page.locator("#b").boundingBox(),
      ];
      let [a, b] = await boxes();
      expect(b.x, "B beside A").to.be.above(a.x + a.width - 1);
      expect(b.y, "B beside A").to.equal(a.y);
      await page.setViewportSize({ width: 420, height: 800 });
      [a, b] = await boxes();
      expect(b.y, "B below A on a narrow screen").to.be.at.least(a.y + a.height);
      expect(page.errors, "errors in the page").to.deep.equal([]);
    } finally {
      await session.close();
    }
  });

  it("[firmware] /broadcast in both panes: both get every message, in the same order", async function () {
    await openBrowser(this);
    const session = await browser.newContext();
    try {
      const page = await openConsole(session, target);
      await stateIs(page, "open /ws", "a");
      await connectPane(page, "a", "/broadcast");
      await connectPane(page, "b", "/broadcast");
      await waitForClients("/broadcast", 2);

      // Sent one after the other from both sides, without waiting for anything in between.
      const sent = ["A1", "B1", "A2", "B2", "A3", "B3"];
      for (const text of sent) await sendText(page, text, text[0].toLowerCase());
      await receivedCount(page, "a", sent.length);
      await receivedCount(page, "b", sent.length);
      const inA = await receivedIn(page, "a");
      const inB = await receivedIn(page, "b");
      expect(inA, "A and B saw the same messages in the same order").to.deep.equal(inB);
      expect([...inA].sort(), "every message, once").to.deep.equal([...sent].sort());
      for (const from of ["A", "B"]) {
        const own = inA.filter((text) => text.startsWith(from));
        expect(own, `${from}'s messages in the order ${from} sent them`).to.deep.equal(
          sent.filter((text) => text.startsWith(from)),
        );
      }
      expect(page.errors, "errors in the page").to.deep.equal([]);
    } finally {
      await session.close();
    }
  });

  it("[firmware] the board panel lists the clients with their counters, and the memory figures, from /status", async function () {
    await openBrowser(this);
    const session = await browser.newContext();
    try {
      const page = await openConsole(session, target);
      await stateIs(page, "open /ws", "a");
      await connectPane(page, "b", "/broadcast");
      await sendText(page, "count me", "a");
      await logShows(page, "received", "← count me", "a");
      await sendText(page, "and me too", "b");
      await logShows(page, "received", "← and me too", "b");

      // What /status says once both messages are counted; the panel must come to show the same.
      const status = await waitForStatus(
        (s) => s.clients?.length === 2 && s.clients.every((c) => c.messagesOut === 1),
        { what: "two clients with one message out each" },
      );
      const rows = status.clients
        .map((c) => [c.id, c.path, c.messagesIn, c.messagesOut, c.bytesIn, c.bytesOut, 0])
        .map((row) => row.map(String));
      expect(rows.map((row) => row.slice(1, 6))).to.have.deep.members([
        ["/ws", "1", "1", "8", "8"],
        ["/broadcast", "1", "1", "10", "10"],
      ]);
      // The figures the runtime gives (none in a simulator built without -i), and the buffers.
      const memoryKeys = Object.keys(status.memory).filter((key) => status.memory[key] !== null);
      await page.waitForFunction(
        ({ rows, memoryKeys }) => {
          const shown = [...globalThis.document.querySelectorAll("#clients tr")].map((tr) =>
            [...tr.cells].map((td) => td.textContent),
          );
          const memory = globalThis.document.getElementById("memory").textContent;
          return (
            JSON.stringify(shown.sort()) === JSON.stringify(rows.sort()) &&
            memoryKeys.every((key) => memory.includes(key + " ")) &&
            memory.includes("buffers held")
          );
        },
        { rows, memoryKeys },
        { timeout: 10_000, polling: 200 },
      );
      expect(await page.textContent("#up")).to.include(status.engine);
      await saveScreenshot(page, SCREENSHOT);

      // A client that leaves leaves the list.
      await page.click("#b .disconnect");
      await stateIs(page, "closed (1000)", "b");
      await page.locator("#clients tr").nth(1).waitFor({ state: "detached", timeout: 10_000 });
      expect(await page.textContent("#clients")).to.include("/ws");
      expect(page.errors, "errors in the page").to.deep.equal([]);
    } finally {
      await session.close();
    }
  });

  it("[firmware] a pane connects again by itself after the server restarts; one the user closed does not", async function () {
    await openBrowser(this);
    if (target.kind !== "platform")
      skipBecause(
        this,
        `restarts the firmware on a fixed port: platform layer only (${target.kind})`,
      );
    this.timeout(2 * instanceStartMs() + 60_000);
    const { startFirmware } = await import("../tools/platform/index.js");
    // A port free now, the same across the restart, so that the page's address stays the same.
    const port = await freePort();
    const overrides = Object.entries({ ...settingsObject(testSettings), port }).map(
      ([key, value]) => `${key}=${value}`,
    );
    const start = () =>
      startFirmware({ overrides, engine: target.engine, timeout: instanceStartMs() * 2 });
    let firmware = await start();
    const instance = { ...target, host: "127.0.0.1", port, token: "" };
    const session = await browser.newContext();
    try {
      const page = await openConsole(session, instance);
      await stateIs(page, "open /ws", "a");
      await connectPane(page, "b", "/broadcast");
      await page.click("#b .disconnect"); // the user closes B: it stays closed
      await stateIs(page, "closed (1000)", "b");
      await sendText(page, "before the restart", "a");
      await logShows(page, "received", "← before the restart", "a");

      await firmware.stop();
      firmware = null;
      await logShows(page, "info", "reconnecting to /ws in 1 s", "a", 10_000);
      await page.locator("#up", { hasText: "not answering" }).waitFor({ timeout: 10_000 });
      await stateIs(page, "reconnecting in", "a");
      firmware = await start();

      // The retries back off (1 s, 2 s, 4 s… at most 10 s): the next one finds the server.
      await stateIs(page, "open /ws", "a", 30_000);
      await logShows(page, "info", "reconnected to /ws", "a");
      await sendText(page, "after the restart", "a");
      await logShows(page, "received", "← after the restart", "a");
      await page.locator("#up", { hasText: "up " }).waitFor({ timeout: 10_000 });
      await saveScreenshot(page, RESTART_SCREENSHOT);

      expect(await page.textContent("#b .state"), "B, closed by the user").to.equal(
        "closed (1000)",
      );
      expect(await page.locator("#b .log li", { hasText: "reconnect" }).count()).to.equal(0);
      expect(page.scriptErrors, "script errors in the page").to.deep.equal([]);
      // While the server was down, the browser reported the refused connections; nothing else.
      const others = page.errors.filter(
        (e) => !/ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|WebSocket connection to/.test(e),
      );
      expect(others, "errors in the page").to.deep.equal([]);
    } finally {
      await session.close();
      await firmware?.stop();
    }
  });

  it("[firmware] serves a page that echoes on /ws and shows a light toggled in another page", async function () {
    // One context (a window) per page, so that neither is a background tab: Chromium gives one
    // about one animation frame a second, and Playwright waits for frames before each click.
    await openBrowser(this);
    const sessions = [await browser.newContext(), await browser.newContext()];
    try {
      const html = await checkServed(this, target);
      const bytes = Buffer.byteLength(html);
      expect(bytes, "page size (it lives in the board's flash)").to.be.below(MAX_PAGE_BYTES);
      expect(html, "the page's template in the firmware has no backtick").to.not.include("`");
      expect(html, "nor a substitution left in it").to.not.include("${");
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
        await page.selectOption("#a select", "/api");
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

      // An error reply is shown as one; the connection stays open.
      await sendText(one, '{"id": 9, "cmd": "nonsense"}');
      await logShows(one, "error", '"ok":false');
      await sendText(one, '{"id": 10, "cmd": "help"}');
      await logShows(one, "received", '"commands"');

      // Disconnect shows the close code, and does not reconnect; Connect connects again.
      await one.click("#a .disconnect");
      await stateIs(one, "closed (1000)");
      await logShows(one, "info", "closed 1000");
      expect(await one.locator("#on").isDisabled(), "light buttons need /api").to.equal(true);
      await one.click("#a .connect");
      await stateIs(one, "open /api");
      expect(await one.locator("#a .log li", { hasText: "reconnecting to" }).count()).to.equal(0);

      expect(one.errors, "errors in page one").to.deep.equal([]);
      expect(two.errors, "errors in page two").to.deep.equal([]);
    } finally {
      for (const session of sessions) await session.close();
    }
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
      for (const pane of ["a", "b"]) {
        const paths = await page.locator(`#${pane} select option`).allTextContents();
        expect(paths, "the endpoints offered").to.deep.equal(["/echo", "/broadcast", "/api"]);
      }
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
      await saveScreenshot(page, TOKEN_SCREENSHOT);

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
      // The board panel reads /status with the token: it lists this client.
      await page.locator("#clients td", { hasText: "/ws" }).waitFor({ timeout: 10_000 });

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
