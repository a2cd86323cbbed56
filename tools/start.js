// `npm start`: runs the compiled firmware on the platform layer, on the XS engine (or the Node
// engine). See `--help`.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { bootFirmware as bootOnNode, ENGINE_NAME } from "./platform/adapters/node/boot.js";
import { bootFirmware as bootOnXs } from "./platform/adapters/xs/boot.js";
import { findXsWorker } from "./platform/adapters/xs/worker-binary.js";
import { BOOT_BUTTON_PIN, listenForBootButtonKey } from "./platform/host/boot-button-key.js";
import { endWithSignalsAndParent } from "./platform/host/process-lifetime.js";
import { loadApp } from "./platform/manifest/app.js";
import { joinsWiFi } from "./platform/manifest/mc-config.js";
import { buildModuleTable } from "./platform/manifest/module-table.js";
import { readManifest } from "./platform/manifest/read-manifest.js";
import { loadSettingsSchema, overrideProblems } from "./platform/manifest/settings-schema.js";
import { parseStartArgs, usageText } from "./platform/start-args.js";
import { UsageError } from "./wire/usage-error.js";

function fail(message, code) {
  process.stderr.write(`start: ${message}\n`);
  process.exit(code);
}

let options;
try {
  options = parseStartArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  fail(`${error.message}\n${usageText().split("\n")[0]}\nRun with --help for details.`, 2);
}

const manifestPath = resolve(options.manifest ?? "manifest.json");
if (options.help) {
  let config = {};
  let schema = null;
  try {
    const manifest = readManifest(manifestPath);
    config = manifest.json.config ?? {};
    schema = await loadSettingsSchema(
      buildModuleTable(manifest.json, manifest.root, join(manifest.root, "build", "firmware")),
    );
  } catch {
    // usage without the settings
  }
  process.stdout.write(usageText(config, schema));
  process.exit(0);
}

/** The XS worker to run on, or null for the Node engine. */
function chooseEngine() {
  if (options.engine === "node") return null;
  const xs = findXsWorker();
  if (!("missing" in xs)) return xs;
  if (options.engine === "xs") fail(`--engine xs: ${xs.missing}`, 1);
  process.stderr.write(
    `start: running on the Node engine: XS could not be built (${xs.missing})\n`,
  );
  return null;
}

if (options.overrides.some(([key]) => key === "engine")) {
  fail(
    `"engine" is not a setting: the platform layer tells the firmware its engine (use --engine)`,
    2,
  );
}

const xs = chooseEngine();
if (xs && !xs.boardStack) {
  process.stderr.write(
    `start: the XS engine runs with xsnap's stack, not the board's: ${xs.why}\n`,
  );
}

let app;
let schema = null;
try {
  const manifest = readManifest(manifestPath);
  const buildRoot = options.build
    ? resolve(options.build)
    : join(manifest.root, "build", "firmware");
  schema = await loadSettingsSchema(buildModuleTable(manifest.json, manifest.root, buildRoot));
  const overrides = options.overrides;
  const given = (name) => overrides.some(([key]) => key === name);
  // port 80 needs root here: 8080, for a firmware that has a port setting.
  const hasPort = "port" in (manifest.json.config ?? {}) || "port" in (schema?.SETTINGS ?? {});
  if (hasPort && !given("port")) overrides.push(["port", "8080"]);
  // A board built with `mcconfig … ssid=<network>`: the platform layer's Wi-Fi joins any network.
  if (options.network && joinsWiFi(manifest.json) && !given("ssid")) {
    overrides.push(["ssid", "loopback"]);
  }
  app = loadApp({
    manifestPath,
    buildRoot: options.build && resolve(options.build),
    overrides,
    env: process.env,
    engine: xs ? `xs ${xs.xs}` : ENGINE_NAME,
  });
} catch (error) {
  fail(error.message, 1);
}

// A setting given on the command line must be one the firmware takes, with a value it can take:
// here that is an error (exit 2). On a board (and with --board-settings) the firmware traces a
// bad value and uses its default.
const problems =
  schema && !options.boardSettings ? overrideProblems(schema, options.overrides) : [];
if (problems.length) {
  fail(`${problems.join("\nstart: ")}\n(npm start -- --help lists the settings)`, 2);
}

const main = app.modules.get(app.mainName);
if (!main) fail(`${manifestPath} defines no module "${app.mainName}"`, 1);
if (!existsSync(main.file)) fail(`${main.file} not found: run npm run build first`, 1);

endWithSignalsAndParent();
const host = { network: options.network };
if (xs) await bootOnXs(app, xs, host);
else await bootOnNode(app, host);
if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  listenForBootButtonKey(process.stdin, {
    onInterrupt: () => process.exit(0),
    log: (line) => process.stdout.write(line),
  });
  process.stdout.write(`press b for the BOOT button (GPIO ${BOOT_BUTTON_PIN}), Ctrl-C to stop\n`);
}
