import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "build/", "bench-results/"] },
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
      "no-restricted-imports": [
        "error",
        { patterns: ["node:*", "fs", "http", "crypto", "buffer", "events", "ws"] },
      ],
    },
  },
  {
    files: ["tools/**/*.js", "host-tests/**/*.js", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
  },
);
