// Plays a new app: packs loom with `npm pack`, installs the tarball into a scratch project with
// production dependencies only — offline, from the local npm cache, pinned by the versions in loom's
// own package-lock.json so nothing is downloaded — then type-checks test/package/app/main.ts under
// `strict` against the installed package's .d.ts files and runs it with plain Node, and requires the
// package from CommonJS. The package is built from dist/: if src/ is newer, dist/ is rebuilt first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const appSource = new URL("app/", import.meta.url).pathname;

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  assert.equal(r.status, 0, `${command} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

function newestModification(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const s = statSync(full);
    newest = Math.max(newest, s.isDirectory() ? newestModification(full) : s.mtimeMs);
  }
  return newest;
}

/** A lockfile for the app: loom from the tarball, its dependencies exactly as loom's own lock has them. */
function appLock(tarball: string, pkg: { version: string; dependencies: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, unknown> }): object {
  const ours = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const packages: Record<string, unknown> = {
    "": { name: "loom-app", dependencies: { loom: `file:${tarball}` } },
    "node_modules/loom": {
      version: pkg.version, resolved: `file:${tarball}`, dependencies: pkg.dependencies,
      ...(pkg.peerDependencies ? { peerDependencies: pkg.peerDependencies } : {}),
      ...(pkg.peerDependenciesMeta ? { peerDependenciesMeta: pkg.peerDependenciesMeta } : {}),
    },
  };
  for (const [path, entry] of Object.entries(ours.packages)) if (path !== "" && !entry.dev) packages[path] = entry;
  return { name: "loom-app", lockfileVersion: 3, requires: true, packages };
}

test("a new app installs the packed tarball (production dependencies only, offline) and uses loom from strict TypeScript and CommonJS", () => {
  if (!existsSync(join(root, "dist/index.js")) || newestModification(join(root, "src")) > statSync(join(root, "dist/index.js")).mtimeMs) {
    run(process.execPath, ["scripts/build.mjs"], root);
  }
  const app = mkdtempSync(join(tmpdir(), "loom-new-app-"));
  const packed = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", app], root).stdout) as { filename: string; files: { path: string }[] }[];
  const tarball = (packed[0] as { filename: string }).filename;
  const shipped = (packed[0] as { files: { path: string }[] }).files.map((f) => f.path);
  assert.ok(shipped.includes("dist/index.js") && shipped.includes("dist/index.d.ts") && shipped.includes("LICENSE"), shipped.join(" "));
  assert.ok(shipped.some((f) => f.startsWith("build/") && f.endsWith(".wasm")), "the WebAssembly kernels are packed");
  const unwanted = shipped.filter((f) => f.startsWith("src/") || f.startsWith("test/"));
  assert.deepEqual(unwanted, [], "sources and tests stay out of the package");

  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "loom-app", private: true, type: "module", dependencies: { loom: `file:${tarball}` } }, null, 2));
  writeFileSync(join(app, "package-lock.json"), JSON.stringify(appLock(tarball, pkg), null, 2));
  run("npm", ["ci", "--offline", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], app);
  const installed = readdirSync(join(app, "node_modules")).filter((n) => !n.startsWith("."));
  assert.ok(installed.includes("loom"));
  assert.ok(!existsSync(join(app, "node_modules/@stdlib")), "the 41 MB corpus package is not installed for a library user");
  assert.ok(!existsSync(join(app, "node_modules/typescript")) && !existsSync(join(app, "node_modules/tsx")), `dev tools were installed: ${installed.join(" ")}`);

  copyFileSync(join(appSource, "main.ts"), join(app, "main.ts"));
  copyFileSync(join(appSource, "require.cjs"), join(app, "require.cjs"));
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", outDir: "out",
      types: ["node"], typeRoots: [join(root, "node_modules/@types")],
      // Declaration files are not re-checked (tsc wrote them from checked sources): that would triple the time.
      skipLibCheck: true,
    },
    files: ["main.ts"],
  }, null, 2));
  run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], app);

  const report = JSON.parse(run(process.execPath, ["out/main.js"], app).stdout) as Record<string, unknown>;
  assert.ok((report.mlpLoss as number) < 0.02, `MLP loss ${report.mlpLoss}`);
  assert.ok((report.vocabSize as number) > 257 && (report.vocabSize as number) <= 300, `vocabulary ${report.vocabSize}`);
  assert.equal(report.roundTrip, true);
  assert.equal(report.trainedSteps, 30);
  assert.ok((report.validationLoss as number) < Math.log(report.vocabSize as number), `validation loss ${report.validationLoss}`);
  assert.ok((report.streamedPieces as number) > 0);
  assert.equal(report.streamedEqualsGreedy, true);
  assert.equal(report.reloadMaxDifference, 0);
  assert.equal(report.pretrainedMaxDifference, 0);
  assert.match(report.corpus as string, /needs the package @stdlib\/datasets-sotu.*npm install @stdlib\/datasets-sotu/);

  // The `loom` command of the installed package reads the app's run folder, and without the corpus
  // package says what to install instead of failing with a stack trace.
  const cli = join(app, "node_modules/loom/dist/cli/main.js");
  const generated = run(process.execPath, [cli, "generate", "--run", report.runDir as string, "--prompt", "The loom", "--max-tokens", "5"], app);
  assert.ok(generated.stdout.startsWith("The loom"), generated.stdout);
  const noCorpus = spawnSync(process.execPath, [cli, "train", "--steps", "1"], { cwd: app, encoding: "utf8" });
  assert.equal(noCorpus.status, 1, noCorpus.stderr);
  assert.match(noCorpus.stderr, /^loom: readCorpus: the bundled "sotu" corpus needs the package @stdlib\/datasets-sotu/m);
  assert.doesNotMatch(noCorpus.stderr, /^\s+at /m);

  const required = run(process.execPath, ["require.cjs"], app);
  assert.deepEqual(JSON.parse(required.stdout), { version: pkg.version, sum: 6 });
});
