#!/usr/bin/env node
// Build step: bundles the web app (src/web/) into dist/web/ with esbuild: the page's script
// (app/main.ts), the model worker (worker/worker.ts, which is loom itself on the wasm backend) and
// the static files. Node built-ins that library modules import are replaced by the browser stand-ins in
// src/web/shims/ (DESIGN decision 9: Node-only pieces behind small adapters); an import of a built-in
// without a stand-in fails the build. `loom serve` serves dist/web and the kernels in build/.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = new URL("../..", import.meta.url).pathname;
const web = join(root, "src", "web");
const outDir = join(root, "dist", "web");

const SHIMS = {
  fs: "node-fs.ts",
  "fs/promises": "node-misc.ts",
  path: "node-misc.ts",
  url: "node-misc.ts",
  os: "node-misc.ts",
  v8: "node-misc.ts",
  module: "node-misc.ts",
  worker_threads: "node-misc.ts",
  readline: "node-misc.ts",
};

const nodeShims = {
  name: "loom-node-shims",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      const name = args.path.slice("node:".length);
      const shim = SHIMS[name];
      if (shim === undefined) return { errors: [{ text: `${args.path} (imported by ${args.importer}) has no browser stand-in in src/web/shims` }] };
      return { path: join(web, "shims", shim) };
    });
  },
};

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const result = await build({
  entryPoints: { app: join(web, "app", "main.ts"), worker: join(web, "worker", "worker.ts") },
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome120", "firefox120", "safari17"],
  outdir: outDir,
  sourcemap: true,
  minify: true,
  inject: [join(web, "shims", "globals.ts")],
  plugins: [nodeShims],
  logLevel: "warning",
  metafile: true,
});
cpSync(join(web, "static"), outDir, { recursive: true });
const sizes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith(".js"))
  .map(([file, o]) => `${file.split("/").pop()} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.log(`web: dist/web (${sizes.join(", ")})`);
