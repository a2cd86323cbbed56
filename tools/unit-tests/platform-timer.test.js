// The timer module, in each engine (fixtures/platform-checks/check-timer.js).
import { expect } from "chai";
import { forEachEngine, runCheck } from "./platform-support.js";

describe("platform: timer", function () {
  this.timeout(15_000);
  forEachEngine((engine) => {
    let result;
    before(async () => {
      result = await runCheck("timer", engine);
    });

    it("set() fires once, with the timer as argument and globalThis as this", () => {
      expect(result.once).to.deep.equal({
        calls: [{ same: true, self: true }],
        during: 1,
        after: 0,
        schedule: "SyntaxError: C: xsGetHostData: invalid host data",
        clear: "ok",
      });
    });

    it("repeat() fires every interval until clear(); clear accepts undefined and null", () => {
      expect(result.repeat.seen).to.be.within(4, 7);
      expect(result.repeat.later).to.equal(result.repeat.seen);
      expect(result.repeat).to.include({ clearUndefined: "ok", clearNull: "ok" });
    });

    it("set(callback, delay, repeat) repeats after the first delay", () => {
      expect(result.delayedRepeat.length).to.be.within(2, 4);
      expect(result.delayedRepeat[0]).to.be.at.least(55);
    });

    it("schedule(timer) alone unschedules; schedule(timer, delay) makes it fire once more", () => {
      expect(result.schedule).to.deep.equal({
        unscheduled: 0,
        once: 1,
        again: "SyntaxError: C: xsGetHostData: invalid host data",
      });
    });

    it("delay() blocks", () => {
      expect(result.delay).to.be.at.least(29);
    });
  });
});
