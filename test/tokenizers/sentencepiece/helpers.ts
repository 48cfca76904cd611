/** Loads the SentencePiece fixtures made by scripts/fixtures/sentencepiece.py. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";

export const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "sentencepiece");

export interface SpmCase {
  text: string;
  ids: number[];
  pieces: string[];
  decoded: string;
}

export interface SpmModelFixture {
  bundle_range: [number, number];
  model_type: "unigram" | "bpe";
  byte_fallback: boolean;
  vocab_size: number;
  cases: SpmCase[];
  nbest: { text: string; pieces: string[][] }[];
}

export interface SpmFixtures {
  test_set: string[];
  models: Record<string, SpmModelFixture>;
}

export const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as SpmFixtures;

const bundle = brotliDecompressSync(readFileSync(join(FIXTURES, "models.bin.br")));

/** The bytes of one of the committed `.model` files ("unigram", "unigram_bf", "bpe", "bpe_bf"). */
export function modelBytes(name: string): Uint8Array {
  const [start, end] = expected.models[name]!.bundle_range;
  return bundle.subarray(start, end);
}

import "../../../src/tokenizers/normalizers/index.js";
import "../../../src/tokenizers/pre_tokenizers/index.js";
import "../../../src/tokenizers/decoders/index.js";
import "../../../src/tokenizers/models/index.js";
import { decoderRegistry } from "../../../src/tokenizers/decoders/decoder.js";
import { JsonPath } from "../../../src/tokenizers/json.js";
import type { Token } from "../../../src/tokenizers/models/model.js";
import { modelRegistry } from "../../../src/tokenizers/models/registry.js";
import { NormalizedString } from "../../../src/tokenizers/normalized-string.js";
import { normalizerRegistry } from "../../../src/tokenizers/normalizers/normalizer.js";
import { PreTokenizedString } from "../../../src/tokenizers/pre-tokenized-string.js";
import { preTokenizerRegistry } from "../../../src/tokenizers/pre_tokenizers/pre-tokenizer.js";

/**
 * The stages of a tokenizer.json object run one after another (normalizer → pre-tokenizer → model;
 * decode maps ids to pieces and runs the decoder), each read through its type registry.
 */
export function pipeline(json: Record<string, unknown>): { encode(text: string): Token[]; decode(ids: number[]): string } {
  const at = new JsonPath("tokenizer.json", "");
  const normalizer = json.normalizer ? normalizerRegistry.fromJSON(json.normalizer, at.key("normalizer")) : undefined;
  const preTokenizer = preTokenizerRegistry.fromJSON(json.pre_tokenizer, at.key("pre_tokenizer"));
  const decoder = decoderRegistry.fromJSON(json.decoder, at.key("decoder"));
  const model = modelRegistry.fromJSON(json.model, at.key("model"));
  return {
    encode(text: string): Token[] {
      const normalized = new NormalizedString(text);
      normalizer?.normalize(normalized);
      const pts = new PreTokenizedString(normalized);
      preTokenizer.preTokenize(pts);
      pts.tokenize((s) => model.tokenize(s.get()));
      return pts.splits.flatMap((s) => s.tokens ?? []);
    },
    decode(ids: number[]): string {
      return decoder.decodeChain(ids.map((id) => model.idToToken(id)!)).join("");
    },
  };
}
