/**
 * Byte-pair encoding (Sennrich et al. 2016; HF tokenizers `models::bpe`). A word starts as one symbol
 * per character (with `continuing_subword_prefix` / `end_of_word_suffix` where set, unknown characters
 * as bytes `<0xNN>` with `byte_fallback` or as `unk_token`), then the lowest-ranked merges apply until
 * none fits. Results are cached per word. Merges may share a rank: tiktoken encodings merge by the
 * rank of the merged token, so every split of a token into two tokens gets that token's rank.
 */
import { ValueError } from "../../../errors.js";
import {
  asArray,
  asBoolean,
  asInteger,
  asNumber,
  asObject,
  asString,
  getArray,
  getObject,
  optional,
  withoutAbsent,
  absentKeys,
  type JsonObject,
  type JsonPath,
} from "../../json.js";
import type { Model, Token } from "../model.js";
import { VocabularyModel } from "../vocabulary.js";
import { ID_LIMIT, mergeValue, mergeWord, pairKey, tableLookup, type MergeLookup, type MergeTable } from "./merge.js";
import { WordCache } from "./word-cache.js";

/** Options of a BPE model: unknown token, dropout, subword prefix and suffix, byte fallback, unknown-token fusing. */
export interface BpeOptions {
  dropout?: number;
  unkToken?: string;
  continuingSubwordPrefix?: string;
  endOfWordSuffix?: string;
  fuseUnk?: boolean;
  byteFallback?: boolean;
  ignoreMerges?: boolean;
  /** Words kept in the cache (0 disables it); HF's default is 10,000. */
  cacheCapacity?: number;
  /** Seed of the dropout RNG, so dropout is reproducible. */
  seed?: number;
  /** Rank of each merge; defaults to its index. */
  mergeRanks?: number[];
  /**
   * How to find the merge of two ids, given by the caller instead of a table built from the merges
   * (see merge.ts); the merges list may then be a function, called only when the list is needed
   * (toJSON). tiktoken encodings use this: a pair merges with the rank of the concatenated token.
   */
  mergeLookup?: MergeLookup;
  /** How tokenizer.json writes merges: `["a","b"]` pairs (HF ≥ 0.20) or `"a b"` strings. */
  mergesFormat?: "pairs" | "strings";
  /** Optional keys the source JSON lacked (left out again when written). */
  absentKeys?: string[];
}

/** mulberry32: a small seeded generator for dropout. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_CACHED_WORD = 256;

/** Byte-pair encoding: applies learned merges, lowest rank first, to each word's symbols (GPT-2, RoBERTa, Llama use it). */
export class BPE extends VocabularyModel implements Model {
  readonly type = "BPE";
  private mergesList: [string, string][] | (() => [string, string][]);
  readonly dropout: number | undefined;
  readonly unkToken: string | undefined;
  readonly continuingSubwordPrefix: string | undefined;
  readonly endOfWordSuffix: string | undefined;
  readonly fuseUnk: boolean;
  readonly byteFallback: boolean;
  readonly ignoreMerges: boolean;
  readonly mergesFormat: "pairs" | "strings";
  private readonly absentKeys: string[] | undefined;
  /** Pair of ids → packed (rank, merged id). */
  readonly mergeLookup: MergeLookup;
  private readonly cache: WordCache<{ ids: number[]; lens: number[] }>;
  private readonly random: () => number;

  constructor(vocab: Map<string, number>, merges: [string, string][] | (() => [string, string][]), options: BpeOptions = {}) {
    super(vocab);
    this.mergesList = merges;
    this.dropout = options.dropout;
    if (this.dropout !== undefined && !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new ValueError(`BPE: dropout must be in [0, 1], got ${this.dropout}`);
    }
    this.unkToken = options.unkToken;
    this.continuingSubwordPrefix = options.continuingSubwordPrefix;
    this.endOfWordSuffix = options.endOfWordSuffix;
    this.fuseUnk = options.fuseUnk ?? false;
    this.byteFallback = options.byteFallback ?? false;
    this.ignoreMerges = options.ignoreMerges ?? false;
    this.mergesFormat = options.mergesFormat ?? "pairs";
    this.absentKeys = options.absentKeys;
    for (const id of vocab.values()) {
      if (id >= ID_LIMIT) throw new ValueError(`BPE: token id ${id} is above the supported ${ID_LIMIT - 1}`);
    }
    this.cache = new WordCache(options.cacheCapacity ?? 10_000);
    this.random = seededRandom(options.seed ?? 0);
    if (options.mergeLookup) {
      this.mergeLookup = options.mergeLookup;
      return;
    }
    if (typeof merges === "function") throw new ValueError("BPE: a merges function needs options.mergeLookup");
    const table: MergeTable = new Map();
    this.mergeLookup = tableLookup(table);
    const prefixLen = this.continuingSubwordPrefix?.length ?? 0;
    merges.forEach(([a, b], i) => {
      const ia = vocab.get(a);
      const ib = vocab.get(b);
      if (ia === undefined || ib === undefined) throw new ValueError(`BPE: merge ${i} (${a} ${b}) uses a token missing from the vocabulary`);
      // A merged token drops the right part's continuing-subword prefix (HF does the same).
      const merged = a + (prefixLen > 0 && b.startsWith(this.continuingSubwordPrefix!) ? b.slice(prefixLen) : b);
      const id = vocab.get(merged);
      if (id === undefined) throw new ValueError(`BPE: merge ${i} makes ${JSON.stringify(merged)}, which is missing from the vocabulary`);
      const key = pairKey(ia, ib);
      const rank = options.mergeRanks?.[i] ?? i;
      // The merge queue packs a rank into 21 bits (see merge.ts).
      if (rank >= ID_LIMIT) throw new ValueError(`BPE: merge rank ${rank} is above the supported ${ID_LIMIT - 1}`);
      const old = table.get(key);
      if (old === undefined || old > mergeValue(rank, id)) table.set(key, mergeValue(rank, id));
    });
  }

  /** The merges in priority order, as tokenizer.json lists them. */
  get merges(): [string, string][] {
    if (typeof this.mergesList === "function") this.mergesList = this.mergesList();
    return this.mergesList;
  }

  clearCache(): void {
    this.cache.clear();
  }

  /** The initial symbols of a word: ids and their widths in UTF-16 code units. */
  private initialSymbols(word: string): { ids: number[]; lens: number[] } {
    const ids: number[] = [];
    const lens: number[] = [];
    let unkId = -1;
    let unkLen = 0;
    const flushUnk = (): void => {
      if (unkId >= 0) {
        ids.push(unkId);
        lens.push(unkLen);
        unkId = -1;
      }
    };
    for (let i = 0; i < word.length; ) {
      const c = word.codePointAt(i)!;
      const n = c > 0xffff ? 2 : 1;
      let s = word.slice(i, i + n);
      if (i > 0 && this.continuingSubwordPrefix !== undefined) s = this.continuingSubwordPrefix + s;
      if (i + n >= word.length && this.endOfWordSuffix !== undefined) s = s + this.endOfWordSuffix;
      i += n;
      const id = this.vocab.get(s);
      if (id !== undefined) {
        flushUnk();
        ids.push(id);
        lens.push(n);
        continue;
      }
      if (this.byteFallback) {
        const bytes = new TextEncoder().encode(s);
        const byteIds = Array.from(bytes, (b) => this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`));
        if (byteIds.every((b) => b !== undefined)) {
          flushUnk();
          // Every byte token covers the whole character; only the first one advances the offset.
          byteIds.forEach((b, k) => {
            ids.push(b);
            lens.push(k === 0 ? n : 0);
          });
          continue;
        }
      }
      if (this.unkToken !== undefined) {
        const uid = this.vocab.get(this.unkToken);
        if (uid === undefined) throw new ValueError(`BPE: unk_token ${JSON.stringify(this.unkToken)} is not in the vocabulary`);
        if (unkId >= 0 && this.fuseUnk) {
          unkLen += n;
        } else {
          flushUnk();
          unkId = uid;
          unkLen = n;
        }
      }
    }
    flushUnk();
    return { ids, lens };
  }

  /** Merged ids and widths of one word (cached when dropout is off). */
  private mergeWordCached(word: string): { ids: number[]; lens: number[] } {
    const useCache = !this.dropout;
    if (useCache) {
      const hit = this.cache.get(word);
      if (hit) return hit;
    }
    const init = this.initialSymbols(word);
    const merged = mergeWord(init.ids, init.lens, this.mergeLookup, this.dropout ?? 0, this.random);
    if (useCache && word.length <= MAX_CACHED_WORD) this.cache.set(word, merged);
    return merged;
  }

  /** Token ids of one word, without building Token objects (the fast path). */
  tokenizeIds(word: string): readonly number[] {
    if (word.length === 0) return [];
    if (this.ignoreMerges) {
      const id = this.vocab.get(word);
      if (id !== undefined) return [id];
    }
    return this.mergeWordCached(word).ids;
  }

  tokenize(sequence: string): Token[] {
    if (sequence.length === 0) return [];
    if (this.ignoreMerges) {
      const id = this.vocab.get(sequence);
      if (id !== undefined) return [{ id, value: sequence, offsets: [0, sequence.length] }];
    }
    const { ids, lens } = this.mergeWordCached(sequence);
    const out: Token[] = [];
    let pos = 0;
    for (let i = 0; i < ids.length; i++) {
      const len = lens[i]!;
      // A byte-fallback token after the first of its character repeats that character's range.
      const start = len === 0 && i > 0 ? out[i - 1]!.offsets[0] : pos;
      const end = len === 0 && i > 0 ? out[i - 1]!.offsets[1] : pos + len;
      out.push({ id: ids[i]!, value: this.idToTokenMap.get(ids[i]!)!, offsets: [start, end] });
      pos += len;
    }
    return out;
  }

  toJSON(): Record<string, unknown> {
    const vocab = this.vocabJSON();
    return withoutAbsent({
      type: this.type,
      dropout: this.dropout ?? null,
      unk_token: this.unkToken ?? null,
      continuing_subword_prefix: this.continuingSubwordPrefix ?? null,
      end_of_word_suffix: this.endOfWordSuffix ?? null,
      fuse_unk: this.fuseUnk,
      byte_fallback: this.byteFallback,
      ignore_merges: this.ignoreMerges,
      vocab,
      merges: this.mergesFormat === "pairs" ? this.merges.map(([a, b]) => [a, b]) : this.merges.map(([a, b]) => `${a} ${b}`),
    }, this.absentKeys);
  }

  static fromJSON(json: JsonObject, at: JsonPath): BPE {
    const vocab = readVocab(getObject(json, "vocab", at), at.key("vocab"));
    const mergesAt = at.key("merges");
    const list = getArray(json, "merges", at);
    let format: "pairs" | "strings" = "pairs";
    const merges = list.map((m, i): [string, string] => {
      const mAt = mergesAt.index(i);
      if (typeof m === "string") {
        format = "strings";
        const parts = m.split(" ");
        if (parts.length !== 2) throw mAt.error(`expected "left right", got ${JSON.stringify(m)}`);
        return [parts[0]!, parts[1]!];
      }
      const pair = asArray(m, mAt);
      if (pair.length !== 2) throw mAt.error(`expected a pair ["left", "right"] or a string "left right"`);
      return [asString(pair[0], mAt.index(0)), asString(pair[1], mAt.index(1))];
    });
    merges.forEach(([a, b], i) => {
      if (!vocab.has(a)) throw mergesAt.index(i).error(`token ${JSON.stringify(a)} is not in model.vocab`);
      if (!vocab.has(b)) throw mergesAt.index(i).error(`token ${JSON.stringify(b)} is not in model.vocab`);
    });
    try {
      return new BPE(vocab, merges, {
        dropout: optional(json, "dropout", at, asNumber),
        unkToken: optional(json, "unk_token", at, asString),
        continuingSubwordPrefix: optional(json, "continuing_subword_prefix", at, asString),
        endOfWordSuffix: optional(json, "end_of_word_suffix", at, asString),
        fuseUnk: optional(json, "fuse_unk", at, asBoolean),
        byteFallback: optional(json, "byte_fallback", at, asBoolean),
        ignoreMerges: optional(json, "ignore_merges", at, asBoolean),
        mergesFormat: format,
        absentKeys: absentKeys(json, ["dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges"]),
      });
    } catch (e) {
      if (e instanceof ValueError) throw at.error(e.message);
      throw e;
    }
  }
}

/**
 * Reads a `{"token": id}` vocabulary. Ids must be non-negative and distinct: two tokens with one id
 * would decode that id to one of them arbitrarily, so a repeated id is a FormatError naming both.
 */
export function readVocab(obj: JsonObject, at: JsonPath): Map<string, number> {
  const vocab = new Map<string, number>();
  const tokenOf = new Map<number, string>();
  for (const [t, value] of Object.entries(asObject(obj, at))) {
    const id = asInteger(value, at.key(t));
    if (id < 0) throw at.key(t).error(`id ${id} is negative`);
    const other = tokenOf.get(id);
    if (other !== undefined) throw at.key(t).error(`id ${id} is already the id of ${JSON.stringify(other)}; vocabulary ids must be distinct`);
    tokenOf.set(id, t);
    vocab.set(t, id);
  }
  return vocab;
}
