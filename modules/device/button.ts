/*
 * A push button on a GPIO input (embedded:io/digital), such as the BOOT button of an ESP32 DevKit
 * (GPIO 0): the pin is pulled up and the button pulls it low while pressed. Contacts bounce, so a
 * change counts once the level has stayed the same for `debounce` ms.
 */
import Digital from "embedded:io/digital";
import Timer from "timer";

interface ButtonOptions {
  pin: number;
  /** Called with true when the button goes down, false when it comes up. */
  onChange: (pressed: boolean) => void;
  /** ms the level must hold before a change counts (default 20). */
  debounce?: number;
}

export class Button {
  readonly pin: number;
  readonly #input: Digital;
  readonly #onChange: (pressed: boolean) => void;
  readonly #debounce: number;
  #pressed: boolean;
  #settle: Timer | null = null;

  constructor({ pin, onChange, debounce = 20 }: ButtonOptions) {
    this.pin = pin;
    this.#onChange = onChange;
    this.#debounce = debounce;
    this.#input = new Digital({
      pin,
      mode: Digital.InputPullUp,
      edge: Digital.Rising | Digital.Falling,
      onReadable: () => this.#edge(),
    });
    this.#pressed = this.#input.read() === 0;
  }

  /** What GET /status shows of it. */
  get state(): { pressed: boolean; pin: number } {
    return { pressed: this.#pressed, pin: this.pin };
  }

  /** The level moved: look again once it has settled. */
  #edge(): void {
    if (this.#settle) Timer.clear(this.#settle);
    this.#settle = Timer.set(() => {
      this.#settle = null;
      const pressed = this.#input.read() === 0;
      if (pressed === this.#pressed) return; // a bounce, back where it was
      this.#pressed = pressed;
      this.#onChange(pressed);
    }, this.#debounce);
  }
}
