// Programmatic API for tests and tools: runs `node tools/start.js …` as a child process.
//
//   const fw = await startFirmware({ overrides: ["port=0"] });
//   fw.url; fw.port; fw.output(); await fw.stop();
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const START_SCRIPT = fileURLToPath(new URL("../start.js", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEFAULT_READY = /\bws:\/\/\S+/;

/** `["a=1"]`, `{ a: 1 }` or `[["a", "1"]]` -> `["a=1"]`. */
function overrideArgs(overrides = []) {
  const entries = Array.isArray(overrides) ? overrides : Object.entries(overrides);
  return entries.map((entry) => (Array.isArray(entry) ? `${entry[0]}=${entry[1]}` : String(entry)));
}

function launch({
  overrides,
  cwd = REPO_ROOT,
  manifest,
  build,
  env,
  engine,
  boardSettings,
  network = true,
  args = [],
}) {
  const argv = [START_SCRIPT, ...overrideArgs(overrides), ...args];
  if (boardSettings) argv.push("--board-settings");
  if (!network) argv.push("--no-network");
  if (engine) argv.push("--engine", engine);
  if (manifest) argv.push("--manifest", manifest);
  if (build) argv.push("--build", build);
  const child = spawn(process.execPath, argv, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (text) => (out.stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text) => (out.stderr += text));
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, out, exited };
}

function portOf(url) {
  try {
    const { port, protocol } = new URL(url);
    if (port) return Number(port);
    return protocol === "ws:" || protocol === "http:" ? 80 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves with the first match of `ready` on stdout; rejects on exit or timeout, with an error
 * that says why and what the firmware printed, and has them as fields too: `stdout`, `stderr`,
 * and `code` and `signal` when it exited (`timedOut` when it did not).
 */
function waitForReady({ child, out, exited }, ready, timeout) {
  return new Promise((resolve, reject) => {
    const failure = (what, fields) =>
      Object.assign(
        new Error(`firmware ${what}\n--- stdout ---\n${out.stdout}\n--- stderr ---\n${out.stderr}`),
        { stdout: out.stdout, stderr: out.stderr, code: null, signal: null, timedOut: false },
        fields,
      );
    let settled = false;
    const settle = (action) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off("data", check);
      action();
    };
    const check = () => {
      const found = ready.exec(out.stdout);
      if (found) settle(() => resolve(found));
    };
    const timer = setTimeout(
      () => settle(() => reject(failure("did not start in time", { timedOut: true }))),
      timeout,
    );
    child.stdout.on("data", check);
    exited.then(({ code, signal }) =>
      settle(() =>
        reject(
          failure(`exited before it was ready (code ${code}, signal ${signal})`, { code, signal }),
        ),
      ),
    );
  });
}

/**
 * Starts the firmware and waits for its ready line on stdout.
 * @param {object} [options]
 * @param {string[]|object} [options.overrides] mc/config overrides: ["port=0"] or { port: 0 }
 * @param {string} [options.cwd] folder with manifest.json (default: the repository root)
 * @param {string} [options.manifest] another manifest (test fixtures)
 * @param {string} [options.build] folder of compiled TypeScript
 * @param {object} [options.env] extra environment (MODDABLE_NODE_MAX_TCP, …)
 * @param {"xs"|"node"} [options.engine] default: XS where it is built, else Node (see --help)
 * @param {boolean} [options.boardSettings] read bad overrides as a board does (traced, default
 *   used) instead of refusing them (exit 2)
 * @param {boolean} [options.network] false: as a board whose Wi-Fi is not there (--no-network)
 * @param {RegExp} [options.ready] first stdout match that means "started" (default: a ws:// URL)
 * @param {number} [options.timeout] milliseconds to wait for it (default 10000)
 * @returns {Promise<{ url: string, port: number|undefined, process: import("node:child_process").ChildProcess,
 *   output(): string, errors(): string, exited: Promise<{code: number|null, signal: string|null}>,
 *   setPin(pin: number, level: 0|1): void, stop(): Promise<{code: number|null, signal: string|null}> }>}
 */
export async function startFirmware(options = {}) {
  const { ready = DEFAULT_READY, timeout = 10_000 } = options;
  const running = launch(options);
  const { child, out, exited } = running;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  let match;
  try {
    match = await waitForReady(running, ready, timeout);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = match[0];
  const measurements = new Map();
  let nextMeasurement = 1;
  child.on("message", (message) => {
    if (message?.type !== "measure") return;
    const settle = measurements.get(message.id);
    measurements.delete(message.id);
    settle?.(message);
  });
  return {
    url,
    port: portOf(url),
    process: child,
    output: () => out.stdout,
    errors: () => out.stderr,
    exited,
    setPin(pin, level) {
      if (child.connected) child.send({ type: "gpio", pin, level });
    },
    /**
     * What the engine can say of itself: { engine } on Node; on XS also liveSlots (after a
     * garbage collection), peakSlots (the most seen after any command), compute (the total
     * compute count of the commands run) and commands.
     */
    measure() {
      return new Promise((resolve, reject) => {
        const id = nextMeasurement++;
        measurements.set(id, (message) =>
          message.error ? reject(new Error(message.error)) : resolve(message.figures),
        );
        child.send({ type: "measure", id });
      });
    },
    stop,
  };
}

/**
 * Runs the firmware until it exits (or `timeout` ms pass; then it is killed).
 * @returns {Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string }>}
 */
export async function runFirmware(options = {}) {
  const { timeout = 10_000 } = options;
  const { child, out, exited } = launch(options);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
  const { code, signal } = await exited;
  clearTimeout(timer);
  return { code, signal, stdout: out.stdout, stderr: out.stderr };
}
