/**
 * BERT's tokenizer pipeline, trained on a corpus: BertNormalizer (clean-up, CJK spacing, lowercase and
 * accent stripping, as bert-base-uncased), BertPreTokenizer (whitespace and punctuation), a WordPiece
 * vocabulary learnt as Hugging Face's WordPieceTrainer learns it, the WordPiece decoder, and the
 * `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B:1 [SEP]:1` post-processor with BERT's five special tokens
 * first ([PAD] = 0, as BERT's pad_token_id).
 */
import { ValueError } from "../../errors.js";
import { WordPieceDecoder } from "../../tokenizers/decoders/wordpiece.js";
import { WordPiece } from "../../tokenizers/models/wordpiece/model.js";
import { WordPieceTrainer } from "../../tokenizers/models/wordpiece/trainer.js";
import { BertNormalizer } from "../../tokenizers/normalizers/bert.js";
import { BertPreTokenizer } from "../../tokenizers/pre_tokenizers/punctuation.js";
import { TemplateProcessing } from "../../tokenizers/processors/template.js";
import { Tokenizer } from "../../tokenizers/tokenizer.js";
import type { TrainerProgress } from "../../tokenizers/trainers/trainer.js";

/** BERT's special tokens, in the order (and so with the ids 0–4) loom's trained WordPiece gives them. */
export const BERT_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;

/** Options of {@link trainWordPieceTokenizer}. */
export interface WordPieceSetupOptions {
  /** Vocabulary size, special tokens included (default 8192). */
  vocabSize?: number;
  /** Lowercase (and strip accents), as the uncased BERTs (default true). */
  lowercase?: boolean;
  /** Called as training goes (stage, done, total). */
  onProgress?: (progress: TrainerProgress) => void;
}

/** Trains BERT's tokenizer pipeline on `texts` (see the file comment). */
export function trainWordPieceTokenizer(texts: Iterable<string>, options: WordPieceSetupOptions = {}): Tokenizer {
  const vocabSize = options.vocabSize ?? 8192;
  if (!Number.isInteger(vocabSize) || vocabSize <= BERT_SPECIAL_TOKENS.length) {
    throw new ValueError(`trainWordPieceTokenizer: vocabSize must be an integer above ${BERT_SPECIAL_TOKENS.length} (the special tokens), got ${vocabSize}`);
  }
  const tokenizer = new Tokenizer(new WordPiece(new Map(), { unkToken: "[UNK]" }));
  tokenizer.normalizer = new BertNormalizer({ lowercase: options.lowercase ?? true });
  tokenizer.preTokenizer = new BertPreTokenizer();
  tokenizer.decoder = new WordPieceDecoder();
  const trainer = new WordPieceTrainer({ vocabSize, specialTokens: [...BERT_SPECIAL_TOKENS], unkToken: "[UNK]", showProgress: false });
  if (options.onProgress) trainer.onProgress = options.onProgress;
  tokenizer.trainFromTexts(texts, trainer);
  const id = (token: string) => tokenizer.tokenToId(token) as number;
  tokenizer.postProcessor = new TemplateProcessing("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1", [
    ["[CLS]", id("[CLS]")],
    ["[SEP]", id("[SEP]")],
  ]);
  return tokenizer;
}
