// "timer", after modules/base/timer/modTimer.c and mc/timer.c of Moddable SDK 8.2.3.
// - The callback runs with `this` = globalThis and the timer as its argument.
// - A repeating timer does not drift: each trigger time is the previous one plus the interval.
// - When a callback returns and the timer's repeat interval is 0, the timer is removed and the
//   object is dead: Timer.schedule() on it throws, Timer.clear() ignores it. (So rescheduling a
//   one-shot timer from its own callback with no repeat does not keep it alive, as on XS.)
// - Timer.schedule(timer) with only the timer unschedules it (it stays alive, dormant).
// The host's timers keep the run alive, as timers keep a board busy.
import { host } from "../host.js";
import { counters } from "../runtime/counters.js";
import { callFirmware } from "../runtime/deliver.js";
import { HostData } from "../runtime/host-data.js";
import { freezeClass } from "../runtime/freeze.js";
import { toInteger } from "../runtime/io-arguments.js";

const MAX_DELAY_MS = 0x7fffffff;
const timers = new HostData();

function disarm(record) {
  if (record.handle !== null) host.clearTimer(record.handle);
  record.handle = null;
}

function arm(record) {
  disarm(record);
  if (!record.scheduled) return;
  const delay = Math.max(0, record.triggerTime - host.now());
  if (delay > MAX_DELAY_MS) return;
  record.handle = host.setTimer(delay, record.fire);
}

function remove(record) {
  disarm(record);
  record.alive = false;
  timers.delete(record.self);
  counters.timers -= 1;
}

function fire(record) {
  record.handle = null;
  record.triggerTime += record.repeat;
  callFirmware(record.callback, host.firmwareGlobal, record.self);
  if (!record.alive) return;
  if (record.repeat === 0) remove(record);
  else arm(record);
}

function createTimer(callback, interval, repeat) {
  if (callback === null || (typeof callback !== "object" && typeof callback !== "function")) {
    throw new TypeError("callback: not an object");
  }
  const self = {};
  const record = {
    self,
    callback,
    triggerTime: host.now() + interval,
    repeat: repeat < 0 ? 2 ** 32 + repeat : repeat,
    scheduled: true,
    alive: true,
    handle: null,
    fire: () => fire(record),
  };
  timers.set(self, record);
  counters.timers += 1;
  arm(record);
  return self;
}

class Timer {
  static set(callback, interval, repeat) {
    return createTimer(callback, toInteger(interval), toInteger(repeat));
  }

  static repeat(callback, interval) {
    const value = toInteger(interval);
    return createTimer(callback, value, value);
  }

  static schedule(timer, interval, repeat) {
    const record = timers.get(timer);
    if (arguments.length === 1) {
      record.scheduled = false;
      record.repeat = 2 ** 32 - 1;
    } else {
      record.scheduled = true;
      record.triggerTime = host.now() + toInteger(interval);
      const value = arguments.length > 2 ? toInteger(repeat) : 0;
      record.repeat = value < 0 ? 2 ** 32 + value : value;
    }
    arm(record);
  }

  static clear(timer) {
    if (arguments.length === 0) return;
    const record = timers.peek(timer);
    if (record) remove(record);
  }

  static delay(milliseconds) {
    const ms = toInteger(milliseconds);
    if (ms > 0) host.sleep(ms);
  }
}

export default freezeClass(Timer);
