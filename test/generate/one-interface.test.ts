/**
 * Greedy decoding, sampling and beam search run through the one decoder-step interface for a
 * decoder-only model (GPT, via CausalLanguageModelStep) and an encoder–decoder (Seq2Seq's decoderStep):
 * the same `decode` call decodes both, and agrees with the model-specific entry points.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, noGrad, tensor } from "../../src/index.js";
import { GPT, Seq2Seq } from "../../src/models/index.js";
import { CausalLanguageModelStep, decode, decodeSources, generate } from "../../src/generate/index.js";

test("GPT: greedy, sampling and beam search through decode(CausalLanguageModelStep) equal generate()", () => {
  manualSeed(1);
  const m = new GPT({ vocab_size: 13, n_positions: 16, n_embd: 8, n_layer: 1, n_head: 2 });
  m.eval();
  const prompt = [1, 2, 3];
  const step = () => new CausalLanguageModelStep(m, true);
  for (const options of [{ temperature: 0 }, { temperature: 1, seed: 4, topK: 5 }, { numBeams: 3 }]) {
    const o = { maxNewTokens: 6, ...options };
    const [viaStep] = noGrad(() => decode(step(), [prompt], 13, o));
    assert.deepEqual(viaStep!.tokens, generate(m, prompt, o), JSON.stringify(options));
  }
});

test("Seq2Seq: greedy, sampling and beam search through decodeSources (its decoder step); beams ≥ greedy in log-probability", () => {
  manualSeed(2);
  const m = new Seq2Seq({ srcVocab: 9, tgtVocab: 8, embedDim: 6, hiddenSize: 8 });
  const src = tensor([[3, 4, 5, 6], [7, 3, 0, 0]], { dtype: "int32" });
  const lengths = [4, 2];
  const greedy = decodeSources(m, src, lengths, { maxNewTokens: 5 });
  const sampled = decodeSources(m, src, lengths, { maxNewTokens: 5, temperature: 1, seed: 3 });
  const beams = decodeSources(m, src, lengths, { maxNewTokens: 5, numBeams: 4 });
  assert.equal(greedy.length, 2);
  assert.equal(sampled.length, 2);
  for (const [row, hyps] of beams.entries()) {
    assert.ok(hyps.length >= 1 && hyps.length <= 4);
    const g = greedy[row]![0]!;
    // With no length normalisation (the default here) the best beam scores at least greedy's path
    // (to float32 rounding: the batch and the single row are computed apart).
    assert.ok(hyps[0]!.score >= g.score - 1e-5, `row ${row}: beam ${hyps[0]!.score} vs greedy ${g.score}`);
    for (const h of hyps) assert.equal(h.attention.length, h.tokens.length);
  }
  assert.equal(m.training, true, "the model's mode is restored");
});
