import { test } from "node:test";
import assert from "node:assert/strict";
import { holdsHint, hintStepGarbage } from "../../src/train/gc.js";

test("hintStepGarbage keeps nothing and makes no memory resident (its 64 MiB buffer is never touched)", () => {
  hintStepGarbage(); // a first call, so lazily loaded code is not counted below
  const before = process.memoryUsage.rss();
  for (let i = 0; i < 8; i++) hintStepGarbage();
  assert.equal(holdsHint(), false);
  // Eight zero-filled 64 MiB buffers would be 512 MiB resident if their pages were written.
  assert.ok(process.memoryUsage.rss() - before < 48 * 1024 * 1024, `RSS grew by ${((process.memoryUsage.rss() - before) / 1048576).toFixed(1)} MiB`);
});
