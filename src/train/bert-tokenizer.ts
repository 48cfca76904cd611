/**
 * BERT's tokenizer pipeline trained on a corpus, as Hugging Face's `BertWordPieceTokenizer`:
 * BertNormalizer (clean-up, CJK spacing, lowercase and accent stripping when uncased) → BertPreTokenizer
 * (whitespace and punctuation) → WordPiece (vocabulary learnt by the WordPiece trainer, `##`
 * continuations) → BertProcessing (`[CLS] A [SEP]`, `[CLS] A [SEP] B [SEP]` with type ids) → WordPiece
 * decoder. The special tokens take the first ids: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4.
 */
import { ValueError } from "../errors.js";
import { WordPieceDecoder } from "../tokenizers/decoders/wordpiece.js";
import { WordPiece } from "../tokenizers/models/wordpiece/model.js";
import { WordPieceTrainer } from "../tokenizers/models/wordpiece/trainer.js";
import { BertNormalizer } from "../tokenizers/normalizers/bert.js";
import { BertPreTokenizer } from "../tokenizers/pre_tokenizers/punctuation.js";
import { BertProcessing } from "../tokenizers/processors/bert.js";
import { Tokenizer } from "../tokenizers/tokenizer.js";
import type { TrainerProgress } from "../tokenizers/trainers/trainer.js";

/** BERT's special tokens, in the order of their ids. */
export const BERT_SPECIAL_TOKENS: readonly string[] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/** Options of {@link trainBertWordPiece}. */
export interface BertWordPieceOptions {
  /** Lowercase and strip accents (an "uncased" model; default true). */
  lowercase?: boolean;
  /** Pieces a word must occur in to be merged (default 2, as HF's BertWordPieceTokenizer). */
  minFrequency?: number;
  onProgress?: (progress: TrainerProgress) => void;
}

/** Trains BERT's WordPiece pipeline with `vocabSize` tokens (special tokens included) on `texts`. */
export function trainBertWordPiece(texts: Iterable<string>, vocabSize: number, options: BertWordPieceOptions = {}): Tokenizer {
  if (!Number.isInteger(vocabSize) || vocabSize < 100) throw new ValueError(`trainBertWordPiece: vocabSize must be an integer ≥ 100, got ${vocabSize}`);
  const lowercase = options.lowercase ?? true;
  const tokenizer = new Tokenizer(new WordPiece(new Map(), { unkToken: "[UNK]" }));
  tokenizer.normalizer = new BertNormalizer({ lowercase });
  tokenizer.preTokenizer = new BertPreTokenizer();
  tokenizer.decoder = new WordPieceDecoder();
  const trainer = new WordPieceTrainer({ vocabSize, minFrequency: options.minFrequency ?? 2, specialTokens: [...BERT_SPECIAL_TOKENS], showProgress: false });
  if (options.onProgress) trainer.onProgress = options.onProgress;
  tokenizer.trainFromTexts(texts, trainer);
  const id = (t: string) => tokenizer.tokenToId(t) as number;
  tokenizer.postProcessor = new BertProcessing(["[SEP]", id("[SEP]")], ["[CLS]", id("[CLS]")]);
  return tokenizer;
}
