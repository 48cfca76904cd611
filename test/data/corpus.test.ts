import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCorpus, splitDocuments, sampleBatch, evaluationBatches } from "../../src/data/index.js";
import { Generator } from "../../src/tensor/rng.js";

test("the bundled corpus: 233 addresses in name order, the last 24 are validation", () => {
  const docs = readCorpus();
  assert.equal(docs.length, 233);
  assert.equal(docs[0]?.name, "1790_george_washington_n.txt");
  const { train, validation } = splitDocuments(docs);
  assert.equal(validation.length, 24);
  assert.equal(train.length, 209);
  assert.equal(validation[0]?.name.slice(0, 4), "1998");
  assert.equal(validation.at(-1)?.name, "2021_joseph_r_biden_d.txt");
});

test("a folder is read recursively in name order; a single file is split by characters", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-corpus-"));
  mkdirSync(join(dir, "b"));
  writeFileSync(join(dir, "b", "2.txt"), "two");
  writeFileSync(join(dir, "a.txt"), "one");
  writeFileSync(join(dir, "skip.md"), "no");
  assert.deepEqual(readCorpus(dir).map((d) => d.text), ["one", "two"]);
  const one = join(dir, "a.txt");
  writeFileSync(one, "line\n".repeat(100));
  const split = splitDocuments(readCorpus(one));
  assert.equal(split.train[0]!.text + split.validation[0]!.text, "line\n".repeat(100));
  assert.ok(split.validation[0]!.text.startsWith("line"));
});

test("training batches are shifted by one and reproducible by seed", () => {
  const tokens = Int32Array.from({ length: 100 }, (_, i) => i);
  const a = sampleBatch(tokens, 4, 8, new Generator(3));
  const b = sampleBatch(tokens, 4, 8, new Generator(3));
  assert.deepEqual(a, b);
  for (let i = 0; i < a.x.length; i++) assert.equal(a.y[i], (a.x[i] as number) + 1);
  assert.throws(() => sampleBatch(tokens.subarray(0, 8), 1, 8, new Generator(0)), /too few/);
});

test("evaluation batches are fixed and span the stream", () => {
  const tokens = Int32Array.from({ length: 50 }, (_, i) => i);
  const batches = evaluationBatches(tokens, 5, 10, 4);
  assert.deepEqual(batches.map((b) => b.batchSize), [4, 4, 2]);
  assert.equal(batches[0]?.x[0], 0);
  assert.equal(batches[2]?.y.at(-1), 49);
});
