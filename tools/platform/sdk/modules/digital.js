// embedded:io/digital, after modules/io/digital/digital.js and esp32/digitalbank.c of Moddable SDK
// 8.2.3, on the host's simulated pins (host/gpio-pins.js). Writing an output prints
// "[gpio] pin N = L". Pins follow the ESP32: GPIO 0–19, 21–23, 25–27 and 32–39 exist; 34–39 are
// input only.
import { host } from "../host.js";
import { callFirmware, postMessage } from "../runtime/deliver.js";
import { freezeClass } from "../runtime/freeze.js";
import { HostData } from "../runtime/host-data.js";
import {
  getCallback,
  getSignedInteger,
  has,
  initializeFormat,
  initializeTarget,
  kFormatNumber,
} from "../runtime/io-arguments.js";

const Input = 0;
const InputPullUp = 1;
const InputPullDown = 2;
const InputPullUpDown = 3;
const Output = 8;
const OutputOpenDrain = 9;
const Rising = 1;
const Falling = 2;

const VALID_PINS = new Set([
  ...Array.from({ length: 20 }, (_, i) => i),
  21,
  22,
  23,
  25,
  26,
  27,
  ...Array.from({ length: 8 }, (_, i) => 32 + i),
]);
const INPUT_ONLY = new Set([34, 35, 36, 37, 38, 39]);

const digitals = new HostData();

function deliver(record) {
  const triggered = record.triggered;
  record.triggered = 0;
  if (!record.closed) callFirmware(record.onReadable, record.obj, triggered);
}

class Digital {
  constructor(options) {
    let pin = options.pin;
    if (pin === undefined) throw new Error("invalid");
    if (pin !== null && typeof pin === "object" && pin.pin !== undefined) pin = pin.pin;
    pin = Number(pin);
    const mask = 1 << (pin & 0x1f);
    if (!Number.isInteger(pin) || !VALID_PINS.has(pin)) throw new Error("invalid pin");
    const mode = getSignedInteger(options.mode);
    const isInput = mode >= Input && mode <= InputPullUpDown;
    if (!isInput && mode !== Output && mode !== OutputOpenDrain) {
      throw new RangeError("invalid mode");
    }
    const activeLow = has(options, "activeLow") && Boolean(options.activeLow) ? 1 : 0;
    const record = { pin, obj: this, isInput, activeLow, triggered: 0, closed: false };
    let rises = false;
    let falls = false;
    if (isInput) {
      record.onReadable = getCallback(options, "onReadable");
      if (record.onReadable) {
        const edge = options.edge ?? 0;
        rises = Boolean(edge & Rising);
        falls = Boolean(edge & Falling);
        if (!rises && !falls) throw new RangeError("invalid edges");
        if (activeLow) [rises, falls] = [falls, rises];
      }
    } else if (INPUT_ONLY.has(pin)) {
      throw new RangeError("input only");
    }
    initializeTarget(this, options);
    if (initializeFormat(options, kFormatNumber) !== kFormatNumber) {
      throw new RangeError("invalid format");
    }
    if (!host.pins.claim(pin)) throw new Error("in use");
    digitals.set(this, record);

    if (isInput) {
      if (mode === InputPullUp) host.pins.setInput(pin, 1);
      else if (mode === InputPullDown) host.pins.setInput(pin, 0);
      if (record.onReadable) {
        host.pins.watch(pin, (level) => {
          if ((level && rises) || (!level && falls)) {
            const triggered = record.triggered;
            record.triggered |= mask;
            if (!triggered) postMessage(() => deliver(record));
          }
        });
      }
    } else {
      const initial = has(options, "initialValue") && Number(options.initialValue) ? 1 : 0;
      host.pins.drive(pin, initial ^ activeLow);
    }
  }

  read() {
    const record = digitals.get(this);
    if (!record.isInput) throw new Error("can't read output");
    return host.pins.level(record.pin) ^ record.activeLow ? 1 : 0;
  }

  write(value) {
    const record = digitals.get(this);
    if (record.isInput) throw new Error("can't write input");
    const level = (Number(value) ? 1 : 0) ^ record.activeLow;
    host.pins.drive(record.pin, level);
    host.stdout(`[gpio] pin ${record.pin} = ${level}\n`);
  }

  close() {
    const record = digitals.peek(this);
    if (!record) return;
    record.closed = true;
    digitals.delete(this);
    host.pins.release(record.pin);
  }

  get format() {
    return "number";
  }

  set format(value) {
    if ("number" !== value) throw new RangeError();
  }
}

Object.assign(Digital, {
  Input,
  InputPullUp,
  InputPullDown,
  InputPullUpDown,
  Output,
  OutputOpenDrain,
  ActiveLow: 16,
  Rising,
  Falling,
});

export default freezeClass(Digital);
