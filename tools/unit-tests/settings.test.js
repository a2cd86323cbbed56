// The settings schema (modules/settings/schema.ts): how mc/config's values are read, what is
// reported, and the table of docs/settings.md drawn from it.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { settingsTable, withTable } from "../settings/table.js";
import { firmwareModule } from "./firmware-modules.js";

const { SETTINGS, describeProblem, limitsOf, readSettings } =
  await firmwareModule("settings/schema");

/** readSettings(config), and the problems it reported as the lines the firmware traces. */
function read(config) {
  const problems = [];
  const settings = readSettings(config, (problem) => problems.push(describeProblem(problem)));
  return { settings, problems };
}

describe("settings (settings/schema)", () => {
  it("gives every setting its default when mc/config has nothing", () => {
    const { settings, problems } = read({});
    expect(problems).to.deep.equal([]);
    expect(settings.port).to.equal(80);
    expect(settings.path).to.equal("/ws");
    expect(settings.lightActiveLow).to.equal(false);
    expect(settings.origins).to.deep.equal([]);
    expect(Object.keys(settings)).to.deep.equal(Object.keys(SETTINGS));
    expect(Object.isFrozen(settings)).to.equal(true);
  });

  it("reads key=value strings as the type each setting has", () => {
    const { settings, problems } = read({
      port: "8080",
      lightActiveLow: "1",
      origins: "http://a.example, ,http://b.example",
      hostname: "lab-3",
      token: "s3cret",
      tick: 500, // the manifest's own values are numbers already
    });
    expect(problems).to.deep.equal([]);
    expect(settings).to.include({ port: 8080, lightActiveLow: true, hostname: "lab-3" });
    expect(settings).to.include({ token: "s3cret", tick: 500 });
    expect(settings.origins).to.deep.equal(["http://a.example", "http://b.example"]);
  });

  it("reports a value a setting cannot take, saying what it accepts, and keeps the default", () => {
    const { settings, problems } = read({
      port: "abc",
      maxClients: "0",
      pingInterval: "",
      path: "ws",
      lightActiveLow: "yes",
      hostname: "-bad",
    });
    expect(problems).to.deep.equal([
      "config port=abc is not an integer in 0..65535; using 80",
      'config path=ws is not a path starting with /; using "/ws"',
      "config maxClients=0 is not an integer in 1..1000; using 7",
      "config pingInterval= is not an integer in 0..3600000; using 20000",
      "config lightActiveLow=yes is not true, false, 1 or 0; using false",
      'config hostname=-bad is not a host name: 1 to 63 letters, digits and -, not starting with -; using "esp32-echo"',
    ]);
    expect(settings).to.include({ port: 80, maxClients: 7, pingInterval: 20000, path: "/ws" });
  });

  it("reports a key that is no setting, with the setting it was probably meant to be", () => {
    const { problems } = read({ prot: "9000", pingIntervall: "2000", colour: "red" });
    expect(problems).to.deep.equal([
      "config prot is not a setting (did you mean port?); ignored",
      "config pingIntervall is not a setting (did you mean pingInterval?); ignored",
      "config colour is not a setting; ignored",
    ]);
  });

  it("takes a setting by its old name, saying its name now (a board built with it keeps working)", () => {
    const { settings, problems } = read({ handshakeTimeout: "1500" });
    expect(settings.requestTimeout).to.equal(1500);
    expect(problems).to.deep.equal([
      "config handshakeTimeout is now called requestTimeout; using its value",
    ]);
    expect(
      read({ handshakeTimeout: "1500", requestTimeout: "900" }).settings.requestTimeout,
    ).to.equal(900);
  });

  it("knows the keys the Moddable SDK and the platform layer add to mc/config", () => {
    const config = { ssid: "x", password: "y", sntp: "pool.ntp.org", format: "RGB565LE" };
    expect(read({ ...config, rotation: 0, engine: "node" }).problems).to.deep.equal([]);
  });

  it("reports as limits the settings the schema marks, as GET /status shows them", () => {
    const limits = limitsOf(read({ maxClients: "3" }).settings);
    expect(limits).to.include({ maxClients: 3, maxBuffered: 40960, maxMessageSize: 16384 });
    expect(Object.keys(limits)).to.include.members([
      "pingInterval",
      "maxFrames",
      "maxPingRate",
      "sendTimeout",
    ]);
    expect(limits).not.to.have.any.keys("port", "token", "lightPin", "closeTimeout");
  });

  it("is the table of docs/settings.md", () => {
    const page = readFileSync(new URL("../../docs/settings.md", import.meta.url), "utf8");
    expect(withTable(page, settingsTable(SETTINGS))).to.equal(page);
  });
});
