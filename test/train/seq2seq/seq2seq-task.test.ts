// The seq2seq task machinery: the pair vocabulary (ids, round trip, errors), batches of similar-length
// pairs (each pair once per epoch, fixed by seed and epoch), the loss of both model kinds against a
// direct computation, and a whole run on a toy dictionary: it learns, writes a run folder that loads,
// and never writes over a run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, ValueError } from "../../../src/errors.js";
import { crossEntropy } from "../../../src/losses/index.js";
import { fromPretrained } from "../../../src/models/pretrained.js";
import { manualSeed } from "../../../src/tensor/rng.js";
import { Tensor } from "../../../src/tensor/tensor.js";
import { reshape } from "../../../src/ops/index.js";
import type { Seq2Seq } from "../../../src/models/seq2seq/model.js";
import type { T5ForConditionalGeneration } from "../../../src/models/t5/model.js";
import type { Transformer } from "../../../src/models/transformer/model.js";
import {
  PairVocabulary, batchLoss, buildTaskModel, defaultSeq2SeqTrainOptions, epochBatches, loadSeq2SeqTask, predictTargets, runSeq2SeqTask,
  scoreExamples, taskModelKind, trainingPairs, type TaskModel,
} from "../../../src/train/seq2seq/index.js";
import { toyPronunciation, writeToyDict } from "./toy-dict.js";

const dir = mkdtempSync(join(tmpdir(), "loom-seq2seq-"));
const dict = join(dir, "dict.txt");
const words = writeToyDict(dict);
const quiet = { log: () => {}, progress: { update() {}, log() {}, stop() {} } };

test("PairVocabulary: specials, then source, then target ids; decoding stops at </s>; vocab.json round trip", () => {
  const v = PairVocabulary.fromPairs([{ source: ["C", "A", "T"], target: ["K", "AE", "T"] }, { source: ["B"], target: ["B", "IY"] }]);
  assert.deepEqual(v.source, ["A", "B", "C", "T"]);
  assert.deepEqual(v.target, ["AE", "B", "IY", "K", "T"]);
  assert.equal(v.size, 4 + 4 + 5);
  assert.deepEqual(v.encodeSource(["C", "A", "T", "?"]), [6, 4, 7, 3]);
  assert.deepEqual(v.encodeTarget(["K", "AE", "T"]), [11, 8, 12]);
  assert.deepEqual(v.decodeTarget([11, 8, 12, 1, 9]), ["K", "AE", "T"]);
  assert.deepEqual(v.decodeTarget([0, 4, 11]), ["K"], "specials and source ids are skipped");
  assert.deepEqual(v.unknownSourceTokens(["A", "?", "Z"]), ["?", "Z"]);
  const back = PairVocabulary.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
  assert.deepEqual([back.source, back.target], [v.source, v.target]);
  assert.throws(() => v.encodeTarget(["QQ"]), ValueError);
  assert.throws(() => PairVocabulary.fromJSON({ ...v.toJSON(), type: "other" }, "v.json"), (e: unknown) => e instanceof FormatError && /v\.json.*type/.test(e.message));
  assert.throws(() => PairVocabulary.fromJSON({ ...v.toJSON(), source: ["A", "A"] }, "v.json"), FormatError);
  assert.throws(() => PairVocabulary.fromJSON({ ...v.toJSON(), target: [1, 2] }, "v.json"), (e: unknown) => e instanceof FormatError && /target/.test(e.message));
});

test("epochBatches: every pair once per epoch, batches of one source length where possible, fixed by (seed, epoch)", () => {
  const pairs = Array.from({ length: 103 }, (_, i) => ({ source: Array.from({ length: 1 + (i % 7) }, () => i), target: [i] }));
  const a = epochBatches(pairs, 10, 1, 0);
  assert.equal(a.length, 11);
  assert.deepEqual(a.flat().map((p) => p.target[0]).sort((x, y) => (x as number) - (y as number)), pairs.map((_, i) => i));
  // Sorted by length before cutting: a batch spans at most two source lengths.
  for (const b of a) assert.ok(new Set(b.map((p) => p.source.length)).size <= 2);
  assert.deepEqual(epochBatches(pairs, 10, 1, 0), a);
  assert.notDeepEqual(epochBatches(pairs, 10, 1, 1), a);
  assert.notDeepEqual(epochBatches(pairs, 10, 2, 0), a);
});

test("loadSeq2SeqTask: g2p references are every pronunciation; p2g gathers the words of a pronunciation", () => {
  const g2p = loadSeq2SeqTask("g2p", dict);
  assert.equal(g2p.train.length + g2p.validation.length + g2p.test.length, words.length);
  assert.equal(g2p.test.length, Math.ceil(words.length / 20));
  const withVariant = g2p.train.find((e) => e.references.length === 2);
  assert.ok(withVariant);
  assert.deepEqual(withVariant.references[0], toyPronunciation(withVariant.source.join("")));
  assert.deepEqual(withVariant.references[1], [...toyPronunciation(withVariant.source.join("")), "Z"]);
  assert.equal(trainingPairs(g2p.train).length, g2p.train.reduce((n, e) => n + e.references.length, 0));
  const p2g = loadSeq2SeqTask("p2g", dict);
  assert.ok(p2g.train.every((e) => e.references.every((w) => w.join("").length > 0)));
  assert.equal(p2g.formatTarget(["C", "A", "T"]), "CAT");
  assert.throws(() => loadSeq2SeqTask("spell", dict), /expected g2p or p2g/);
});

/** The loss as the mean cross-entropy of the model's own logits over the real target tokens, computed here. */
function directLoss(model: TaskModel, vocab: PairVocabulary, pairs: { source: number[]; target: number[] }[]): number {
  let sum = 0;
  let count = 0;
  for (const p of pairs) {
    const src = new Tensor(Int32Array.from(p.source), [1, p.source.length]);
    const target = [...p.target, vocab.eosId];
    let logits: Tensor;
    const kind = taskModelKind(model);
    if (kind === "rnn") {
      logits = (model as Seq2Seq).forward(src, [p.source.length], new Tensor(Int32Array.from([vocab.bosId, ...p.target]), [1, target.length])).logits;
    } else {
      const start = kind === "t5" ? vocab.padId : vocab.bosId;
      const decoderInputIds = new Tensor(Int32Array.from([start, ...p.target]), [1, target.length]);
      logits = (model as T5ForConditionalGeneration | Transformer).forward(src, { decoderInputIds }).logits;
    }
    const l = crossEntropy(reshape(logits, [target.length, -1]), new Tensor(Int32Array.from(target), [target.length]));
    sum += l.item() * target.length;
    count += target.length;
  }
  return sum / count;
}

for (const kind of ["rnn", "t5", "transformer"] as const) {
  test(`batchLoss (${kind}): padded batch = token-weighted mean of each pair's own loss`, () => {
    const vocab = PairVocabulary.fromPairs([{ source: ["A", "B", "C"], target: ["X", "Y", "Z"] }]);
    manualSeed(2);
    // No label smoothing for the Transformer: the reference here is plain cross-entropy.
    const model = buildTaskModel(kind, vocab, { width: 16, layers: 1, heads: 2, embedDim: 8, labelSmoothing: 0 });
    model.eval();
    const pairs = [
      { source: [4, 5, 6, 4], target: [7, 8] },
      { source: [5], target: [9, 9, 8, 7] },
      { source: [6, 6], target: [8] },
    ];
    const batched = batchLoss(model, pairs, vocab).item();
    assert.ok(Math.abs(batched - directLoss(model, vocab, pairs)) < 1e-5, `${batched}`);
  });
}

test("a g2p run on the toy dictionary learns it, writes a run folder that loads, and never writes over a run", async () => {
  const out = join(dir, "run");
  const train = { ...defaultSeq2SeqTrainOptions, steps: 150, batchSize: 32, lr: 1e-2, minLr: 1e-3, warmupSteps: 10, evalInterval: 75, evalExamples: 20, numBeams: 3 };
  const { result, model } = await runSeq2SeqTask({ task: "g2p", dataPath: dict, modelKind: "rnn", sizes: { width: 32, embedDim: 16 }, out, seed: 4, train }, quiet);
  assert.equal(result.steps, 150);
  assert.ok(result.test !== null);
  // The toy mapping is one phoneme per letter: well learnt in 150 steps.
  assert.ok(result.test.greedy.metrics.wer < 0.3, `test WER ${result.test.greedy.metrics.wer}`);
  assert.ok(result.test.beam.metrics.per < 0.1, `test PER ${result.test.beam.metrics.per}`);
  for (const f of ["config.json", "model.safetensors", "vocab.json", "task.json", "results.json", "metrics.jsonl", "loss.svg", "checkpoint-150"]) assert.ok(existsSync(join(out, f)), f);
  const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { steps: number; test_greedy: { wer: number }; test_beam: { beams: number } };
  assert.equal(results.steps, 150);
  assert.equal(results.test_greedy.wer, result.test.greedy.metrics.wer);
  assert.equal(results.test_beam.beams, 3);
  // The folder loads back through the model registry and predicts the same.
  const loaded = fromPretrained(out).model as TaskModel;
  const loadedVocab = PairVocabulary.load(out);
  const sources = ["BAT", "STOKE"].map((w) => loadedVocab.encodeSource([...w]));
  assert.deepEqual(predictTargets(loaded, sources, { numBeams: 3 }), predictTargets(model, sources, { numBeams: 3 }));
  const task = loadSeq2SeqTask("g2p", dict);
  assert.equal(scoreExamples(loaded, loadedVocab, task.test).rates.wordErrorRate, result.test.greedy.metrics.wer);
  // A second run into the same folder is refused and leaves the first untouched.
  const before = readFileSync(join(out, "model.safetensors"));
  await assert.rejects(
    runSeq2SeqTask({ task: "g2p", dataPath: dict, modelKind: "t5", sizes: { width: 16, layers: 1, heads: 2 }, out, seed: 4, train: { ...train, steps: 2 } }, quiet),
    (e: unknown) => e instanceof ValueError && /already holds a run/.test(e.message),
  );
  assert.deepEqual(readFileSync(join(out, "model.safetensors")), before);
});

test("a run stopped part-way (as Ctrl-C stops it) keeps a whole checkpoint of that step and skips the test decoding", async () => {
  const out = join(dir, "stopped");
  const train = { ...defaultSeq2SeqTrainOptions, steps: 50, batchSize: 16, evalInterval: 0, evalExamples: 5, numBeams: 2 };
  const { result } = await runSeq2SeqTask(
    { task: "g2p", dataPath: dict, modelKind: "rnn", sizes: { width: 16, embedDim: 8 }, out, seed: 4, train },
    { ...quiet, onStep: (step) => step === 7 },
  );
  assert.equal(result.steps, 7);
  assert.equal(result.interrupted, true);
  assert.equal(result.test, null);
  assert.ok(existsSync(join(out, "checkpoint-7", "model.safetensors")));
  assert.ok(existsSync(join(out, "checkpoint-7", "optimizer.safetensors")));
  assert.ok(!existsSync(join(out, "checkpoint-0")), "the older checkpoint is gone");
  assert.ok(!existsSync(join(out, "results.json")));
  assert.ok(!existsSync(join(out, ".loom-train.lock")), "the folder is unlocked");
  assert.equal(fromPretrained(out).metadata.loom_step, "7");
});
