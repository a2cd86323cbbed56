// Decides what the suite runs against, from the environment:
//   BOARD=192.168.1.42 | host:port | ws://host:port/path | esp32-echo.local  -> flashed board
//   TARGET_URL=ws://127.0.0.1:PORT/ws                                        -> running server (sim)
//   TARGET=reference                                                         -> `ws` echo server
//   TARGET=xs | TARGET=node        -> the firmware on the platform layer, on that engine
//   nothing                        -> the same on XS, or on Node (saying why) where XS is not built
// MAX_MESSAGE_SIZE overrides the firmware's maxMessageSize (its settings schema's default, or test-settings.js's).
// TOKEN=<token> with BOARD or TARGET_URL: the server's token, which every client then sends.
//
// The target starts lazily, once per mocha run (see hooks.js), and stops in a root `after`.
import { addressUrl, parseAddress } from "../../tools/wire/address.js";
import { checkBoardReachable, checkServerReachable } from "./reachability.js";
import {
  REFERENCE_ECHO_LIMIT,
  startReferenceServer,
  WHOLE_PATH,
} from "../../tools/testing/reference-server.js";
import { testSettings } from "../../tools/testing/test-settings.js";
import { firmwareSetting } from "./firmware-config.js";
import { connectTcp } from "../../tools/wire/tcp.js";
import { findXsWorker } from "../../tools/platform/adapters/xs/worker-binary.js";

function positiveInteger(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
}

// Waiting times. A board on Wi-Fi is slower and jitterier than loopback.
const TIMING = {
  local: { timeoutMs: 10_000, replyTimeoutMs: 3_000, closeWaitMs: 3_000, quietMs: 200 },
  board: { timeoutMs: 20_000, replyTimeoutMs: 6_000, closeWaitMs: 6_000, quietMs: 600 },
};

/** Reads the environment; throws on contradictory or malformed settings. */
export function selectTarget(env = process.env) {
  const defaultPath = firmwareSetting("path");
  // The firmware's limit: MAX_MESSAGE_SIZE, else test-settings.js's, else its default.
  const maxMessageSize = env.MAX_MESSAGE_SIZE
    ? positiveInteger("MAX_MESSAGE_SIZE", env.MAX_MESSAGE_SIZE)
    : firmwareSetting("maxMessageSize");
  const common = { maxMessageSize, maxMessageSizeOverridden: Boolean(env.MAX_MESSAGE_SIZE) };
  // A running server's token (TOKEN=…, or test:board --token): every client sends it.
  const token = env.TOKEN ?? "";
  if (token && !env.BOARD && !env.TARGET_URL)
    throw new Error("TOKEN is for a running server (BOARD or TARGET_URL)");

  if (env.BOARD && env.TARGET_URL) throw new Error("set BOARD or TARGET_URL, not both");
  if (env.BOARD) {
    return {
      kind: "board",
      ...common,
      token,
      ...TIMING.board,
      ...parseAddress(env.BOARD, { defaultPort: 80, defaultPath }),
    };
  }
  if (env.TARGET_URL) {
    // TARGET_KIND can label a running server: sim (default), platform (npm start), board or
    // reference.
    const kind = (env.TARGET_KIND || "sim").trim().toLowerCase();
    if (!["sim", "platform", "board", "reference"].includes(kind)) {
      throw new Error(
        `unknown TARGET_KIND="${env.TARGET_KIND}": use sim, platform, board or reference`,
      );
    }
    return {
      kind,
      ...common,
      token,
      ...(kind === "board" ? TIMING.board : TIMING.local),
      ...parseAddress(env.TARGET_URL, { defaultPort: 80, defaultPath }),
    };
  }
  const name = (env.TARGET ?? "").trim().toLowerCase();
  if (name === "reference")
    return { kind: "reference", ...common, ...TIMING.local, path: defaultPath };
  if (name === "" || name === "xs" || name === "node") {
    const engine = name || defaultEngine();
    return { kind: "platform", engine, ...common, ...TIMING.local, path: defaultPath };
  }
  throw new Error(
    `unknown TARGET="${env.TARGET}": use TARGET=xs, TARGET=node, TARGET=reference, ` +
      "BOARD=<address>, TARGET_URL=ws://..., or nothing for the firmware on the platform layer",
  );
}

/** XS where the xsnap worker is built; else Node, saying why once. */
function defaultEngine() {
  const xs = findXsWorker();
  if (!("missing" in xs)) return "xs";
  console.log(`host tests: running on the Node engine: XS could not be built (${xs.missing})`);
  return "node";
}

const selection = selectTarget();
let running = null; // { host, port, path, url, stop(), process?, output? }
let starting = null;

function started() {
  if (!running) {
    throw new Error("the target is not started: the test file must import support/hooks.js");
  }
  return running;
}

/** The system under test. Address fields are available once the root `before` has run. */
export const target = {
  kind: selection.kind,
  /** On the platform layer: the engine the firmware runs on, "xs" or "node". */
  engine: selection.engine,
  /** The largest message the whole-message endpoint (wholePath) takes; more gets 1009. */
  maxMessageSize: selection.maxMessageSize,
  /**
   * The endpoint that takes messages whole, within maxMessageSize and maxFrames, and to a lone
   * client sends each back: the firmware's /broadcast (the echo at `path` streams any length).
   */
  wholePath: WHOLE_PATH,
  /** The largest message the echo at `path` sends back: any, for the firmware (it streams). */
  echoLimit: selection.kind === "reference" ? REFERENCE_ECHO_LIMIT : Infinity,
  /** The server's token (TOKEN=…): every client of the tests sends it; "" for an open server. */
  token: selection.token ?? "",
  timeoutMs: selection.timeoutMs,
  replyTimeoutMs: selection.replyTimeoutMs,
  closeWaitMs: selection.closeWaitMs,
  quietMs: selection.quietMs,
  get host() {
    return started().host;
  },
  get port() {
    return started().port;
  },
  get path() {
    return started().path;
  },
  get url() {
    return started().url;
  },
  /** A plain TCP connection to the server (Nagle off). */
  connectTcp() {
    return connectTcp(this.host, this.port, { timeoutMs: this.replyTimeoutMs });
  },
  /**
   * Drives a GPIO input of the simulated board, as a finger on a button would (the platform
   * layer's pin control); false where the target has none (simulator, board, reference).
   */
  setInputLevel(pin, level) {
    if (!started().setPin) return false;
    started().setPin(pin, level);
    return true;
  },
  /** What the firmware printed so far (platform target), or null where it cannot be seen. */
  output() {
    return started().output?.() ?? null;
  },
  /**
   * The engine's figures (the platform layer's XS engine: live slots after a collection, the most
   * seen, compute), or null where the target cannot say.
   */
  measure() {
    return started().measure?.() ?? Promise.resolve(null);
  },
  /** Throws if the firmware process (platform target) has died. */
  assertAlive() {
    const child = running?.process;
    if (!child || (child.exitCode === null && child.signalCode === null)) return;
    const tail = (running.output?.() ?? "").split("\n").slice(-30).join("\n");
    throw new Error(
      `the firmware process exited (code ${child.exitCode}, signal ${child.signalCode}). ` +
        `Last output:\n${tail}`,
    );
  },
};

async function startPlatformFirmware() {
  let platform;
  try {
    platform = await import("../../tools/platform/index.js");
  } catch (err) {
    if (
      err.code === "ERR_MODULE_NOT_FOUND" &&
      /tools[/\\]platform[/\\]index\.js/.test(err.message)
    ) {
      throw new Error(
        "tools/platform/index.js (the platform layer) does not exist yet. " +
          "Run against TARGET=reference, TARGET_URL=ws://... or BOARD=... instead.",
        { cause: err },
      );
    }
    throw err;
  }
  const overrides = ["port=0", ...testSettings];
  if (selection.maxMessageSizeOverridden)
    overrides.push(`maxMessageSize=${selection.maxMessageSize}`);
  let firmware;
  try {
    firmware = await platform.startFirmware({ overrides, engine: selection.engine });
  } catch (err) {
    throw new Error(
      `could not start the firmware on the platform layer's ${selection.engine} engine (did "npm run build" run?): ${err.message}`,
      { cause: err },
    );
  }
  const address = parseAddress(firmware.url, {
    defaultPort: firmware.port,
    defaultPath: selection.path,
  });
  const info = { ...address, port: firmware.port ?? address.port };
  const stopOnExit = () => firmware.process?.kill();
  process.once("exit", stopOnExit);
  return {
    ...info,
    url: firmware.url,
    process: firmware.process,
    output: () => firmware.output() + (firmware.errors?.() ?? ""),
    setPin: (pin, level) => firmware.setPin(pin, level),
    measure: () => firmware.measure(),
    async stop() {
      process.removeListener("exit", stopOnExit);
      await firmware.stop();
    },
  };
}

async function startSelected() {
  switch (selection.kind) {
    case "board":
      await checkBoardReachable(selection.host, selection.port);
      return { ...selection, url: addressUrl(selection), stop: async () => {} };
    case "sim":
      await checkServerReachable(selection.host, selection.port);
      return { ...selection, url: addressUrl(selection), stop: async () => {} };
    case "reference":
      // Its whole-message endpoint (WHOLE_PATH) takes at most maxMessageSize, as the firmware's.
      return startReferenceServer({
        path: selection.path,
        maxMessageSize: selection.maxMessageSize,
      });
    default:
      return startPlatformFirmware();
  }
}

/** Starts the target once; later calls return the same promise. */
export function startTarget() {
  starting ??= startSelected().then((r) => (running = r));
  return starting;
}

export async function stopTarget() {
  const current = running;
  running = null;
  starting = null;
  if (!current) return;
  if (process.env.SHOW_FIRMWARE_OUTPUT && current.output) {
    console.log(`--- firmware output ---\n${current.output()}`);
  }
  await current.stop();
}

/** Skips the running test, appending the reason to its title so the report shows it. */
export function skipBecause(context, reason) {
  context.test.title += ` (skipped: ${reason})`;
  context.skip();
}

/**
 * For tests of this firmware's own choices (exact status codes, ...), not of RFC 6455:
 * skips on the reference server, saying why in the test title.
 */
export function firmwareOnly(context, reason) {
  if (target.kind === "reference")
    skipBecause(context, `firmware-specific, not run on reference: ${reason}`);
}
