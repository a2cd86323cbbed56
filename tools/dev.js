// `npm run dev`: builds and runs the firmware as `npm start` does, then rebuilds and restarts it on
// every save of main.ts, modules/ or manifest.json (tools/dev/session.js). See --help.
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { devUsage, parseDevArgs, USAGE_LINE } from "./dev/args.js";
import { startDevSession } from "./dev/session.js";
import { BOOT_BUTTON_PIN, listenForBootButtonKey } from "./platform/host/boot-button-key.js";
import { endWithSignalsAndParent } from "./platform/host/process-lifetime.js";
import { buildModuleTable } from "./platform/manifest/module-table.js";
import { readManifest } from "./platform/manifest/read-manifest.js";
import { loadSettingsSchema } from "./platform/manifest/settings-schema.js";
import { UsageError } from "./wire/usage-error.js";

function fail(message, code) {
  process.stderr.write(`dev: ${message}\n`);
  process.exit(code);
}

let options;
try {
  options = parseDevArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  fail(`${error.message}\n${USAGE_LINE}\nRun with --help for details.`, 2);
}

if (options.help) {
  // The settings from the last build's settings/schema, if there is one.
  let config = {};
  let schema = null;
  try {
    const manifest = readManifest(join(options.project, "manifest.json"));
    config = manifest.json.config ?? {};
    schema = await loadSettingsSchema(
      buildModuleTable(manifest.json, manifest.root, join(manifest.root, "build", "firmware")),
    );
  } catch {
    // usage without the settings
  }
  process.stdout.write(`${devUsage(config, schema)}\n`);
  process.exit(0);
}

for (const file of ["tsconfig.firmware.json", "manifest.json"]) {
  if (!existsSync(join(options.project, file))) {
    fail(`--project ${options.project}: no ${file} there`, 2);
  }
}
if (options.overrides.some(([key]) => key === "engine")) {
  fail(
    `"engine" is not a setting: the platform layer tells the firmware its engine (use --engine)`,
    2,
  );
}

const session = startDevSession(options, process, (code) => process.exit(code));

// Ctrl-C, SIGTERM, SIGHUP or the end of its parent (npm's shell) stop the firmware, then dev.
const end = endWithSignalsAndParent(async () => {
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  await session.stop();
});

if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  listenForBootButtonKey(process.stdin, {
    onInterrupt: end,
    log: (line) => process.stdout.write(line),
    setLevel: (pin, level) => session.setPin(pin, level), // the firmware dev runs now
  });
  process.stdout.write(`press b for the BOOT button (GPIO ${BOOT_BUTTON_PIN}), Ctrl-C to stop\n`);
}
