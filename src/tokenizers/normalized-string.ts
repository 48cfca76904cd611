/**
 * A string under normalization that remembers where every piece came from, as Hugging Face
 * tokenizers' `NormalizedString` does, so token offsets can be reported in the original text.
 *
 * Units: HF counts bytes of UTF-8; loom counts UTF-16 code units, because the offsets it reports
 * must slice the original JavaScript string (`text.slice(start, end)`). `alignments[i]` is the
 * [start, end) range in `original` of normalized code unit `i`. Both code units of a surrogate pair
 * carry the same range, the range of the whole character, so astral characters are never split.
 * The change lists given to `transform` are per *character* (code point), as in HF.
 */
import { ValueError } from "../errors.js";
import { findMatches, splitRanges, type Pattern, type SplitDelimiterBehavior } from "./pattern.js";

/** A [start, end) range of characters. */
export type Alignment = readonly [number, number];

/** One character of a new string and how it relates to the old one (HF `transform` semantics). */
export type CharChange = readonly [string, number];

/** Which text offsets refer to: the original input or the normalised text. */
export type OffsetReferential = "original" | "normalized";

/**
 * Per code unit of a normalized string: the [start, end) of the original character it comes from —
 * the fast paths' flat form of a NormalizedString's alignments, in growable typed arrays.
 */
export class Alignments {
  starts = new Int32Array(1024);
  ends = new Int32Array(1024);
  length = 0;

  push(start: number, end: number): void {
    if (this.length === this.starts.length) {
      const starts = new Int32Array(2 * this.length);
      const ends = new Int32Array(2 * this.length);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.length] = start;
    this.ends[this.length++] = end;
  }

  /** Gives entries `from` … the last one the range [start, end). */
  fillFrom(from: number, start: number, end: number): void {
    this.starts.fill(start, from, this.length);
    this.ends.fill(end, from, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

/** `arr` with [start, end) replaced by `insert` (a new array when the length changes). */
function splice(arr: number[], start: number, end: number, insert: number[]): number[] {
  if (start === 0 && end === arr.length) return insert;
  if (end - start === insert.length) {
    for (let i = 0; i < insert.length; i++) arr[start + i] = insert[i]!;
    return arr;
  }
  const out = arr.slice(0, start);
  for (const x of insert) out.push(x);
  for (let i = end; i < arr.length; i++) out.push(arr[i]!);
  return out;
}

/** Length in UTF-16 code units of the code point starting at `s[i]`. */
export function charLengthAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** Identity alignments: each code unit maps to its own character's range. */
function identityStarts(s: string, starts: number[], ends: number[]): void {
  for (let i = 0; i < s.length; ) {
    const n = charLengthAt(s, i);
    for (let k = 0; k < n; k++) {
      starts.push(i);
      ends.push(i + n);
    }
    i += n;
  }
}

/**
 * Text being normalised that remembers, for every character, where it came from in the original, so token offsets point into the
 * user's input.
 */
export class NormalizedString {
  /** The text before normalization (for a slice: the slice of the original text it covers). */
  original: string;
  normalized: string;
  /** Per normalized code unit: the start and end of its range in `original` (two flat arrays, to spare the garbage collector a tuple per character). */
  private starts: number[];
  private ends: number[];
  /** Where `original` starts inside the full original text (non-zero for slices). */
  originalShift: number;

  constructor(original: string, normalized?: string, alignments?: Alignment[], originalShift = 0) {
    this.original = original;
    this.normalized = normalized ?? original;
    this.starts = [];
    this.ends = [];
    if (alignments) {
      for (const [a, b] of alignments) {
        this.starts.push(a);
        this.ends.push(b);
      }
    } else {
      identityStarts(original, this.starts, this.ends);
    }
    this.originalShift = originalShift;
  }

  /** Per normalized code unit: its [start, end) in `original`. */
  get alignments(): Alignment[] {
    return this.starts.map((a, i): Alignment => [a, this.ends[i]!]);
  }

  get(): string {
    return this.normalized;
  }

  get length(): number {
    return this.normalized.length;
  }

  isEmpty(): boolean {
    return this.normalized.length === 0;
  }

  /** [start, end) of this string in the full original text. */
  offsetsOriginal(): [number, number] {
    return [this.originalShift, this.originalShift + this.original.length];
  }

  clone(): NormalizedString {
    const c = new NormalizedString("", "", [], this.originalShift);
    c.original = this.original;
    c.normalized = this.normalized;
    c.starts = this.starts.slice();
    c.ends = this.ends.slice();
    return c;
  }

  /**
   * Maps a [start, end) range of the normalized string to the original (relative to `original`),
   * like HF `convert_offsets(Range::Normalized)`: the start of the first unit's alignment and the end
   * of the last one's. Returns undefined for a range outside the string.
   */
  normalizedToOriginal(start: number, end: number): [number, number] | undefined {
    if (start > end || end > this.normalized.length) return undefined;
    if (this.normalized.length === 0) return [0, this.original.length];
    if (start === end) {
      const p = start < this.starts.length ? this.starts[start]! : this.ends[start - 1]!;
      return [p, p];
    }
    return [this.starts[start]!, this.ends[end - 1]!];
  }

  /**
   * Replaces the normalized units [start, end) by the characters of `changes` (HF `transform_range`).
   * Each item is one character of the new text and its change: 1 = inserted (it takes the alignment of
   * the character before it), 0 = replaces one character, -n = replaces one character and removes the
   * n characters after it. `initialOffset` characters are removed at the start of the range first.
   */
  transformRange(start: number, end: number, changes: Iterable<CharChange>, initialOffset: number): this {
    const old = this.normalized;
    let idx = start;
    for (let k = 0; k < initialOffset; k++) {
      if (idx >= end) throw new ValueError(`NormalizedString.transform: initialOffset ${initialOffset} removes more than the range`);
      idx += charLengthAt(old, idx);
    }
    const parts: string[] = [];
    const newStarts: number[] = [];
    const newEnds: number[] = [];
    for (const [c, change] of changes) {
      let a: number;
      let b: number;
      if (change > 0) {
        a = idx < 1 ? 0 : this.starts[idx - 1]!;
        b = idx < 1 ? 0 : this.ends[idx - 1]!;
      } else {
        if (idx >= end) throw new ValueError(`NormalizedString.transform: changes consume more characters than the range holds`);
        a = this.starts[idx]!;
        b = this.ends[idx]!;
        idx += charLengthAt(old, idx);
        for (let k = 0; k < -change; k++) {
          if (idx >= end) throw new ValueError(`NormalizedString.transform: change ${change} removes more characters than remain`);
          idx += charLengthAt(old, idx);
        }
      }
      parts.push(c);
      for (let k = 0; k < c.length; k++) {
        newStarts.push(a);
        newEnds.push(b);
      }
    }
    const replacement = parts.join("");
    this.normalized = old.slice(0, start) + replacement + old.slice(end);
    this.starts = splice(this.starts, start, end, newStarts);
    this.ends = splice(this.ends, start, end, newEnds);
    return this;
  }

  /** HF `NormalizedString::transform` over the whole string. */
  transform(changes: Iterable<CharChange>, initialOffset: number): this {
    return this.transformRange(0, this.normalized.length, changes, initialOffset);
  }

  /** Keeps only the characters for which `keep` is true. */
  filter(keep: (c: string) => boolean): this {
    // Direct form of the transform below: kept units keep their alignments.
    const text = this.normalized;
    let out = "";
    let dropped = false;
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < text.length; ) {
      const n = charLengthAt(text, i);
      const c = n === 1 ? text[i]! : text.slice(i, i + n);
      if (keep(c)) {
        out += c;
        for (let k = 0; k < n; k++) {
          starts.push(this.starts[i + k]!);
          ends.push(this.ends[i + k]!);
        }
      } else {
        dropped = true;
      }
      i += n;
    }
    if (dropped) {
      this.normalized = out;
      this.starts = starts;
      this.ends = ends;
    }
    return this;
  }

  /** `filter` through `transform`, as HF writes it (kept as the reference the tests compare with). */
  filterByTransform(keep: (c: string) => boolean): this {
    const changes: CharChange[] = [];
    let removed = 0;
    let removedAtStart = 0;
    let last: string | undefined;
    for (const c of this.normalized) {
      if (keep(c)) {
        if (last !== undefined) changes.push([last, -removed]);
        else removedAtStart = removed;
        last = c;
        removed = 0;
      } else {
        removed++;
      }
    }
    if (last !== undefined) changes.push([last, -removed]);
    else removedAtStart = removed;
    return this.transform(changes, removedAtStart);
  }

  /** Replaces each character by exactly one character. */
  map(f: (c: string) => string): this {
    const same = this.mapSameLength(f);
    if (same !== undefined) {
      this.normalized = same;
      return this;
    }
    const changes: CharChange[] = [];
    for (const c of this.normalized) changes.push([f(c), 0]);
    return this.transform(changes, 0);
  }

  /** Replaces each character by zero or more characters (the first replaces it, the rest are inserted). */
  /** The mapped text when every character maps to one of the same UTF-16 length (alignments unchanged), else undefined. */
  private mapSameLength(f: (c: string) => string): string | undefined {
    const text = this.normalized;
    let out = "";
    for (let i = 0; i < text.length; ) {
      const n = charLengthAt(text, i);
      const d = f(n === 1 ? text[i]! : text.slice(i, i + n));
      if (d.length !== n || (n === 1 && charLengthAt(d, 0) !== 1)) return undefined;
      out += d;
      i += n;
    }
    return out;
  }

  private mapToMany(f: (c: string) => string): this {
    const same = this.mapSameLength(f);
    if (same !== undefined) {
      if (same !== this.normalized) this.normalized = same;
      return this;
    }
    const changes: CharChange[] = [];
    let removedAtStart = 0;
    for (const c of this.normalized) {
      let first = true;
      for (const d of f(c)) {
        changes.push([d, first ? 0 : 1]);
        first = false;
      }
      if (first) {
        // The character maps to nothing: it is removed after the previous character.
        const prev = changes.pop();
        if (prev) changes.push([prev[0], prev[1] - 1]);
        else removedAtStart++;
      }
    }
    return this.transform(changes, removedAtStart);
  }

  /** Lowercases character by character, like Rust's `char::to_lowercase` (no final-sigma context). */
  lowercase(): this {
    return this.mapToMany((c) => c.toLowerCase());
  }

  uppercase(): this {
    return this.mapToMany((c) => c.toUpperCase());
  }

  nfd(): this {
    return this.unicodeNormalize("NFD");
  }
  nfkd(): this {
    return this.unicodeNormalize("NFKD");
  }
  nfc(): this {
    return this.unicodeNormalize("NFC");
  }
  nfkc(): this {
    return this.unicodeNormalize("NFKC");
  }

  /**
   * Unicode normalization with alignments. The text is cut into the smallest segments that normalize
   * independently (a starter with its combining marks, grown while normalization joins it with the
   * next one, e.g. Hangul jamo); a segment of k characters that becomes m characters keeps the first
   * min(k, m) one-for-one, then inserts (m > k) or removes (m < k) the rest.
   */
  private unicodeNormalize(form: "NFC" | "NFD" | "NFKC" | "NFKD"): this {
    const s = this.normalized;
    if (s.normalize(form) === s) return this;
    const clusters: string[] = [];
    for (const c of s) {
      // A non-starter (combining mark) joins the cluster before it.
      if (clusters.length > 0 && /^\p{M}/u.test(c)) clusters[clusters.length - 1] += c;
      else clusters.push(c);
    }
    const changes: CharChange[] = [];
    let segment = "";
    let segmentNorm = "";
    const flush = (): void => {
      if (segment.length === 0) return;
      const from = [...segment];
      const to = [...segmentNorm];
      if (to.length === 0) {
        throw new ValueError(`NormalizedString.${form.toLowerCase()}: segment normalized to nothing`);
      }
      if (to.length >= from.length) {
        to.forEach((c, i) => changes.push([c, i < from.length ? 0 : 1]));
      } else {
        to.forEach((c, i) => changes.push([c, i === to.length - 1 ? to.length - from.length : 0]));
      }
    };
    for (const cluster of clusters) {
      const clusterNorm = cluster.normalize(form);
      if (segment.length > 0) {
        const joined = (segment + cluster).normalize(form);
        if (joined !== segmentNorm + clusterNorm) {
          segment += cluster;
          segmentNorm = joined;
          continue;
        }
      }
      flush();
      segment = cluster;
      segmentNorm = clusterNorm;
    }
    flush();
    return this.transform(changes, 0);
  }

  /** Adds `s` before the text; the new characters align with the first character. */
  prepend(s: string): this {
    if (this.normalized.length === 0 || s.length === 0) return this;
    const n = charLengthAt(this.normalized, 0);
    const next = this.normalized.slice(0, n);
    const changes: CharChange[] = [];
    let i = 0;
    for (const c of s) changes.push([c, i++ === 0 ? 0 : 1]);
    changes.push([next, 1]);
    return this.transformRange(0, n, changes, 0);
  }

  /** Adds `s` after the text; the new characters align with the last character. */
  append(s: string): this {
    if (this.normalized.length === 0 || s.length === 0) return this;
    const len = this.normalized.length;
    const lastStart = len >= 2 && charLengthAt(this.normalized, len - 2) === 2 ? len - 2 : len - 1;
    const changes: CharChange[] = [[this.normalized.slice(lastStart), 0]];
    for (const c of s) changes.push([c, 1]);
    return this.transformRange(lastStart, len, changes, 0);
  }

  /** Replaces every match of `pattern` by `content`; the new characters align with the last replaced one. */
  replace(pattern: Pattern, content: string): this {
    const matches = findMatches(pattern, this.normalized).filter(([, isMatch]) => isMatch);
    // Right to left, so earlier ranges stay valid.
    for (let m = matches.length - 1; m >= 0; m--) {
      const [start, end] = matches[m]![0];
      const removed = [...this.normalized.slice(start, end)].length;
      const changes: CharChange[] = [];
      for (const c of content) changes.push([c, 1]);
      this.transformRange(start, end, changes, removed);
    }
    return this;
  }

  /** Removes leading and/or trailing whitespace (Unicode White_Space, as Rust's `char::is_whitespace`). */
  lrstrip(left: boolean, right: boolean): this {
    const chars = [...this.normalized];
    let lead = 0;
    if (left) while (lead < chars.length && isWhitespace(chars[lead]!)) lead++;
    let trail = 0;
    if (right) while (trail < chars.length - lead && isWhitespace(chars[chars.length - 1 - trail]!)) trail++;
    if (lead === 0 && trail === 0) return this;
    const changes: CharChange[] = [];
    const stop = chars.length - trail;
    for (let i = lead; i < stop; i++) changes.push([chars[i]!, i === stop - 1 ? -trail : 0]);
    if (changes.length === 0) return this.transform([], chars.length);
    return this.transform(changes, lead);
  }

  strip(): this {
    return this.lrstrip(true, true);
  }

  /** The part [start, end) of the normalized string (UTF-16 units) with its share of the original. */
  slice(start: number, end: number): NormalizedString {
    start = Math.max(0, Math.min(start, this.normalized.length));
    end = Math.max(start, Math.min(end, this.normalized.length));
    const [oStart, oEnd] = this.normalizedToOriginal(start, end) ?? [0, 0];
    const out = new NormalizedString("", "", [], this.originalShift + oStart);
    out.original = this.original.slice(oStart, oEnd);
    out.normalized = this.normalized.slice(start, end);
    const starts = new Array<number>(end - start);
    const ends = new Array<number>(end - start);
    for (let i = start; i < end; i++) {
      starts[i - start] = this.starts[i]! - oStart;
      ends[i - start] = this.ends[i]! - oStart;
    }
    out.starts = starts;
    out.ends = ends;
    return out;
  }

  /** Splits on `pattern` with HF's delimiter behaviours (see `SplitDelimiterBehavior`). */
  split(pattern: Pattern, behavior: SplitDelimiterBehavior, invert = false): NormalizedString[] {
    return splitRanges(this.normalized, pattern, behavior, invert).map(([s, e]) => this.slice(s, e));
  }
}

const WHITE_SPACE = /^\p{White_Space}$/u;

/** Unicode White_Space, which is what Rust's `char::is_whitespace` tests (JS `\s` differs: it adds U+FEFF and lacks U+0085). */
export function isWhitespace(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return WHITE_SPACE.test(c);
}
