// The system's Chromium for the browser tests (playwright-core drives it; nothing is downloaded):
// CHROMIUM=<path>, or the usual install places. undefined when there is none (the tests skip).
import { existsSync } from "node:fs";

const PLACES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

export function findChromium() {
  return [process.env.CHROMIUM, ...PLACES].find((file) => file && existsSync(file));
}
