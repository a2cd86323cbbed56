// `npm run dev` (tools/dev.js) on a copy of the project in a temporary folder (--project): a save
// of main.ts rebuilds the firmware and restarts it on the same port (port=0: the one its first
// start picked), where the change answers; code that does not compile prints the compiler's errors
// (main.ts:LINE:COL: error TS…) while the last good firmware keeps answering; a fix restarts it;
// SIGTERM ends dev and its firmware and frees the port. The machine may be loaded: every step gets
// STEP_MS, and no timing is asserted (the save-to-change times are printed).
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { findXsWorker } from "../platform/adapters/xs/worker-binary.js";
import { alive, descendants, within } from "./process-support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEV = join(ROOT, "tools", "dev.js");
/** How long each step may take: a build and a start on a busy machine. */
const STEP_MS = 60_000;
const ENGINE = "missing" in findXsWorker() ? "node" : "xs";
const PROJECT_FILES = [
  "main.ts",
  "modules",
  "manifest.json",
  "tsconfig.json",
  "tsconfig.firmware.json",
  "sdkconfig",
];

/** GET http://127.0.0.1:<port><path> on a connection of its own: { status, body }, or null. */
function get(port, path) {
  return new Promise((resolve) => {
    const request = http.get(
      { host: "127.0.0.1", port, path, agent: false, timeout: 5000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode, body }));
        res.on("error", () => resolve(null));
      },
    );
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(null));
  });
}

/** The body of GET /dev-check as JSON when it answers 200, else null. */
async function devCheck(port) {
  const answer = await get(port, "/dev-check");
  if (answer?.status !== 200) return null;
  try {
    return JSON.parse(answer.body);
  } catch {
    return null;
  }
}

/** A text message echoed on ws://127.0.0.1:<port>/ws. */
function echo(port, text) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const timer = setTimeout(() => (ws.terminate(), reject(new Error("no echo"))), 10_000);
    ws.on("open", () => ws.send(text));
    ws.on("message", (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(String(data));
    });
    ws.on("error", (error) => (clearTimeout(timer), reject(error)));
  });
}

/** Whether something may listen on 127.0.0.1:<port> now. */
const portFree = (port) =>
  new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });

const portOf = (url) => Number(new URL(url).port);
const wsPorts = (text) => [...text.matchAll(/ws:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));

describe(`npm run dev (tools/dev.js, on ${ENGINE})`, function () {
  this.timeout(STEP_MS + 10_000);

  it("explains itself with --help and refuses --manifest (it runs the project's)", () => {
    const help = spawnSync(process.execPath, [DEV, "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/^Usage: npm run dev -- /);
    expect(help.stdout).to.include("--project");
    expect(help.stdout).to.include("--engine");
    expect(help.stdout).to.include("rebuilt and restarted in");
    const refused = spawnSync(process.execPath, [DEV, "--manifest", "x.json"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.include("--project");
  });

  describe("on a copy of the project, with port=0", function () {
    let project;
    let dev;
    let exited;
    let output = "";
    let port;
    let base;
    const samples = [];

    /** main.ts with a /dev-check route answering { ok: n } (and `extra` lines after it). */
    const mainWith = (n, extra = "") =>
      `${base}\nimport { jsonReply as devCheckReply } from "http/response";\n` +
      `server.route("/dev-check", () => devCheckReply({ ok: ${n} }));\n${extra}`;

    /** Waits for `pattern` in what dev printed after `mark`; fails with the output. */
    async function waitFor(pattern, mark, what) {
      const found = await within(STEP_MS, () => pattern.exec(output.slice(mark)));
      expect(found, `${what}; dev printed:\n${output.slice(mark)}`).to.not.equal(null);
      return found;
    }

    /** Saves main.ts answering { ok: n }: the milliseconds from the save to that answer. */
    async function saveAndSee(n) {
      const mark = output.length;
      const savedAt = performance.now();
      writeFileSync(join(project, "main.ts"), mainWith(n));
      const answer = await within(STEP_MS, async () => (await devCheck(port))?.ok === n);
      const took = performance.now() - savedAt;
      expect(answer, `GET /dev-check never answered { ok: ${n} }:\n${output.slice(mark)}`).to.equal(
        true,
      );
      const line = await waitFor(
        /^dev: main\.ts changed; rebuilt and restarted in ([\d.]+) s$/m,
        mark,
        "no restart line",
      );
      expect(wsPorts(output.slice(mark)), "the restart's port").to.deep.equal([port]);
      return { took, reported: line[1] };
    }

    before(async function () {
      this.timeout(STEP_MS + 10_000);
      project = mkdtempSync(join(tmpdir(), "dev-test-"));
      for (const name of PROJECT_FILES) {
        cpSync(join(ROOT, name), join(project, name), { recursive: true });
      }
      symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
      base = readFileSync(join(project, "main.ts"), "utf8");
      expect(base, "main.ts makes `server`").to.match(/\bconst server\b/);
      dev = spawn(process.execPath, [DEV, "--project", project, "port=0", "--engine", ENGINE], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      dev.stdout.setEncoding("utf8").on("data", (text) => (output += text));
      dev.stderr.setEncoding("utf8").on("data", (text) => (output += text));
      exited = new Promise((resolve) =>
        dev.on("exit", (code, signal) => resolve({ code, signal })),
      );
      const ready = await within(STEP_MS, () =>
        /^dev: built and started in/m.test(output) ? /\bws:\/\/\S+/.exec(output) : null,
      );
      expect(ready, `dev did not start:\n${output}`).to.not.equal(null);
      port = portOf(ready[0]);
      expect(port).to.be.above(0);
    });

    after(async () => {
      if (dev && dev.exitCode === null && dev.signalCode === null) {
        const left = descendants(dev.pid);
        dev.kill("SIGKILL");
        for (const pid of left) if (alive(pid)) process.kill(pid, "SIGKILL");
      }
      if (samples.length) {
        console.log(
          `      save-to-change on ${ENGINE} (save → new firmware answers; dev's own figure): ` +
            samples.map((s) => `${(s.took / 1000).toFixed(2)} s (${s.reported} s)`).join(", "),
        );
      }
      if (project) rmSync(project, { recursive: true, force: true });
    });

    it("runs the firmware: its output comes through, and it answers", async () => {
      expect(output).to.include("WebSocket echo server ready: ws://127.0.0.1:");
      expect((await get(port, "/dev-check"))?.status).to.equal(404);
      expect(await echo(port, "hello")).to.equal("hello");
    });

    it("rebuilds and restarts on the same port at a save of main.ts: the change answers", async function () {
      this.timeout(3 * STEP_MS + 10_000);
      for (const n of [1, 2, 3]) samples.push(await saveAndSee(n));
      // A client can connect again to the restarted firmware.
      expect(await echo(port, "after the restart")).to.equal("after the restart");
    });

    it("prints the compiler's errors when it does not compile, and keeps the last good firmware", async () => {
      const mark = output.length;
      const text = mainWith(3, `const broken: number = "text";\n`);
      const line = text.split("\n").findIndex((l) => l.startsWith("const broken")) + 1;
      writeFileSync(join(project, "main.ts"), text);
      await waitFor(
        new RegExp(`^main\\.ts:${line}:7: error TS2322: .*\\n`, "m"),
        mark,
        "no compiler error",
      );
      await waitFor(
        /^dev: main\.ts changed; it does not compile \(1 error\): the last good firmware keeps running$/m,
        mark,
        "no word of the last good firmware",
      );
      expect(await devCheck(port), "the last good firmware answers").to.deep.equal({ ok: 3 });
      expect(output.slice(mark)).to.not.include("restarted");
    });

    it("restarts once the error is fixed", async () => {
      samples.push(await saveAndSee(4));
    });

    it("ends with its firmware on SIGTERM, and frees the port", async () => {
      const started = descendants(dev.pid);
      expect(started.length, "start.js (and its XS worker)").to.be.at.least(1);
      dev.kill("SIGTERM");
      let timer;
      const end = await Promise.race([
        exited,
        new Promise((resolve) => (timer = setTimeout(resolve, STEP_MS, null))),
      ]);
      clearTimeout(timer);
      expect(end, `dev did not end:\n${output}`).to.deep.equal({ code: 0, signal: null });
      const gone = await within(10_000, () => started.every((pid) => !alive(pid)));
      expect(gone, `left running: ${started.filter(alive)}`).to.equal(true);
      expect(await within(10_000, () => portFree(port)), `port ${port} still taken`).to.equal(true);
    });
  });
});
