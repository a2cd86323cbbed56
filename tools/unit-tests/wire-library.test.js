// The layering of the shared code: tools/wire (the wire library) does nothing when imported and
// imports nothing but its own files, Node's modules and chai; nothing under tools/ imports from
// host-tests/ (host-tests import tools/, as the `ws` library's test/ imports its lib/).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WIRE = join(ROOT, "tools/wire");
const wireFiles = readdirSync(WIRE)
  .filter((file) => file.endsWith(".js"))
  .map((file) => join(WIRE, file));

/** Every module specifier a file imports, static or dynamic, and re-exports. */
function specifiers(file) {
  const text = readFileSync(file, "utf8");
  const found = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*"([^"]+)"/g))
    found.push(match[1]);
  for (const match of text.matchAll(/(?:^|\n)\s*import\s*"([^"]+)"/g)) found.push(match[1]);
  for (const match of text.matchAll(/\bimport\(\s*["'`]([^"'`]+)["'`]/g)) found.push(match[1]);
  return found;
}

// Run in a child process: records every read of process.env, timer, listening socket and
// connection made while the files are imported.
const PROBE = `
import net from "node:net";
const seen = [];
const env = process.env;
process.env = new Proxy(env, {
  get(target, key) {
    // Node's module loader reads a variable or two of its own at each import.
    const caller = new Error().stack.split("\\n")[2] ?? "";
    if (typeof key === "string" && !caller.includes("node:internal"))
      seen.push("process.env." + key);
    return target[key];
  },
});
for (const name of ["setTimeout", "setInterval", "setImmediate", "queueMicrotask"]) {
  const original = globalThis[name];
  globalThis[name] = (...args) => (seen.push(name), original(...args));
}
const { listen } = net.Server.prototype;
net.Server.prototype.listen = function (...args) { seen.push("listen"); return listen.apply(this, args); };
const { connect } = net.Socket.prototype;
net.Socket.prototype.connect = function (...args) { seen.push("connect"); return connect.apply(this, args); };
const files = JSON.parse(process.argv[1]);
// chai is a dependency of the library; what it does when imported is not the library's doing.
await import("chai");
seen.length = 0;
for (const file of files) await import(new URL("file://" + file));
process.stdout.write(JSON.stringify(seen));
`;

describe("the wire library (tools/wire) and the layering of tools/ and host-tests/", () => {
  it("does nothing when any of its files is imported: no environment, timer or socket", () => {
    const run = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", PROBE, JSON.stringify(wireFiles)],
      { encoding: "utf8", cwd: ROOT },
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal([]);
  });

  it("imports only its own files, Node's modules and chai", () => {
    for (const file of wireFiles) {
      for (const specifier of specifiers(file)) {
        const ok = /^\.\/[\w-]+\.js$/.test(specifier) || specifier.startsWith("node:");
        expect(
          ok || specifier === "chai",
          `${relative(ROOT, file)} imports "${specifier}"`,
        ).to.equal(true);
      }
    }
  });

  it("no file under tools/ imports from host-tests/", () => {
    const files = readdirSync(join(ROOT, "tools"), { recursive: true })
      .filter((file) => file.endsWith(".js"))
      .map((file) => join(ROOT, "tools", file));
    expect(files.length).to.be.above(50);
    const offending = files.flatMap((file) =>
      specifiers(file)
        .filter((specifier) => specifier.includes("host-tests"))
        .map((specifier) => `${relative(ROOT, file)} imports "${specifier}"`),
    );
    expect(offending).to.deep.equal([]);
  });
});
