// Loads compiled firmware modules (build/firmware) by their Moddable module name, through the
// platform layer's loader, for unit tests of the firmware's pure modules.
import { fileURLToPath } from "node:url";
import { loadApp } from "../platform/manifest/app.js";
import { moduleUrl, registerFirmwareLoader } from "../platform/loader/register.js";
import { installNodeHost } from "../platform/adapters/node/boot.js";
import { installXsGlobals } from "../platform/sdk/runtime/xs-globals.js";
import { encodeFrame } from "../wire/frame-encoder.js";

const manifestPath = fileURLToPath(new URL("../../manifest.json", import.meta.url));
let app = null;

export function firmwareModule(name) {
  if (!app) {
    app = loadApp({ manifestPath });
    registerFirmwareLoader(app);
    installNodeHost();
    installXsGlobals();
  }
  const entry = app.modules.get(name);
  if (!entry) throw new Error(`manifest.json defines no module "${name}"`);
  return import(moduleUrl(entry));
}

/** A FrameParser handler that records every event as [name, ...values], with room for all. */
export function recordingHandler() {
  const events = [];
  return {
    events,
    mayRead: () => true,
    reserveMessage: () => 0, // Room.granted
    reservePart: () => true,
    parsedMessage: (data, isText) =>
      events.push([
        "message",
        isText ? String.fromArrayBuffer(data) : [...new Uint8Array(data)],
        isText,
      ]),
    parsedPart: (part, isText, first, last) =>
      events.push(["part", [...part], isText, first, last]),
    parsedPing: (payload) => events.push(["ping", [...payload]]),
    parsedPong: (payload) => events.push(["pong", [...payload]]),
    parsedClose: (code, reason) => events.push(["close", code, reason]),
    protocolError: (code, message) => events.push(["error", code, message]),
  };
}

/** A client frame masked with the key 1, 2, 3, 4, as a Uint8Array of its own (not a Buffer). */
export function clientFrame({ mask = [1, 2, 3, 4], ...frame }) {
  return new Uint8Array(encodeFrame({ ...frame, maskKey: mask }));
}

export const utf8 = (text) => [...new TextEncoder().encode(text)];
