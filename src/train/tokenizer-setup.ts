/**
 * The tokenizer a training run uses, from the `--tokenizer` spec:
 *   gpt2 (or another tiktoken name) — the built-in encoding;
 *   bpe:N — a byte-level BPE with vocabulary N trained on the training documents (GPT-2's pipeline);
 *   byte — the 256 byte symbols alone (byte-level BPE without merges);
 *   a path — a tokenizer.json (or a SentencePiece .model).
 * Every trained tokenizer gets `<|endoftext|>`, which separates documents in the token stream, and the
 * chat-role tokens of loom's chat template.
 */
import { existsSync } from "node:fs";
import { ValueError } from "../errors.js";
import { Tokenizer } from "../tokenizers/tokenizer.js";
import { BPE } from "../tokenizers/models/bpe/model.js";
import { BpeTrainer } from "../tokenizers/models/bpe/trainer.js";
import { ByteLevelPreTokenizer } from "../tokenizers/pre_tokenizers/byte-level.js";
import { ByteLevelDecoder } from "../tokenizers/decoders/byte-level.js";
import { BYTE_TO_CHAR } from "../tokenizers/byte-level-alphabet.js";
import type { TrainerProgress } from "../tokenizers/trainers/trainer.js";
import type { TiktokenName } from "../tokenizers/tiktoken.js";
import { fromSentencePiece } from "../tokenizers/sentencepiece/index.js";

/** GPT-2's document separator, which every tokenizer loom trains has. */
export const END_OF_TEXT = "<|endoftext|>";
/** Special tokens of every tokenizer loom trains: the document separator and the chat roles. */
export const TRAINED_SPECIAL_TOKENS = [END_OF_TEXT, "<|system|>", "<|user|>", "<|assistant|>"];
const TIKTOKEN_NAMES: readonly string[] = ["gpt2", "r50k_base", "p50k_base", "cl100k_base", "o200k_base"];

export interface TokenizerSetupOptions {
  onProgress?: (p: TrainerProgress) => void;
}

/** A byte-level BPE pipeline (GPT-2's pre-tokenizer and decoder) around `model`. */
function byteLevelTokenizer(model: BPE): Tokenizer {
  const tok = new Tokenizer(model);
  tok.preTokenizer = new ByteLevelPreTokenizer({ addPrefixSpace: false, trimOffsets: true, useRegex: true });
  tok.decoder = new ByteLevelDecoder();
  return tok;
}

/**
 * The tokenizer for a `--tokenizer` spec: a tiktoken name, `bpe:N` (trained on `trainTexts`), `byte`, or a tokenizer.json path.
 */
export function buildTokenizer(spec: string, trainTexts: () => Iterable<string>, options: TokenizerSetupOptions = {}): Tokenizer {
  if (TIKTOKEN_NAMES.includes(spec)) return Tokenizer.fromTiktoken(spec as TiktokenName);
  if (spec === "byte") {
    const vocab = new Map<string, number>(BYTE_TO_CHAR.map((c, i) => [c, i]));
    const tok = byteLevelTokenizer(new BPE(vocab, []));
    tok.addSpecialTokens(TRAINED_SPECIAL_TOKENS);
    return tok;
  }
  const m = /^bpe:(\d+)$/.exec(spec);
  if (m) {
    const vocabSize = Number(m[1]);
    const least = 256 + TRAINED_SPECIAL_TOKENS.length;
    if (vocabSize < least) throw new ValueError(`--tokenizer bpe:N needs N ≥ ${least} (256 bytes + ${TRAINED_SPECIAL_TOKENS.join(" ")}), got ${vocabSize}`);
    const trainer = new BpeTrainer({ vocabSize, specialTokens: TRAINED_SPECIAL_TOKENS, initialAlphabet: [...BYTE_TO_CHAR], showProgress: false });
    if (options.onProgress) trainer.onProgress = options.onProgress;
    const tok = byteLevelTokenizer(new BPE(new Map(), []));
    tok.trainFromTexts(trainTexts(), trainer);
    return tok;
  }
  if (existsSync(spec)) {
    if (spec.endsWith(".model")) return fromSentencePiece(spec);
    return Tokenizer.fromFile(spec);
  }
  throw new ValueError(`--tokenizer: expected gpt2, cl100k_base, …, bpe:N, byte or a path to tokenizer.json, got "${spec}"`);
}

/** The id that separates documents: `<|endoftext|>` if the tokenizer has it. */
export function endOfTextId(tok: Tokenizer): number | undefined {
  return tok.tokenToId(END_OF_TEXT);
}
