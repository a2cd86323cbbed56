// No test may need a fixed port: `npm test` must pass while `npm start` runs on its port, 8080.
// These root hooks hold 8080 for the whole unit-test run, as `npm start` would (when something
// holds it already, that does the same), so that a test that starts the firmware without port=0
// fails with "start: cannot listen on port 8080: it is taken …". The host tests' hooks do the same.
import { expect } from "chai";
import { holdPort, portTaken, START_PORT } from "../testing/hold-port.js";

let release = null;

before(async () => {
  release = await holdPort(START_PORT);
});

after(async () => {
  await release?.();
});

describe("npm start's port during the tests", () => {
  it("is taken for the whole run, so that no test can use it", async () => {
    expect(await portTaken(START_PORT), `port ${START_PORT} is free during the tests`).to.equal(
      true,
    );
  });
});
