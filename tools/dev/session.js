// One `npm run dev` session: builds the project, runs its firmware on the platform layer
// (startFirmware: `node tools/start.js` as a child process), and on every save (debounced) builds
// again and, when that succeeds, stops the firmware and starts the new build on the same port.
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import { startFirmware } from "../platform/index.js";
import { loadApp } from "../platform/manifest/app.js";
import { createCompiler } from "./compiler.js";
import { watchProject } from "./watch-files.js";

/** How long the saves must have settled before a build. */
export const DEBOUNCE_MS = 150;
/** How long a firmware may take to print its first line (a loaded machine is slow). */
const START_TIMEOUT_MS = 60_000;
/** A firmware that printed no ws:// address this long after its start is reported as started. */
const NO_ADDRESS_MS = 15_000;
/** A port the old firmware held can take a moment to be free: how often, how long apart. */
const PORT_RETRIES = 10;
const PORT_RETRY_MS = 300;

const READY = /\bws:\/\/\S+/;
const PORT_TAKEN = /cannot listen on port \d+: it is taken/;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "main.ts changed", "main.ts and modules/server.ts changed", "main.ts and 2 other files changed" */
export function describeChanges(paths) {
  const [first, ...others] = paths;
  if (others.length === 0) return `${first} changed`;
  if (others.length === 1) return `${first} and ${others[0]} changed`;
  return `${first} and ${others.length} other files changed`;
}

/** Why a firmware did not start, and what it printed, from startFirmware's error. */
function failureOf(error) {
  if (typeof error?.stdout !== "string") {
    return { why: String(error?.message ?? error), stdout: "", stderr: "", code: null };
  }
  const { stdout, stderr, code, signal, timedOut } = error;
  let why = error.message.split("\n")[0];
  if (code !== null) why = `exit code ${code}`;
  else if (signal) why = `ended by ${signal}`;
  else if (timedOut) why = `it printed nothing in ${START_TIMEOUT_MS / 1000} s`;
  return { why, stdout, stderr, code };
}

/**
 * @param {object} options parseDevArgs's result
 * @param {{ stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream }} io
 * @param {(code: number) => void} exit ends the process (dev's own exit, after a usage error)
 */
export function startDevSession(options, { stdout, stderr }, exit) {
  const { project } = options;
  const manifestPath = join(project, "manifest.json");
  const compiler = createCompiler(project);
  const buildRoot = compiler.outDir;
  const say = (line) => stdout.write(`dev: ${line}\n`);

  /** The port the restarts keep: the one given, or the one the first start picked (port=0). */
  let learnedPort = null;
  /** The firmware running now: { fw, stopping, announced } */
  let current = null;
  const pending = [];
  let firstSaveAt = 0;
  let debounce = null;
  let cycle = null;
  let ending = false;

  const overrides = () =>
    options.overrides.map(([key, value]) =>
      key === "port" && learnedPort !== null ? [key, String(learnedPort)] : [key, value],
    );

  /** Forwards the firmware's output and says, at its ws:// line, that it (re)started. */
  function attach(fw, announce) {
    const instance = { fw, stopping: false, announced: false, out: 0, err: 0 };
    const report = () => {
      if (instance.announced) return;
      instance.announced = true;
      clearTimeout(noAddress);
      announce(instance);
    };
    const flush = () => {
      const out = fw.output();
      const err = fw.errors();
      if (out.length > instance.out) stdout.write(out.slice(instance.out));
      if (err.length > instance.err) stderr.write(err.slice(instance.err));
      instance.out = out.length;
      instance.err = err.length;
      if (instance.announced) return;
      const url = READY.exec(out);
      if (url) {
        instance.url = url[0];
        const port = Number(URL.canParse(url[0]) ? new URL(url[0]).port : 0);
        if (learnedPort === null && port > 0) learnedPort = port;
        report();
      }
    };
    const noAddress = setTimeout(report, options.network ? NO_ADDRESS_MS : 0);
    fw.process.stdout.on("data", flush);
    fw.process.stderr.on("data", flush);
    flush();
    fw.exited.then(({ code, signal }) => {
      clearTimeout(noAddress);
      flush();
      if (current === instance) current = null;
      // After a Ctrl-C in a terminal the firmware may end before dev hears of it: wait a little.
      setTimeout(() => {
        if (instance.stopping || ending) return;
        say(
          `the firmware ended (${code !== null ? `exit code ${code}` : signal}): a save starts it again`,
        );
      }, 200);
    });
    current = instance;
    return instance;
  }

  async function stopFirmware() {
    const instance = current;
    if (!instance) return;
    instance.stopping = true;
    await instance.fw.stop();
    if (current === instance) current = null;
  }

  /** Starts the build on the port; `announce(instance)` when it is up. False if it did not start. */
  async function start(announce, first) {
    for (let attempt = 1; ; attempt++) {
      let fw;
      try {
        fw = await startFirmware({
          cwd: project,
          manifest: manifestPath,
          build: buildRoot,
          overrides: overrides(),
          engine: options.engine,
          network: options.network,
          boardSettings: options.boardSettings,
          ready: /\n/,
          timeout: START_TIMEOUT_MS,
        });
      } catch (error) {
        const failure = failureOf(error);
        if (PORT_TAKEN.test(failure.stderr) && !first && attempt < PORT_RETRIES && !ending) {
          await sleep(PORT_RETRY_MS);
          continue;
        }
        stdout.write(failure.stdout);
        stderr.write(failure.stderr);
        if (ending) return false;
        if (first && (failure.code === 2 || PORT_TAKEN.test(failure.stderr))) {
          // What npm start refuses (a setting it does not take, a port someone else holds) is
          // no matter of the code: dev ends as npm start does.
          exit(failure.code ?? 1);
          return false;
        }
        say(`the firmware did not start (${failure.why}): a save starts it again`);
        return false;
      }
      if (ending) {
        await fw.stop();
        return false;
      }
      attach(fw, announce);
      return true;
    }
  }

  /** A manifest the platform layer cannot read: the old firmware is better kept. */
  function manifestProblem() {
    try {
      loadApp({ manifestPath, buildRoot, overrides: overrides() });
      return null;
    } catch (error) {
      return error.message;
    }
  }

  /** Builds; when that succeeds, (re)starts the firmware. `what`: null for the first build. */
  async function rebuildAndRestart(what, since) {
    const result = compiler.build();
    for (const line of result.errors) stdout.write(`${line}\n`);
    const prefix = what ? `${what}; ` : "";
    if (!result.ok) {
      const errors = result.errors.filter((line) => /\berror TS\d+:/.test(line)).length;
      say(
        `${prefix}it does not compile (${plural(errors, "error")}): ` +
          (current
            ? "the last good firmware keeps running"
            : "no firmware runs until it compiles; waiting for a save"),
      );
      return;
    }
    const problem = manifestProblem();
    if (problem) {
      say(
        `${prefix}${problem}: ` +
          (current ? "the last good firmware keeps running" : "waiting for a save"),
      );
      return;
    }
    const restart = current !== null;
    await stopFirmware();
    if (ending) return;
    await start((instance) => {
      const took = seconds(performance.now() - since);
      const where = instance.url || !options.network ? "" : " (it printed no ws:// address)";
      if (what) {
        say(`${what}; rebuilt and ${restart ? "restarted" : "started"} in ${took}${where}`);
      } else {
        say(
          `built and started in ${took}${where}; watching main.ts, modules/ and manifest.json: ` +
            "a save rebuilds and restarts the firmware (Ctrl-C stops)",
        );
      }
    }, what === null);
  }

  async function runCycle() {
    debounce = null;
    if (cycle || ending || pending.length === 0) return;
    const changed = pending.splice(0);
    cycle = rebuildAndRestart(describeChanges(changed), firstSaveAt);
    try {
      await cycle;
    } finally {
      cycle = null;
    }
    if (pending.length && !ending) schedule();
  }

  function schedule() {
    clearTimeout(debounce);
    debounce = setTimeout(runCycle, DEBOUNCE_MS);
  }

  const stopWatching = watchProject(project, (path) => {
    if (ending) return;
    if (pending.length === 0) firstSaveAt = performance.now();
    if (!pending.includes(path)) pending.push(path);
    if (!cycle) schedule();
  });

  const startedAt = performance.now();
  cycle = rebuildAndRestart(null, startedAt).finally(() => {
    cycle = null;
    if (pending.length && !ending) schedule();
  });

  return {
    /** Ends the session: no more builds, the firmware stopped (its port free). */
    async stop() {
      if (ending) return;
      ending = true;
      clearTimeout(debounce);
      stopWatching();
      // A start under way ends on its own once dev is gone (start.js watches its parent).
      if (cycle) await Promise.race([cycle, sleep(3000)]);
      await stopFirmware();
    },
    /** Presses the BOOT button (`pin`) of the firmware running now, if any. */
    setPin(pin, level) {
      current?.fw.setPin(pin, level);
    },
  };
}
