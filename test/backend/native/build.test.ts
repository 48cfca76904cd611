import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../..", import.meta.url).pathname;
const step = join(root, "scripts", "build-steps", "20-native.mjs");

/** Runs the native build step into a scratch directory with `env` added; returns its output and exit status. */
function buildInto(dir: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [step], { cwd: root, env: { ...process.env, LOOM_NATIVE_DIR: dir, ...env }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The active backend's name and the native backend's unavailability reason in a fresh process. */
function backendIn(dir: string): { name: string; reason: string } {
  const script = `import("./src/backend/index.ts").then((m) => console.log(JSON.stringify({ name: m.getBackend().name, reason: m.nativeBackendUnavailableReason() })))`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: root, env: { ...process.env, LOOM_NATIVE_DIR: dir, LOOM_BACKEND: "" }, encoding: "utf8",
  });
  return JSON.parse(r.stdout.trim()) as { name: string; reason: string };
}

test("without a working compiler the native build step succeeds, says why in one line, and wasm is the default", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-native-"));
  try {
    // A compiler that exists but fails, and one that is not on PATH at all.
    const failing = join(dir, "failing-cxx");
    writeFileSync(failing, "#!/bin/sh\necho 'failing-cxx: error: no compiler here' >&2\nexit 1\n");
    chmodSync(failing, 0o755);
    const environments: Record<string, string>[] = [{ CXX: failing }, { CXX: "", PATH: "/nonexistent" }];
    for (const env of environments) {
      const r = buildInto(dir, env);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split("\n");
      assert.equal(lines.length, 1, r.stdout);
      assert.match(lines[0] ?? "", /^20-native: native kernels not built \(.+(failed|not found).+\); the WebAssembly backend is the default$/);
      assert.equal(existsSync(join(dir, "loom-native.node")), false);
      const status = JSON.parse(readFileSync(join(dir, "loom-native.json"), "utf8")) as { built: boolean; reason: string };
      assert.equal(status.built, false);
      const chosen = backendIn(dir);
      assert.equal(chosen.name, "wasm");
      assert.match(chosen.reason, /native kernels not built/);
      assert.ok(chosen.reason.includes(status.reason), chosen.reason);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("LOOM_NATIVE=0 skips the build with one line", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-native-"));
  try {
    const r = buildInto(dir, { LOOM_NATIVE: "0" });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), "20-native: native kernels not built (LOOM_NATIVE=0); the WebAssembly backend is the default");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
