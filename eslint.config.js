import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "build/",
      "bench-results/",
      // XS syntax: a native function (`function f() @ "xs_f";`), for mcconfig only.
      "tools/unit-tests/fixtures/esp32-header-off-path/needs-gpio.js",
    ],
  },
  js.configs.recommended,
  {
    // Firmware: runs on XS (board, simulator) and on the Node platform layer. No Node globals
    // or modules ("net" here is the Moddable SDK module of that name, not Node's).
    files: ["main.ts", "modules/**/*.ts"],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: { trace: "readonly" } },
    rules: {
      "no-restricted-globals": [
        "error",
        "Buffer",
        "process",
        "require",
        "setTimeout",
        "setInterval",
      ],
      // Node's modules by name; a firmware module may be named http/… (it is no Node module).
      "no-restricted-imports": [
        "error",
        {
          paths: ["fs", "http", "https", "crypto", "buffer", "events", "ws"],
          patterns: ["node:*"],
        },
      ],
    },
  },
  {
    files: ["tools/**/*.js", "host-tests/**/*.js", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
  },
  {
    // The platform layer's code that runs inside the firmware's engine (V8 or the xsnap worker's
    // XS): the language and TextEncoder/TextDecoder, nothing of Node's. The worker's own files
    // also have the globals xsnap gives its start compartment.
    files: [
      "tools/platform/sdk/**/*.js",
      "tools/platform/adapters/xs/protocol.js",
      "tools/platform/adapters/xs/worker/**/*.js",
    ],
    languageOptions: {
      globals: { ...globals.builtin, TextEncoder: "readonly", TextDecoder: "readonly" },
    },
    rules: {
      "no-restricted-imports": ["error", { patterns: ["node:*"] }],
      "no-restricted-globals": [
        "error",
        "process",
        "Buffer",
        "require",
        "console",
        "setTimeout",
        "setInterval",
        "clearTimeout",
        "clearInterval",
      ],
    },
  },
  {
    files: ["tools/platform/adapters/xs/worker/**/*.js"],
    languageOptions: {
      globals: {
        Compartment: "readonly",
        ModuleSource: "readonly",
        issueCommand: "readonly",
        gc: "readonly",
        resetMeter: "readonly",
        performance: "readonly",
        setImmediate: "readonly",
        importPlatformModule: "readonly",
      },
    },
  },
);
