#!/usr/bin/env node
// Build: compile the AssemblyScript kernels (if present) to WebAssembly, then TypeScript to dist/.
// Runs from `npm install` (the `prepare` script), so a clone needs nothing beyond `npm install`.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: ${cmd} ${args.join(" ")} failed`);
    process.exit(r.status ?? 1);
  }
}

const buildSteps = join(root, "scripts", "build-steps");
if (existsSync(buildSteps)) {
  for (const step of readdirSync(buildSteps).filter((n) => n.endsWith(".mjs")).sort()) {
    run(process.execPath, [join(buildSteps, step)]);
  }
}
run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"]);
const cli = join(root, "dist", "cli", "main.js");
if (existsSync(cli)) chmodSync(cli, 0o755);
