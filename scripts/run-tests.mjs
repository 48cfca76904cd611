#!/usr/bin/env node
// Runs the test suite with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [--backend native|wasm|js] [path-prefix ...]
//   e.g. `node scripts/run-tests.mjs test/tensor`, or `--backend js` to run on the reference kernels.
// Node 20 has no glob support in `--test`, so the files are found here.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === "fixtures" || name === "node_modules") continue;
      out.push(...findTests(full));
    } else if (name.endsWith(".test.ts")) {
      out.push(relative(root, full));
    }
  }
  return out;
}

const args = process.argv.slice(2);
let backend;
const at = args.indexOf("--backend");
if (at >= 0) {
  backend = args[at + 1];
  args.splice(at, 2);
}
const prefixes = args;
let files = findTests(join(root, "test"));
if (prefixes.length > 0) files = files.filter((f) => prefixes.some((p) => f.startsWith(p.replace(/^\.\//, ""))));
if (backend) console.log(`run-tests: LOOM_BACKEND=${backend}, ${files.length} files`);
if (files.length === 0) {
  console.error("run-tests: no test files matched");
  process.exit(1);
}
const concurrency = process.env.LOOM_TEST_CONCURRENCY ?? "2";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, LOOM_TEST: "1", ...(backend ? { LOOM_BACKEND: backend } : {}) } },
);
process.exit(result.status ?? 1);
