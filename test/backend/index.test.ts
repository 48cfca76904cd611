import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { getBackend, nativeBackendUnavailableReason, referenceBackend, setBackend, useFastBackend } from "../../src/backend/index.js";

/** The fastest backend this build and CPU run: native where its kernels were built for this CPU, else wasm. */
const fastest = nativeBackendUnavailableReason() === null ? "native" : "wasm";

const root = new URL("../..", import.meta.url).pathname;

/** The active backend's name in a fresh process started with LOOM_BACKEND=value (or its error). */
function backendNameWith(value: string): { name: string; error: string } {
  const script = `import("./src/backend/index.ts").then((m) => m.getBackend().name).then(console.log, (e) => console.log(e.name))`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: root,
    env: { ...process.env, LOOM_BACKEND: value },
    encoding: "utf8",
  });
  return { name: r.stdout.trim(), error: r.stderr };
}

test("useFastBackend switches to the fastest backend (native where built, else wasm) and returns the previous one", () => {
  const before = setBackend(referenceBackend);
  try {
    const previous = useFastBackend();
    assert.equal(previous, referenceBackend);
    assert.equal(getBackend().name, fastest);
    assert.equal(useFastBackend(), getBackend(), "the fast backend is created once");
  } finally {
    setBackend(before);
  }
});

test("LOOM_BACKEND selects the starting backend and rejects unknown names", () => {
  assert.equal(backendNameWith("wasm").name, "wasm");
  assert.equal(backendNameWith("js").name, "js");
  assert.equal(backendNameWith("native").name, fastest === "native" ? "native" : "ValueError");
  assert.equal(backendNameWith("gpu").name, "ValueError");
});

test("without LOOM_BACKEND the native backend is the default where it runs, else the WebAssembly one", () => {
  assert.equal(backendNameWith("").name, fastest);
});
