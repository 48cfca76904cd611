/**
 * OpenAI's tiktoken encodings (gpt2/r50k_base, p50k_base, cl100k_base, o200k_base) as byte-level BPE
 * tokenizers in the HF pipeline, the way HF represents them (Llama 3 and GPT-4o tokenizer.json):
 * Split(regex, Isolated) → ByteLevel(no regex) → BPE with `ignore_merges` → ByteLevel decoder.
 *
 * tiktoken merges the adjacent pair whose concatenation has the lowest rank, and takes a whole piece
 * as one token when it is in the vocabulary. So every split of a token t into two tokens becomes a
 * merge with t's rank, and `ignore_merges` gives the whole-piece lookup; ids are the ranks.
 * The rank data comes from the `js-tiktoken` package (its `ranks/*` files), nothing is downloaded.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ValueError } from "../errors.js";
import { BYTE_TO_CHAR } from "./byte-level-alphabet.js";
import { ByteLevelDecoder } from "./decoders/byte-level.js";
import { AddedToken } from "./added-vocabulary.js";
import { mergeValue, type MergeLookup } from "./models/bpe/merge.js";
import { BPE } from "./models/bpe/model.js";
import { ByteLevelPreTokenizer } from "./pre_tokenizers/byte-level.js";
import { PreTokenizerSequence } from "./pre_tokenizers/sequence.js";
import { Split } from "./pre_tokenizers/split.js";
import { ByteLevelProcessor } from "./processors/byte-level.js";
import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN } from "./regex.js";
import { Tokenizer } from "./tokenizer.js";

/** The tiktoken encodings loom ships: GPT-2's and OpenAI's later BPEs. */
export type TiktokenName = "gpt2" | "r50k_base" | "p50k_base" | "cl100k_base" | "o200k_base";

/** Token bytes (as a byte-level string) and rank. */
export type TiktokenRanks = Map<string, number>;

interface JsTiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

const PATTERNS: Record<TiktokenName, string> = {
  gpt2: GPT2_PATTERN,
  r50k_base: GPT2_PATTERN,
  p50k_base: GPT2_PATTERN,
  cl100k_base: CL100K_PATTERN,
  o200k_base: O200K_PATTERN,
};

function bytesToByteLevel(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}

/** Parses a tiktoken rank file: one `base64token rank` per line. */
export function parseTiktokenRanks(text: string, source = "ranks"): TiktokenRanks {
  const ranks: TiktokenRanks = new Map();
  text.split("\n").forEach((line, i) => {
    if (line.trim().length === 0) return;
    const [b64, rank, ...rest] = line.trim().split(/\s+/);
    const r = Number(rank);
    if (!b64 || rest.length > 0 || !Number.isInteger(r) || r < 0) {
      throw new ValueError(`${source}: line ${i + 1}: expected "base64token rank", got ${JSON.stringify(line.slice(0, 60))}`);
    }
    ranks.set(bytesToByteLevel(Buffer.from(b64, "base64")), r);
  });
  return ranks;
}

/** js-tiktoken's compressed form: lines `! offset token token …`, ranks counting up from offset. */
function parseJsTiktokenRanks(compressed: string): TiktokenRanks {
  const ranks: TiktokenRanks = new Map();
  for (const line of compressed.split("\n")) {
    if (line.length === 0) continue;
    const parts = line.split(" ");
    const offset = Number(parts[1]);
    for (let i = 2; i < parts.length; i++) ranks.set(bytesToByteLevel(Buffer.from(parts[i]!, "base64")), offset + i - 2);
  }
  return ranks;
}

/** Builds the HF-style byte-level BPE tokenizer of an encoding from its ranks, split regex and special tokens. */
export function tokenizerFromTiktokenRanks(ranks: TiktokenRanks, pattern: string, specialTokens: Record<string, number> = {}): Tokenizer {
  // Ranks in increasing order, so merges come out in priority order.
  const entries = [...ranks].sort((x, y) => x[1] - y[1]);
  const tokenOf = new Map<number, string>();
  for (const [token, rank] of entries) tokenOf.set(rank, token);
  // tiktoken's rule: two adjacent parts merge with the rank of their concatenation, if it is a token.
  const lookup: MergeLookup = (a, b) => {
    const r = ranks.get(tokenOf.get(a)! + tokenOf.get(b)!);
    return r === undefined ? undefined : mergeValue(r, r);
  };
  // The merges list (for tokenizer.json) is only built when asked for.
  const merges = (): [string, string][] => {
    const out: [string, string][] = [];
    for (const [token] of entries) {
      for (let k = 1; k < token.length; k++) {
        const a = token.slice(0, k);
        const b = token.slice(k);
        if (ranks.has(a) && ranks.has(b)) out.push([a, b]);
      }
    }
    return out;
  };
  const model = new BPE(ranks, merges, { mergeLookup: lookup, ignoreMerges: true });
  const t = new Tokenizer(model);
  t.preTokenizer = new PreTokenizerSequence([
    new Split({ Regex: pattern }, "Isolated", false),
    new ByteLevelPreTokenizer({ addPrefixSpace: false, trimOffsets: true, useRegex: false }),
  ]);
  t.postProcessor = new ByteLevelProcessor({ addPrefixSpace: true, trimOffsets: false, useRegex: true });
  t.decoder = new ByteLevelDecoder({ addPrefixSpace: true, trimOffsets: true, useRegex: true });
  for (const [content, id] of Object.entries(specialTokens).sort((a, b) => a[1] - b[1])) {
    t.addedVocabulary.setToken(id, new AddedToken(content, { special: true }));
  }
  t.addedVocabulary.refresh(undefined);
  return t;
}

const require = createRequire(import.meta.url);

/** One of OpenAI's encodings, from the rank data shipped with `js-tiktoken`. */
export function fromTiktoken(name: TiktokenName): Tokenizer {
  const file = name === "gpt2" || name === "r50k_base" ? "gpt2" : name;
  if (!Object.hasOwn(PATTERNS, name)) throw new ValueError(`fromTiktoken: unknown encoding "${name}" (known: ${Object.keys(PATTERNS).join(", ")})`);
  const data = require(`js-tiktoken/ranks/${file}`) as JsTiktokenRanks;
  return tokenizerFromTiktokenRanks(parseJsTiktokenRanks(data.bpe_ranks), PATTERNS[name], data.special_tokens);
}

/** Loads a `.tiktoken` rank file with the given split pattern and special tokens. */
export function fromTiktokenFile(path: string, pattern: string, specialTokens: Record<string, number> = {}): Tokenizer {
  return tokenizerFromTiktokenRanks(parseTiktokenRanks(readFileSync(path, "utf8"), path), pattern, specialTokens);
}
