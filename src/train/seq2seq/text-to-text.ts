/**
 * One encoder–decoder, both directions, T5's way (Raffel et al. 2020, §2.4): every task is text to
 * text with a task prefix, and the training stream mixes them (train/objectives/task-mixture.ts):
 *   "g2p: aaron's"     → "EH R AH N Z"   (CMUdict train pairs, word lower-cased)
 *   "p2g: EH R AH N Z" → "aaron's"
 *   span corruption of the bundled SOTU corpus (64-token chunks of the training addresses), no prefix
 * at explicit rates 2 : 2 : 1. The vocabulary is a T5 Unigram tokenizer with `<extra_id_k>` sentinels,
 * trained on the SOTU training addresses' first characters and the train words and pronunciations.
 * Examples are drawn in pools of 16 batches and sorted by length before batching, so a batch does not
 * pad six-token words to a 64-token chunk. Scoring decodes text and compares token lists: phonemes
 * (split on spaces) for g2p, letters for p2g (its "PER" is a letter error rate), against every
 * reference of the CMUdict split.
 */
import { readCorpus, splitDocuments } from "../../data/corpus.js";
import { ValueError } from "../../errors.js";
import { sequenceErrorRates } from "../../metrics/sequence-error-rates.js";
import { Generator } from "../../tensor/rng.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Tokenizer } from "../../tokenizers/tokenizer.js";
import { sentinelSource, trainT5Tokenizer } from "../objectives/sentinels.js";
import { TaskMixture, chunkTokens, collateTextToText, spanCorruptionTask, textPairTask, type MixtureExample } from "../objectives/task-mixture.js";
import { encoderDecoderLoss, predictTargets, type TaskModel } from "./models.js";
import type { Seq2SeqExample, Seq2SeqTaskData } from "./task.js";
import type { TaskEvaluation, TrainingTask } from "./training-task.js";

/** The ids a text-to-text model is built with (T5's layout: `<pad>` 0, `</s>` 1, `<unk>` 2). */
export interface TextToTextIds {
  size: number;
  padId: number;
  eosId: number;
  /** Decoder start (the pad id, as T5). */
  bosId: number;
}

/** Settings of the text-to-text data. */
export interface TextToTextOptions {
  /** Unigram pieces (specials included); the 100 sentinels come on top. */
  vocabSize: number;
  /** Characters of the SOTU training addresses the tokenizer and span corruption use. */
  corpusCharacters: number;
  /** Tokens per span-corruption chunk. */
  chunkLength: number;
  /** Seeds the mixture's draws and the batch pools. */
  seed: number;
}

/** Defaults of {@link TextToTextOptions}. */
export const defaultTextToTextOptions: Readonly<TextToTextOptions> = Object.freeze({ vocabSize: 2000, corpusCharacters: 2_000_000, chunkLength: 64, seed: 1337 });

/** Mixing rates of the three tasks (g2p : p2g : span corruption). */
export const TEXT_TO_TEXT_RATES = { g2p: 2, p2g: 2, fill: 1 } as const;

/** g2p input text: the word lower-cased. */
export function g2pInput(letters: readonly string[]): string {
  return letters.join("").toLowerCase();
}

/** The training documents of a corpus (its own document split), cut to `characters` in all. */
function corpusText(characters: number, source: string): string[] {
  const { train } = splitDocuments(readCorpus(source));
  const out: string[] = [];
  let left = characters;
  for (const d of train) {
    if (left <= 0) break;
    out.push(d.text.slice(0, left));
    left -= d.text.length;
  }
  return out;
}

/** Trains the T5 tokenizer of the mixture on corpus text and the g2p training words and pronunciations. */
export function buildTextToTextTokenizer(g2p: Seq2SeqTaskData, corpus: readonly string[], vocabSize: number): Tokenizer {
  const words = g2p.train.map((e) => g2pInput(e.source));
  const pronunciations = g2p.train.flatMap((e) => e.references.map((r) => r.join(" ")));
  // The task prefixes too, so their characters (":") are pieces whatever the corpus holds.
  return trainT5Tokenizer([...corpus, words.join(" "), pronunciations.join("\n"), "g2p: p2g:"], { vocabSize });
}

/** Text-to-text training over the mixture; scoring of g2p and p2g on the CMUdict splits. */
export class TextToTextTask implements TrainingTask {
  readonly batchesPerEpoch: number;
  readonly mixture: TaskMixture;
  private readonly poolRng: Generator;
  private pool: MixtureExample[][] = [];
  private nextStep = 0;

  constructor(
    readonly tokenizer: Tokenizer,
    readonly g2p: Seq2SeqTaskData,
    readonly p2g: Seq2SeqTaskData,
    corpus: readonly string[],
    readonly batchSize: number,
    readonly options: TextToTextOptions,
  ) {
    const eosId = tokenizer.tokenToId("</s>");
    if (eosId === undefined) throw new ValueError("text-to-text: the tokenizer has no </s>");
    const pairs = g2p.train.flatMap((e) => e.references.map((r) => ({ word: g2pInput(e.source), phonemes: r.join(" ") })));
    const chunks = corpus.flatMap((text) => chunkTokens(tokenizer.encodeIds(text, { addSpecialTokens: false }), options.chunkLength));
    const tasks = [
      textPairTask("g2p", "g2p: ", pairs.map((p) => ({ inputs: p.word, targets: p.phonemes })), TEXT_TO_TEXT_RATES.g2p),
      textPairTask("p2g", "p2g: ", pairs.map((p) => ({ inputs: p.phonemes, targets: p.word })), TEXT_TO_TEXT_RATES.p2g),
      spanCorruptionTask("fill", "", chunks, sentinelSource(tokenizer), { rate: TEXT_TO_TEXT_RATES.fill }),
    ];
    this.mixture = new TaskMixture(tasks, tokenizer, eosId, { rates: "explicit", seed: options.seed });
    this.poolRng = new Generator(options.seed + 1);
    this.batchesPerEpoch = Math.ceil(tasks.reduce((n, t) => n + t.size, 0) / batchSize);
  }

  get testSize(): number {
    return this.g2p.test.length + this.p2g.test.length;
  }

  /** The next batch of the stream: pools of 16 batches sorted by length, the pool's batches in random order. */
  private nextBatch(): MixtureExample[] {
    if (this.pool.length === 0) {
      const drawn = this.mixture.take(16 * this.batchSize).sort((a, b) => a.inputs.length - b.inputs.length || a.targets.length - b.targets.length);
      for (let i = 0; i < drawn.length; i += this.batchSize) this.pool.push(drawn.slice(i, i + this.batchSize));
      for (let i = this.pool.length - 1; i > 0; i--) {
        const j = this.poolRng.randint(0, i + 1);
        [this.pool[i], this.pool[j]] = [this.pool[j] as MixtureExample[], this.pool[i] as MixtureExample[]];
      }
    }
    return this.pool.pop() as MixtureExample[];
  }

  batch(model: TaskModel, step: number): { loss: Tensor; tokens: number } {
    // The stream is consumed in order: a step is the next batch (a run starts at step 0).
    if (step !== this.nextStep) throw new ValueError(`text-to-text: batches are drawn in order; asked for step ${step}, next is ${this.nextStep}`);
    this.nextStep++;
    const b = collateTextToText(this.nextBatch(), { padId: 0, maxInputLength: 128, maxTargetLength: 128 });
    return { loss: encoderDecoderLoss(model, b.inputIds, b.attentionMask, b.labels), tokens: b.targetTokens };
  }

  evaluate(model: TaskModel, split: "validation" | "test", options: { numBeams: number; limit?: number }): TaskEvaluation {
    const t0 = performance.now();
    const g2p = this.g2p[split].slice(0, options.limit);
    const p2g = this.p2g[split].slice(0, options.limit);
    const score = (examples: readonly Seq2SeqExample[], predictions: string[][]) => sequenceErrorRates(predictions, examples.map((e) => e.references));
    const forward = score(g2p, pronounceText(model, this.tokenizer, g2p.map((e) => e.source), options.numBeams));
    const backward = score(p2g, spellText(model, this.tokenizer, p2g.map((e) => e.source), options.numBeams));
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    return {
      metrics: { g2p_wer: forward.wordErrorRate, g2p_per: forward.tokenErrorRate, p2g_wer: backward.wordErrorRate, p2g_ler: backward.tokenErrorRate },
      summary: `g2p WER ${pct(forward.wordErrorRate)} PER ${pct(forward.tokenErrorRate)} | p2g WER ${pct(backward.wordErrorRate)} LER ${pct(backward.tokenErrorRate)}`,
      examples: g2p.length + p2g.length,
      seconds: (performance.now() - t0) / 1000,
    };
  }
}

/** Reads the corpus text the mixture uses: "sotu" (the bundled addresses, default) or a text file or folder. */
export function textToTextCorpus(options: TextToTextOptions, source = "sotu"): string[] {
  return corpusText(options.corpusCharacters, source);
}

/** Decodes `sources` (texts, prefix included) to texts with a text-to-text model and its tokenizer. */
function translate(model: TaskModel, tokenizer: Tokenizer, sources: readonly string[], numBeams: number): string[] {
  const eos = tokenizer.tokenToId("</s>");
  if (eos === undefined) throw new ValueError("text-to-text: the tokenizer has no </s>");
  const ids = sources.map((s) => [...tokenizer.encodeIds(s, { addSpecialTokens: false }), eos]);
  return predictTargets(model, ids, { numBeams }).map((p) => tokenizer.decode(p, { skipSpecialTokens: true }));
}

/** Phonemes a text-to-text model predicts for words (letters), through the "g2p: " prefix. */
export function pronounceText(model: TaskModel, tokenizer: Tokenizer, words: readonly (readonly string[])[], numBeams: number): string[][] {
  return translate(model, tokenizer, words.map((w) => `g2p: ${g2pInput(w)}`), numBeams).map((t) => t.trim().split(/\s+/).filter((p) => p !== ""));
}

/** Spellings (upper-case letters) a text-to-text model predicts for pronunciations, through the "p2g: " prefix. */
export function spellText(model: TaskModel, tokenizer: Tokenizer, pronunciations: readonly (readonly string[])[], numBeams: number): string[][] {
  return translate(model, tokenizer, pronunciations.map((p) => `p2g: ${p.join(" ")}`), numBeams).map((t) => [...t.replace(/\s+/g, "").toUpperCase()]);
}
