/**
 * Unigram on text without spaces: trains a small Unigram tokenizer on the Chinese and Japanese
 * sentences of tokenizers-cjk.txt, then prints the n best segmentations of 研究生命的起源 ("to study
 * the origin of life") with their log-probabilities — the classic ambiguity between
 * 研究 / 生命 ("study / life") and 研究生 / 命 ("graduate student / fate") — and a few sampled
 * segmentations, as used for subword regularisation.
 *
 *   node --import tsx examples/tokenizers-cjk.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Generator, tokenizers } from "loom";

const { Tokenizer, UnigramTrainer } = tokenizers;
const { Unigram } = tokenizers.models;
const { Metaspace } = tokenizers.preTokenizers;
type Unigram = tokenizers.models.Unigram;

const text = readFileSync(join(import.meta.dirname, "tokenizers-cjk.txt"), "utf8");
const tokenizer = new Tokenizer(new Unigram([["<unk>", 0]], { unkId: 0 }));
tokenizer.preTokenizer = new Metaspace();
tokenizer.trainFromTexts(text.split("\n"), new UnigramTrainer({ vocabSize: 400, specialTokens: ["<unk>"] }));
const model = tokenizer.model as Unigram;

const sentence = "研究生命的起源";
console.log(`vocabulary: ${model.getVocabSize()} pieces; best: ${tokenizer.encode(sentence).tokens.join(" / ")}`);
console.log(`n-best segmentations of ${sentence}:`);
// The pre-tokenizer turns the sentence into one piece, "▁研究生命的起源"; the model segments that.
const [piece] = tokenizer.preTokenizeForTraining(sentence);
for (const [rank, tokens] of model.nbest(piece!, 5).entries()) {
  const score = tokens.reduce((sum, t) => sum + model.score(t.id), 0);
  console.log(`  ${rank + 1}. ${score.toFixed(2).padStart(7)}  ${tokens.map((t) => t.value).join(" / ")}`);
}
// Any source of uniform numbers in [0, 1) will do; loom's seeded Generator makes the samples reproducible.
const generator = new Generator(2024);
const random = { next: () => generator.random() };
console.log("sampled (alpha 0.2):");
for (let i = 0; i < 4; i++) console.log(`  ${model.sample(piece!, 0.2, -1, random).map((t) => t.value).join(" / ")}`);
