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
  spm_train_flags: string[];
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

/** The bytes of one of the committed `.model` files ("unigram", "unigram_bf", "bpe", "bpe_bf", "unigram_raw"). */
export function modelBytes(name: string): Uint8Array {
  const [start, end] = expected.models[name]!.bundle_range;
  return bundle.subarray(start, end);
}

