// The timer module (in this process: callbacks here must not throw, that would abort mocha).
import { expect } from "chai";
import { installNodeHost } from "../platform/engines/node/boot.js";
import Instrumentation from "../platform/engine/modules/instrumentation.js";
import Timer from "../platform/engine/modules/timer.js";

installNodeHost();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const activeTimers = () => Instrumentation.get(Instrumentation.map("Timers"));

describe("platform: timer", function () {
  this.timeout(5000);

  it("set() fires once, with the timer as argument and globalThis as this", async () => {
    const calls = [];
    const before = activeTimers();
    const timer = Timer.set(function (t) {
      calls.push({ same: t === timer, self: this === globalThis });
    }, 20);
    expect(activeTimers()).to.equal(before + 1);
    await sleep(120);
    expect(calls).to.deep.equal([{ same: true, self: true }]);
    expect(activeTimers()).to.equal(before);
    expect(() => Timer.schedule(timer, 10)).to.throw(SyntaxError, "invalid host data");
    expect(() => Timer.clear(timer)).not.to.throw();
  });

  it("repeat() fires every interval until clear(); clear accepts undefined and null", async () => {
    let count = 0;
    const timer = Timer.repeat(() => count++, 20);
    await sleep(130);
    Timer.clear(timer);
    const seen = count;
    expect(seen).to.be.within(4, 7);
    await sleep(60);
    expect(count).to.equal(seen);
    expect(() => Timer.clear(undefined)).not.to.throw();
    expect(() => Timer.clear(null)).not.to.throw();
  });

  it("set(callback, delay, repeat) repeats after the first delay", async () => {
    const times = [];
    const start = Date.now();
    const timer = Timer.set(() => times.push(Date.now() - start), 60, 20);
    await sleep(125);
    Timer.clear(timer);
    expect(times.length).to.be.within(2, 4);
    expect(times[0]).to.be.at.least(55);
  });

  it("schedule(timer) alone unschedules; schedule(timer, delay) makes it fire once more", async () => {
    let count = 0;
    const timer = Timer.repeat(() => count++, 10);
    Timer.schedule(timer);
    await sleep(60);
    expect(count).to.equal(0);
    Timer.schedule(timer, 10);
    await sleep(60);
    expect(count).to.equal(1);
    expect(() => Timer.schedule(timer, 10)).to.throw(SyntaxError);
  });

  it("delay() blocks", () => {
    const start = Date.now();
    Timer.delay(30);
    expect(Date.now() - start).to.be.at.least(29);
  });
});
