import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createNativeBackend } from "../../../src/backend/native/index.js";
import { skip } from "./native.js";

/** Whether this process runs on glibc (the only C library whose heap thresholds the backend sets). */
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime !== undefined;
const modulePath = fileURLToPath(new URL("../../../build/loom-native.node", import.meta.url));

/**
 * Minor page faults per round, in a fresh node process, of `count` 3 MiB buffers written and dropped
 * (then a full GC), after two rounds of warm-up; `tune` calls the module's tuneAllocator first.
 */
function faultsPerRound(tune: boolean, count = 3): number {
  const script = `
    const m = require(${JSON.stringify(modulePath)});
    if (process.argv[1] === "tune" && !m.tuneAllocator()) throw new Error("tuneAllocator: not glibc");
    let start = 0;
    for (let i = 0; i < 22; i++) {
      if (i === 2) start = process.resourceUsage().minorPageFault;
      let buffers = Array.from({ length: ${count} }, () => Buffer.allocUnsafeSlow(3 << 20).fill(1));
      buffers = null;
      globalThis.gc();
    }
    process.stdout.write(String((process.resourceUsage().minorPageFault - start) / 20));
  `;
  const r = spawnSync(process.execPath, ["--expose-gc", "-e", script, tune ? "tune" : "plain"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

describe("native backend: glibc heap thresholds for training (tuneAllocator)", { skip: skip || (glibc ? false : "not glibc") }, () => {
  test("the backend sets them unless told not to", () => {
    assert.equal(createNativeBackend({ threads: 1, tuneAllocator: false }).allocatorTuned, false);
    assert.equal(createNativeBackend({ threads: 1 }).allocatorTuned, true);
  });

  test("buffers written and dropped each round are reused from the heap instead of faulted in afresh", () => {
    // glibc's defaults trim the 9 MiB freed at the heap's top each round (past twice the 3 MiB mmap
    // threshold they adapt to), so every round faults its 2,304 pages in again; at 32 MiB they stay.
    const plain = faultsPerRound(false);
    const tuned = faultsPerRound(true);
    assert.ok(plain > 1000, `without tuning: ${plain} faults per round (expected the pages faulted in again)`);
    assert.ok(tuned < 300, `tuned: ${tuned} faults per round`);
  });

  test("a full GC that frees more than 32 MiB at the heap's top does not hand it back to the OS", () => {
    // 16 × 3 MiB = 48 MiB freed at once, as a full GC frees a step's activations: past a 32 MiB trim
    // threshold glibc returns it all and the next round faults its 12,288 pages in again.
    const tuned = faultsPerRound(true, 16);
    assert.ok(tuned < 1000, `tuned: ${tuned} faults per round of 48 MiB`);
  });
});
