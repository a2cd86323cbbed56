// Lets a test drive the simulated hardware of a firmware process started by index.js: messages
// on the IPC channel, never visible to firmware. { type: "gpio", pin, level } sets an input level.
import process from "node:process";
import { setInputLevel } from "./gpio-pins.js";

export function listenForTestControl() {
  if (typeof process.send !== "function") return;
  process.on("message", (message) => {
    if (message?.type === "gpio") setInputLevel(Number(message.pin), Number(message.level));
  });
  process.channel?.unref();
}
