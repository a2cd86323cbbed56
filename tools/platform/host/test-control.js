// Lets a test drive the simulated hardware of a firmware process started by index.js, and read the
// engine's meter: messages on the IPC channel, never visible to firmware.
//   { type: "gpio", pin, level }  sets an input level
//   { type: "measure", id }       answered { type: "measure", id, figures }: what the engine can
//                                 say of its heap and work (the XS engine collects garbage first)
import process from "node:process";
import { setInputLevel } from "./gpio-pins.js";

/** @param {() => Promise<object>} measure the engine's figures */
export function listenForTestControl(measure = async () => ({ engine: "node" })) {
  if (typeof process.send !== "function") return;
  process.on("message", (message) => {
    if (message?.type === "gpio") setInputLevel(Number(message.pin), Number(message.level));
    else if (message?.type === "measure") {
      measure().then(
        (figures) => process.send({ type: "measure", id: message.id, figures }),
        (error) => process.send({ type: "measure", id: message.id, error: String(error) }),
      );
    }
  });
  process.channel?.unref();
}
