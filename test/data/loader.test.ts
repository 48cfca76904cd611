import { test } from "node:test";
import assert from "node:assert/strict";
import { ArrayDataset, DataLoader, TokenBlockDataset, collateTokenBlocks } from "../../src/data/loader.js";
import { Generator } from "../../src/tensor/rng.js";
import { ValueError } from "../../src/errors.js";

test("ArrayDataset: length, get, and a named error out of range", () => {
  const d = new ArrayDataset(["a", "b", "c"]);
  assert.equal(d.length, 3);
  assert.equal(d.get(1), "b");
  assert.throws(() => d.get(3), (e: unknown) => e instanceof ValueError && /index 3 is out of range for 3 items/.test(e.message));
});

test("TokenBlockDataset: consecutive blocks with next-token targets; a stride overlaps them", () => {
  const tokens = Int32Array.from({ length: 10 }, (_, i) => i);
  const d = new TokenBlockDataset(tokens, 3);
  // Blocks start at 0, 3, 6: each needs blockSize + 1 tokens, so 6..9 is the last.
  assert.equal(d.length, 3);
  assert.deepEqual([...d.get(2).x], [6, 7, 8]);
  assert.deepEqual([...d.get(2).y], [7, 8, 9]);
  const overlapping = new TokenBlockDataset(tokens, 4, 2);
  assert.equal(overlapping.length, 3); // starts 0, 2, 4
  assert.deepEqual([...overlapping.get(1).x], [2, 3, 4, 5]);
  assert.throws(() => new TokenBlockDataset(tokens, 10), /10 tokens are too few for blocks of 10/);
  assert.throws(() => new TokenBlockDataset(tokens, 3, 0), /stride must be a positive integer/);
});

test("collateTokenBlocks stacks blocks row-major", () => {
  const d = new TokenBlockDataset(Int32Array.from([5, 6, 7, 8, 9]), 2);
  const b = collateTokenBlocks([d.get(1), d.get(0)]);
  assert.deepEqual({ x: [...b.x], y: [...b.y], batchSize: b.batchSize, blockSize: b.blockSize }, { x: [7, 8, 5, 6], y: [8, 9, 6, 7], batchSize: 2, blockSize: 2 });
  assert.throws(() => collateTokenBlocks([]), /no blocks/);
});

test("DataLoader: batches in order, a short last batch unless dropLast, collate applied", () => {
  const d = new ArrayDataset([1, 2, 3, 4, 5]);
  assert.deepEqual([...new DataLoader(d, { batchSize: 2 })], [[1, 2], [3, 4], [5]]);
  const dropped = new DataLoader(d, { batchSize: 2, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual([...dropped], [[1, 2], [3, 4]]);
  const sums = new DataLoader(d, { batchSize: 3, collate: (xs: number[]) => xs.reduce((a, b) => a + b, 0) });
  assert.deepEqual([...sums], [6, 9]);
});

test("DataLoader: shuffling is a seeded permutation per pass, different between passes", () => {
  const d = new ArrayDataset(Array.from({ length: 20 }, (_, i) => i));
  const loader = new DataLoader(d, { batchSize: 7, shuffle: true, generator: new Generator(3) });
  const first = [...loader].flat();
  const second = [...loader].flat();
  assert.deepEqual([...first].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(first, second);
  assert.notDeepEqual(first, Array.from({ length: 20 }, (_, i) => i));
  // The same seed gives the same order.
  assert.deepEqual([...new DataLoader(d, { batchSize: 7, shuffle: true, generator: new Generator(3) })].flat(), first);
});

test("DataLoader: bad options are named errors", () => {
  const d = new ArrayDataset([1]);
  assert.throws(() => new DataLoader(d, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  assert.throws(() => new DataLoader(d, { shuffle: true }), /shuffle needs a generator/);
});
