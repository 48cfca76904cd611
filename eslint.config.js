// Lint configuration: typescript-eslint's recommended rules (syntax-only, so linting stays fast on 2 cores).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Layering (DESIGN.md "Layers"): each layer imports only from the layers below it. For every layer, the
// top-level src/ folders it must not reach; a rule per folder depth matches exactly the relative paths
// that climb back to src/ (so tokenizers/models/ is not mistaken for src/models/).
const LAYERS = [
  { folders: ["cli", "server", "web"], below: [] },
  { folders: ["train", "generate", "analysis"], below: ["cli", "server", "web"] },
  { folders: ["models"], below: ["train", "generate", "analysis"] },
  { folders: ["nn", "optim", "losses", "metrics"], below: ["models"] },
  { folders: ["ops"], below: ["nn", "optim", "losses", "metrics"] },
  { folders: ["tensor", "autograd", "backend"], below: ["ops"] },
];
const INDEPENDENT = ["tokenizers", "io", "data"]; // independent of tensors (and of everything above them)
const forbiddenFor = (folder) => {
  if (INDEPENDENT.includes(folder)) return LAYERS.flatMap((l) => l.folders);
  const i = LAYERS.findIndex((l) => l.folders.includes(folder));
  return LAYERS.slice(0, i + 1).flatMap((l) => l.below).concat(LAYERS.slice(0, i).flatMap((l) => l.folders));
};
const layering = [...LAYERS.flatMap((l) => l.folders), ...INDEPENDENT].flatMap((folder) => {
  const forbidden = [...new Set(forbiddenFor(folder))];
  if (forbidden.length === 0) return [];
  return [1, 2, 3, 4, 5].map((depth) => ({
    files: [`src/${folder}/${"*/".repeat(depth - 1)}*.ts`],
    ignores: folder === "backend" ? ["src/backend/wasm/assembly/**"] : [],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{
          regex: `^(?:\\.\\./){${depth}}(?:${forbidden.join("|")})(?:/|$)`,
          message: `layering (DESIGN.md): src/${folder} must not import ${forbidden.join(", ")}`,
        }],
      }],
    },
  }));
});

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
  ...layering,
  {
    files: ["src/backend/wasm/assembly/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-vars": "off", "prefer-const": "off", "no-undef": "off" },
  },
  // The API reference that `npm run docs` generates.
  { ignores: ["docs/api/"] },
);
