// The test commands' exit codes mean one thing: 0 all passed, 1 a test (or a check) failed, 2 a
// usage error. Mocha's own exit code is the number of failures.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const RUN_MOCHA = fileURLToPath(new URL("../testing/run-mocha.js", import.meta.url));
const NPM_TEST = fileURLToPath(new URL("../testing/npm-test.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

const run = (script, args) =>
  spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 60_000 });

describe("the test commands' exit codes", function () {
  this.timeout(60_000);
  let folder;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), "runner-"));
    writeFileSync(
      join(folder, "some.test.js"),
      [
        'import assert from "node:assert";',
        'it("passes", () => assert.equal(1, 1));',
        'it("fails once", () => assert.equal(1, 2));',
        'it("fails twice", () => assert.equal(1, 3));',
      ].join("\n"),
    );
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it("run-mocha (test:unit, test:host): 1 for two failures, 0 when all pass, 2 for a usage error", () => {
    expect(run(RUN_MOCHA, [folder]).status, "two failures").to.equal(1);
    expect(run(RUN_MOCHA, [folder, "--grep", "passes"]).status, "all passed").to.equal(0);
    const noFolder = run(RUN_MOCHA, [join(folder, "missing")]);
    expect(noFolder.status).to.equal(2);
    expect(noFolder.stderr).to.include("is not a folder");
    expect(run(RUN_MOCHA, [folder, "--frobnicate"]).status, "unknown option").to.equal(2);
    expect(run(RUN_MOCHA, [folder, "--reporter", "nosuch"]).status, "unknown reporter").to.equal(2);
  });

  it("package.json's test:unit and test:host give run-mocha arguments it takes", () => {
    const lines = Object.entries(scripts).filter(([, line]) => line.includes("run-mocha.js "));
    expect(lines.map(([name]) => name)).to.include.members(["test:unit", "test:host"]);
    for (const [name, line] of lines) {
      // The script's own line, run by a shell as npm runs it, on the folder of three tests.
      const command = line
        .replace(/^node /, `"${process.execPath}" `)
        .replace(/run-mocha\.js \S+/, `run-mocha.js "${folder}"`);
      const result = spawnSync("sh", ["-c", `${command} --grep passes`], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.status, `${name}: ${result.stderr}`).to.equal(0);
    }
  });

  it("npm test takes no arguments: 2, saying so", () => {
    const result = run(NPM_TEST, ["--grep", "x"]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.include("npm test takes no arguments");
  });
});
