// The Moddable SDK on this machine (installed by Moddable's Getting Started, which sets MODDABLE):
// finding it, building the firmware for its Linux simulator with mcconfig, and running the built
// app headless (xvfb-run) in its own process group.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const appName = "ws-echo"; // manifest.json build.NAME

export class SdkMissing extends Error {}

/** $MODDABLE, or an error saying how to get it. */
export function moddableHome() {
  const home = process.env.MODDABLE;
  if (home && existsSync(path.join(home, "tools", "mcconfig.js"))) return home;
  throw new SdkMissing(
    `MODDABLE is not set${home ? ` correctly (${home} has no tools/mcconfig.js)` : ""}: this ` +
      "needs the Moddable SDK, installed by Moddable's Getting Started for Linux or macOS (or " +
      "`xs-dev setup`), which sets MODDABLE and puts mcconfig on PATH. npm start and npm test " +
      "need neither the SDK nor ESP-IDF.",
  );
}

/** PATH with the project's TypeScript first: mcconfig runs `tsc` itself. */
export function buildEnv() {
  const bin = path.join(repoRoot, "node_modules", ".bin");
  return { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
}

/**
 * `mcconfig -m -p lin -t build key=value…` from the repo root (with `-i` for an instrumented
 * build, which reports XS heap figures; with `outputDir`, built there instead of $MODDABLE/build,
 * so that a second build does not replace the app a running simulator has loaded); resolves with
 * the built mc.so. The build runs beside the caller, which goes on meanwhile (mocha's timeouts
 * among it).
 */
export async function buildForSimulator(settings, { instrument = false, outputDir } = {}) {
  const home = moddableHome();
  if (outputDir) mkdirSync(outputDir, { recursive: true });
  const output = outputDir ? ["-o", outputDir] : [];
  const args = [
    "-m",
    ...(instrument ? ["-i"] : []),
    "-p",
    "lin",
    "-t",
    "build",
    ...output,
    ...settings,
  ];
  const result = await run("mcconfig", args, { cwd: repoRoot, env: buildEnv() });
  if (result.error) throw new SdkMissing(`cannot run mcconfig: ${result.error.message}`);
  if (result.status !== 0) {
    const log = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`mcconfig ${args.join(" ")} failed:\n${log}`);
  }
  const variant = instrument ? "instrument" : "release";
  const app = path.join(
    outputDir ?? path.join(home, "build"),
    "bin",
    "lin",
    "mc",
    variant,
    appName,
    "mc.so",
  );
  if (!existsSync(app)) throw new Error(`mcconfig succeeded but ${app} is missing`);
  return app;
}

/** Runs a command to its end, beside the caller: `{ status, stdout, stderr, error }`. */
function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data) => (stdout += data));
    child.stderr.on("data", (data) => (stderr += data));
    child.once("error", (error) => resolve({ status: null, stdout, stderr, error }));
    child.once("close", (status) => resolve({ status, stdout, stderr, error: null }));
  });
}

/**
 * A file (SIMULATOR_GROUPS in the environment, which test:sim sets) where each simulator started
 * writes its process group, so that the run that set it can end them all, whatever happened to
 * the process that started them.
 */
function noteGroup(pid) {
  const file = process.env.SIMULATOR_GROUPS;
  if (file) appendFileSync(file, `${pid}\n`);
}

/** Kills the process groups noted in `file` (see noteGroup). */
export function killNotedGroups(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return;
  }
  for (const pid of text.split("\n").filter(Boolean)) {
    try {
      process.kill(-Number(pid), "SIGKILL");
    } catch {
      // gone already
    }
  }
}

/**
 * Starts the built app in the simulator, headless (Xvfb), in its own process group. Resolves
 * once it printed its ws:// URL; `stop()` kills the whole group.
 */
export function launchSimulator(app, { timeout = 30000 } = {}) {
  const home = moddableHome();
  const simulator = path.join(home, "build", "bin", "lin", "release", "mcsim");
  // Its stdout is a pipe here, which the C library buffers: stdbuf makes it flush every line.
  const child = spawn("xvfb-run", ["-a", "stdbuf", "-oL", "-eL", simulator, app], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MODDABLE: home },
  });
  noteGroup(child.pid);
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return; // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }, 2000);
    await exited;
    clearTimeout(timer);
  };
  let ready = false;
  return new Promise((resolve, reject) => {
    const fail = (message) => {
      if (ready) return;
      clearTimeout(timer);
      stop().then(() => reject(new Error(`${message}\n--- simulator output ---\n${output}`)));
    };
    const timer = setTimeout(
      () => fail(`the simulator printed no ws:// URL in ${timeout} ms`),
      timeout,
    );
    const onData = (data) => {
      output += data;
      const match = /ws:\/\/[^\s:/]+:(\d+)(\/\S*)/.exec(output);
      if (match && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve({
          port: Number(match[1]),
          url: `ws://127.0.0.1:${match[1]}${match[2]}`,
          output: () => output,
          stop,
          exited,
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => fail(`the simulator exited (${code}) before it was ready`));
  });
}
