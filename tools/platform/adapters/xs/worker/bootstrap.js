// The XS engine's side of the boundary, inside the xsnap worker: it answers the host's commands.
//   boot    the host object (remote-host.js), XS's global environment for the firmware, the main
//           module and its default export, as adapters/node/boot.js does in the Node engine;
//   events  what happened on the host's side (bytes arrived, a timer fired…), in order;
//   gc      a garbage collection, so that the host reads the live slots in the reply's meter.
// The reply to each command is every operation the engine posted meanwhile (channel.js). It is
// taken once xsnap has run the promise jobs and immediates the command caused: xsnap reads the
// `result` of what handleCommand returns after its run loop.
import { installHost } from "../../../sdk/host.js";
import { xsAbort } from "../../../sdk/runtime/abort.js";
import { installXsEnvironment, runMain } from "../../../sdk/runtime/firmware-start.js";
import { decodeMessage } from "../protocol.js";
import { takeOutbox } from "./channel.js";
import { unmetered } from "./meter.js";
import { createFirmwareCompartment } from "./firmware-compartment.js";
import { deliverEvents, remoteHost } from "./remote-host.js";

const reply = Object.freeze({
  get result() {
    return takeOutbox();
  },
});

export function handleCommand(buffer) {
  try {
    const { value, attachments } = unmetered(() => decodeMessage(new Uint8Array(buffer)));
    if (value.op === "events") deliverEvents(value.events, attachments);
    else if (value.op === "gc") gc();
    else if (value.op === "boot") boot(value);
    else throw new Error(`unknown command ${value.op}`);
  } catch (error) {
    // A fault of the platform layer (firmware errors abort before this): xsnap reports only the
    // message, so the stack goes with it.
    throw new Error(`${error}\n${error?.stack ?? ""}`, { cause: error });
  }
  return reply;
}

export function unhandledRejection(reason) {
  xsAbort(reason, "unhandled rejection");
}

function boot({ engine, network, main, engineModules, preloadRuntime }) {
  const compartment = createFirmwareCompartment(engineModules, preloadRuntime);
  installHost({ ...remoteHost, engine, network, firmwareGlobal: compartment.globalThis });
  for (const path of Object.values(engineModules)) importPlatformModule(path);
  installXsEnvironment();
  // The main module may await at its top level: imported asynchronously.
  compartment.import(main).then(runMain, (error) => xsAbort(error));
}
