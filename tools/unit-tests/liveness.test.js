// Unit tests of the firmware's liveness rules (modules/websocket/liveness.ts), compiled.
import { expect } from "chai";
import { firmwareModule } from "./firmware-modules.js";

const { Liveness, LivenessAction } = await firmwareModule("websocket/liveness");
const options = { pingInterval: 1000, pingTimeout: 500, idleTimeout: 0 };

describe("firmware liveness", () => {
  it("pings after pingInterval, once, and drops the client when the pong is overdue", () => {
    const liveness = new Liveness(0);
    expect(liveness.check(999, options)).to.equal(LivenessAction.none);
    expect(liveness.check(1000, options)).to.equal(LivenessAction.ping);
    expect(liveness.check(1200, options)).to.equal(LivenessAction.none); // waiting for the pong
    expect(liveness.check(1500, options)).to.equal(LivenessAction.none); // overdue: read what came
    expect(liveness.check(1600, options)).to.equal(LivenessAction.drop); // still overdue
  });

  it("keeps a client whose pong, overdue at one check, was read before the next", () => {
    const liveness = new Liveness(0);
    expect(liveness.check(1000, options)).to.equal(LivenessAction.ping);
    expect(liveness.check(1500, options)).to.equal(LivenessAction.none);
    liveness.pong(); // its socket's news, queued behind the late timer
    expect(liveness.check(1600, options)).to.equal(LivenessAction.none);
  });

  it("keeps a client that answers, and pings it again an interval later", () => {
    const liveness = new Liveness(0);
    expect(liveness.check(1000, options)).to.equal(LivenessAction.ping);
    liveness.pong();
    expect(liveness.check(1600, options)).to.equal(LivenessAction.none);
    expect(liveness.check(2000, options)).to.equal(LivenessAction.ping);
  });

  it("takes anything the client sends after a ping as its answer (its pong may wait behind it)", () => {
    const liveness = new Liveness(0);
    expect(liveness.check(1000, options)).to.equal(LivenessAction.ping);
    liveness.received(1400); // part of a long message, say
    expect(liveness.check(1600, options)).to.equal(LivenessAction.none);
    expect(liveness.check(2000, options)).to.equal(LivenessAction.ping);
    expect(liveness.check(2500, options)).to.equal(LivenessAction.none);
    expect(liveness.check(2600, options)).to.equal(LivenessAction.drop);
  });

  it("lets no deadline run out while the server is not reading the client: a whole pingTimeout after it reads again", () => {
    const liveness = new Liveness(0);
    expect(liveness.check(1000, options)).to.equal(LivenessAction.ping);
    liveness.hold(1100, options); // bytes wait for the client, or the budget has no room
    liveness.hold(1450, options);
    expect(liveness.check(1600, options)).to.equal(LivenessAction.none); // was due at 1500
    expect(liveness.check(1949, options)).to.equal(LivenessAction.none);
    expect(liveness.check(1950, options)).to.equal(LivenessAction.none);
    expect(liveness.check(2000, options)).to.equal(LivenessAction.drop);
    const idle = { pingInterval: 0, pingTimeout: 500, idleTimeout: 3000 };
    const quiet = new Liveness(0);
    quiet.hold(2500, idle);
    expect(quiet.check(5499, idle)).to.equal(LivenessAction.none);
    expect(quiet.check(5500, idle)).to.equal(LivenessAction.closeIdle);
  });

  it("closes a client idle for idleTimeout, counting anything it sends", () => {
    const liveness = new Liveness(0);
    const idle = { pingInterval: 0, pingTimeout: 500, idleTimeout: 3000 };
    liveness.received(2000);
    expect(liveness.check(4999, idle)).to.equal(LivenessAction.none);
    expect(liveness.check(5000, idle)).to.equal(LivenessAction.closeIdle);
  });
});
