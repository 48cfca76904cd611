/** GPT's layers name themselves in errors: a mismatched Conv1D input, and sizes too large to allocate (issue 17.9; GPT's config refuses them first). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nn, randn } from "../../../src/index.js";
import { Conv1D } from "../../../src/models/gpt/conv1d.js";
import { GPT } from "../../../src/models/gpt/model.js";

test("Conv1D: an input that does not end in nx names the layer, not addmm", () => {
  const message = "Conv1D(nx=3, nf=2): input of shape [4,5] must end in nx = 3";
  assert.throws(() => new Conv1D(3, 2).forward(randn([4, 5])), { name: "ShapeError", message });
  assert.throws(() => new Conv1D(3, 2, { bias: false }).forward(randn([4, 5])), { name: "ShapeError", message });
  assert.deepEqual(new Conv1D(3, 2).forward(randn([4, 3])).shape, [4, 2]);
});

test("n_positions 1e9 or vocab_size 1e8: GPT's config refuses it before allocating (field and limit named); the Embedding itself is an AllocationError", () => {
  const small = { n_layer: 1, n_embd: 8, n_head: 1 };
  assert.throws(() => new GPT({ ...small, vocab_size: 10, n_positions: 1e9 }), {
    name: "FormatError",
    message: "GPT config: n_positions: expected a positive integer ≤ 1,048,576, got 1000000000",
  });
  assert.throws(() => new GPT({ ...small, n_embd: 768, vocab_size: 1e8 }), { name: "FormatError", message: /^GPT config: vocab_size: expected a positive integer ≤ 4,194,304/ });
  // Below the config's limits, an allocation past the per-tensor limit still names the layer.
  assert.throws(() => new nn.Embedding(1e9, 8), {
    name: "AllocationError",
    message: /^Embedding\(1000000000, 8\): a float32 tensor of shape \[1000000000,8\] .* over the limit of 2,147,483,647 elements per tensor$/,
  });
});
