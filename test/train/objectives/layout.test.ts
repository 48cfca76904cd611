import { test } from "node:test";
import assert from "node:assert/strict";
import { readCorpus } from "../../../src/data/corpus.js";
import { Generator } from "../../../src/tensor/rng.js";
import { collatePretrainingBatch } from "../../../src/train/objectives/batch.js";
import { addedTokenCount, assemble, sequenceLayout } from "../../../src/train/objectives/layout.js";
import { IGNORE_INDEX } from "../../../src/train/objectives/masking.js";
import { createPairInstances, createSingleInstances } from "../../../src/train/objectives/pairs.js";
import { segmentDocuments } from "../../../src/train/objectives/segments.js";
import { validationBatches } from "../../../src/train/objectives/pretrain-loop.js";
import { maskingVocabulary } from "../../../src/train/objectives/vocabulary.js";
import { BERT_SPECIAL_TOKENS, trainWordPieceTokenizer } from "../../../src/train/objectives/wordpiece-setup.js";
import { RobertaProcessing } from "../../../src/tokenizers/processors/bert.js";

const texts = readCorpus().slice(0, 4).map((d) => d.text);
const tokenizer = trainWordPieceTokenizer(texts, { vocabSize: 1000 });

test("the trained WordPiece pipeline: BERT's special tokens at ids 0–4, ## pieces as continuations", () => {
  assert.deepEqual(BERT_SPECIAL_TOKENS.map((t) => tokenizer.tokenToId(t)), [0, 1, 2, 3, 4]);
  const vocab = maskingVocabulary(tokenizer);
  assert.equal(vocab.maskTokenId, 4);
  assert.equal(vocab.vocabSize, tokenizer.getVocabSize());
  assert.deepEqual([...vocab.special.slice(0, 6)], [1, 1, 1, 1, 1, 0]);
  const enc = tokenizer.encode("Gentlemen of the Senate, unquestionably.", undefined, { addSpecialTokens: false });
  enc.tokens.forEach((t, i) => assert.equal(vocab.continuation[enc.ids[i] as number], t.startsWith("##") ? 1 : 0, t));
  assert.ok(enc.tokens.some((t) => t.startsWith("##")), "some word is split into pieces");
});

test("the layout read from the post-processor gives what tokenizer.encode gives, pairs and type ids included", () => {
  const layout = sequenceLayout(tokenizer);
  assert.equal(addedTokenCount(layout, false), 2);
  assert.equal(addedTokenCount(layout, true), 3);
  const [a, b] = ["Fellow citizens of the Senate.", "I am happy to report progress."];
  const ids = (s: string) => tokenizer.encode(s, undefined, { addSpecialTokens: false }).ids;
  const expected = tokenizer.encode(a, b);
  const got = assemble(layout, ids(a), ids(b));
  assert.deepEqual([...got.ids], expected.ids);
  assert.deepEqual([...got.tokenTypeIds], expected.typeIds);
  assert.deepEqual([...got.specialMask], expected.specialTokensMask);
  const single = assemble(layout, ids(a));
  assert.deepEqual([...single.ids], tokenizer.encode(a).ids);
  // Another post-processor's layout: RoBERTa's <s> A </s></s> B </s>.
  const roberta = trainWordPieceTokenizer(texts.slice(0, 1), { vocabSize: 200 });
  roberta.postProcessor = new RobertaProcessing(["[SEP]", 3], ["[CLS]", 2]);
  const r = assemble(sequenceLayout(roberta), [10, 11], [12]);
  assert.deepEqual([...r.ids], [2, 10, 11, 3, 3, 12, 3]);
  assert.deepEqual([...r.specialMask], [1, 0, 0, 1, 1, 0, 1]);
});

test("a collated batch: [CLS]/[SEP] and padding never masked, labels −100 there, NSP labels carried", () => {
  const docs = segmentDocuments(tokenizer, texts);
  const rng = new Generator(31);
  const layout = sequenceLayout(tokenizer);
  const vocab = maskingVocabulary(tokenizer);
  const instances = createPairInstances(docs, "nsp", { maxNumTokens: 61, shortSeqProb: 0.5 }, rng);
  for (const masking of ["hf", "google"] as const) {
    const batch = collatePretrainingBatch(instances.slice(0, 16), layout, vocab, 0, { masking, wholeWord: true }, rng);
    const [B, T] = batch.inputIds.shape as [number, number];
    assert.equal(B, 16);
    assert.ok(T <= 64);
    const ids = batch.inputIds.toTypedArray();
    const mask = batch.attentionMask.toTypedArray();
    const labels = batch.labels.toTypedArray();
    const types = batch.tokenTypeIds.toTypedArray();
    let predicted = 0;
    for (let r = 0; r < B; r++) {
      const x = instances[r]!;
      const n = x.a.length + x.b.length + 3;
      for (let t = 0; t < T; t++) {
        const k = r * T + t;
        assert.equal(mask[k], t < n ? 1 : 0);
        const special = t === 0 || t === x.a.length + 1 || t === n - 1 || t >= n;
        if (special) {
          assert.equal(labels[k], IGNORE_INDEX);
          assert.equal(ids[k], t === 0 ? 2 : t < n ? 3 : 0);
        } else if (labels[k] !== IGNORE_INDEX) predicted++;
        assert.equal(types[k], t > x.a.length + 1 && t < n ? 1 : 0);
      }
    }
    assert.ok(predicted > 0);
    assert.deepEqual([...batch.nextSentenceLabel!.toTypedArray()], instances.slice(0, 16).map((x) => x.label));
  }
  const singles = createSingleInstances(docs, { maxNumTokens: 62 }, rng);
  const batch = collatePretrainingBatch(singles.slice(0, 4), layout, vocab, 0, { masking: "hf" }, rng);
  assert.equal(batch.nextSentenceLabel, undefined);
  assert.throws(() => collatePretrainingBatch([singles[0]!, instances[0]!], layout, vocab, 0, { masking: "hf" }, rng), /mixes sentence pairs/);
});

test("masks are drawn afresh for every batch (dynamic), validation batches are fixed; HF whole-word masking keeps words whole", () => {
  const docs = segmentDocuments(tokenizer, texts);
  const layout = sequenceLayout(tokenizer);
  const vocab = maskingVocabulary(tokenizer);
  const instances = createPairInstances(docs, "sop", { maxNumTokens: 61 }, new Generator(41));
  const rng = new Generator(42);
  const one = collatePretrainingBatch(instances.slice(0, 8), layout, vocab, 0, { masking: "hf" }, rng);
  const two = collatePretrainingBatch(instances.slice(0, 8), layout, vocab, 0, { masking: "hf" }, rng);
  assert.notDeepEqual([...one.labels.toTypedArray()], [...two.labels.toTypedArray()], "the same sequences, masked again");
  const data = { train: instances, validation: instances.slice(0, 20), layout, vocab, padTokenId: 0, masking: { masking: "hf" as const }, validationSeed: 7 };
  const first = validationBatches(data, 20, 8).map((b) => [...b.labels.toTypedArray()]);
  const again = validationBatches(data, 20, 8).map((b) => [...b.labels.toTypedArray()]);
  assert.equal(first.length, 3);
  assert.deepEqual(first, again);
  // Whole words with HF masking (DataCollatorForWholeWordMask): a ## piece is predicted exactly when its word start is.
  for (let k = 0; 8 * k < instances.length; k++) {
    const batch = collatePretrainingBatch(instances.slice(8 * k, 8 * k + 8), layout, vocab, 0, { masking: "hf", wholeWord: true }, rng);
    const ids = batch.inputIds.toTypedArray();
    const labels = batch.labels.toTypedArray();
    const T = batch.inputIds.shape[1] as number;
    const original = (i: number) => (labels[i] !== IGNORE_INDEX ? (labels[i] as number) : (ids[i] as number));
    for (let i = 0; i < labels.length; i++) {
      if (vocab.continuation[original(i)] !== 1) continue;
      // The word's previous piece: the nearest earlier token of the row that is not [CLS]/[SEP]/[PAD] (as
      // Google's loop, a piece cut loose at B's start by truncation joins A's last word).
      let j = i - 1;
      while (j >= Math.floor(i / T) * T && vocab.special[original(j)] === 1) j--;
      if (j >= Math.floor(i / T) * T) assert.equal(labels[i] !== IGNORE_INDEX, labels[j] !== IGNORE_INDEX, `piece at ${i}`);
    }
  }
});

test("segmentDocuments: a sentence longer than maxSegmentTokens is cut into pieces of at most that many tokens, in order", () => {
  const whole = segmentDocuments(tokenizer, texts.slice(0, 1));
  const cut = segmentDocuments(tokenizer, texts.slice(0, 1), 7);
  assert.ok(cut[0]!.every((s) => s.length >= 1 && s.length <= 7));
  assert.ok(cut[0]!.length > whole[0]!.length);
  assert.deepEqual(cut[0]!.flatMap((s) => [...s]), whole[0]!.flatMap((s) => [...s]));
  assert.throws(() => segmentDocuments(tokenizer, texts, 0), /maxSegmentTokens must be ≥ 1, got 0/);
});
