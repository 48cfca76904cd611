/**
 * A faster route through the SentencePiece pipeline — Precompiled charsmap, right strip and space
 * collapsing, Metaspace, then Unigram or BPE (every `.model`, and tokenizer.json files of that shape)
 * — that gives exactly what the general pipeline gives (the tests compare both) without a
 * NormalizedString and its per-character change lists: the charsmap copies runs of characters no rule
 * starts with, whitespace handling is one pass over the string, offsets are two flat arrays, and
 * BPE words go through the model's word cache.
 */
import type { FastEncoding } from "./byte-level-fast-path.js";
import { BPE } from "./models/bpe/model.js";
import { Unigram } from "./models/unigram/model.js";
import { Alignments, isWhitespace } from "./normalized-string.js";
import type { Normalizer } from "./normalizers/normalizer.js";
import { Precompiled } from "./normalizers/precompiled.js";
import { Replace } from "./normalizers/replace.js";
import { NormalizerSequence } from "./normalizers/sequence.js";
import { Strip } from "./normalizers/strip.js";
import { Metaspace } from "./pre_tokenizers/metaspace.js";
import type { PreTokenizer } from "./pre_tokenizers/pre-tokenizer.js";
import type { Model } from "./models/model.js";


export class SentencePieceFastPath {
  /** Alignment buffers of the charsmap's output and of the final string, reused. */
  private readonly inner = new Alignments();
  private readonly outer = new Alignments();

  private constructor(
    private readonly charsmap: Precompiled | undefined,
    /** Strip(right) then Replace(" {2,}" → " "), SentencePiece's remove_extra_whitespaces. */
    private readonly collapseWhitespace: boolean,
    private readonly metaspace: Metaspace,
    private readonly model: Unigram | BPE,
  ) {}

  /** The fast path for this pipeline, or null when it has another shape. */
  static forPipeline(normalizer: Normalizer | undefined, preTokenizer: PreTokenizer | undefined, model: Model): SentencePieceFastPath | null {
    if (!(preTokenizer instanceof Metaspace) || preTokenizer.replacement !== "\u2581") return null;
    if (model instanceof BPE) {
      if (model.dropout || model.continuingSubwordPrefix || model.endOfWordSuffix || model.ignoreMerges) return null;
    } else if (!(model instanceof Unigram)) {
      return null;
    }
    const stages = normalizer === undefined ? [] : normalizer instanceof NormalizerSequence ? normalizer.normalizers : [normalizer];
    let k = 0;
    let charsmap: Precompiled | undefined;
    if (stages[k] instanceof Precompiled) charsmap = stages[k++] as Precompiled;
    let collapse = false;
    const strip = stages[k];
    const replace = stages[k + 1];
    if (
      strip instanceof Strip && !strip.stripLeft && strip.stripRight &&
      replace instanceof Replace && "Regex" in replace.pattern && replace.pattern.Regex === " {2,}" && replace.content === " "
    ) {
      collapse = true;
      k += 2;
    }
    if (k !== stages.length) return null;
    return new SentencePieceFastPath(charsmap, collapse, preTokenizer, model);
  }

  /**
   * The normalized, Metaspace-escaped text of one segment (`atStart`: it begins the input, for
   * prepend_scheme "first"), with per code unit alignments into `text` when `align` is given.
   */
  private normalize(text: string, atStart: boolean, align: Alignments | null): string {
    const inner: Alignments | null = align ? this.inner : null;
    inner?.clear();
    let s = this.charsmap ? this.charsmap.normalizeAligned(text, inner) : text;
    if (inner && !this.charsmap) {
      for (let i = 0; i < s.length; i++) {
        const pair = (s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
        const lowHalf = i > 0 && (s.charCodeAt(i) & 0xfc00) === 0xdc00 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800;
        inner.push(lowHalf ? i - 1 : i, pair ? i + 2 : i + 1);
      }
    }
    let end = s.length;
    if (this.collapseWhitespace) {
      // Strip(right): trailing White_Space characters, whole code points.
      while (end > 0) {
        const low = s.charCodeAt(end - 1);
        const n = (low & 0xfc00) === 0xdc00 && end >= 2 && (s.charCodeAt(end - 2) & 0xfc00) === 0xd800 ? 2 : 1;
        if (!isWhitespace(s.slice(end - n, end))) break;
        end -= n;
      }
    }
    const ms = this.metaspace;
    const prepend = ms.prependScheme === "always" || (ms.prependScheme === "first" && atStart);
    if (!inner) {
      // Without alignments the string functions do it natively.
      let t = end === s.length ? s : s.slice(0, end);
      if (this.collapseWhitespace && t.includes("  ")) t = t.replace(/ {2,}/g, " ");
      t = t.replaceAll(" ", "\u2581");
      return t.length > 0 && prepend && t.charCodeAt(0) !== 0x2581 ? "\u2581" + t : t;
    }
    let out = "";
    let copyFrom = 0;
    // Metaspace prepends "▁" unless the text starts with one (a leading space becomes one too).
    if (end > 0 && prepend && s.charCodeAt(0) !== 0x2581 && s.charCodeAt(0) !== 0x20) {
      out = "\u2581";
      if (inner) align!.push(inner.starts[0]!, inner.ends[0]!);
    }
    for (let i = 0; i < end; i++) {
      if (s.charCodeAt(i) !== 0x20) {
        if (inner) align!.push(inner.starts[i]!, inner.ends[i]!);
        continue;
      }
      // A run of spaces: one "▁" (Replace(" {2,}") keeps the alignment of the run's last space).
      let j = i + 1;
      if (this.collapseWhitespace) while (j < end && s.charCodeAt(j) === 0x20) j++;
      out += s.slice(copyFrom, i);
      out += "\u2581";
      if (inner) align!.push(inner.starts[j - 1]!, inner.ends[j - 1]!);
      copyFrom = j;
      i = j - 1;
    }
    out += s.slice(copyFrom, end);
    s = out;
    return s;
  }

  /** The words the model sees: the whole string, or split before every "▁" (Metaspace split). */
  private forEachWord(s: string, f: (start: number, end: number) => void): void {
    if (!this.metaspace.split) {
      if (s.length > 0) f(0, s.length);
      return;
    }
    let start = 0;
    for (let i = s.indexOf("\u2581", 1); i >= 0; i = s.indexOf("\u2581", i + 1)) {
      f(start, i);
      start = i;
    }
    if (start < s.length) f(start, s.length);
  }

  /** Appends the ids of `text` (one segment between added tokens) to `out`; always true (it takes every text). */
  encodeIds(text: string, out: number[], atStart: boolean): boolean {
    const s = this.normalize(text, atStart, null);
    const model = this.model;
    this.forEachWord(s, (start, end) => {
      const word = start === 0 && end === s.length ? s : s.slice(start, end);
      if (model instanceof Unigram) {
        model.tokenizeIdsInto(word, out);
      } else {
        const ids = model.tokenizeIds(word);
        for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
      }
    });
    return true;
  }

  /**
   * Appends tokens of text[start, end) with offsets into the full text, a word per Metaspace piece
   * numbered from `firstWord`; returns the next word number.
   */
  encode(text: string, start: number, end: number, out: FastEncoding, firstWord: number): number {
    const segment = start === 0 && end === text.length ? text : text.slice(start, end);
    const align = this.outer;
    align.clear();
    const s = this.normalize(segment, start === 0, align);
    let word = firstWord;
    const model = this.model;
    this.forEachWord(s, (a, b) => {
      const w = a === 0 && b === s.length ? s : s.slice(a, b);
      const push = (id: number, value: string, tokenStart: number, tokenEnd: number): void => {
        out.ids.push(id);
        out.tokens.push(value);
        out.offsets.push([start + align.starts[a + tokenStart]!, start + align.ends[a + tokenEnd - 1]!]);
        out.wordIds.push(word);
      };
      if (model instanceof Unigram) model.forEachToken(w, push);
      else for (const t of model.tokenize(w)) push(t.id, t.value, t.offsets[0], t.offsets[1]);
      word++;
    });
    return word;
  }
}
