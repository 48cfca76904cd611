import { test } from "node:test";
import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import { collectBetweenSteps, fullGarbageCollector } from "../../src/cli/step-gc.js";

/** A WeakRef to an ArrayBuffer that nothing else references (made in its own frame). */
function unreferencedBuffer(bytes: number): WeakRef<ArrayBuffer> {
  return new WeakRef(new ArrayBuffer(bytes));
}

test("fullGarbageCollector: Node gives a collector without --expose-gc, the same one each call", () => {
  const gc = fullGarbageCollector();
  assert.equal(typeof gc, "function");
  assert.equal(fullGarbageCollector(), gc);
});

test("collectBetweenSteps frees an unreferenced typed-array buffer at once (what the training loop relies on)", async () => {
  const dead = unreferencedBuffer(8 << 20);
  const alive = new ArrayBuffer(8 << 20);
  const kept = new WeakRef(alive);
  // A WeakRef's target stays alive until the end of the job that made it.
  await nextTurn();
  collectBetweenSteps();
  assert.equal(dead.deref(), undefined);
  assert.equal(kept.deref(), alive);
});
