// check:esp32: as much of `mcconfig -d -m -p esp32` as this machine can do without ESP-IDF and
// its compiler. `mcconfig -d -p esp32` (no -m) writes the build's makefile; then
// - the JavaScript half: the makefile's mc.xs.c target (tsc, xsc for every module, xsl, which
//   preloads the manifest's modules into the flash image and reports "N instances, N keys…");
// - the C half: a dry run of the makefile lists every C file the build compiles with its -I
//   folders and -D flags, and each must find every header the SDK has (esp32-headers.js).
// The makefile insists on an ESP-IDF checkout it never reads for these steps (it asks git for its
// version): an empty git repository stands in.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkHeaders, compileCommands, describeHeaderCheck, DRY_RUN_CC } from "./esp32-headers.js";
import { buildEnv, moddableHome, repoRoot, SdkMissing } from "./moddable.js";

/** An empty git repository, for the makefile's ESP-IDF version check. */
function espIdfStandIn() {
  const idf = mkdtempSync(path.join(os.tmpdir(), "no-esp-idf-"));
  const git = (...args) => spawnSync("git", ["-C", idf, ...args], { stdio: "ignore" }).status;
  const identity = ["-c", "user.name=check", "-c", "user.email=check@localhost"];
  if (git("init", "-q") !== 0 || git(...identity, "commit", "-q", "--allow-empty", "-m", "x")) {
    throw new Error("check:esp32 needs git (an empty repository stands in for ESP-IDF)");
  }
  return idf;
}

/**
 * Checks the app in `manifestDir` built for `platform` ("esp32", or a board such as
 * "esp32/nodemcu") with `settings` (key=value). Returns the exit status: 0 when both halves
 * pass. Builds into `outputDir`; prints what the tools print and what it found.
 */
export function checkEsp32(
  settings,
  {
    platform = "esp32",
    manifestDir = repoRoot,
    outputDir = mkdtempSync(path.join(os.tmpdir(), "esp32-check-")),
  } = {},
) {
  const sdk = moddableHome();
  const env = buildEnv();
  const configure = spawnSync("mcconfig", ["-d", "-p", platform, "-o", outputDir, ...settings], {
    cwd: manifestDir,
    env,
    stdio: "inherit",
  });
  if (configure.error) throw new SdkMissing(`cannot run mcconfig: ${configure.error.message}`);
  if (configure.status !== 0) return configure.status;
  // mcconfig's folder for the build: tmp/esp32[/<board>]/debug/<app>
  const board = platform.split("/").slice(1);
  const tmp = path.join(outputDir, "tmp", "esp32", ...board, "debug", appNameOf(manifestDir));
  const idf = espIdfStandIn();
  const make = (args, options = {}) =>
    spawnSync("make", ["-f", "makefile", "SDKCONFIG_H=", ...args], {
      cwd: tmp,
      env: { ...env, IDF_PATH: idf },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      ...options,
    });

  const javascript = make([path.join(tmp, "mc.xs.c")], { stdio: ["inherit", "pipe", "pipe"] });
  if (javascript.error) throw new Error(`cannot run make in ${tmp}: ${javascript.error.message}`);
  process.stdout.write(javascript.stdout ?? "");
  process.stderr.write(javascript.stderr ?? "");
  if (javascript.status !== 0) return javascript.status;
  const unfrozen = mutablePreloadedState(`${javascript.stdout}${javascript.stderr}`);
  if (unfrozen.length) {
    console.error(
      `check:esp32: preloaded modules keep state that changes at run time, which xsl freezes into ` +
        `flash (on the board, assigning it throws): ${unfrozen.join("; ")}. Make it const, or ` +
        `keep it in an object made at run time.`,
    );
    return 1;
  }

  const archive = make([
    "-s",
    "--eval",
    "check-esp32-archive: ; @echo $(BIN_DIR)/xs_$(ESP32_SUBCLASS).a",
    "check-esp32-archive",
  ]);
  const dryRun = make(["-n", "-B", `CC=${DRY_RUN_CC}`, `CPP=${DRY_RUN_CC}`, archive.stdout.trim()]);
  if (archive.status !== 0 || dryRun.status !== 0) {
    console.error(`check:esp32: the makefile's dry run failed:\n${archive.stderr}${dryRun.stderr}`);
    return 1;
  }
  const result = checkHeaders(compileCommands(dryRun.stdout), sdk);
  for (const line of describeHeaderCheck(result, sdk)) console.log(line);
  return result.problems.length ? 1 : 0;
}

/** The app's name, as mcconfig takes it: the manifest's build.NAME, else its folder's name. */
function appNameOf(manifestDir) {
  const manifest = JSON.parse(readFileSync(path.join(manifestDir, "manifest.json"), "utf8"));
  return manifest.build?.NAME ?? path.basename(manifestDir);
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
