import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, load, loadMetadata, save, serialize } from "../src/safetensors.js";
import { tensor } from "../src/tensor/factory.js";
import { Tensor } from "../src/tensor/tensor.js";
import { decodeSafetensors } from "../src/io/safetensors.js";
import "../src/ops/methods.js";

test("safetensors.save/load: float32, float64, int32 and bool tensors keep dtype, shape and values; metadata too", () => {
  const file = join(mkdtempSync(join(tmpdir(), "loom-st-")), "t.safetensors");
  const tensors = {
    w: tensor([[1.5, -2], [3, 4.25]]),
    d: tensor([0.1, 0.2], { dtype: "float64" }),
    i: tensor([7, -8, 9], { dtype: "int32" }),
    b: tensor([1, 0, 1], { dtype: "int32" }).gt(0),
    view: tensor([[1, 2, 3], [4, 5, 6]]).transpose(0, 1), // a non-contiguous view is written row-major
  };
  save(tensors, file, { format: "pt" });
  const back = load(file);
  assert.deepEqual([...back.keys()], ["w", "d", "i", "b", "view"]);
  for (const [name, t] of Object.entries(tensors)) {
    const u = back.get(name) as Tensor;
    assert.equal(u.dtype, t.dtype, name);
    assert.deepEqual(u.shape, t.shape, name);
    assert.deepEqual(u.toArray(), t.toArray(), name);
  }
  assert.deepEqual(loadMetadata(file), { format: "pt" });
  // The header names the dtypes PyTorch expects.
  const header = decodeSafetensors(serialize(tensors));
  assert.deepEqual([...header.tensors.values()].map((e) => e.dtype), ["F32", "F64", "I32", "BOOL", "F32"]);
});

test("safetensors.serialize/deserialize round-trip a Map (as stateDict returns)", () => {
  const map = new Map([["a.weight", tensor([[1, 2]])]]);
  const back = deserialize(serialize(map, { step: "3" }));
  assert.deepEqual((back.get("a.weight") as Tensor).toArray(), [[1, 2]]);
});

test("safetensors.save names a value that is not a tensor", () => {
  assert.throws(() => serialize({ x: [1, 2] as unknown as Tensor }), /"x" is not a Tensor/);
});
