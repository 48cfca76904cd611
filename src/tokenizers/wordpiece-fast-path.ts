/**
 * A faster route through BERT's pipeline — BertNormalizer, BertPreTokenizer, WordPiece — that gives
 * exactly what the general pipeline gives (the tests compare both) without a NormalizedString:
 * the normalizer works character by character (clean-up, CJK padding, NFD without nonspacing marks,
 * lowercasing all act on one code point at a time), so each code point's normalized characters and
 * their kinds (word, whitespace, punctuation, dropped) come from a table for ASCII and a cache for the
 * rest; words are slices of the input where possible, and a word → tokens cache serves repeats.
 *
 * One case is not character by character: NFD reorders runs of combining marks by combining class.
 * Nonspacing marks are dropped anyway and enclosing marks have class 0; a text holding a spacing mark
 * (Mc, some of which have a nonzero class) while accents are stripped takes the general pipeline.
 */
import type { FastEncoding } from "./byte-level-fast-path.js";
import { WordCache } from "./models/bpe/word-cache.js";
import type { Model, Token } from "./models/model.js";
import { WordPiece } from "./models/wordpiece/model.js";
import { Alignments, isWhitespace } from "./normalized-string.js";
import { BertNormalizer, isChineseChar, isBertControl, isBertWhitespace, NONSPACING_MARK } from "./normalizers/bert.js";
import type { Normalizer } from "./normalizers/normalizer.js";
import { BertPreTokenizer, isPunctuation } from "./pre_tokenizers/punctuation.js";
import type { PreTokenizer } from "./pre_tokenizers/pre-tokenizer.js";

const WORD = 0;
const SEPARATOR = 1;
/** A character that is a word by itself: punctuation, or a CJK ideograph with handle_chinese_chars. */
const ALONE = 2;
const DROPPED = 3;

/** One code point's normalized characters and the kind of each. */
interface Normalized {
  chars: string[];
  kinds: number[];
}

const SPACING_MARK = /\p{Mc}/u;

export class WordPieceFastPath {
  /** ASCII code → kind of its (single) normalized character, DROPPED when it has none. */
  private readonly asciiKind = new Uint8Array(128);
  /** ASCII code → 1 when lowercasing changes it. */
  private readonly asciiUpper = new Uint8Array(128);
  private readonly ascii: Normalized[] = [];
  private readonly cache = new Map<number, Normalized>();
  private readonly words = new WordCache<Token[]>(1_000_000);
  private readonly stripAccents: boolean;
  /** Per unit of a built word: its original range (reused). */
  private readonly ranges = new Alignments();

  private constructor(
    private readonly normalizer: BertNormalizer,
    private readonly model: WordPiece,
  ) {
    this.stripAccents = normalizer.stripAccents ?? normalizer.lowercase;
    for (let c = 0; c < 128; c++) {
      const n = this.normalizeCodePoint(String.fromCharCode(c));
      this.ascii.push(n);
      this.asciiKind[c] = n.kinds.length === 0 ? DROPPED : n.kinds[0]!;
      this.asciiUpper[c] = n.chars.length === 1 && n.chars[0] !== String.fromCharCode(c) && n.kinds[0] === WORD ? 1 : 0;
    }
  }

  /** The fast path for this pipeline, or null when it has another shape. */
  static forPipeline(normalizer: Normalizer | undefined, preTokenizer: PreTokenizer | undefined, model: Model): WordPieceFastPath | null {
    if (!(normalizer instanceof BertNormalizer) || !(preTokenizer instanceof BertPreTokenizer) || !(model instanceof WordPiece)) return null;
    return new WordPieceFastPath(normalizer, model);
  }

  /** BertNormalizer then the pre-tokenizer's character classes, for one code point. */
  private normalizeCodePoint(c: string): Normalized {
    const n = this.normalizer;
    const out: Normalized = { chars: [], kinds: [] };
    if (n.cleanText) {
      if (c === "\0" || c === "\ufffd" || isBertControl(c)) return out;
      if (isBertWhitespace(c)) c = " ";
    }
    const alone = n.handleChineseChars && isChineseChar(c);
    let s = c;
    if (this.stripAccents) {
      s = "";
      for (const d of c.normalize("NFD")) if (!NONSPACING_MARK.test(d)) s += d;
    }
    if (n.lowercase) {
      let lower = "";
      for (const d of s) lower += d.toLowerCase();
      s = lower;
    }
    for (const d of s) {
      out.chars.push(d);
      out.kinds.push(isWhitespace(d) ? SEPARATOR : alone || isPunctuation(d) ? ALONE : WORD);
    }
    return out;
  }

  private lookup(cp: number, c: string): Normalized {
    let n = this.cache.get(cp);
    if (n === undefined) {
      n = this.normalizeCodePoint(c);
      this.cache.set(cp, n);
    }
    return n;
  }

  /** Whether the general pipeline must take `text` (see the file comment). */
  private needsGeneral(text: string): boolean {
    return this.stripAccents && SPACING_MARK.test(text);
  }

  /**
   * Walks the words of `text`, calling `emit(word, origin)` for each: `origin` ≥ 0 when the word is
   * text[origin, origin + word.length) (perhaps lowercased), unit for unit; -1 when it was built from
   * other characters, and then, if `ranges` is given, `ranges` holds the original [start, end) of each
   * of its units (reset by the caller after each word).
   */
  private forEachWord(text: string, ranges: Alignments | null, emit: (word: string, origin: number) => void): void {
    const kinds = this.asciiKind;
    const upper = this.asciiUpper;
    const length = text.length;
    // A word that is not one slice of the input (it holds non-ASCII or dropped characters) is built
    // up here; null when no such word is under way.
    let built: string | null = null;
    for (let i = 0; i < length; ) {
      const c = text.charCodeAt(i);
      if (c < 128 && kinds[c] === WORD) {
        // A run of ASCII word characters: most words are one, and then a slice of the input.
        let j = i + 1;
        let hasUpper = upper[c] === 1;
        for (; j < length; j++) {
          const d = text.charCodeAt(j);
          if (d >= 128 || kinds[d] !== WORD) break;
          if (upper[d] === 1) hasUpper = true;
        }
        let run = text.slice(i, j);
        if (hasUpper) run = run.toLowerCase();
        if (built === null && this.endsWord(text, j)) {
          emit(run, i);
        } else {
          built = (built ?? "") + run;
          if (ranges) for (let k = i; k < j; k++) ranges.push(k, k + 1);
        }
        i = j;
        continue;
      }
      const units = c >= 0xd800 && c <= 0xdbff && i + 1 < length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      const n = this.normalizedAt(text, i, c, units);
      for (let k = 0; k < n.chars.length; k++) {
        const kind = n.kinds[k]!;
        const d = n.chars[k]!;
        if (kind === WORD) {
          built = (built ?? "") + d;
          if (ranges) for (let u = 0; u < d.length; u++) ranges.push(i, i + units);
          continue;
        }
        if (built !== null) emit(built, -1);
        built = null;
        if (kind === ALONE) {
          if (c < 128) {
            emit(d, i);
          } else {
            if (ranges) for (let u = 0; u < d.length; u++) ranges.push(i, i + units);
            emit(d, -1);
          }
        }
      }
      i += units;
    }
    if (built !== null) emit(built, -1);
  }

  /** The normalized characters of the code point at text[i] (code unit `c`, `units` long). */
  private normalizedAt(text: string, i: number, c: number, units: number): Normalized {
    if (c < 128) return this.ascii[c]!;
    return this.lookup(units === 2 ? text.codePointAt(i)! : c, units === 2 ? text.slice(i, i + 2) : text[i]!);
  }

  /** Whether a word ends before text[j]: the end, or a character whose first normalized one is whitespace or a word by itself. */
  private endsWord(text: string, j: number): boolean {
    if (j >= text.length) return true;
    const c = text.charCodeAt(j);
    const units = c >= 0xd800 && c <= 0xdbff && j + 1 < text.length && (text.charCodeAt(j + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    const n = this.normalizedAt(text, j, c, units);
    return n.kinds.length > 0 && n.kinds[0] !== WORD;
  }

  private tokens(word: string): Token[] {
    let tokens = this.words.get(word);
    if (tokens === undefined) {
      tokens = this.model.tokenize(word);
      if (word.length <= 256) this.words.set(word, tokens);
    }
    return tokens;
  }

  /** Appends the ids of `text` (which holds no added tokens) to `out`; false when the general pipeline must do it. */
  encodeIds(text: string, out: number[]): boolean {
    if (this.needsGeneral(text)) return false;
    this.forEachWord(text, null, (word) => {
      const tokens = this.tokens(word);
      for (let k = 0; k < tokens.length; k++) out.push(tokens[k]!.id);
    });
    return true;
  }

  /**
   * Appends tokens of text[start, end) with offsets into the full text, one word per pre-tokenized
   * piece numbered from `firstWord`; returns the next word number, or -1 (nothing appended) when the
   * general pipeline must do it.
   */
  encode(text: string, start: number, end: number, out: FastEncoding, firstWord: number): number {
    const segment = start === 0 && end === text.length ? text : text.slice(start, end);
    if (this.needsGeneral(segment)) return -1;
    const ranges = this.ranges;
    ranges.clear();
    let word = firstWord;
    this.forEachWord(segment, ranges, (w, origin) => {
      const tokens = this.tokens(w);
      for (let k = 0; k < tokens.length; k++) {
        const t = tokens[k]!;
        out.ids.push(t.id);
        out.tokens.push(t.value);
        if (origin >= 0) out.offsets.push([start + origin + t.offsets[0], start + origin + t.offsets[1]]);
        else out.offsets.push([start + ranges.starts[t.offsets[0]]!, start + ranges.ends[t.offsets[1] - 1]!]);
        out.wordIds.push(word);
      }
      if (origin < 0) {
        ranges.clear();
      }
      word++;
    });
    return word;
  }
}
