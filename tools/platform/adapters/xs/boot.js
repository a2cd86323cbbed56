// The XS engine: the firmware runs inside an xsnap worker (the XS engine of the board, from npm),
// with the same engine modules (engine/) as the Node engine; their host is this process, reached
// over the worker's pipe (worker/remote-host.js ↔ bridge.js). The host's services are the same
// functions the Node engine calls directly. Used by tools/start.js.
import { readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { onFatal } from "../../host/abort.js";
import { configureLimits } from "../../host/lwip-state.js";
import { hostServices } from "../../host/services.js";
import { createXsPositionMapper, displayPath } from "../../host/source-positions.js";
import { listenForTestControl } from "../../host/test-control.js";
import { ENGINE_MODULES, PRELOAD_RUNTIME } from "../../loader/engine-modules.js";
import { readFirmwareSource, resolveFirmwareImport } from "../../loader/firmware-imports.js";
import { XsBridge } from "./bridge.js";
import { describeWorkerExit, XsWorker } from "./worker-process.js";
import { startWorker } from "./worker/start.js";
import { LAYER_STACK_SLOTS } from "./stack-worker.js";
import { PRELOAD_RUNTIME_SPECIFIER } from "./worker/firmware-compartment.js";

const PLATFORM_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BOOTSTRAP = "adapters/xs/worker/bootstrap.js";
const START_SCRIPT = fileURLToPath(new URL("./worker/start.js", import.meta.url));
/** How often the host has the worker collect its garbage to know its live slots. */
const HEAP_SAMPLE_MS = 1000;

/**
 * What a module's source gets so that XS names its file in stacks, `at fn (path:line)`, instead
 * of a number (`#30`): the file, relative to `base` (host/source-positions.js maps it back).
 */
const sourceUrl = (file, base) => `\n//# sourceURL=${displayPath(file, base)}\n`;

/** The platform's modules that run inside the worker, by path below tools/platform. */
function workerSources(base) {
  const sources = {};
  const addFile = (path) => {
    const file = join(PLATFORM_ROOT, path);
    sources[path.split(sep).join("/")] = readFileSync(file, "utf8") + sourceUrl(file, base);
  };
  const addFolder = (folder) => {
    for (const entry of readdirSync(join(PLATFORM_ROOT, folder), { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) addFolder(path);
      else if (entry.name.endsWith(".js")) addFile(path);
    }
  };
  addFolder("sdk");
  addFolder("adapters/xs/worker");
  addFile("adapters/xs/protocol.js");
  return sources;
}

/** Newlines that put the start script's function on its own line of start.js, for its stacks. */
function startScriptLines() {
  const text = readFileSync(START_SCRIPT, "utf8");
  const at = text.indexOf(String(startWorker));
  return at < 0 ? "" : "\n".repeat(text.slice(0, at).split("\n").length - 1);
}

/** What the worker asks of the module table: the same resolution as the Node engine's loader. */
function firmwareModules(app, base) {
  const platform = new Set(Object.keys(ENGINE_MODULES));
  return {
    resolve(specifier, referrer) {
      return resolveFirmwareImport(specifier, referrer, app.modules, platform);
    },
    load(name) {
      if (name === "mc/config") return app.configSource;
      const { file } = app.modules.get(name);
      const source = readFirmwareSource(name, file, {
        self: name,
        runtime: PRELOAD_RUNTIME_SPECIFIER,
        preloaded: app.preloaded.has(name),
      });
      return source + sourceUrl(file, base);
    },
  };
}

/**
 * @param {ReturnType<import("../../manifest/app.js").loadApp>} app
 * @param {{ binary: string, xs: string }} xs from findXsWorker()
 * @param {{ network?: boolean }} [board] whether the board's Wi-Fi is there to join
 * @returns {Promise<XsBridge>}
 */
export async function bootFirmware(app, xs, { network = true } = {}) {
  if (!app.modules.get(app.mainName))
    throw new Error(`the manifest defines no module "${app.mainName}"`);
  configureLimits(app.lwip);
  const engine = `xs ${xs.xs}`;
  // Positions in what the worker prints (traces, aborts) are mapped to the TypeScript source.
  const base = process.cwd();
  const positions = createXsPositionMapper(base);
  const services = {
    ...hostServices,
    stdout: (text) => hostServices.stdout(positions(text)),
    stderr: (text) => hostServices.stderr(positions(text)),
    abort: (status, message, detail) => hostServices.abort(status, message, positions(detail)),
    crash: (reason, where) => hostServices.crash(reason, positions(where)),
  };
  const bridge = new XsBridge(services, firmwareModules(app, base), LAYER_STACK_SLOTS);
  listenForTestControl(async () => ({
    engine,
    liveSlots: await bridge.collect(),
    peakSlots: bridge.heap.peakSlots,
    compute: bridge.compute.total,
    stackSlots: bridge.stack.slots,
    stackPeakSlots: bridge.stack.peak,
    commands: bridge.compute.commands,
    timerCompute: bridge.compute.timers,
  }));
  // The board's stack (the manifest's creation.stack) above what the layer itself holds.
  const stack = xs.boardStack ? ["-S", String(app.stack + LAYER_STACK_SLOTS)] : [];
  const worker = new XsWorker(xs.binary, (payload) => bridge.answer(payload), stack);
  bridge.attach(worker);
  onFatal(() => worker.kill());
  process.on("exit", () => worker.kill());
  worker.exited.then(({ code, signal }) => {
    // The board reboots when XS aborts; here the run ends.
    process.stderr.write(`XS abort: ${describeWorkerExit(code, signal)}\n`);
    process.exit(1);
  });
  const sources = workerSources(base);
  await worker.evaluate(
    `${startScriptLines()}(${startWorker})(${JSON.stringify(sources)}, ${JSON.stringify(BOOTSTRAP)});` +
      sourceUrl(START_SCRIPT, base),
  );
  await bridge.command({
    op: "boot",
    engine,
    network,
    main: app.mainName,
    engineModules: ENGINE_MODULES,
    preloadRuntime: PRELOAD_RUNTIME,
  });
  await bridge.collect();
  setInterval(() => bridge.collect().catch(() => {}), HEAP_SAMPLE_MS).unref();
  return bridge;
}
