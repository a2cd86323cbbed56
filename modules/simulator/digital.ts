/*
 * embedded:io/digital for the Moddable simulators (lin, mac, win), which have no GPIO: the
 * manifest maps the module here on those platforms only; on an ESP32 it is the SDK's own. An
 * output keeps the level written to it and traces it ("[gpio] pin 2 = 1"); an input reads the
 * level its pull resistor gives (a button nobody presses) and never reports an edge.
 */
const Input = 0;
const InputPullUp = 1;
const InputPullDown = 2;
const InputPullUpDown = 3;
const Output = 8;
const OutputOpenDrain = 9;

interface DigitalOptions {
  pin: number;
  mode: number;
  onReadable?: () => void;
  edge?: number;
}

export default class Digital {
  static readonly Input = Input;
  static readonly InputPullUp = InputPullUp;
  static readonly InputPullDown = InputPullDown;
  static readonly InputPullUpDown = InputPullUpDown;
  static readonly Output = Output;
  static readonly OutputOpenDrain = OutputOpenDrain;
  static readonly Rising = 1;
  static readonly Falling = 2;

  readonly #pin: number;
  readonly #output: boolean;
  #level: 0 | 1;

  constructor({ pin, mode }: DigitalOptions) {
    if (!Number.isInteger(pin) || pin < 0) throw new Error("invalid pin");
    if (mode !== Output && mode !== OutputOpenDrain && (mode < Input || mode > InputPullUpDown))
      throw new RangeError("invalid mode");
    this.#pin = pin;
    this.#output = mode === Output || mode === OutputOpenDrain;
    this.#level = mode === InputPullUp ? 1 : 0;
  }

  read(): 0 | 1 {
    if (this.#output) throw new Error("can't read output");
    return this.#level;
  }

  write(value: number): void {
    if (!this.#output) throw new Error("can't write input");
    this.#level = value ? 1 : 0;
    trace(`[gpio] pin ${this.#pin} = ${this.#level}\n`);
  }

  close(): void {}

  get format(): "number" {
    return "number";
  }
}
