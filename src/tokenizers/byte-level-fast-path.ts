/**
 * A faster route through one common pipeline — no normalizer, a regex split, byte-level mapping,
 * BPE (GPT-2, tiktoken encodings, Llama 3) — that gives exactly what the general pipeline gives
 * (the tests compare both) without building a NormalizedString per piece: each regex piece is looked
 * up in a piece → ids cache, and only on a miss converted to bytes and merged.
 */
import { toByteLevel } from "./byte-level-alphabet.js";
import type { BPE } from "./models/bpe/model.js";
import { WordCache } from "./models/bpe/word-cache.js";

export interface FastEncoding {
  ids: number[];
  tokens: string[];
  offsets: [number, number][];
  wordIds: number[];
}

const ASCII_ONLY = /^[\0-\x7f]*$/;

/** UTF-8 byte length of the code point at s[i] and its length in code units. */
function utf8Width(s: string, i: number): [bytes: number, units: number] {
  const c = s.charCodeAt(i);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return [4, 2];
  }
  return [3, 1]; // BMP, and lone surrogates as U+FFFD
}

export class ByteLevelFastPath {
  private readonly cache: WordCache<readonly number[]>;
  /** Piece → id for pieces that are one token (most of them), kept apart to skip an array per hit. */
  private readonly single = new Map<string, number>();

  constructor(
    readonly regex: RegExp,
    readonly model: BPE,
    readonly cacheCapacity = 50_000,
  ) {
    this.cache = new WordCache(cacheCapacity);
  }

  private pieceIds(piece: string): readonly number[] {
    let ids = this.cache.get(piece);
    if (ids === undefined) {
      ids = this.model.tokenizeIds(toByteLevel(piece)).slice();
      if (piece.length <= 256) this.cache.set(piece, ids);
    }
    return ids;
  }

  /** Appends the ids of `text` (which holds no added tokens) to `out`; always true (it takes every text). */
  encodeIds(text: string, out: number[]): boolean {
    const re = this.regex;
    const single = this.single;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const piece = m[0];
      const id = single.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      if (piece.length === 0) {
        re.lastIndex++;
        continue;
      }
      const ids = this.pieceIds(piece);
      if (ids.length === 1 && piece.length <= 256) {
        if (single.size >= this.cacheCapacity) single.clear();
        single.set(piece, ids[0]!);
      }
      for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
    }
    return true;
  }

  /**
   * Appends tokens of text[start, end) with offsets into the full text; every regex piece is one word,
   * numbered from `firstWord`. Returns the next word index.
   */
  encode(text: string, start: number, end: number, out: FastEncoding, firstWord: number): number {
    const segment = start === 0 && end === text.length ? text : text.slice(start, end);
    const re = this.regex;
    re.lastIndex = 0;
    let word = firstWord;
    for (let m = re.exec(segment); m !== null; m = re.exec(segment)) {
      const piece = m[0];
      if (piece.length === 0) {
        re.lastIndex++;
        continue;
      }
      const ids = this.pieceIds(piece);
      const base = start + m.index;
      if (ids.length === 1) {
        out.ids.push(ids[0]!);
        out.tokens.push(this.model.idToToken(ids[0]!)!);
        out.offsets.push([base, base + piece.length]);
        out.wordIds.push(word);
      } else if (ASCII_ONLY.test(piece)) {
        let pos = base;
        for (const id of ids) {
          const token = this.model.idToToken(id)!;
          out.ids.push(id);
          out.tokens.push(token);
          out.offsets.push([pos, pos + token.length]);
          out.wordIds.push(word);
          pos += token.length;
        }
      } else {
        // Byte position → the [start, end) of the character holding that byte.
        const charStart: number[] = [];
        const charEnd: number[] = [];
        for (let i = 0; i < piece.length; ) {
          const [bytes, units] = utf8Width(piece, i);
          for (let b = 0; b < bytes; b++) {
            charStart.push(base + i);
            charEnd.push(base + i + units);
          }
          i += units;
        }
        let byte = 0;
        for (const id of ids) {
          const token = this.model.idToToken(id)!;
          out.ids.push(id);
          out.tokens.push(token);
          out.offsets.push([charStart[byte]!, charEnd[byte + token.length - 1]!]);
          out.wordIds.push(word);
          byte += token.length;
        }
      }
      word++;
    }
    return word;
  }
}
