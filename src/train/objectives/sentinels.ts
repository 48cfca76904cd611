/**
 * T5's vocabulary: a SentencePiece Unigram model whose first ids are `<pad>` (0), `</s>` (1) and
 * `<unk>` (2), with `extraIds` sentinel tokens `<extra_id_0>` … added at the top, highest first:
 * `<extra_id_k>` has id V − 1 − k where V is the full vocabulary size (t5-small: 32000 pieces +
 * 100 sentinels, `<extra_id_0>` = 32099, `<extra_id_99>` = 32000), as transformers' T5 tokenizer
 * numbers them. Span corruption (span-corruption.ts) takes its sentinel ids from here.
 */
import { ValueError } from "../../errors.js";
import { Tokenizer } from "../../tokenizers/tokenizer.js";
import { Unigram } from "../../tokenizers/models/unigram/model.js";
import { UnigramTrainer } from "../../tokenizers/models/unigram/trainer.js";
import { Metaspace } from "../../tokenizers/pre_tokenizers/metaspace.js";
import { MetaspaceDecoder } from "../../tokenizers/decoders/metaspace.js";
import type { SentinelSource } from "./span-corruption.js";

/** T5's special tokens, in id order: padding (also the decoder start), end of sequence, unknown. */
export const T5_SPECIAL_TOKENS = ["<pad>", "</s>", "<unk>"] as const;

/** T5's default number of sentinels. */
export const DEFAULT_EXTRA_IDS = 100;

/** The text of sentinel k: `<extra_id_k>`. */
export function sentinelToken(k: number): string {
  if (!Number.isInteger(k) || k < 0) throw new ValueError(`sentinelToken: k must be a non-negative integer, got ${k}`);
  return `<extra_id_${k}>`;
}

/**
 * Adds `count` sentinels as special tokens at the top of the vocabulary (`<extra_id_{count−1}>` first,
 * so `<extra_id_0>` gets the highest id) and returns their ids, index k = `<extra_id_k>`. Throws if
 * the tokenizer already holds one of them, or if they do not end up on the top ids.
 */
export function addSentinelTokens(tokenizer: Tokenizer, count = DEFAULT_EXTRA_IDS): number[] {
  if (!Number.isInteger(count) || count < 1) throw new ValueError(`addSentinelTokens: count must be a positive integer, got ${count}`);
  for (let k = 0; k < count; k++) {
    const id = tokenizer.tokenToId(sentinelToken(k));
    if (id !== undefined) throw new ValueError(`addSentinelTokens: the tokenizer already has ${sentinelToken(k)} (id ${id})`);
  }
  tokenizer.addSpecialTokens(Array.from({ length: count }, (_, i) => sentinelToken(count - 1 - i)));
  const ids = sentinelIds(tokenizer);
  const V = tokenizer.getVocabSize();
  ids.forEach((id, k) => {
    if (id !== V - 1 - k) throw new ValueError(`addSentinelTokens: ${sentinelToken(k)} got id ${id}, not ${V - 1 - k} (the top of a ${V}-token vocabulary)`);
  });
  return ids;
}

/** The ids of `<extra_id_0>`, `<extra_id_1>`, … that the tokenizer has (stopping at the first missing one). */
export function sentinelIds(tokenizer: Tokenizer): number[] {
  const ids: number[] = [];
  for (let id = tokenizer.tokenToId(sentinelToken(0)); id !== undefined; id = tokenizer.tokenToId(sentinelToken(ids.length))) ids.push(id);
  return ids;
}

/** The sentinels and `</s>` of a T5 tokenizer, for span corruption. */
export function sentinelSource(tokenizer: Tokenizer): SentinelSource {
  const eosId = tokenizer.tokenToId("</s>");
  if (eosId === undefined) throw new ValueError("sentinelSource: the tokenizer has no </s> token");
  const ids = sentinelIds(tokenizer);
  if (ids.length === 0) throw new ValueError("sentinelSource: the tokenizer has no <extra_id_0> (add them with addSentinelTokens)");
  return { sentinelIds: ids, eosId };
}

/** Options of {@link trainT5Tokenizer}. */
export interface T5TokenizerOptions {
  /** Unigram pieces, `<pad>`, `</s>`, `<unk>` included (t5: 32000); the sentinels come on top. */
  vocabSize: number;
  /** Sentinel tokens added at the top (default 100). */
  extraIds?: number;
}

/**
 * A T5-style tokenizer trained on `texts`: SentencePiece's pipeline (Metaspace pre-tokenizer and
 * decoder, Unigram model) with `<pad>` = 0, `</s>` = 1, `<unk>` = 2, then the sentinels at the top.
 * A small corpus can give fewer pieces than `vocabSize` (see UnigramTrainer); the sentinels still
 * sit directly above the pieces.
 */
export function trainT5Tokenizer(texts: Iterable<string>, options: T5TokenizerOptions): Tokenizer {
  const tokenizer = new Tokenizer(new Unigram([]));
  tokenizer.preTokenizer = new Metaspace();
  tokenizer.decoder = new MetaspaceDecoder();
  tokenizer.trainFromTexts(texts, new UnigramTrainer({ vocabSize: options.vocabSize, specialTokens: [...T5_SPECIAL_TOKENS], unkToken: "<unk>" }));
  addSentinelTokens(tokenizer, options.extraIds ?? DEFAULT_EXTRA_IDS);
  return tokenizer;
}
