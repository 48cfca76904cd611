/**
 * The objectives end to end: a tiny T5 trained on a seeded mixture of two text tasks with prefixes and
 * span corruption over token chunks (collated with collateTextToText) learns the text tasks: its loss
 * falls and it then answers both prefixes correctly by greedy decoding.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, noGrad, type Tensor } from "../../../src/index.js";
import { decode } from "../../../src/generate/index.js";
import { T5ForConditionalGeneration } from "../../../src/models/t5/index.js";
import { AdamW } from "../../../src/optim/index.js";
import { TaskMixture, chunkTokens, collateTextToText, spanCorruptionTask, textPairTask } from "../../../src/train/objectives/task-mixture.js";
import { topOfVocabularySentinels } from "../../../src/train/objectives/span-corruption.js";

/** One id per letter a–h (3 … 10) and per prefix character; 0 pad, 1 EOS, 2 the decoder start is pad (T5). */
const alphabet = "abcdefgh:ur ";
const encoder = { encodeIds: (text: string) => [...text].map((c) => 3 + alphabet.indexOf(c)) };
const V = 3 + alphabet.length + 4; // 4 sentinels at the top

test("a tiny T5 learns a mixture of 'u:' (copy) and 'r:' (reverse) with span corruption beside them", () => {
  manualSeed(0);
  const words = ["abc", "bad", "cafe", "head", "fade", "bead", "deaf", "face", "dab", "egg", "hag", "ached"];
  const copy = textPairTask("copy", "u:", words.map((w) => ({ inputs: w, targets: w })), 2);
  const reverse = textPairTask("reverse", "r:", words.map((w) => ({ inputs: w, targets: [...w].reverse().join("") })), 2);
  const stream = words.join("").split("").map((c) => 3 + alphabet.indexOf(c));
  const fill = spanCorruptionTask("fill", "", chunkTokens(stream, 10), { sentinelIds: topOfVocabularySentinels(V, 4), eosId: 1 }, { rate: 1 });
  const mixture = new TaskMixture([copy, reverse, fill], encoder, 1, { rates: "explicit", seed: 1 });
  const model = new T5ForConditionalGeneration({
    vocab_size: V, d_model: 32, d_kv: 8, d_ff: 64, num_layers: 2, num_heads: 4, dropout_rate: 0,
    relative_attention_num_buckets: 16, relative_attention_max_distance: 32, n_positions: 64, decoder_start_token_id: 0, pad_token_id: 0, eos_token_id: 1,
  });
  const opt = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0 });
  const losses: number[] = [];
  for (let step = 0; step < 250; step++) {
    const batch = collateTextToText(mixture.take(16), { padId: 0 });
    const { loss } = model.forward(batch.inputIds, { attentionMask: batch.attentionMask, labels: batch.labels });
    opt.zeroGrad();
    (loss as Tensor).backward();
    opt.step();
    losses.push((loss as Tensor).item());
  }
  const first = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
  const last = losses.slice(-10).reduce((a, b) => a + b) / 10;
  assert.ok(last < first / 3, `loss ${first} → ${last}`);
  model.train(false);
  const answer = (text: string): string => {
    const ids = [...encoder.encodeIds(text), 1];
    const step = noGrad(() => model.decoderStep(collateTextToText([{ inputs: ids, targets: [1] }], { padId: 0 }).inputIds, [ids.length]));
    const [result] = noGrad(() => decode(step, [[0]], V, { temperature: 0, maxNewTokens: 8, stopIds: [1] }));
    return (result?.tokens ?? []).filter((t) => t !== 1).map((t) => alphabet[t - 3] ?? "?").join("");
  };
  assert.equal(answer("u:cafe"), "cafe");
  assert.equal(answer("r:cafe"), "efac");
});
