// Lint configuration: typescript-eslint's recommended rules (syntax-only, so linting stays fast on 2 cores).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "runs/", "build/", "src/backend/wasm/generated/", "**/*.d.ts", "test/fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly", process: "readonly", Buffer: "readonly", URL: "readonly",
        setTimeout: "readonly", clearTimeout: "readonly", setImmediate: "readonly", performance: "readonly",
        TextEncoder: "readonly", TextDecoder: "readonly", WebAssembly: "readonly", SharedArrayBuffer: "readonly",
        Atomics: "readonly", queueMicrotask: "readonly", structuredClone: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
      "prefer-const": "error",
    },
  },
  {
    files: ["src/backend/wasm/assembly/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-vars": "off", "prefer-const": "off", "no-undef": "off" },
  },
);
