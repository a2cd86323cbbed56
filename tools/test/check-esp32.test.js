// check:esp32 (tools/sim/moddable.js) fails on state a preloaded module of the firmware changes at
// run time: xsl freezes preloaded modules into flash, and on the board assigning it throws. It
// found `let headerViews` in websocket/connection.
import { expect } from "chai";
import { mutablePreloadedState } from "../sim/moddable.js";

describe("check:esp32: state that preloading would freeze", () => {
  it("names the app's module and variable from xsl's no-const warning, and leaves the SDK's", () => {
    const output = [
      "# xsl modules",
      "/home/student/moddable/modules/io/socket/lwip/listener.js:26: warning: cannot optimize native!",
      "### warning: websocket/connection: WebSocketConnection() 0() 0() headerView() headerViews: no const",
      "### warning: $(MODDABLE)/modules/x: y() z: no const",
      "### 1223 instances, 1499 keys, 68 colors, 0 holes",
    ].join("\n");
    expect(mutablePreloadedState(output)).to.deep.equal(["websocket/connection: headerViews"]);
    expect(
      mutablePreloadedState("### 1222 instances, 1500 keys, 68 colors, 0 holes"),
    ).to.deep.equal([]);
  });
});
