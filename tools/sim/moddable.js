// The Moddable SDK on this machine (installed by Moddable's Getting Started, which sets MODDABLE):
// finding it, building the firmware for its Linux simulator with mcconfig, and running the built
// app headless (xvfb-run) in its own process group.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
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
function buildEnv() {
  const bin = path.join(repoRoot, "node_modules", ".bin");
  return { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
}

/**
 * `mcconfig -m -p lin -t build key=value…` from the repo root (with `-i` for an instrumented
 * build, which reports XS heap figures; with `outputDir`, built there instead of $MODDABLE/build,
 * so that a second build does not replace the app a running simulator has loaded); returns the
 * built mc.so.
 */
export function buildForSimulator(settings, { instrument = false, outputDir } = {}) {
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
  const result = spawnSync("mcconfig", args, { cwd: repoRoot, env: buildEnv(), encoding: "utf8" });
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

/**
 * The JavaScript half of an ESP32 build, without ESP-IDF: `mcconfig -d -p esp32` (the manifest with
 * its esp32 sections, mc/config, the generated makefile; no -m, so nothing is compiled yet), then
 * only the makefile's mc.xs.c target: tsc, xsc for every module, and xsl, which preloads the
 * modules the manifest names into the flash image and reports "N instances, N keys, … holes".
 * The makefile insists on an ESP-IDF checkout it never reads for that target (it asks git for its
 * version): an empty git repository stands in. Builds into `outputDir`. Returns the exit status.
 */
export function checkEsp32(
  settings,
  { outputDir = mkdtempSync(path.join(os.tmpdir(), "esp32-js-")) } = {},
) {
  moddableHome();
  const env = buildEnv();
  const configure = spawnSync("mcconfig", ["-d", "-p", "esp32", "-o", outputDir, ...settings], {
    cwd: repoRoot,
    env,
    stdio: "inherit",
  });
  if (configure.error) throw new SdkMissing(`cannot run mcconfig: ${configure.error.message}`);
  if (configure.status !== 0) return configure.status;
  const idf = mkdtempSync(path.join(os.tmpdir(), "no-esp-idf-"));
  const git = (...args) => spawnSync("git", ["-C", idf, ...args], { stdio: "ignore" }).status;
  if (
    git("init", "-q") !== 0 ||
    git(
      "-c",
      "user.name=check",
      "-c",
      "user.email=check@localhost",
      "commit",
      "-q",
      "--allow-empty",
      "-m",
      "stand-in",
    ) !== 0
  ) {
    throw new Error("check:esp32 needs git (an empty repository stands in for ESP-IDF)");
  }
  const tmp = path.join(outputDir, "tmp", "esp32", "debug", appName);
  const make = spawnSync("make", ["-f", "makefile", "SDKCONFIG_H=", path.join(tmp, "mc.xs.c")], {
    cwd: tmp,
    env: { ...env, IDF_PATH: idf },
    stdio: ["inherit", "pipe", "pipe"],
    encoding: "utf8",
  });
  process.stdout.write(make.stdout ?? "");
  process.stderr.write(make.stderr ?? "");
  if (make.status !== 0) return make.status;
  const unfrozen = mutablePreloadedState(`${make.stdout}${make.stderr}`);
  if (unfrozen.length) {
    console.error(
      `check:esp32: preloaded modules keep state that changes at run time, which xsl freezes into ` +
        `flash (on the board, assigning it throws): ${unfrozen.join("; ")}. Make it const, or ` +
        `keep it in an object made at run time.`,
    );
    return 1;
  }
  return 0;
}

/**
 * xsl's "no const" warnings about the app's own modules: a module-level `let` (or var) in a
 * preloaded module, as "websocket/connection: headerViews". The SDK's own modules' warnings are
 * left to the SDK.
 */
export function mutablePreloadedState(output) {
  const found = [];
  for (const [, module, names] of output.matchAll(/### warning: ([^:\s]+): (.*): no const/g)) {
    if (!module.startsWith("$(MODDABLE)") && !module.includes("/moddable/"))
      found.push(`${module}: ${names.split(" ").at(-1)}`);
  }
  return found;
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
