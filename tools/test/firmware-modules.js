// Loads compiled firmware modules (build/firmware) by their Moddable module name, through the
// platform layer's loader, for unit tests of the firmware's pure modules.
import { fileURLToPath } from "node:url";
import { loadApp } from "../platform/manifest/app.js";
import { moduleUrl, registerFirmwareLoader } from "../platform/loader/register.js";
import { installNodeHost } from "../platform/engines/node/boot.js";
import { installXsGlobals } from "../platform/engine/runtime/xs-globals.js";

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

/** A FrameParser handler that records every event as [name, ...values]. */
export function recordingHandler() {
  const events = [];
  return {
    events,
    onMessage: (data, isText) =>
      events.push([
        "message",
        isText ? String.fromArrayBuffer(data) : [...new Uint8Array(data)],
        isText,
      ]),
    onPing: (payload) => events.push(["ping", [...payload]]),
    onPong: (payload) => events.push(["pong", [...payload]]),
    onClose: (code, reason) => events.push(["close", code, reason]),
    onProtocolError: (code, message) => events.push(["error", code, message]),
  };
}

/** A masked client frame, as bytes. */
export function clientFrame({ fin = true, rsv = 0, opcode, payload = [], mask = [1, 2, 3, 4] }) {
  const data = Uint8Array.from(payload);
  const length = data.length;
  const header = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  if (length < 126) header.push(0x80 | length);
  else if (length < 65536) header.push(0x80 | 126, length >> 8, length & 0xff);
  else
    header.push(
      0x80 | 127,
      0,
      0,
      0,
      0,
      (length >>> 24) & 0xff,
      (length >>> 16) & 0xff,
      (length >>> 8) & 0xff,
      length & 0xff,
    );
  const masked = data.map((byte, i) => byte ^ mask[i & 3]);
  return Uint8Array.from([...header, ...mask, ...masked]);
}

export const utf8 = (text) => [...new TextEncoder().encode(text)];
