/**
 * A string cut into splits, each a `NormalizedString` and, once the model (or the added vocabulary)
 * has run on it, its tokens — HF `PreTokenizedString`.
 */
import { Encoding } from "./encoding.js";
import type { Token } from "./models/model.js";
import { NormalizedString, type OffsetReferential } from "./normalized-string.js";

/** One piece of a pre-tokenized string, with its tokens once the model has run. */
export interface Split {
  normalized: NormalizedString;
  /** Tokens with offsets relative to `normalized`; undefined until tokenized. */
  tokens?: Token[];
}

/** Text split into pieces (each a {@link NormalizedString}) by the pre-tokenizer, then tokenized piece by piece. */
export class PreTokenizedString {
  /** The full original text. */
  readonly original: string;
  splits: Split[];

  constructor(text: string | NormalizedString) {
    if (typeof text === "string") {
      this.original = text;
      this.splits = [{ normalized: new NormalizedString(text) }];
    } else {
      this.original = text.original;
      this.splits = [{ normalized: text }];
    }
  }

  /**
   * Replaces every split that has no tokens yet by the pieces `splitFn` makes of it (empty pieces
   * are dropped). `splitFn` gets the split's index and its normalized string.
   */
  split(splitFn: (index: number, s: NormalizedString) => (NormalizedString | Split)[]): void {
    const out: Split[] = [];
    this.splits.forEach((split, i) => {
      if (split.tokens) {
        out.push(split);
        return;
      }
      for (const piece of splitFn(i, split.normalized)) {
        const p: Split = piece instanceof NormalizedString ? { normalized: piece } : piece;
        if (p.normalized.length > 0) out.push(p);
      }
    });
    this.splits = out;
  }

  /** Normalizes every split that has no tokens yet. */
  normalize(normalizeFn: (s: NormalizedString) => void): void {
    for (const split of this.splits) if (!split.tokens) normalizeFn(split.normalized);
  }

  /** Runs the model on every split that has no tokens yet. */
  tokenize(tokenizeFn: (s: NormalizedString) => Token[]): void {
    for (const split of this.splits) if (!split.tokens) split.tokens = tokenizeFn(split.normalized);
  }

  /**
   * The splits as (text, offsets, tokens): offsets in the original text (UTF-16 units) or in the
   * concatenated normalized text.
   */
  getSplits(referential: OffsetReferential = "original"): [string, [number, number], Token[] | undefined][] {
    let offset = 0;
    return this.splits.map((s) => {
      let offsets: [number, number];
      if (referential === "original") offsets = s.normalized.offsetsOriginal();
      else offsets = [offset, offset + s.normalized.length];
      offset += s.normalized.length;
      return [s.normalized.get(), offsets, s.tokens];
    });
  }

  /**
   * Builds an encoding from the tokenized splits: each split is one word (or `wordIndex` for all of
   * them, for pre-split input), token offsets mapped back to the original text.
   */
  intoEncoding(wordIndex: number | undefined, typeId: number): Encoding {
    const ids: number[] = [];
    const tokens: string[] = [];
    const offsets: [number, number][] = [];
    const wordIds: number[] = [];
    this.splits.forEach((split, i) => {
      const ns = split.normalized;
      for (const t of split.tokens ?? []) {
        const o = ns.normalizedToOriginal(t.offsets[0], t.offsets[1]) ?? t.offsets;
        ids.push(t.id);
        tokens.push(t.value);
        offsets.push([o[0] + ns.originalShift, o[1] + ns.originalShift]);
        wordIds.push(wordIndex ?? i);
      }
    });
    return new Encoding({ ids, tokens, offsets, wordIds, typeIds: new Array<number>(ids.length).fill(typeId) });
  }
}
