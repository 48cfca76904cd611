/**
 * The settings of a BERT pretraining run (`loom bert pretrain`): data and tokenizer, objective and
 * masking, sequence shaping, model size and the optimiser schedule; with Google's small-BERT sizes as
 * presets (Turc et al. 2019, "Well-Read Students Learn Better": Tiny L2/H128, Mini L4/H256, Small
 * L4/H512, Medium L8/H512; Base L12/H768), each with 64-wide heads and a 4·H feed-forward layer.
 */
import { ValueError } from "../../errors.js";
import type { BertConfig } from "../../models/bert/config.js";
import type { TrainOptions } from "../trainer.js";
import { flagName, validateTrainOptions } from "../train-options.js";
import type { MaskingStyle } from "./batch.js";

/** What the model learns: masked LM alone, or with next-sentence or sentence-order prediction. */
export type PretrainObjective = "mlm" | "mlm+nsp" | "mlm+sop";

/** The objectives `--objective` accepts. */
export const PRETRAIN_OBJECTIVES: readonly PretrainObjective[] = ["mlm", "mlm+nsp", "mlm+sop"];

/** Model sizes by name: layers, width, heads and feed-forward width. */
export const BERT_SIZES: Readonly<Record<string, Pick<BertConfig, "num_hidden_layers" | "hidden_size" | "num_attention_heads" | "intermediate_size">>> = {
  tiny: { num_hidden_layers: 2, hidden_size: 128, num_attention_heads: 2, intermediate_size: 512 },
  mini: { num_hidden_layers: 4, hidden_size: 256, num_attention_heads: 4, intermediate_size: 1024 },
  small: { num_hidden_layers: 4, hidden_size: 512, num_attention_heads: 8, intermediate_size: 2048 },
  medium: { num_hidden_layers: 8, hidden_size: 512, num_attention_heads: 8, intermediate_size: 2048 },
  base: { num_hidden_layers: 12, hidden_size: 768, num_attention_heads: 12, intermediate_size: 3072 },
};

/** Everything a pretraining run is made from; saved in trainer_state.json so --resume continues it. */
export interface BertPretrainSettings {
  /** Corpus: "sotu" (the bundled addresses) or a text file or folder of .txt files. */
  data: string;
  /** A tokenizer.json to use, or null to train BERT's WordPiece pipeline on the training split. */
  tokenizer: string | null;
  /** Vocabulary size of a trained WordPiece tokenizer. */
  vocabSize: number;
  out: string;
  seed: number;
  objective: PretrainObjective;
  masking: MaskingStyle;
  /** Mask whole words (a word and its `##` pieces together). */
  wholeWord: boolean;
  /** ALBERT's n-gram masking with n ≤ maxNgram (1: off); Google masking only. */
  maxNgram: number;
  /** HF masking: the probability each token is chosen; Google masking: the fraction predicted. */
  mlmProbability: number;
  /** Google masking: most predictions per sequence. */
  maxPredictions: number;
  /** Tokens per sequence, special tokens included. */
  maxSeqLength: number;
  /** Probability of a shorter sequence (Google's short_seq_prob). */
  shortSeqProb: number;
  /** Name of a size in {@link BERT_SIZES}. */
  size: string;
  /** Config fields over the size's (hidden_size, dropout, max_position_embeddings, …). */
  model: Partial<BertConfig>;
  /** Optimiser and schedule; blockSize is the sequence length, evalBlocks the validation sequences per evaluation. */
  train: TrainOptions;
}

/** The defaults: BERT-Tiny with MLM + NSP, HF masking, sequences of 128, five minutes at lr 1e-3. */
export const defaultPretrainSettings: Readonly<BertPretrainSettings> = Object.freeze({
  data: "sotu",
  tokenizer: null,
  vocabSize: 8192,
  out: "runs/bert",
  seed: 1337,
  objective: "mlm+nsp",
  masking: "hf",
  wholeWord: false,
  maxNgram: 1,
  mlmProbability: 0.15,
  maxPredictions: 20,
  maxSeqLength: 128,
  shortSeqProb: 0.1,
  size: "tiny",
  model: {},
  train: {
    batchSize: 32,
    blockSize: 128,
    timeSeconds: 300,
    lr: 1e-3,
    minLr: 1e-4,
    warmupSteps: 100,
    // BERT's AdamW: weight decay 0.01, β2 0.999.
    weightDecay: 0.01,
    beta1: 0.9,
    beta2: 0.999,
    gradClip: 1.0,
    gradAccumulation: 1,
    evalInterval: 0,
    evalBlocks: 256,
    logInterval: 10,
    checkpointInterval: 200,
  },
});

/** Overrides of the defaults (train options merged field by field). */
export type BertPretrainOverrides = Partial<Omit<BertPretrainSettings, "train">> & { train?: Partial<TrainOptions> };

/** The defaults with `overrides`; an explicit step budget replaces the time budget and vice versa. */
export function resolvePretrainSettings(overrides: BertPretrainOverrides = {}): BertPretrainSettings {
  const { train, ...rest } = overrides;
  const options: TrainOptions = { ...defaultPretrainSettings.train, ...train };
  if (train?.steps !== undefined && train.timeSeconds === undefined) delete options.timeSeconds;
  if (train?.timeSeconds !== undefined && train.steps === undefined) delete options.steps;
  const settings: BertPretrainSettings = { ...defaultPretrainSettings, ...rest, model: { ...rest.model }, train: options };
  settings.train.blockSize = settings.maxSeqLength;
  validatePretrainSettings(settings);
  return settings;
}

function check(ok: boolean, field: string, expected: string, value: unknown): void {
  if (!ok) throw new ValueError(`${field}: expected ${expected}, got ${JSON.stringify(value) ?? "nothing"}`);
}

/** Checks every setting's range; messages name the field as `loom bert pretrain`'s flag. */
export function validatePretrainSettings(s: BertPretrainSettings): void {
  check(PRETRAIN_OBJECTIVES.includes(s.objective), "--objective", PRETRAIN_OBJECTIVES.join(" | "), s.objective);
  check(s.masking === "hf" || s.masking === "google", "--masking", "hf | google", s.masking);
  check(Object.hasOwn(BERT_SIZES, s.size), "--size", Object.keys(BERT_SIZES).join(" | "), s.size);
  check(Number.isInteger(s.vocabSize) && s.vocabSize > 5 && s.vocabSize <= 1 << 20, "--vocab-size", "an integer from 6 to 1048576", s.vocabSize);
  // [CLS] A [SEP] B [SEP] needs room for one token of each.
  check(Number.isInteger(s.maxSeqLength) && s.maxSeqLength >= 5 && s.maxSeqLength <= 65536, "--max-seq-length", "an integer from 5 to 65536", s.maxSeqLength);
  check(s.mlmProbability > 0 && s.mlmProbability <= 1, "--mlm-probability", "a number in (0, 1]", s.mlmProbability);
  check(Number.isInteger(s.maxPredictions) && s.maxPredictions >= 1, "--max-predictions", "a positive integer", s.maxPredictions);
  check(Number.isInteger(s.maxNgram) && s.maxNgram >= 1 && s.maxNgram <= 16, "--max-ngram", "an integer from 1 to 16", s.maxNgram);
  check(s.maxNgram === 1 || s.masking === "google", "--max-ngram", "1 unless --masking google (n-gram masking is Google/ALBERT's)", s.maxNgram);
  check(s.shortSeqProb >= 0 && s.shortSeqProb <= 1, "--short-seq-prob", "a probability in [0, 1]", s.shortSeqProb);
  check(Number.isInteger(s.seed) && s.seed >= 0, "--seed", "an integer ≥ 0", s.seed);
  const positions = s.model.max_position_embeddings;
  if (positions !== undefined && positions < s.maxSeqLength) {
    throw new ValueError(`--max-seq-length: ${s.maxSeqLength} tokens do not fit max_position_embeddings = ${positions}`);
  }
  validateTrainOptions(s.train, (o) => (o === "blockSize" ? "--max-seq-length" : o === "evalBlocks" ? "--eval-sequences" : flagName(o)));
}

/** The BERT config of a run: the size, then the run's overrides, sized to the tokenizer and sequences. */
export function pretrainModelConfig(s: BertPretrainSettings, vocabSize: number, padTokenId: number): Partial<BertConfig> {
  return {
    ...BERT_SIZES[s.size],
    max_position_embeddings: Math.max(512, s.maxSeqLength),
    ...s.model,
    vocab_size: vocabSize,
    pad_token_id: padTokenId,
    type_vocab_size: 2,
  };
}
