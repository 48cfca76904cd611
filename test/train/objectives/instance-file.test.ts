import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeInstances, encodeInstances } from "../../../src/train/objectives/instance-file.js";

test("instance files round-trip, and a damaged one is a named error", () => {
  const instances = [
    { a: Int32Array.of(5, 6, 7), b: Int32Array.of(8), label: 1 },
    { a: Int32Array.of(9), b: new Int32Array(0), label: 0 },
  ];
  const bytes = encodeInstances(instances);
  assert.deepEqual(decodeInstances(bytes, "train.instances"), instances);
  assert.throws(() => decodeInstances(bytes.subarray(0, bytes.length - 4), "train.instances"), /train\.instances: instance 1: lengths 1, 0 do not fit the file/);
  assert.throws(() => decodeInstances(new Uint8Array(12), "x.instances"), /x\.instances: magic: not a loom instance file/);
  const badLabel = new Int32Array(bytes.buffer.slice(0));
  badLabel[4] = 7;
  assert.throws(() => decodeInstances(new Uint8Array(badLabel.buffer), "t.instances"), /instance 0\.label: expected 0 or 1, got 7/);
});
