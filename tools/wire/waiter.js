// A pause that whoever it waits for can end early: a client waiting for the next frame or message
// sleeps until data comes (wake()) or its time is up, whichever is first.
export class Waiter {
  #wake = null;

  /** Resolves after `ms`, or at the next wake(). */
  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the current sleep, if any. */
  wake() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
