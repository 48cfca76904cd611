// Batched beam search equals beamSearch run prompt by prompt: on a hand-made stateful decoder step (whose
// state must follow every reorder, rows dropped as prompts finish) and on real encoder–decoder models.
import { test } from "node:test";
import assert from "node:assert/strict";
import { beamSearch, beamSearchBatch, decodeSources, resolveGenerateOptions, type DecoderStep } from "../../src/generate/index.js";
import { Seq2Seq, T5ForConditionalGeneration } from "../../src/models/index.js";
import { Transformer } from "../../src/models/transformer/model.js";
import { Generator, manualSeed } from "../../src/tensor/rng.js";
import { Tensor } from "../../src/tensor/tensor.js";

const V = 5;
const EOS = 0;

/** Next-token log-probabilities of source `s` after `prefix`: a fixed pseudo-random table per (s, prefix). */
function table(s: number, prefix: readonly number[]): Float64Array {
  const gen = new Generator(1000 * s + prefix.reduce((h, t) => h * 7 + t + 1, 0));
  const weights = Array.from({ length: V }, () => gen.random() + 0.05);
  weights[EOS] = (weights[EOS] as number) * (0.2 + 0.3 * prefix.length); // ending grows likelier
  const total = weights.reduce((a, b) => a + b, 0);
  return Float64Array.from(weights, (w) => Math.log(w / total));
}

/** A decoder step over sources `sources` (one row each): each row's source lives in the step's state, so a wrong reorder shows. */
function statefulStep(sources: readonly number[]): DecoderStep & { rowsSeen: number[] } {
  let state = [...sources];
  const rowsSeen: number[] = [];
  return {
    rowsSeen,
    next(rows) {
      assert.equal(rows.length, state.length, "rows and state disagree: a missed reorder");
      rowsSeen.push(rows.length);
      return { logits: rows.map((r, i) => table(state[i] as number, r.slice(1))) };
    },
    reorder(from) {
      state = from.map((i) => {
        assert.ok(i >= 0 && i < state.length, `reorder index ${i} outside ${state.length} rows`);
        return state[i] as number;
      });
    },
  };
}

test("beamSearchBatch equals beamSearch per prompt on a stateful table step, and drops finished prompts", () => {
  const sources = [3, 1, 4, 1, 5, 9, 2, 6];
  for (const [numBeams, lengthPenalty, earlyStopping] of [[1, 0, false], [3, 0, "never"], [4, 1, false], [2, 0.5, true]] as const) {
    const o = resolveGenerateOptions({ numBeams, maxNewTokens: 6, stopIds: [EOS], lengthPenalty, earlyStopping }, V);
    const step = statefulStep(sources);
    const batched = beamSearchBatch(step, sources.map(() => [7]), o);
    sources.forEach((s, i) => {
      const single = beamSearch(statefulStep([s]), [7], o);
      assert.deepEqual(batched[i], single, `source ${i}, ${numBeams} beams`);
    });
    // Rows never grow past numBeams per prompt, and shrink once prompts are done (here, for every
    // setting but 4 beams with a length penalty, some prompts finish before the last step).
    assert.ok(step.rowsSeen.every((n) => n <= sources.length * numBeams));
    if (numBeams !== 4) assert.ok((step.rowsSeen.at(-1) as number) < Math.max(...step.rowsSeen), step.rowsSeen.join(","));
  }
});

test("beamSearchBatch: no prompts, or maxNewTokens 0, gives empty results", () => {
  const o = resolveGenerateOptions({ numBeams: 3, maxNewTokens: 0, stopIds: [EOS] }, V);
  assert.deepEqual(beamSearchBatch(statefulStep([1, 2]), [[7], [7]], o), [[], []]);
  assert.deepEqual(beamSearchBatch(statefulStep([]), [], resolveGenerateOptions({ numBeams: 3, stopIds: [EOS] }, V)), []);
});

function sources(): { src: Tensor; lengths: number[] } {
  const lengths = [4, 2, 5, 3];
  const S = 5;
  const gen = new Generator(3);
  const ids = new Int32Array(lengths.length * S);
  lengths.forEach((n, b) => {
    for (let j = 0; j < n; j++) ids[b * S + j] = gen.randint(3, 12);
  });
  return { src: new Tensor(ids, [lengths.length, S]), lengths };
}

for (const kind of ["rnn", "t5", "transformer"] as const) {
  test(`beamSearchBatch over an encoded ${kind} batch equals decodeSources' per-row beam search`, () => {
    manualSeed(11);
    const model = kind === "rnn"
      ? new Seq2Seq({ srcVocab: 12, tgtVocab: 12, embedDim: 8, hiddenSize: 12, cell: "lstm" })
      : kind === "t5"
        ? new T5ForConditionalGeneration({ vocab_size: 12, d_model: 16, d_kv: 8, num_heads: 2, d_ff: 32, num_layers: 1, dropout_rate: 0 })
        : new Transformer({ src_vocab_size: 12, tgt_vocab_size: 12, d_model: 16, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 1, dim_feedforward: 32, dropout: 0 });
    model.eval();
    const { src, lengths } = sources();
    const settings = { numBeams: 3, maxNewTokens: 7, stopIds: [model.decoding.endId], lengthPenalty: 0, earlyStopping: "never" as const };
    const perRow = decodeSources(model, src, lengths, settings);
    const batched = beamSearchBatch(model.decoderStep(src, lengths), lengths.map(() => [model.decoding.startId]), resolveGenerateOptions(settings, 12));
    batched.forEach((hyps, b) => {
      const expected = perRow[b] ?? [];
      assert.equal(hyps.length, expected.length);
      hyps.forEach((h, k) => {
        assert.deepEqual(h.tokens, expected[k]?.tokens, `row ${b} hypothesis ${k}`);
        assert.ok(Math.abs(h.score - (expected[k]?.score ?? NaN)) < 1e-4);
      });
    });
  });
}
