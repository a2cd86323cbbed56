// How `npm start` (tools/start.js) ends: on SIGINT, SIGTERM and SIGHUP, and when whoever started it
// is gone, it ends with every process it started and frees its port (in a fraction of a second;
// the tests give it ENDS_WITHIN_MS, for a loaded machine); an XS worker whose host died exits; a
// taken port ends it with one line and exit code 1.
import { expect } from "chai";
import { spawn } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { freePort } from "../sim/free-port.js";
import { holdPort } from "../testing/hold-port.js";
import { runFirmware } from "../platform/index.js";
import { findXsWorker } from "../platform/adapters/xs/worker-binary.js";
import { alive, childrenOf, within } from "./process-support.js";

const START = fileURLToPath(new URL("../start.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const xs = findXsWorker();
/**
 * How long the tests wait for the end: it takes about 300 ms (its parent is looked for every
 * 250 ms); on a laptop busy with other work, scheduling alone can take seconds.
 */
const ENDS_WITHIN_MS = 10_000;

/** Whether something accepts connections on `port`. */
const listening = (port) =>
  new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

/**
 * Starts `command` (node tools/start.js, or a shell running it as npm does) on a free port and
 * waits for the firmware's ready line; resolves with the child, the port and the pids of
 * start.js and of its XS worker (null on Node).
 */
async function startOnPort(shell, engine) {
  const port = await freePort();
  const args = [START, `port=${port}`, "--engine", engine];
  const child = shell
    ? spawn("sh", ["-c", `node ${args.join(" ")}`], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      })
    : spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (data) => (output += data));
  child.stderr.on("data", (data) => (output += data));
  const ready = await within(20_000, () => output.includes("ws://"));
  expect(ready, output).to.equal(true);
  const start = shell ? childrenOf(child.pid)[0] : child.pid;
  const [worker = null] = engine === "xs" ? childrenOf(start) : [];
  return { child, port, start, worker, output: () => output };
}

describe("platform: how npm start ends", function () {
  this.timeout(60_000);

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    it(`on ${signal}, ends with its XS worker and frees the port`, async function () {
      const engine = "missing" in xs ? "node" : "xs";
      const run = await startOnPort(false, engine);
      if (engine === "xs") expect(run.worker, "its XS worker").to.be.a("number");
      process.kill(run.start, signal);
      const gone = await within(ENDS_WITHIN_MS, async () => {
        return (
          !alive(run.start) && !(run.worker && alive(run.worker)) && !(await listening(run.port))
        );
      });
      expect(gone, `gone after ${signal}:\n${run.output()}`).to.equal(true);
    });
  }

  it("ends when the shell npm runs it under is ended (npm passes SIGTERM to the shell only)", async function () {
    const run = await startOnPort(true, "missing" in xs ? "node" : "xs");
    process.kill(run.child.pid, "SIGTERM"); // the shell; start.js is its child
    const gone = await within(ENDS_WITHIN_MS, async () => {
      return (
        !alive(run.start) && !(run.worker && alive(run.worker)) && !(await listening(run.port))
      );
    });
    expect(gone, `start.js and its worker gone:\n${run.output()}`).to.equal(true);
  });

  it("leaves no XS worker behind when its host is killed outright", async function () {
    if ("missing" in xs) this.skip();
    const run = await startOnPort(false, "xs");
    process.kill(run.start, "SIGKILL");
    expect(await within(ENDS_WITHIN_MS, () => !alive(run.worker)), "the worker exits").to.equal(
      true,
    );
  });

  it("ends on a taken port with exit 1 and one line saying what to give instead", async () => {
    const port = await freePort();
    const release = await holdPort(port);
    try {
      const run = await runFirmware({ overrides: [`port=${port}`] });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.equal(
        `start: cannot listen on port ${port}: it is taken (another npm start?): give another, ` +
          "as port=8081, or port=0 for any free one\n",
      );
    } finally {
      await release();
    }
  });
});
