/*
 * A light on a GPIO output (embedded:io/digital): an LED, or a relay driving a lamp. Some boards
 * wire their LED to light when the pin is low ("active low").
 */
import Digital from "embedded:io/digital";

interface LightOptions {
  pin: number;
  /** The light is on when the pin is low. */
  activeLow: boolean;
}

export class Light {
  readonly pin: number;
  readonly #activeLow: boolean;
  readonly #output: Digital;
  #on = false;

  constructor({ pin, activeLow }: LightOptions) {
    this.pin = pin;
    this.#activeLow = activeLow;
    this.#output = new Digital({ pin, mode: Digital.Output });
    this.set(false);
  }

  get on(): boolean {
    return this.#on;
  }

  /** The level on the pin: 1 high, 0 low. */
  get level(): 0 | 1 {
    return this.#on !== this.#activeLow ? 1 : 0;
  }

  /** What GET /status shows of it. */
  get state(): { on: boolean; pin: number; level: 0 | 1 } {
    return { on: this.#on, pin: this.pin, level: this.level };
  }

  /** Switches it on or off; true when that changed it. */
  set(on: boolean): boolean {
    const changed = on !== this.#on;
    this.#on = on;
    this.#output.write(this.level);
    return changed;
  }
}
