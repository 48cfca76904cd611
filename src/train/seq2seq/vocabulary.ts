/**
 * The vocabulary of a token-to-token task (grapheme-to-phoneme: letters in, phonemes out): four special
 * tokens, then the source tokens, then the target tokens, each list in the order given (sorted when
 * built from data). One id space serves both sides, so a model with one shared embedding (T5) and one
 * with two (the RNN Seq2Seq) read the same ids; a letter "B" and a phoneme "B" are different ids.
 *
 *   0 <pad>   1 </s> (end)   2 <s> (decoder start of the RNN Seq2Seq)   3 <unk>
 *   4 … 4+|source|−1 source tokens   then the target tokens
 *
 * Saved as the run folder's `vocab.json`: `{ "type": "loom-pair-vocabulary", "specials": […],
 * "source": […], "target": […] }`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError, ValueError } from "../../errors.js";

/** The `type` field of vocab.json. */
export const PAIR_VOCABULARY_TYPE = "loom-pair-vocabulary";
/** The special tokens, in id order. */
export const PAIR_SPECIALS = ["<pad>", "</s>", "<s>", "<unk>"] as const;

/** Source and target token lists over one id space (see the file comment for the layout). */
export class PairVocabulary {
  /** Padding id (also T5's decoder start id). */
  readonly padId = 0;
  /** End-of-sequence id. */
  readonly eosId = 1;
  /** The RNN Seq2Seq's decoder start id. */
  readonly bosId = 2;
  /** The id of a source token not in the vocabulary. */
  readonly unkId = 3;
  private readonly sourceIds: Map<string, number>;
  private readonly targetIds: Map<string, number>;

  constructor(
    /** Source tokens (letters), ids from 4 on. */
    readonly source: readonly string[],
    /** Target tokens (phonemes), ids after the source tokens. */
    readonly target: readonly string[],
  ) {
    for (const [name, list] of [["source", source], ["target", target]] as const) {
      if (list.length === 0) throw new ValueError(`PairVocabulary: the ${name} token list is empty`);
      if (new Set(list).size !== list.length) throw new ValueError(`PairVocabulary: the ${name} token list repeats a token`);
      for (const token of list) if (typeof token !== "string" || token === "") throw new ValueError(`PairVocabulary: ${name} tokens must be non-empty strings, got ${JSON.stringify(token)}`);
    }
    const first = PAIR_SPECIALS.length;
    this.sourceIds = new Map(source.map((t, i) => [t, first + i]));
    this.targetIds = new Map(target.map((t, i) => [t, first + source.length + i]));
  }

  /** Builds the vocabulary of a data set: every source and target token seen, each list sorted. */
  static fromPairs(pairs: Iterable<{ source: readonly string[]; target: readonly string[] }>): PairVocabulary {
    const source = new Set<string>();
    const target = new Set<string>();
    for (const p of pairs) {
      for (const t of p.source) source.add(t);
      for (const t of p.target) target.add(t);
    }
    return new PairVocabulary([...source].sort(), [...target].sort());
  }

  /** Every id: specials, source and target tokens. */
  get size(): number {
    return PAIR_SPECIALS.length + this.source.length + this.target.length;
  }

  /** Source tokens → ids (an unknown token → unkId). */
  encodeSource(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.sourceIds.get(t) ?? this.unkId);
  }

  /** The tokens of `tokens` that are not source tokens (empty when all are known). */
  unknownSourceTokens(tokens: readonly string[]): string[] {
    return tokens.filter((t) => !this.sourceIds.has(t));
  }

  /** Target tokens → ids; a token outside the vocabulary is an error (targets come from the data the vocabulary was built from). */
  encodeTarget(tokens: readonly string[]): number[] {
    return tokens.map((t) => {
      const id = this.targetIds.get(t);
      if (id === undefined) throw new ValueError(`PairVocabulary: the target token ${JSON.stringify(t)} is not in the vocabulary`);
      return id;
    });
  }

  /** Generated ids → target tokens, up to the first end id; ids that are not target tokens are skipped. */
  decodeTarget(ids: readonly number[]): string[] {
    const out: string[] = [];
    const first = PAIR_SPECIALS.length + this.source.length;
    for (const id of ids) {
      if (id === this.eosId) break;
      const token = id >= first ? this.target[id - first] : undefined;
      if (token !== undefined) out.push(token);
    }
    return out;
  }

  /** vocab.json's object. */
  toJSON(): { type: string; specials: string[]; source: string[]; target: string[] } {
    return { type: PAIR_VOCABULARY_TYPE, specials: [...PAIR_SPECIALS], source: [...this.source], target: [...this.target] };
  }

  /** Reads vocab.json's object; a wrong field is a FormatError naming `file` and the field. */
  static fromJSON(raw: unknown, file = "vocab.json"): PairVocabulary {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new FormatError(file, "(root)", `expected an object, got ${JSON.stringify(raw)}`);
    const o = raw as Record<string, unknown>;
    if (o.type !== PAIR_VOCABULARY_TYPE) throw new FormatError(file, "type", `expected "${PAIR_VOCABULARY_TYPE}", got ${JSON.stringify(o.type)}`);
    if (JSON.stringify(o.specials) !== JSON.stringify(PAIR_SPECIALS)) throw new FormatError(file, "specials", `expected ${JSON.stringify(PAIR_SPECIALS)}, got ${JSON.stringify(o.specials)}`);
    for (const key of ["source", "target"] as const) {
      const list = o[key];
      if (!Array.isArray(list) || !list.every((t) => typeof t === "string")) throw new FormatError(file, key, `expected a list of strings, got ${JSON.stringify(list)}`);
    }
    try {
      return new PairVocabulary(o.source as string[], o.target as string[]);
    } catch (e) {
      throw new FormatError(file, "(tokens)", (e as Error).message);
    }
  }

  /** Reads `dir`/vocab.json. */
  static load(dir: string): PairVocabulary {
    const file = join(dir, "vocab.json");
    if (!existsSync(file)) throw new FormatError(file, "(file)", "missing: a seq2seq run folder holds its vocabulary in vocab.json");
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new FormatError(file, "(root)", `not valid JSON (${(e as Error).message})`);
    }
    return PairVocabulary.fromJSON(raw, file);
  }
}
