// The shape of the firmware's imports (main.ts and modules/, read as TypeScript): no circle, no
// arrow running back up the layers, nothing from tools/ or Node, and no export nobody uses.
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The layers, lowest first: a module may import from its own layer and the ones below it. HTTP
 * knows nothing of WebSocket; the server joins them; the application's parts sit on the server.
 */
const LAYERS = [
  ["settings/", "socket/", "thrown-at"],
  ["http/"],
  ["websocket/"],
  ["server"],
  [
    "api/",
    "device/",
    "simulator/",
    "settings",
    "memory",
    "status",
    "web-console",
    "network",
    "ticker",
  ],
  ["discovery"],
  ["main"],
];

function layerOf(name) {
  const index = LAYERS.findIndex((layer) =>
    layer.some((prefix) => (prefix.endsWith("/") ? name.startsWith(prefix) : name === prefix)),
  );
  if (index < 0) throw new Error(`${name} is in no layer of this test: add it to LAYERS`);
  return index;
}

function tsFiles(folder) {
  return readdirSync(join(ROOT, folder), { recursive: true })
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => join(folder, file));
}

/** The SDK's names the manifest gives to firmware files (the simulators' stand-ins), by name. */
const manifest = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8"));
const standIns = new Map();
for (const platform of Object.values(manifest.platforms ?? {})) {
  for (const [specifier, path] of Object.entries(platform.modules ?? {})) {
    if (typeof path === "string" && path.startsWith("./modules/"))
      standIns.set(specifier, path.slice("./modules/".length));
  }
}
const resolve = (specifier) => standIns.get(specifier) ?? specifier;

/** Each firmware file: its module name, what it imports (by specifier, with the names) and exports. */
function readFirmware() {
  const files = ["main.ts", ...tsFiles("modules")];
  const modules = new Map();
  for (const file of files) {
    const name = file === "main.ts" ? "main" : relative("modules", file).replace(/\.ts$/, "");
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), 99, true);
    const imports = [];
    const exports = [];
    for (const statement of source.statements) {
      if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) {
        if (!statement.moduleSpecifier) continue;
        const bindings = ts.isImportDeclaration(statement)
          ? statement.importClause?.namedBindings
          : undefined;
        const names =
          bindings && ts.isNamedImports(bindings)
            ? bindings.elements.map((e) => (e.propertyName ?? e.name).text)
            : [];
        if (statement.importClause?.name) names.push("default");
        // `import type`, or only type names: tsc erases it, so it is no import at run time
        const typeOnly =
          ts.isImportDeclaration(statement) &&
          (statement.importClause?.isTypeOnly ||
            (!statement.importClause?.name &&
              bindings !== undefined &&
              ts.isNamedImports(bindings) &&
              bindings.elements.every((e) => e.isTypeOnly)));
        imports.push({ specifier: resolve(statement.moduleSpecifier.text), names, typeOnly });
        continue;
      }
      const exported = ts
        .getModifiers?.(statement)
        ?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      const isDefault = ts
        .getModifiers(statement)
        .some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if (isDefault) exports.push("default");
      else if (ts.isVariableStatement(statement))
        for (const d of statement.declarationList.declarations) exports.push(d.name.getText());
      else if (statement.name) exports.push(statement.name.text);
    }
    modules.set(name, { file, imports, exports });
  }
  return modules;
}

const modules = readFirmware();
const internal = (specifier) => modules.has(specifier);

/** The JavaScript of tools/ and host-tests/ that loads a firmware module by name, fixtures apart. */
function toolSources() {
  const sources = [];
  for (const folder of ["tools", "host-tests"]) {
    for (const file of readdirSync(join(ROOT, folder), { recursive: true })) {
      if (!file.endsWith(".js") || file.split(/[\\/]/).includes("fixtures")) continue;
      const text = readFileSync(join(ROOT, folder, file), "utf8");
      if (/firmwareModule\(|build\/firmware\/modules\//.test(text)) sources.push(text);
    }
  }
  return sources;
}

describe("the firmware's shape (main.ts and modules/)", () => {
  it("imports only firmware modules and the SDK's: nothing from tools/, Node or a relative path", () => {
    for (const [name, { imports }] of modules) {
      for (const { specifier } of imports) {
        expect(specifier, `${name} imports ${specifier}`).not.to.match(/^(\.|node:|tools\/)/);
        expect(specifier, `${name} imports ${specifier}`).not.to.include("tools/");
      }
    }
  });

  it("has no import circle (at run time: type-only imports are erased)", () => {
    const state = new Map(); // name → "visiting" | "done"
    const visit = (name, path) => {
      if (state.get(name) === "done") return;
      expect(state.get(name), `a circle: ${[...path, name].join(" → ")}`).not.to.equal("visiting");
      state.set(name, "visiting");
      for (const { specifier, typeOnly } of modules.get(name).imports)
        if (internal(specifier) && !typeOnly) visit(specifier, [...path, name]);
      state.set(name, "done");
    };
    for (const name of modules.keys()) visit(name, []);
  });

  it("has no arrow running back up: HTTP imports nothing of WebSocket, neither imports the server", () => {
    const upward = [];
    for (const [name, { imports }] of modules) {
      for (const { specifier } of imports) {
        if (internal(specifier) && layerOf(specifier) > layerOf(name))
          upward.push(`${name} → ${specifier}`);
      }
    }
    expect(upward).to.deep.equal([]);
    // and websocket/ re-exports nothing of HTTP
    for (const [name, { file }] of modules) {
      if (!name.startsWith("websocket/")) continue;
      const source = readFileSync(join(ROOT, file), "utf8");
      expect(source, `${name} re-exports`).not.to.match(/^export .* from /m);
    }
  });

  it("exports nothing that no other module, tool or test uses", () => {
    const used = new Set();
    for (const { imports } of modules.values()) {
      for (const { specifier, names } of imports)
        for (const n of names) used.add(`${specifier}:${n}`);
    }
    const tools = toolSources();
    const unused = [];
    for (const [name, { exports }] of modules) {
      if (name === "main") continue;
      for (const exported of exports) {
        if (used.has(`${name}:${exported}`)) continue;
        const word = new RegExp(`\\b${exported}\\b`);
        const byTool = tools.some((text) => text.includes(name) && word.test(text));
        if (!byTool) unused.push(`${name}: ${exported}`);
      }
    }
    expect(unused).to.deep.equal([]);
  });
});
