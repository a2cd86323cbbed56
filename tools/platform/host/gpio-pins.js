// The simulated ESP32 pins. Tests drive input levels and read output levels here (through
// test-control.js in the firmware process); firmware reaches pins only through embedded:io/digital.
import { clearInterval, setInterval } from "node:timers";

/** pin number -> { level, owner } ; level is the electrical level (0 or 1) on the pin. */
const pins = new Map();
/** pin number -> listener(level) called when an input level changes (set by Digital). */
const watchers = new Map();
/** While an input waits for edges the process stays alive, as an interrupt keeps a board busy. */
let keepAlive = null;

function updateKeepAlive() {
  if (watchers.size > 0 && !keepAlive) keepAlive = setInterval(() => {}, 0x7fffffff);
  else if (watchers.size === 0 && keepAlive) {
    clearInterval(keepAlive);
    keepAlive = null;
  }
}

function entry(pin) {
  let state = pins.get(pin);
  if (!state) {
    state = { level: 0, owner: null };
    pins.set(pin, state);
  }
  return state;
}

/** The level of a pin (0 or 1). */
export function pinLevel(pin) {
  return entry(pin).level;
}

/** Drives a pin from outside, as a button or sensor would; notifies an input watching it. */
export function setInputLevel(pin, level) {
  const state = entry(pin);
  const next = level ? 1 : 0;
  const previous = state.level;
  state.level = next;
  if (previous !== next) watchers.get(pin)?.(next, previous);
}

/** Used by Digital: claims a pin, or returns false if it is in use. */
export function claimPin(pin, owner) {
  const state = entry(pin);
  if (state.owner) return false;
  state.owner = owner;
  return true;
}

export function releasePin(pin) {
  entry(pin).owner = null;
  watchers.delete(pin);
  updateKeepAlive();
}

/** Used by Digital outputs: sets the level the chip drives. */
export function drivePin(pin, level) {
  entry(pin).level = level ? 1 : 0;
}

export function watchPin(pin, listener) {
  watchers.set(pin, listener);
  updateKeepAlive();
}
