/**
 * The result of encoding one input: token ids and everything aligned with them (HF `Encoding`).
 * Offsets are [start, end) in UTF-16 code units of the input text, so `text.slice(start, end)` is
 * the token's source; special tokens have [0, 0].
 */

export type TruncationDirection = "Left" | "Right";
/** Which side padding goes on. */
export type PaddingDirection = "Left" | "Right";

/** The fields of an {@link Encoding}, for building one. */
export interface EncodingParts {
  ids: number[];
  tokens: string[];
  offsets: [number, number][];
  typeIds?: number[];
  wordIds?: (number | null)[];
  specialTokensMask?: number[];
  attentionMask?: number[];
  sequenceIds?: (number | null)[];
}

/**
 * The result of encoding text: ids, tokens, offsets into the text, type ids, attention and special-token masks, word ids, and any
 * overflow — as Hugging Face's `Encoding`.
 */
export class Encoding {
  ids: number[];
  typeIds: number[];
  tokens: string[];
  offsets: [number, number][];
  /** Index of the pre-tokenized word each token comes from; null for special and padding tokens. */
  wordIds: (number | null)[];
  specialTokensMask: number[];
  attentionMask: number[];
  /** 0 or 1 for tokens of the first or second sequence; null for special and padding tokens. */
  sequenceIds: (number | null)[];
  /** The parts cut off by truncation, each a full encoding (with `stride` tokens of overlap). */
  overflowing: Encoding[] = [];

  constructor(parts: EncodingParts) {
    const n = parts.ids.length;
    this.ids = parts.ids;
    this.tokens = parts.tokens;
    this.offsets = parts.offsets;
    this.typeIds = parts.typeIds ?? new Array<number>(n).fill(0);
    this.wordIds = parts.wordIds ?? new Array<number | null>(n).fill(null);
    this.specialTokensMask = parts.specialTokensMask ?? new Array<number>(n).fill(0);
    this.attentionMask = parts.attentionMask ?? new Array<number>(n).fill(1);
    this.sequenceIds = parts.sequenceIds ?? new Array<number | null>(n).fill(0);
  }

  static empty(): Encoding {
    return new Encoding({ ids: [], tokens: [], offsets: [] });
  }

  get length(): number {
    return this.ids.length;
  }

  /** The tokens of one sequence (0 or 1) get this sequence id. */
  setSequenceId(id: number): void {
    this.sequenceIds = this.sequenceIds.map((s) => (s === null ? null : id));
  }

  setTypeIds(typeId: number): void {
    this.typeIds = new Array<number>(this.ids.length).fill(typeId);
  }

  /** Tokens [start, end) as a new encoding, without overflowing parts. */
  slice(start: number, end: number): Encoding {
    return new Encoding({
      ids: this.ids.slice(start, end),
      tokens: this.tokens.slice(start, end),
      offsets: this.offsets.slice(start, end),
      typeIds: this.typeIds.slice(start, end),
      wordIds: this.wordIds.slice(start, end),
      specialTokensMask: this.specialTokensMask.slice(start, end),
      attentionMask: this.attentionMask.slice(start, end),
      sequenceIds: this.sequenceIds.slice(start, end),
    });
  }

  withoutOverflowing(): Encoding {
    return this.slice(0, this.ids.length);
  }

  clone(): Encoding {
    const c = this.slice(0, this.ids.length);
    c.overflowing = this.overflowing.map((o) => o.clone());
    return c;
  }

  /**
   * Cuts the encoding to `maxLength` tokens, keeping the rest as overflowing parts that overlap by
   * `stride` tokens (HF `Encoding::truncate`). "Right" keeps the start, "Left" keeps the end.
   */
  truncate(maxLength: number, stride = 0, direction: TruncationDirection = "Right"): void {
    const n = this.ids.length;
    if (maxLength >= n) return;
    if (maxLength === 0) {
      const all = this.clone();
      this.assign(Encoding.empty());
      this.overflowing = [all];
      return;
    }
    if (stride >= maxLength) throw new RangeError(`Encoding.truncate: stride ${stride} must be below maxLength ${maxLength}`);
    const step = maxLength - stride;
    const ranges: [number, number][] = [];
    if (direction === "Right") {
      for (let start = 0; start < n; start += step) {
        const stop = Math.min(start + maxLength, n);
        ranges.push([start, stop]);
        if (stop === n) break;
      }
    } else {
      for (let last = n - 1; last >= 0; last -= step) {
        const stop = last + 1;
        const start = Math.max(0, stop - maxLength);
        ranges.push([start, stop]);
        if (start === 0) break;
      }
    }
    const parts = ranges.map(([s, e]) => this.slice(s, e));
    this.assign(parts[0]!);
    this.overflowing = parts.slice(1);
  }

  private assign(other: Encoding): void {
    this.ids = other.ids;
    this.tokens = other.tokens;
    this.offsets = other.offsets;
    this.typeIds = other.typeIds;
    this.wordIds = other.wordIds;
    this.specialTokensMask = other.specialTokensMask;
    this.attentionMask = other.attentionMask;
    this.sequenceIds = other.sequenceIds;
    this.overflowing = other.overflowing;
  }

  /** Pads to `targetLength` (and pads the overflowing parts too), HF `Encoding::pad`. */
  pad(targetLength: number, padId: number, padTypeId: number, padToken: string, direction: PaddingDirection): void {
    for (const o of this.overflowing) o.pad(targetLength, padId, padTypeId, padToken, direction);
    const k = targetLength - this.ids.length;
    if (k <= 0) return;
    const fill = <T>(arr: T[], v: T): T[] => {
      const p = new Array<T>(k).fill(v);
      return direction === "Left" ? p.concat(arr) : arr.concat(p);
    };
    this.ids = fill(this.ids, padId);
    this.typeIds = fill(this.typeIds, padTypeId);
    this.tokens = fill(this.tokens, padToken);
    this.offsets = direction === "Left"
      ? Array.from({ length: k }, (): [number, number] => [0, 0]).concat(this.offsets)
      : this.offsets.concat(Array.from({ length: k }, (): [number, number] => [0, 0]));
    this.wordIds = fill<number | null>(this.wordIds, null);
    this.specialTokensMask = fill(this.specialTokensMask, 1);
    this.attentionMask = fill(this.attentionMask, 0);
    this.sequenceIds = fill<number | null>(this.sequenceIds, null);
  }

  /**
   * Concatenates encodings (HF `Encoding::merge`). With `growingOffsets`, each part's offsets are
   * shifted past the previous part's last offset. Overflowing parts are combined as HF does.
   */
  static merge(encodings: Encoding[], growingOffsets: boolean): Encoding {
    if (encodings.length === 1) return encodings[0]!;
    let result = Encoding.empty();
    for (const e of encodings) result = result.mergedWith(e, growingOffsets);
    return result;
  }

  mergedWith(pair: Encoding, growingOffsets: boolean): Encoding {
    const overflowing: Encoding[] = [];
    for (const o of this.overflowing) {
      overflowing.push(o.mergedWith(pair.withoutOverflowing(), growingOffsets));
      for (const p of pair.overflowing) overflowing.push(o.mergedWith(p, growingOffsets));
    }
    for (const p of pair.overflowing) overflowing.push(this.withoutOverflowing().mergedWith(p, growingOffsets));
    const shift = growingOffsets && this.offsets.length > 0 ? this.offsets[this.offsets.length - 1]![1] : 0;
    const out = new Encoding({
      ids: this.ids.concat(pair.ids),
      tokens: this.tokens.concat(pair.tokens),
      offsets: this.offsets.concat(shift === 0 ? pair.offsets : pair.offsets.map(([s, e]): [number, number] => [s + shift, e + shift])),
      typeIds: this.typeIds.concat(pair.typeIds),
      wordIds: this.wordIds.concat(pair.wordIds),
      specialTokensMask: this.specialTokensMask.concat(pair.specialTokensMask),
      attentionMask: this.attentionMask.concat(pair.attentionMask),
      sequenceIds: this.sequenceIds.concat(pair.sequenceIds),
    });
    out.overflowing = overflowing;
    return out;
  }

  /** The range of tokens [start, end) that belong to sequence `id`, or undefined. */
  sequenceRange(id: number): [number, number] | undefined {
    const first = this.sequenceIds.indexOf(id);
    if (first < 0) return undefined;
    return [first, this.sequenceIds.lastIndexOf(id) + 1];
  }
}
