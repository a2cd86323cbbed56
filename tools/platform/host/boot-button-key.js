// The BOOT button of the simulated ESP32 DevKit, pressed from the `npm start` terminal: "b" holds
// GPIO 0 low for a moment, as a finger on the button does. Tests press it through test-control.js
// instead (the IPC channel).
import { clearTimeout, setTimeout } from "node:timers";
import { setInputLevel } from "./gpio-pins.js";

export const BOOT_BUTTON_PIN = 0;
const PRESS_MS = 150;

/**
 * Listens to `input` (a terminal in raw mode: one key at a time): "b" presses and releases the
 * BOOT button, Ctrl-C calls `onInterrupt`. `setLevel(pin, level)` drives the pin: this process's
 * (the default), or a firmware's in another process (npm run dev). Returns a function that stops
 * listening.
 */
export function listenForBootButtonKey(input, { onInterrupt, log, setLevel = setInputLevel }) {
  let release = null;
  const onData = (chunk) => {
    for (const key of String(chunk)) {
      if (key === "\u0003") onInterrupt();
      else if (key === "b" || key === "B") {
        log(`[key] BOOT button (GPIO ${BOOT_BUTTON_PIN}) pressed\n`);
        setLevel(BOOT_BUTTON_PIN, 0);
        clearTimeout(release);
        release = setTimeout(() => setLevel(BOOT_BUTTON_PIN, 1), PRESS_MS);
      }
    }
  };
  input.on("data", onData);
  return () => {
    input.off("data", onData);
    clearTimeout(release);
  };
}
