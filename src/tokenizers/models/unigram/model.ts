/**
 * The Unigram language-model tokenizer (Kudo 2018): every piece has a log-probability, and a string
 * is split into the sequence of pieces with the highest total score (Viterbi over the lattice of all
 * vocabulary pieces found in it). Also gives the n best segmentations and samples segmentations for
 * subword regularisation, as SentencePiece's `NBestEncode` and `SampleEncode` do.
 *
 * tokenizer.json: `{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0],["▁the",-3.1],…],"byte_fallback":false}`.
 */
import { ValueError } from "../../../errors.js";
import { asArray, asBoolean, asInteger, asNumber, asString, getArray, optional, type JsonObject, type JsonPath } from "../../json.js";
import type { Model, Token } from "../model.js";
import { Lattice, type LatticePath } from "./lattice.js";
import { type Random, SeededRandom } from "./random.js";
import { PieceTrie } from "./trie.js";
import { Viterbi } from "./viterbi.js";

/** How much less likely than the rarest piece an unknown character is (SentencePiece's kUnkPenalty). */
export const UNK_PENALTY = 10;

/** Options of a Unigram model: the unknown token's id, byte fallback, and the seed of subword sampling. */
export interface UnigramOptions {
  /** Id of the unknown piece; without one, text with a character outside the vocabulary cannot be encoded. */
  unkId?: number | null;
  /** Spell unknown characters as `<0xNN>` byte pieces when all of their UTF-8 bytes have one. */
  byteFallback?: boolean;
  /** Join consecutive unknown characters into one unknown token (always on in Hugging Face's Unigram). */
  fuseUnk?: boolean;
  /** Seed of the generator `sample` uses when it is not given one. */
  seed?: number;
  /** Add scores as libsentencepiece does (float32 running sums); default false (Hugging Face's doubles). */
  sentencePieceArithmetic?: boolean;
}

/**
 * The Unigram language model (SentencePiece's): each piece has a log-probability; a word is split into the most probable
 * segmentation (Viterbi), or a sampled one.
 */
export class Unigram implements Model {
  readonly type = "Unigram";
  readonly unkId: number | null;
  readonly byteFallback: boolean;
  readonly fuseUnk: boolean;
  private readonly pieces: string[];
  private readonly scores: Float64Array;
  private readonly ids = new Map<string, number>();
  private readonly trie: PieceTrie;
  private readonly unkScore: number;
  private readonly random: Random;
  /**
   * Add scores as libsentencepiece does (float32 running sums; see `bestSpans`), so that a `.model`
   * breaks ties exactly as libsentencepiece; false (Hugging Face's double sums) for tokenizer.json.
   */
  sentencePieceArithmetic: boolean;
  private readonly viterbi: Viterbi;

  constructor(vocab: ReadonlyArray<readonly [string, number]>, options: UnigramOptions = {}) {
    this.pieces = vocab.map(([piece]) => piece);
    this.scores = Float64Array.from(vocab, ([, score]) => score);
    this.unkId = options.unkId ?? null;
    this.byteFallback = options.byteFallback ?? false;
    this.fuseUnk = options.fuseUnk ?? true;
    this.random = new SeededRandom(options.seed ?? 0);
    this.sentencePieceArithmetic = options.sentencePieceArithmetic ?? false;
    if (this.unkId !== null && (!Number.isInteger(this.unkId) || this.unkId < 0 || this.unkId >= vocab.length)) {
      throw new ValueError(`Unigram: unk_id ${this.unkId} is not an index of the ${vocab.length}-piece vocabulary`);
    }
    this.pieces.forEach((piece, id) => {
      if (!this.ids.has(piece)) this.ids.set(piece, id);
    });
    this.trie = new PieceTrie(this.pieces.map((piece, id): [string, number] => [piece, id]));
    let minScore = Infinity;
    for (const score of this.scores) minScore = Math.min(minScore, score);
    this.unkScore = (vocab.length > 0 ? minScore : 0) - UNK_PENALTY;
    this.viterbi = new Viterbi(this.trie, this.scores, this.pieces, this.unkId ?? -1, this.unkScore);
  }

  /** Reads the `"model"` object of tokenizer.json; `at` names the file and field for errors. */
  static fromJSON(json: JsonObject, at: JsonPath): Unigram {
    const vocabAt = at.key("vocab");
    const pairs = getArray(json, "vocab", at).map((entry, i): [string, number] => {
      const entryAt = vocabAt.index(i);
      const pair = asArray(entry, entryAt);
      if (pair.length !== 2) throw entryAt.error(`expected [piece, score], got ${pair.length} items`);
      return [asString(pair[0], entryAt.index(0)), asNumber(pair[1], entryAt.index(1))];
    });
    const unkId = optional(json, "unk_id", at, asInteger) ?? null;
    if (unkId !== null && unkId >= pairs.length) {
      throw at.key("unk_id").error(`${unkId} is not an index of the ${pairs.length}-piece vocabulary`);
    }
    const byteFallback = optional(json, "byte_fallback", at, asBoolean) ?? false;
    return new Unigram(pairs, { unkId, byteFallback });
  }

  toJSON(): Record<string, unknown> {
    return {
      type: "Unigram",
      unk_id: this.unkId,
      vocab: this.pieces.map((piece, id) => [piece, this.scores[id]!]),
      byte_fallback: this.byteFallback,
    };
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.pieces[id];
  }

  getVocab(): Map<string, number> {
    return new Map(this.ids);
  }

  getVocabSize(): number {
    return this.pieces.length;
  }

  /** The score (log-probability) of piece `id`. */
  score(id: number): number {
    return this.scores[id]!;
  }

  /** The segmentation lattice of `sequence` under this model. */
  lattice(sequence: string): Lattice {
    return new Lattice(sequence, this.trie, this.scores, this.unkId ?? -1, this.unkScore);
  }

  /** The best segmentation as flat (start, end, id) triples, in this model's arithmetic (see viterbi.ts). */
  private bestSpans(sequence: string): Int32Array {
    return this.sentencePieceArithmetic ? this.viterbi.spansSentencePiece(sequence) : this.viterbi.spansDouble(sequence);
  }

  /** The best segmentation (see `bestSpans`). */
  tokenize(sequence: string): Token[] {
    if (sequence.length === 0) return [];
    const flat = this.bestSpans(sequence);
    const spans: [number, number, number][] = [];
    for (let k = 0; k < flat.length; k += 3) spans.push([flat[k]!, flat[k + 1]!, flat[k + 2]!]);
    return this.toTokens(sequence, spans);
  }

  /**
   * Appends the ids of `sequence`'s best segmentation to `out` — `tokenize(sequence)`'s ids without
   * building Token objects, for the fast paths.
   */
  tokenizeIdsInto(sequence: string, out: number[]): void {
    this.forEachToken(sequence, (id) => out.push(id));
  }

  /**
   * Calls `f(id, value, start, end)` for each token of `sequence`'s best segmentation — `tokenize`
   * without building Token objects, for the fast paths.
   */
  forEachToken(sequence: string, f: (id: number, value: string, start: number, end: number) => void): void {
    if (sequence.length === 0) return;
    const flat = this.bestSpans(sequence);
    const unkId = this.unkId ?? -1;
    for (let k = 0; k < flat.length; k += 3) {
      const id = flat[k + 2]!;
      if (id >= 0 && id !== unkId) {
        f(id, this.pieces[id]!, flat[k]!, flat[k + 1]!);
        continue;
      }
      // Unknowns are fused and may fall back to bytes: the Token route, for this run of them.
      let end = k + 3;
      while (this.fuseUnk && end < flat.length && flat[end + 2] === id) end += 3;
      const spans: [number, number, number][] = [];
      for (let j = k; j < end; j += 3) spans.push([flat[j]!, flat[j + 1]!, flat[j + 2]!]);
      for (const t of this.toTokens(sequence, spans)) f(t.id, t.value, t.offsets[0], t.offsets[1]);
      k = end - 3;
    }
  }

  /** The `n` best segmentations of `sequence`, most probable first. */
  nbest(sequence: string, n: number): Token[][] {
    if (sequence.length === 0) return n > 0 ? [[]] : [];
    const lattice = this.lattice(sequence);
    return lattice.nbest(n).map((path) => this.pathTokens(lattice, path));
  }

  /**
   * Samples a segmentation for subword regularisation (SentencePiece's `SampleEncode`): with
   * `nbestSize > 1`, one of the `nbestSize` best segmentations with probability ∝ exp(alpha·score);
   * with `nbestSize < 0`, any segmentation of the whole lattice with probability ∝ exp(alpha·score)
   * (forward filtering, backward sampling); with 0 or 1, the best one.
   */
  sample(sequence: string, alpha: number, nbestSize = -1, random: Random = this.random): Token[] {
    if (sequence.length === 0) return [];
    if (nbestSize === 0 || nbestSize === 1) return this.tokenize(sequence);
    const lattice = this.lattice(sequence);
    if (nbestSize < 0) return this.pathTokens(lattice, lattice.sample(alpha, random));
    const paths = lattice.nbest(nbestSize);
    const maxScore = Math.max(...paths.map((p) => alpha * p.score));
    const weights = paths.map((p) => Math.exp(alpha * p.score - maxScore));
    const total = weights.reduce((a, b) => a + b, 0);
    let u = random.next() * total;
    for (let k = 0; k < paths.length; k++) {
      u -= weights[k]!;
      if (u < 0) return this.pathTokens(lattice, paths[k]!);
    }
    return this.pathTokens(lattice, paths[paths.length - 1]!);
  }

  private pathTokens(lattice: Lattice, path: LatticePath): Token[] {
    return this.toTokens(
      lattice.text,
      path.nodes.map((node): [number, number, number] => [lattice.start[node]!, lattice.end[node]!, lattice.id[node]!]),
    );
  }

  /** Turns [start, end, id] spans into tokens: fuses runs of unknowns, then applies byte fallback. */
  private toTokens(sequence: string, spans: [number, number, number][]): Token[] {
    const unkId = this.unkId ?? -1;
    const fused: [number, number, number][] = [];
    for (const span of spans) {
      const last = fused[fused.length - 1];
      if (this.fuseUnk && span[2] === unkId && last !== undefined && last[2] === unkId && last[1] === span[0]) {
        last[1] = span[1];
      } else {
        fused.push([...span]);
      }
    }
    const tokens: Token[] = [];
    for (const [start, end, id] of fused) {
      const value = sequence.slice(start, end);
      // As in Hugging Face, a span is looked up by its string, so only true unknowns fall through.
      const known = id >= 0 && id !== unkId ? id : this.ids.get(value);
      if (known !== undefined) {
        tokens.push({ id: known, value, offsets: [start, end] });
        continue;
      }
      if (this.byteFallback) {
        const bytes = Buffer.from(value, "utf8");
        const byteIds: number[] = [];
        for (const byte of bytes) {
          const byteId = this.ids.get(bytePiece(byte));
          if (byteId === undefined) break;
          byteIds.push(byteId);
        }
        if (byteIds.length === bytes.length) {
          bytes.forEach((byte, k) => tokens.push({ id: byteIds[k]!, value: bytePiece(byte), offsets: [start, end] }));
          continue;
        }
      }
      if (this.unkId === null) {
        throw new ValueError(`Unigram: ${JSON.stringify(value)} is not in the vocabulary and the model has no unk_id`);
      }
      tokens.push({ id: this.unkId, value, offsets: [start, end] });
    }
    return tokens;
  }
}

/** The byte-fallback piece of one byte: `<0x41>` (two upper-case hex digits, as SentencePiece writes them). */
export function bytePiece(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`;
}
